/**
 * A sliding-window limiter: at most `maxRequests` slots in any `windowMs`. Microsoft Graph's
 * reports APIs (/auditLogs/signIns) allow about 5 requests per 10 s per tenant, and a busy
 * help desk would otherwise trip that in a burst. Callers wait, in arrival order, for a slot.
 */

export interface SlidingWindowLimiterOptions {
  /** Slots per window (Graph reports API: 5). */
  maxRequests?: number;
  /** Window length in ms (Graph reports API: 10 000). */
  windowMs?: number;
  /** Extra spacing added to each wait, so the server (which counts on arrival) never sees a burst. */
  marginMs?: number;
  /** Millisecond clock; injectable for tests. */
  now?: () => number;
  /** Sleep used while waiting; injectable for tests (a fake clock advances instead). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Thrown when no slot frees up within the caller's `maxWaitMs`. */
export class RateLimitWaitError extends Error {
  override readonly name = 'RateLimitWaitError';
  constructor(
    /** How long the caller would have had to wait. */
    readonly waitMs: number,
  ) {
    super(`No request slot within the allowed wait (${Math.ceil(waitMs)} ms needed).`);
  }
}

/** Sleeps `ms`, rejecting with the signal's reason (an AbortError) when aborted. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

export class SlidingWindowLimiter {
  readonly maxRequests: number;
  readonly windowMs: number;
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Grant times of the slots still inside the window, oldest first. */
  private readonly granted: number[] = [];
  /** FIFO chain: each acquire runs after the previous one has been granted or has given up. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: SlidingWindowLimiterOptions = {}) {
    this.maxRequests = options.maxRequests ?? 5;
    this.windowMs = options.windowMs ?? 10_000;
    this.marginMs = options.marginMs ?? 0;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    if (!(this.maxRequests >= 1) || !(this.windowMs > 0)) throw new RangeError('maxRequests must be >= 1 and windowMs > 0');
  }

  /** Slots granted within the current window. */
  inUse(): number {
    this.prune();
    return this.granted.length;
  }

  /** How long until `count` slots are free at once (0 when they are free now). */
  waitTimeMs(count = 1): number {
    this.checkCount(count);
    this.prune();
    const excess = this.granted.length + count - this.maxRequests;
    if (excess <= 0) return 0;
    // The `excess`-th oldest grant must leave the window before we fit.
    const releaseAt = this.granted[excess - 1]! + this.windowMs + this.marginMs;
    return Math.max(1, releaseAt - this.now());
  }

  /** Takes `count` slots if they are free now, without waiting. */
  tryAcquire(count = 1): boolean {
    if (this.waitTimeMs(count) > 0) return false;
    const t = this.now();
    for (let i = 0; i < count; i++) this.granted.push(t);
    return true;
  }

  /**
   * Waits (in arrival order) for `count` slots. Rejects with RateLimitWaitError when the wait
   * would exceed `maxWaitMs` (counted from the call), or with the abort reason when `signal` aborts.
   */
  acquire(count = 1, options: { maxWaitMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    this.checkCount(count);
    const started = this.now();
    const maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    const run = async (): Promise<void> => {
      for (;;) {
        if (options.signal?.aborted) throw abortReason(options.signal);
        const wait = this.waitTimeMs(count);
        if (wait <= 0) {
          this.tryAcquire(count);
          return;
        }
        const waited = this.now() - started;
        if (waited + wait > maxWaitMs) throw new RateLimitWaitError(waited + wait);
        await this.sleep(wait, options.signal);
      }
    };
    const result = this.queue.then(run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private checkCount(count: number): void {
    if (!Number.isInteger(count) || count < 1 || count > this.maxRequests) {
      throw new RangeError(`count must be an integer between 1 and ${this.maxRequests}`);
    }
  }

  private prune(): void {
    const cutoff = this.now() - this.windowMs - this.marginMs;
    while (this.granted.length > 0 && this.granted[0]! <= cutoff) this.granted.shift();
  }
}
