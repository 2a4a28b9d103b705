import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports';

/** The real bot as its own process (`tsx src/index.ts`), as a host would run it. */
export class BotProcess {
  private child?: ChildProcess;
  private output = '';
  url = '';

  async start(env: Record<string, string>): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const root = join(__dirname, '..', '..');
    this.child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['src/index.ts'], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    const until = Date.now() + 30_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`bot exited with ${this.child.exitCode}: ${this.output.slice(-2000)}`);
      try {
        const res = await fetch(`${this.url}/readyz`);
        if (res.ok) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() > until) throw new Error(`bot did not become ready: ${this.output.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  get log(): string {
    return this.output;
  }

  /**
   * Ends the bot at once with SIGKILL, as a crash would: nothing is drained, flushed or closed.
   * `tsx` runs the bot in a child node process of its own and cannot relay SIGKILL, so that
   * process (found through /proc on Linux) is killed first, then the `tsx` wrapper.
   */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const inner = child.pid === undefined ? [] : descendantsOf(child.pid);
    for (const pid of inner.reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    const until = Date.now() + 10_000;
    while (inner.some(isRunning) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** The exit code once the process ended (null while it runs, or when a signal ended it). */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  /** Sends `signal` and resolves with the exit code (null when the signal killed it) once the process ends. */
  signal(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child) return Promise.resolve(null);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
}

/** Every process below `pid`, parents before their children (Linux /proc; empty elsewhere). */
function descendantsOf(pid: number): number[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => [c, ...descendantsOf(c)]);
}

/** True while `pid` exists and is not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
