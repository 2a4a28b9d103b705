/**
 * A server under test as its own Node process on 127.0.0.1: how long it takes from spawn to
 * a 200 on /readyz, its memory (through memory-probe.js over IPC), its log volume, and a
 * graceful stop (SIGTERM, which also writes a --cpu-prof profile).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** process.memoryUsage() as the process reported it, in MiB. */
export interface MemoryFigures {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** Heap in use right after a full garbage collection: what the process really holds. */
  liveHeapMb?: number;
  rssAfterGcMb?: number;
  /** Linux only (/proc/<pid>/status): resident anonymous memory (heaps, malloc) and file-backed pages (code, shared libraries). */
  rssAnonMb?: number;
  rssFileMb?: number;
}

/** RssAnon and RssFile of a process, in MiB (Linux); undefined elsewhere. */
function residentSplit(pid: number | undefined): { rssAnonMb?: number; rssFileMb?: number } {
  if (pid === undefined) return {};
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number | undefined => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) / 1024 : undefined;
    };
    return { rssAnonMb: kb('RssAnon'), rssFileMb: kb('RssFile') };
  } catch {
    return {};
  }
}

/**
 * The Node flags `npm start` runs the bot with (package.json, the same as App Service's start
 * command): the flags between `node` and the script, e.g. the V8 heap sizes. The bench starts the
 * bot with them so that its memory and CPU figures are those of the process a host runs.
 */
export function botStartFlags(root = join(__dirname, '..', '..')): string[] {
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.trim().split(/\s+/);
  if (words[0] !== 'node' || words.length < 2) throw new Error(`package.json "start" is not "node [flags] <script>": ${start}`);
  return words.slice(1, -1);
}

const MB = 1_048_576;
const OUTPUT_KEPT = 64 * 1024;

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class MeasuredProcess {
  url = '';
  /** Milliseconds from spawn to the first 200 on /readyz. */
  readyMs = 0;
  /** Lines written to stdout and stderr (the log). */
  logLines = 0;
  private child?: ChildProcess;
  private tail = '';

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly nodeArgs: string[] = [],
  ) {}

  async start(env: Record<string, string>, cwd: string): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const started = performance.now();
    this.child = spawn(process.execPath, ['--expose-gc', '--require', join(__dirname, 'memory-probe.js'), ...this.nodeArgs, this.script], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const keep = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.logLines += 1;
      this.tail = (this.tail + text).slice(-OUTPUT_KEPT);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    const until = Date.now() + 60_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited with ${this.child.exitCode}: ${this.tail.slice(-2000)}`);
      try {
        const res = await fetch(`${this.url}/readyz`);
        await res.arrayBuffer();
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > until) throw new Error(`${this.name} did not become ready: ${this.tail.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.readyMs = performance.now() - started;
  }

  /** The last part of what the process wrote. */
  get output(): string {
    return this.tail;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * CPU time the process has used so far (user + system, all threads), in ms, from
   * /proc/<pid>/stat (Linux; clock ticks of 10 ms). Undefined where /proc is missing.
   */
  cpuMs(): number | undefined {
    if (this.child?.pid === undefined) return undefined;
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
      return (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return undefined;
    }
  }

  /** Memory as the process sees it, and after a full GC. */
  memory(): Promise<MemoryFigures> {
    const child = this.child;
    if (!child?.connected) return Promise.reject(new Error(`${this.name} is not running`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not report its memory`)), 10_000);
      const onMessage = (message: { type?: string; now?: NodeJS.MemoryUsage; afterGc?: NodeJS.MemoryUsage }): void => {
        if (message?.type !== 'memory' || !message.now) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        const { now, afterGc } = message;
        resolve({
          rssMb: now.rss / MB,
          heapUsedMb: now.heapUsed / MB,
          heapTotalMb: now.heapTotal / MB,
          externalMb: now.external / MB,
          liveHeapMb: afterGc ? afterGc.heapUsed / MB : undefined,
          rssAfterGcMb: afterGc ? afterGc.rss / MB : undefined,
          ...residentSplit(child.pid),
        });
      };
      child.on('message', onMessage);
      child.send({ type: 'memory' });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process ended. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
