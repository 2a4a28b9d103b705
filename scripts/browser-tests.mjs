#!/usr/bin/env node
// `npm run test:browser`: the browser journeys (test/browser/*.browser.ts) against the real bot and
// the Microsoft 365 Agents Playground, driven through Debian's Chromium with playwright-core.
//
// 1. starts the bot on its embedded defaults (built-in demo tenant, SQLite in a fresh temp folder);
// 2. starts one Playground per person the journeys need. The Playground (0.2.x) signs in as its
//    config's currentUser only and has no user switcher, so each person gets their own Playground,
//    all pointed at the same bot, like several people each in their own Teams client:
//      employee: .m365agentsplayground.yml as it is (Alex Wilber);
//      network:  the same file with Isaiah Langer as currentUser (the demo user the bot asks questions);
//      agent:    the same file with Grady Archie (help desk, defined below) as currentUser;
// 3. runs the journeys with mocha, then always stops everything it started.
//
// Usage: npm run test:browser [-- --update-screenshots] [-- <mocha args, e.g. --grep escalat>]
//   --update-screenshots (or UPDATE_SCREENSHOTS=1) also writes the README's screenshots to
//   docs/screenshots/. Every run keeps all journey screenshots under test-results/browser/.
//   KEEP_TEMP=1 keeps the temp folder (bot and Playground logs) even when everything passes.
//   CHROMIUM_PATH overrides /usr/bin/chromium.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SUITE_TIMEOUT_MS = 10 * 60_000;
/**
 * The people's time zone. The Playground stamps `localTimezone` on activities from its own server's
 * zone (not the browser's), so the Playgrounds run in it, and so does Chromium: the times the bot
 * writes on cards then match the Playground's message times, whatever the machine's zone.
 */
const TIME_ZONE = 'America/Los_Angeles';

/**
 * The help desk agent. Not a demo employee, so not in .m365agentsplayground.yml (which holds exactly
 * the 6 people the Playground allows: currentUser and 5 users). Only an existing agent may make a
 * channel the ticket queue (docs/contract.md §3a), so the bot runs with HELPDESK_AGENTS set to him.
 * Once the channel is registered, the bot also treats the members of its team as agents, read
 * through the Teams roster API, which the Playground answers from its config (it puts every
 * configured person in the team).
 */
const HELP_DESK_AGENT = {
  id: 'user-id-agent',
  name: 'Grady Archie',
  userPrincipleName: 'gradya@example.com',
  aadObjectId: '00000000-0000-0000-0000-0000000000040',
  givenName: 'Grady',
  surname: 'Archie',
  email: 'gradya@example.com',
};

/** The people the journeys need, by role: who is the Playground's currentUser. */
const PEOPLE = {
  employee: null, // the file's currentUser (Alex Wilber), the file unchanged
  network: 'Isaiah Langer', // one of the file's users
  agent: HELP_DESK_AGENT,
};

const args = process.argv.slice(2);
const update = args.includes('--update-screenshots') || process.env.UPDATE_SCREENSHOTS === '1';
const mochaArgs = args.filter((a) => a !== '--update-screenshots');

const children = [];
let tmp;
let stopping = false;

function log(message) {
  console.log(`[test:browser] ${message}`);
}

/** A port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a long-running process in its own process group, output to a file in the temp folder. */
function start(name, command, commandArgs, env, { stdinPipe = false } = {}) {
  const outFile = join(tmp, `${name}.out`);
  const out = openSync(outFile, 'a');
  const child = spawn(command, commandArgs, {
    cwd: root,
    // The Playground exits when its stdin closes, so it gets a pipe that stays open until we stop it.
    stdio: [stdinPipe ? 'pipe' : 'ignore', out, out],
    env: { ...process.env, ...env },
    detached: true,
  });
  const entry = { name, child, outFile, exited: false, code: null };
  child.on('exit', (code, signal) => {
    entry.exited = true;
    entry.code = code ?? signal;
    if (!stopping) log(`${name} exited early (${entry.code}); see ${outFile}`);
  });
  children.push(entry);
  return entry;
}

