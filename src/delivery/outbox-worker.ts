import { systemClock, type Clock } from '../domain/clock';
import { DeliveryNotReadyError, nextRetryDelayMs, PermanentDeliveryError, type OutboxItem, type OutboxStore } from '../domain/outbox';
import type { Logger } from '../logger';
import { UntrustedServiceUrlError } from '../bot/service-url-policy';

/**
 * Carries out one outbox item; throws to have it retried. `signal` aborts when the worker gives
 * up waiting (the delivery timed out), so whatever can be cancelled should listen to it.
 */
export type Deliver = (item: OutboxItem, signal: AbortSignal) => Promise<void>;

/** Settings of the worker (all but the first three have defaults). */
export interface OutboxWorkerOptions {
  outbox: OutboxStore;
  deliver: Deliver;
  log: Logger;
  /** How often the outbox is polled for due items (ms). */
  pollMs?: number;
  /** The first retry delay; later ones double (contract §3a, OUTBOX_RETRY_BASE_MS). */
  retryBaseMs?: number;
  /** Failed attempts after which an item goes to the dead letters. */
  maxAttempts?: number;
  /** How long one delivery may take before it is abandoned and retried later. */
  deliveryTimeoutMs?: number;
  /** How many deliveries run at once. */
  concurrency?: number;
  /** How long a claimed item is reserved for this instance; at least 4× the delivery timeout. */
  leaseMs?: number;
  clock?: Clock;
}

/** Raised when a delivery did not finish within its time. */
export class DeliveryTimeoutError extends Error {
  constructor(ms: number) {
    super(`delivery did not finish within ${ms} ms; abandoned, to be retried`);
    this.name = 'DeliveryTimeoutError';
  }
}

/** True for failures a retry cannot fix: the item goes to the dead letters at once. */
export function isPermanentFailure(error: unknown): boolean {
  return error instanceof PermanentDeliveryError || error instanceof UntrustedServiceUrlError;
}

/**
 * Delivers the outbox: on a timer and right after something is enqueued. Up to `concurrency`
 * deliveries run at once, each with a timeout well under its lease; the store hands out items
 * of the same ticket and destination one at a time, in order, so a hung ticket never holds up
 * another. A failed delivery is retried with growing delays; after `maxAttempts`, or at once
 * when it can never succeed, it goes to the dead letters (the store queues a notice for it).
 */
export class OutboxWorker {
  private timer?: NodeJS.Timeout;
  private filling?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly timeoutMs: number;
  private readonly leaseMs: number;
  private readonly concurrency: number;

  constructor(private readonly deps: OutboxWorkerOptions) {
    this.timeoutMs = Math.max(1, deps.deliveryTimeoutMs ?? 15_000);
    this.leaseMs = Math.max(deps.leaseMs ?? 0, 4 * this.timeoutMs);
    this.concurrency = Math.max(1, Math.floor(deps.concurrency ?? 4));
  }

  private now(): number {
    return (this.deps.clock ?? systemClock)().getTime();
  }

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.deps.pollMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  /** Stops claiming and waits for the deliveries in flight (each ends by its timeout at the latest). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  /** Claims due items for the free slots now (or right after the current claim). */
  kick(): void {
    if (this.stopped) return;
    if (this.filling) {
      this.again = true;
      return;
    }
    this.filling = this.fill()
      .catch((error: Error) => this.deps.log.error({ err: error.message }, 'outbox round failed'))
      .finally(() => {
        this.filling = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Waits until nothing is being claimed or delivered: for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.filling || this.inFlight.size > 0) {
      await Promise.all([this.filling, ...this.inFlight.values()]);
    }
  }

  private async fill(): Promise<void> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0) return;
    const items = await this.deps.outbox.claimDue(this.now(), this.leaseMs, free);
    for (const item of items) {
      if (this.inFlight.has(item.id)) continue;
      const run = this.run(item).finally(() => {
        this.inFlight.delete(item.id);
        this.kick();
      });
      this.inFlight.set(item.id, run);
    }
    // A full batch may mean more are due: look again once slots free up (each run kicks).
  }

  private async run(item: OutboxItem): Promise<void> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const delivery = this.deps.deliver(item, controller.signal);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
        reject(new DeliveryTimeoutError(this.timeoutMs));
      }, this.timeoutMs);
    });
    // An abandoned delivery may still finish: a late success completes the item (sparing a duplicate); a late failure is only logged.
    delivery.then(
      async () => {
        if (!timedOut) return;
        this.deps.log.warn({ id: item.id, kind: item.kind }, 'an abandoned outbox delivery finished after all');
        await this.deps.outbox.complete(item.id, this.now()).catch(() => undefined);
      },
      (error: Error) => {
        if (timedOut) this.deps.log.warn({ id: item.id, kind: item.kind, err: error?.message }, 'an abandoned outbox delivery failed');
      },
    );
    try {
      await Promise.race([delivery, timeout]);
      clearTimeout(timer);
      await this.deps.outbox.complete(item.id, this.now());
    } catch (error) {
      clearTimeout(timer);
      await this.failed(item, error as Error).catch((storeError: Error) =>
        this.deps.log.error({ id: item.id, kind: item.kind, err: storeError.message }, 'could not record an outbox failure; the lease will run out and it is retried'),
      );
    }
  }

  private async failed(item: OutboxItem, error: Error): Promise<void> {
    const message = (error?.message ?? String(error)).slice(0, 1000);
    const base = this.deps.retryBaseMs ?? 2000;
    const context = { id: item.id, kind: item.kind, ticketId: item.payload.ticketId, attempts: item.attempts, err: message };
    if (error instanceof DeliveryNotReadyError) {
      // Waiting for something outside the delivery (a help desk channel): no attempt used, a steady pace.
      const delay = Math.min(300_000, base * 15);
      this.deps.log.info({ ...context, retryInMs: delay }, 'outbox delivery waits');
      await this.deps.outbox.defer(item.id, message, this.now() + delay);
      return;
    }
    const maxAttempts = this.deps.maxAttempts ?? 10;
    if (isPermanentFailure(error) || item.attempts >= maxAttempts) {
      this.deps.log.error({ ...context, permanent: isPermanentFailure(error) }, 'outbox delivery given up: moved to the dead letters');
      await this.deps.outbox.deadLetter(item.id, message, this.now());
      this.kick();
      return;
    }
    const delay = Math.max(1, Math.round((nextRetryDelayMs(item.attempts) * base) / 2000));
    this.deps.log.warn({ ...context, retryInMs: delay }, 'outbox delivery failed; will retry');
    await this.deps.outbox.retryLater(item.id, message, this.now() + delay);
  }
}
