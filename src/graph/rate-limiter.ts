/**
 * A sliding-window limiter: at most `maxRequests` slots in any `windowMs`. Microsoft Graph's
 * reports APIs (/auditLogs/signIns) allow about 5 requests per 10 s per tenant, and a busy
 * help desk would otherwise trip that in a burst. Callers wait, in arrival order, for a slot.
 *
 * `acquire` counts a slot from the moment it is granted. `acquireLease` holds the slot while
 * the request is in flight and counts its window from `settle()` (when the answer arrived):
 * the server counts a request when it arrives, which is somewhere between the two, so a lease
 * can never let the server see more than `maxRequests` in a window, however long the request
 * took to leave (a cold connection, a busy event loop) or to come back.
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
    /** How long the caller would have had to wait (Infinity: until requests in flight come back). */
    readonly waitMs: number,
  ) {
    super(
      Number.isFinite(waitMs)
        ? `No request slot within the allowed wait (${Math.ceil(waitMs)} ms needed).`
        : 'No request slot within the allowed wait (every slot is held by a request still in flight).',
    );
  }
}

/** Slots held by requests in flight; `settle()` (idempotent) starts their window. */
export interface Lease {
  readonly count: number;
  settle(): void;
}

/**
 * What the Graph client needs from the reports-API limiter: this process's SlidingWindowLimiter,
 * or the deployment-wide SharedReportsLimiter (shared-reports-limiter.ts) that coordinates every
 * instance through the store. `inUse` and `waitTimeMs` may be estimates (they steer routing);
 * `acquireLease` and `acquire` are what keep the limit.
 */
export interface ReportsLimiter {
  readonly maxRequests: number;
  readonly windowMs: number;
  /** Slots counting in the current window (an estimate for a shared limiter). */
  inUse(): number;
  /** How long until `count` slots are free (0: now; Infinity: when requests in flight come back). */
  waitTimeMs(count?: number): number;
  /** Waits (in arrival order) for `count` slots held until `settle()`. Rejects with RateLimitWaitError past `maxWaitMs`. */
  acquireLease(count?: number, options?: { maxWaitMs?: number; signal?: AbortSignal }): Promise<Lease>;
  /** Waits for `count` slots counted from their grant. */
  acquire(count?: number, options?: { maxWaitMs?: number; signal?: AbortSignal }): Promise<void>;
}

/** Sleeps `ms`, rejecting with the signal's reason (an AbortError) when aborted. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** The in-process limiter: at most `maxRequests` slots in any `windowMs`, callers served in arrival order. */
export class SlidingWindowLimiter implements ReportsLimiter {
  readonly maxRequests: number;
  readonly windowMs: number;
  private readonly marginMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Grant (or settle) times of the slots still inside the window, oldest first; Infinity while a lease is in flight. */
  private readonly granted: number[] = [];
  /** Callers waiting for a lease to settle. */
  private settleWaiters: Array<() => void> = [];
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

  /**
   * How long until `count` slots are free at once (0 when they are free now; Infinity when
   * that depends on leases still in flight).
   */
  waitTimeMs(count = 1): number {
    this.checkCount(count);
    this.prune();
    const excess = this.granted.length + count - this.maxRequests;
    if (excess <= 0) return 0;
    // The `excess`-th oldest grant must leave the window before we fit.
    const oldest = this.granted[excess - 1]!;
    if (oldest === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
    const releaseAt = oldest + this.windowMs + this.marginMs;
    return Math.max(1, releaseAt - this.now());
  }

  /** Takes `count` slots if they are free now, without waiting. */
  tryAcquire(count = 1): boolean {
    return this.take(count, false) !== undefined;
  }

  /** Like tryAcquire, as a lease: the slots count from `settle()`. */
  tryAcquireLease(count = 1): Lease | undefined {
    return this.take(count, true);
  }

  /**
   * Waits (in arrival order) for `count` slots, held until `settle()`: call it when the
   * request's answer (or its failure) has arrived. Rejects like `acquire`.
   */
  acquireLease(count = 1, options: { maxWaitMs?: number; signal?: AbortSignal } = {}): Promise<Lease> {
    let lease: Lease | undefined;
    return this.enqueue(count, options, () => {
      lease = this.take(count, true);
      return lease !== undefined;
    }).then(() => lease!);
  }

  private take(count: number, hold: boolean): Lease | undefined {
    if (this.waitTimeMs(count) > 0) return undefined;
    if (!hold) {
      this.insertFinite(this.now(), count);
      return { count, settle: () => undefined };
    }
    for (let i = 0; i < count; i++) this.granted.push(Number.POSITIVE_INFINITY);
    let settled = false;
    return {
      count,
      settle: () => {
        if (settled) return;
        settled = true;
        for (let i = 0; i < count; i++) {
          const k = this.granted.indexOf(Number.POSITIVE_INFINITY);
          if (k >= 0) this.granted.splice(k, 1);
        }
        this.insertFinite(this.now(), count);
        const waiters = this.settleWaiters;
        this.settleWaiters = [];
        for (const w of waiters) w();
      },
    };
  }

  /**
   * Waits (in arrival order) for `count` slots. Rejects with RateLimitWaitError when the wait
   * would exceed `maxWaitMs` (counted from the call), or with the abort reason when `signal` aborts.
   */
  acquire(count = 1, options: { maxWaitMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    return this.enqueue(count, options, () => this.tryAcquire(count));
  }

  private enqueue(count: number, options: { maxWaitMs?: number; signal?: AbortSignal }, grab: () => boolean): Promise<void> {
    this.checkCount(count);
    const started = this.now();
    const maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    const run = async (): Promise<void> => {
      for (;;) {
        if (options.signal?.aborted) throw abortReason(options.signal);
        const wait = this.waitTimeMs(count);
        if (wait <= 0 && grab()) return;
        const waited = this.now() - started;
        if (Number.isFinite(wait)) {
          if (waited + wait > maxWaitMs) throw new RateLimitWaitError(waited + wait);
          await this.sleep(wait, options.signal);
        } else {
          // Slots held by requests in flight: wait for one to settle (or give up at maxWaitMs).
          const left = maxWaitMs - waited;
          if (left <= 0) throw new RateLimitWaitError(Number.POSITIVE_INFINITY);
          await this.untilSettled(Number.isFinite(left) ? left : undefined, options.signal);
        }
      }
    };
    const result = this.queue.then(run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Resolves at the next lease settle, after `maxMs`, or rejects when `signal` aborts. */
  private untilSettled(maxMs: number | undefined, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = new AbortController();
      const done = (): void => {
        timer.abort();
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        timer.abort();
        reject(abortReason(signal!));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.settleWaiters.push(done);
      if (maxMs !== undefined) this.sleep(maxMs, timer.signal).then(done, () => undefined);
    });
  }

  /** Records `count` slots at `at`: every finite entry is in the past, so they go just before the in-flight ones. */
  private insertFinite(at: number, count: number): void {
    const firstInFlight = this.granted.indexOf(Number.POSITIVE_INFINITY);
    this.granted.splice(firstInFlight < 0 ? this.granted.length : firstInFlight, 0, ...Array<number>(count).fill(at));
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
