/**
 * The reports-API limiter for a whole deployment: every instance takes its slots from ONE
 * budget in the shared store (RateBudgetStore: Azure Table with eTags in production, SQLite
 * locally), so the bot never sends more than `maxRequests` reports requests in any `windowMs`
 * across all its instances, tenant feed refreshes included.
 *
 * A slot is held while its request is in flight (up to `maxHoldMs`) and counts for `windowMs`
 * (+ `marginMs`) from the moment the answer arrived, like SlidingWindowLimiter's leases: the
 * server counts a request when it arrives, which is before that, so no window ever sees more.
 * Within one process callers are served in arrival order and only the first one polls the store.
 *
 * When the store cannot be reached the limiter falls back to a local limiter of
 * `fallbackMaxRequests` per window (by default 1, so even several instances in that state stay
 * under Graph's limit) and logs the fact.
 */
import { randomUUID } from 'node:crypto';
import type { RateBudgetStore } from '../domain/rate-budget';
import type { GraphLogger } from './graph-request';
import { RateLimitWaitError, SlidingWindowLimiter, abortableSleep, type Lease, type ReportsLimiter } from './rate-limiter';

export interface SharedReportsLimiterOptions {
  store: RateBudgetStore;
  /** The budget's key: one per tenant (e.g. `graph-reports:<tenant id>`). */
  key: string;
  /** Default 5 (Graph's reports API). */
  maxRequests?: number;
  /** Default 10 000 ms. */
  windowMs?: number;
  /** Added to every slot's window, for clock differences between instances; default 250 ms. */
  marginMs?: number;
  /** Longest a request may hold a slot before the slot counts from its grant instead; default 60 000 ms. */
  maxHoldMs?: number;
  /** How often a waiting caller asks the store again; default 200 ms. */
  pollMs?: number;
  /** Slots per window while the store cannot be reached; default 1. */
  fallbackMaxRequests?: number;
  logger?: GraphLogger;
}

/** Estimates are refreshed from the store at most this often. */
const VIEW_REFRESH_MS = 500;

/** The deployment-wide reports limiter (see the file comment). */
export class SharedReportsLimiter implements ReportsLimiter {
  readonly maxRequests: number;
  readonly windowMs: number;
  private readonly marginMs: number;
  private readonly maxHoldMs: number;
  private readonly pollMs: number;
  private readonly fallback: SlidingWindowLimiter;
  /** The store's slots as last seen (their untils), for the synchronous estimates. */
  private view: number[] = [];
  private viewAt = Number.NEGATIVE_INFINITY;
  private refreshing = false;
  private queue: Promise<void> = Promise.resolve();
  private storeDownSince?: number;
  readonly stats = { granted: 0, storeErrors: 0, fallbackGrants: 0 };

  constructor(private readonly options: SharedReportsLimiterOptions) {
    this.maxRequests = options.maxRequests ?? 5;
    this.windowMs = options.windowMs ?? 10_000;
    this.marginMs = options.marginMs ?? 250;
    this.maxHoldMs = options.maxHoldMs ?? 60_000;
    this.pollMs = options.pollMs ?? 200;
    if (!(this.maxRequests >= 1) || !(this.windowMs > 0)) throw new RangeError('maxRequests must be >= 1 and windowMs > 0');
    this.fallback = new SlidingWindowLimiter({ maxRequests: Math.min(this.maxRequests, options.fallbackMaxRequests ?? 1), windowMs: this.windowMs, marginMs: this.marginMs });
  }

  inUse(): number {
    this.refreshView();
    const now = Date.now();
    return this.view.filter((u) => u > now).length;
  }

  waitTimeMs(count = 1): number {
    this.refreshView();
    return this.waitFor(this.view, count, Date.now());
  }

