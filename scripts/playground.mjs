#!/usr/bin/env node
// Starts the bot on its embedded defaults (built-in demo tenant, SQLite under ./data) and the
// Microsoft 365 Agents Playground pointed at it. Ctrl+C stops both.
import { spawn } from 'node:child_process';
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

run(bin('tsx'), ['src/index.ts'], { PORT: port });
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
