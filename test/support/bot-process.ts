import { spawn, type ChildProcess } from 'node:child_process';
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

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
}
