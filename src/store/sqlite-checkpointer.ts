/**
 * Copies SQLite's write-ahead log into the database file from a worker thread, so that the
 * checkpoints in the bot's own commits find almost nothing left to copy.
 *
 * In WAL mode, the commit that takes the log past 1,000 pages also checkpoints: it copies the
 * whole log into the database file and syncs both. In the benchmark that happened about once a
 * second under load, and each time it held the event loop for 8-16 ms: every conversation with a
 * turn in flight waited, and those commits made up a quarter of all state-write time.
 *
 * A worker thread with its own connection now runs a PASSIVE checkpoint every few milliseconds
 * while the log grows (less often while it does not). A passive checkpoint never waits for, and
 * never blocks, the bot's readers and writers. The bot's commit at 1,000 pages still checkpoints,
 * because SQLite starts the log again from the beginning only after a checkpoint that caught up
 * with every write; that checkpoint now copies a few pages instead of 4 MB. Measured with
 * 800 writes a second: commits over 2 ms went from 21 (8 ms each) to 2 (3 ms at most).
 */
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints while the log grows; it backs off to IDLE_CHECKPOINT_MS while it does not. */
export const CHECKPOINT_EVERY_MS = 20;
const IDLE_CHECKPOINT_MS = 500;

/* The worker: plain JavaScript, so it runs the same under tsx and from dist/. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
// Waiting here blocks only this thread: a lock held for a moment is not worth reporting as a failure.
db.pragma('busy_timeout = 200');
let failing = false;
let last = '';
let delay = workerData.everyMs;
let timer;
const run = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (failing || workerData.report) parentPort.postMessage({ ok: true, result });
    failing = false;
    // Nothing new in the log since the last run: wait longer, up to the idle interval.
    const now = result.log + '/' + result.checkpointed;
    delay = now === last ? Math.min(delay * 2, workerData.idleMs) : workerData.everyMs;
    last = now;
  } catch (error) {
    failing = true;
    delay = workerData.idleMs;
    parentPort.postMessage({ ok: false, error: String((error && error.message) || error) });
  }
  timer = setTimeout(run, delay);
};
timer = setTimeout(run, delay);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearTimeout(timer);
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

/** What a checkpoint reported (SQLite's `wal_checkpoint` row). */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/** A running checkpointer. */
export interface WalCheckpointer {
  /** The last checkpoint's error, until one succeeds again. */
  lastError(): string | undefined;
  /** Stops the worker and closes its connection. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  everyMs?: number;
  /** Called after every checkpoint (tests). */
  onCheckpoint?: (result: CheckpointResult) => void;
  /** Called when a checkpoint fails, and when the worker itself fails. */
  onError?: (message: string) => void;
}

/** Starts checkpointing the SQLite database at `file` (in WAL mode) from a worker thread. */
export function startWalCheckpointer(file: string, options: CheckpointerOptions = {}): WalCheckpointer {
  let lastError: string | undefined;
  const fail = (message: string): void => {
    lastError = message;
    options.onError?.(message);
  };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Not the process's flags (a preloaded module, a profiler): the worker only needs the driver.
    execArgv: [],
    workerData: {
      file,
      driver: require.resolve('better-sqlite3'),
      everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS,
      idleMs: Math.max(options.everyMs ?? 0, IDLE_CHECKPOINT_MS),
      report: options.onCheckpoint !== undefined,
    },
  });
  // A checkpointer alone must not keep the process alive.
  worker.unref();
  let stopped: Promise<void> | undefined;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('message', (message: { ok?: boolean; result?: CheckpointResult; error?: string }) => {
    if (message.ok === true) {
      lastError = undefined;
      if (message.result) options.onCheckpoint?.(message.result);
    } else if (message.ok === false) fail(message.error ?? 'checkpoint failed');
  });
  worker.on('error', (error: Error) => fail(`checkpoint worker failed: ${error.message}`));
  return {
    lastError: () => lastError,
    stop(): Promise<void> {
      stopped ??= (async () => {
        const done = new Promise<void>((resolve) => {
          const onMessage = (message: { stopped?: boolean }): void => {
            if (!message.stopped) return;
            worker.off('message', onMessage);
            resolve();
          };
          worker.on('message', onMessage);
          // A worker that already exited answers nothing.
          void exited.then(resolve);
        });
        worker.postMessage('stop');
        await done;
        await worker.terminate();
      })();
      return stopped;
    },
  };
}