async function waitFor(what, check, timeoutMs, entry) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (entry?.exited) throw new Error(`${what}: the process exited (${entry.code}).\n${tail(entry.outFile)}`);
    try {
      const result = await check();
      if (result) return result;
    } catch {
      /* not yet */
    }
    await sleep(250);
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000} s.\n${entry ? tail(entry.outFile) : ''}`);
}

function tail(file, lines = 40) {
  if (!existsSync(file)) return `(no ${file})`;
  const text = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !/DeprecationWarning|trace-deprecation/.test(l));
  return `--- ${relative(root, file).startsWith('..') ? file : relative(root, file)} (last ${lines} lines) ---\n${text.slice(-lines).join('\n')}`;
}

async function stopAll() {
  stopping = true;
  for (const entry of children) {
    if (entry.exited) continue;
    try {
      process.kill(-entry.child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 5000;
  while (children.some((e) => !e.exited) && Date.now() < deadline) await sleep(100);
  for (const entry of children) {
    if (entry.exited) continue;
    try {
      process.kill(-entry.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** js-yaml comes with mocha (it reads .mocharc.yml); resolve it from there so no new dependency is needed. */
function loadYaml() {
  return createRequire(createRequire(import.meta.url).resolve('mocha/package.json'))('js-yaml');
}

/** The Playground config for one person: the project's file with that person as currentUser. */
function configFor(yaml, base, role, who) {
  if (!who) return { file: join(root, '.m365agentsplayground.yml'), user: base.currentUser };
  const everyone = [base.currentUser, ...base.users];
  const user = typeof who === 'string' ? everyone.find((u) => u.name === who) : who;
  if (!user) throw new Error(`.m365agentsplayground.yml has no user named "${who}" (needed as the ${role} in the browser journeys)`);
  const config = {
    ...base,
    currentUser: user,
    // The Playground wants exactly 5 other users.
    users: everyone.filter((u) => u.id !== user.id).slice(0, base.users.length),
    // The bot keys conversation state by conversation id; each Playground's chats need their own.
    personalChat: { ...base.personalChat, id: `personal-chat-${user.id}` },
    groupChat: { ...base.groupChat, id: `group-chat-${user.id}` },
  };
  const file = join(tmp, `playground-${role}.yml`);
  writeFileSync(file, `# Generated by scripts/browser-tests.mjs from .m365agentsplayground.yml\n${yaml.dump(config, { lineWidth: -1 })}`);
  return { file, user };
}

