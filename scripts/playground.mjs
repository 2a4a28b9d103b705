#!/usr/bin/env node
// Starts the bot on its embedded defaults (built-in demo tenant, SQLite under ./data) and the
// Microsoft 365 Agents Playground pointed at it. Ctrl+C stops both.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT ?? '3978';
const playgroundPort = process.env.PLAYGROUND_PORT ?? '56150';
const bin = (name) => join(root, 'node_modules', '.bin', name);
const children = [];

function run(command, args, env) {
  // The Playground exits when its stdin closes (as it does in CI or a background shell), so give it a pipe we keep open.
  const child = spawn(command, args, { cwd: root, stdio: ['pipe', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  children.push(child);
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${command} exited with ${code}; stopping.`);
      stop(code ?? 1);
    }
  });
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/** The demo help desk agent (Grady Archie, as scripts/browser-tests.mjs defines him). */
const DEMO_AGENT_AAD_OBJECT_ID = '00000000-0000-0000-0000-0000000000040';

/**
 * Only an existing agent may make a channel the ticket queue (docs/contract.md §3a), so the local
 * demo names its agents: the demo agent and the Playground's own user, the one person a single
 * Playground signs in as (so they can try "use this channel for tickets"). HELPDESK_AGENTS set in
 * the environment wins.
 */
function demoAgents() {
  if (process.env.HELPDESK_AGENTS) return process.env.HELPDESK_AGENTS;
  // js-yaml comes with mocha (it reads .mocharc); no new dependency.
  const yaml = createRequire(createRequire(import.meta.url).resolve('mocha/package.json'))('js-yaml');
  const config = yaml.load(readFileSync(join(root, '.m365agentsplayground.yml'), 'utf8'));
  return [DEMO_AGENT_AAD_OBJECT_ID, config?.currentUser?.aadObjectId].filter(Boolean).join(',');
}

run(bin('tsx'), ['src/index.ts'], { PORT: port, HELPDESK_AGENTS: demoAgents() });
for (let i = 0; i < 60; i++) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    if (res.ok) break;
  } catch {
    /* not up yet */
  }
  await sleep(500);
}
run(bin('agentsplayground'), ['-e', `http://127.0.0.1:${port}/api/messages`, '-c', 'msteams', '-p', playgroundPort, '--disable-telemetry'], {
  // The Playground crashes when it cannot open a browser (no xdg-open on servers and CI), so we print the URL instead.
  TEAMSAPPTESTER_BROWSER: 'none',
  M365_AGENTS_PLAYGROUND_LOGFILE: join(root, 'data', 'playground.log'),
});
console.log(`\nAgents Playground: open http://localhost:${playgroundPort} and say "OneDrive says 0x8004de40".\n`);