  acquireLease(count = 1, options: { maxWaitMs?: number; signal?: AbortSignal } = {}): Promise<Lease> {
    this.checkCount(count);
    const run = (): Promise<Lease> => this.take(count, options);
    const result = this.queue.then(run);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async acquire(count = 1, options: { maxWaitMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    // Counted from the grant: the slot's window starts now.
    (await this.acquireLease(count, options)).settle();
  }

  private async take(count: number, options: { maxWaitMs?: number; signal?: AbortSignal }): Promise<Lease> {
    const started = Date.now();
    const maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
      const now = Date.now();
      let answer;
      try {
        answer = await this.options.store.take(this.options.key, { count, max: this.maxRequests, now, holdUntil: now + this.maxHoldMs + this.windowMs + this.marginMs });
        this.storeUp();
      } catch (error) {
        this.storeDown(error);
        const lease = await this.fallback.acquireLease(Math.min(count, this.fallback.maxRequests), {
          maxWaitMs: Math.max(0, maxWaitMs - (Date.now() - started)),
          signal: options.signal,
        });
        this.stats.fallbackGrants += 1;
        return lease;
      }
      if (answer.granted) {
        this.stats.granted += count;
        this.view = [...this.view.filter((u) => u > now), ...answer.granted.map(() => now + this.maxHoldMs + this.windowMs)];
        return this.lease(answer.granted);
      }
      this.view = answer.untils;
      this.viewAt = now;
      const wait = this.waitFor(answer.untils, count, now);
      const waited = Date.now() - started;
      // A slot still held by a request in flight may be released any moment; a settled one counts to its end.
      const held = wait > this.windowMs + this.marginMs;
      if (!held && waited + wait > maxWaitMs) throw new RateLimitWaitError(waited + wait);
      if (held && waited + this.pollMs > maxWaitMs) throw new RateLimitWaitError(Number.POSITIVE_INFINITY);
      // Held slots may be released early (their answers arrive): ask again soon rather than sleeping it all.
      await abortableSleep(Math.max(1, Math.min(wait, this.pollMs)), options.signal);
    }
  }

  private lease(ids: string[]): Lease {
    let settled = false;
    return {
      count: ids.length,
      settle: () => {
        if (settled) return;
        settled = true;
        const until = Date.now() + this.windowMs + this.marginMs;
        this.view = this.view.map((u) => (u > until ? until : u));
        this.options.store.release(this.options.key, ids, until).catch((error: unknown) => {
          // The slots then count until their hold ends: later than needed, never too early.
          this.options.logger?.warn({ err: (error as Error)?.message }, 'shared reports budget: could not release slots');
        });
      },
    };
  }

  /** How long until `count` more fit, given the untils of the slots counting. */
  private waitFor(untils: readonly number[], count: number, now: number): number {
    const live = untils.filter((u) => u > now).sort((a, b) => a - b);
    const excess = live.length + count - this.maxRequests;
    if (excess <= 0) return 0;
    return Math.max(1, live[excess - 1]! - now);
  }

  /** Refreshes the estimate view in the background, at most every VIEW_REFRESH_MS. */
  private refreshView(): void {
    if (this.refreshing || Date.now() - this.viewAt < VIEW_REFRESH_MS) return;
    this.refreshing = true;
    this.viewAt = Date.now();
    this.options.store
      .peek(this.options.key, Date.now())
      .then(
        (untils) => {
          this.view = untils;
          this.storeUp();
        },
        (error: unknown) => this.storeDown(error),
      )
      .finally(() => {
        this.refreshing = false;
      });
  }

  private storeUp(): void {
    if (this.storeDownSince === undefined) return;
    this.options.logger?.info({ downMs: Date.now() - this.storeDownSince }, 'shared reports budget: store reachable again');
    this.storeDownSince = undefined;
  }

  private storeDown(error: unknown): void {
    this.stats.storeErrors += 1;
    if (this.storeDownSince !== undefined) return;
    this.storeDownSince = Date.now();
    this.options.logger?.warn(
      { err: (error as Error)?.message, fallbackPerWindow: this.fallback.maxRequests },
      'shared reports budget: store unreachable; using a local limiter meanwhile',
    );
  }

  private checkCount(count: number): void {
    if (!Number.isInteger(count) || count < 1 || count > this.maxRequests) throw new RangeError(`count must be an integer between 1 and ${this.maxRequests}`);
  }
}

/** A fresh slot id (unique across instances). */
export function slotId(): string {
  return randomUUID();
}
