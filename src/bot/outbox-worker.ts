import { nextRetryDelayMs, type OutboxItem, type OutboxStore } from '../domain/outbox';
import type { BotLogger } from './app';

/** Carries out one outbox item; throws to have it retried. */
export type Deliver = (item: OutboxItem) => Promise<void>;

/**
 * Delivers the outbox: on a timer and right after something is enqueued. A failed delivery is
 * retried with growing delays; the lease keeps other instances off an item while it is tried.
 */
export class OutboxWorker {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly deps: {
      outbox: OutboxStore;
      deliver: Deliver;
      log: BotLogger;
      pollMs?: number;
      retryBaseMs?: number;
      leaseMs?: number;
      clock?: () => number;
    },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.deps.pollMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Starts a delivery round now (or right after the current one). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error: Error) => this.deps.log.error({ err: error.message }, 'outbox round failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits until the current round (if any) is over: for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    const now = (this.deps.clock ?? Date.now)();
    const items = await this.deps.outbox.claimDue(now, this.deps.leaseMs ?? 30_000, 20);
    for (const item of items) {
      try {
        await this.deps.deliver(item);
        await this.deps.outbox.complete(item.id, (this.deps.clock ?? Date.now)());
      } catch (error) {
        const base = this.deps.retryBaseMs ?? 2000;
        const delay = Math.round((nextRetryDelayMs(item.attempts) * base) / 2000);
        this.deps.log.warn({ err: (error as Error).message, kind: item.kind, attempts: item.attempts, retryInMs: delay }, 'outbox delivery failed; will retry');
        await this.deps.outbox.retryLater(item.id, (error as Error).message, (this.deps.clock ?? Date.now)() + delay);
      }
    }
    if (items.length === 20) this.again = true;
  }
}