async function main() {
  if (!existsSync(chromium)) {
    throw new Error(`Chromium is not at ${chromium}. Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'helpdesk-browser-'));
  const artifacts = join(root, 'test-results', 'browser');
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  log(`temp folder ${tmp}`);

  const botPort = await freePort();
  const bot = start('bot', bin('tsx'), ['src/index.ts'], {
    PORT: String(botPort),
    DATA_DIR: join(tmp, 'data'),
    LOG_LEVEL: 'warn',
    NODE_ENV: '',
    HELPDESK_AGENTS: HELP_DESK_AGENT.aadObjectId,
  });
  const botUrl = `http://127.0.0.1:${botPort}`;

  const yaml = loadYaml();
  const base = yaml.load(readFileSync(join(root, '.m365agentsplayground.yml'), 'utf8'));
  const people = {};
  for (const [role, who] of Object.entries(PEOPLE)) {
    const { file, user } = configFor(yaml, base, role, who);
    people[role] = { role, name: user.name, aadObjectId: user.aadObjectId, upn: user.userPrincipleName, config: file, port: await freePort() };
  }

  await waitFor('bot /healthz', async () => (await fetch(`${botUrl}/healthz`)).ok, 60_000, bot);
  log(`bot up at ${botUrl}`);

  const playgrounds = Object.values(people).map((person) => {
    const env = {
      TEAMSAPPTESTER_BROWSER: 'none', // it crashes trying to open a browser on a server
      M365_AGENTS_PLAYGROUND_LOGFILE: join(tmp, `playground-${person.role}.log`),
      M365_AGENTS_PLAYGROUND_CONFIG_PATH: person.config,
      TZ: TIME_ZONE,
    };
    const entry = start(
      `playground-${person.role}`,
      bin('agentsplayground'),
      ['-e', `${botUrl}/api/messages`, '-c', 'msteams', '-p', String(person.port), '--disable-telemetry'],
      env,
      { stdinPipe: true },
    );
    return { person, entry };
  });
  await Promise.all(
    playgrounds.map(async ({ person, entry }) => {
      // It falls back to a random port when the one asked for is taken, and says which.
      const port = await waitFor(`Playground for ${person.name}`, async () => /Listening on (\d+)/.exec(readFileSync(entry.outFile, 'utf8'))?.[1], 60_000, entry);
      person.port = Number(port);
      person.url = `http://127.0.0.1:${port}`;
      await waitFor(`Playground for ${person.name} at ${person.url}`, async () => (await fetch(person.url)).ok, 30_000, entry);
      log(`Playground for ${person.name} (${person.role}) at ${person.url}`);
    }),
  );

  const files = readdirSync(join(root, 'test', 'browser'))
    .filter((f) => f.endsWith('.browser.ts'))
    .sort()
    .map((f) => join('test', 'browser', f));
  const mocha = spawn(bin('mocha'), ['--no-config', '--require', 'tsx/cjs', '--extension', 'ts', '--timeout', '120000', '--slow', '30000', '--exit', ...mochaArgs, ...files], {
    cwd: root,
    stdio: 'inherit',
    // Its own process group, with the Chromium it launches: stopAll() ends them together.
    detached: true,
    env: {
      ...process.env,
      BROWSER_TEST_PEOPLE: JSON.stringify(people),
      BROWSER_TEST_BOT_URL: botUrl,
      BROWSER_TEST_BOT_NAME: base.bot.name,
      BROWSER_TEST_TMP: tmp,
      BROWSER_TEST_ARTIFACTS: artifacts,
      BROWSER_TEST_DOCS_SCREENSHOTS: update ? join(root, 'docs', 'screenshots') : '',
      CHROMIUM_PATH: chromium,
      BROWSER_TEST_TIME_ZONE: TIME_ZONE,
    },
  });
  const entry = { name: 'mocha', child: mocha, outFile: '', exited: false, code: null };
  children.unshift(entry);
  const timer = setTimeout(() => {
    log(`the journeys took longer than ${SUITE_TIMEOUT_MS / 60_000} minutes; stopping them`);
    void stopAll();
  }, SUITE_TIMEOUT_MS);
  const code = await new Promise((resolve) =>
    mocha.on('exit', (c, signal) => {
      entry.exited = true;
      resolve(c ?? (signal ? 1 : 0));
    }),
  );
  clearTimeout(timer);
  return code;
}

let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  await stopAll();
  if (tmp) {
    if (code !== 0) {
      for (const name of ['bot.out', ...readdirSync(tmp).filter((f) => /^playground-.*\.(log|out)$/.test(f))]) console.error(tail(join(tmp, name), 25));
      console.error(`\n[test:browser] ${code === 130 ? 'INTERRUPTED' : 'FAILED'}. Logs kept in ${tmp}; screenshots in test-results/browser/.`);
    } else if (process.env.KEEP_TEMP === '1') {
      log(`logs kept in ${tmp}`);
    } else {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping the bot and the Playgrounds`);
    void finish(130);
  });
}

main().then(
  (code) => finish(code),
  (error) => {
    console.error(`[test:browser] ${error.message}`);
    void finish(1);
  },
);
