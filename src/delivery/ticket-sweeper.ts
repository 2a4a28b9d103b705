import { systemClock, type Clock } from '../domain/clock';
import type { OutboxStore } from '../domain/outbox';
import type { TicketRepository } from '../domain/tickets';
import type { Logger } from '../logger';

/** What the sweeper needs; built in src/index.ts. */
export interface TicketSweeperDeps {
  tickets: TicketRepository;
  outbox: Pick<OutboxStore, 'enqueue' | 'hasOpenItem'>;
  /** Starts an outbox round after something was queued. */
  kick: () => void;
  log: Logger;
  /** Conversation state (transcripts, sign-ins read) untouched since the cutoff; optional. */
  conversations?: { purgeStateBefore(cutoff: Date): Promise<number> };
  /** Closed tickets last changed longer ago than this are purged (config.retentionDays). */
  retentionDays: number;
  /** Only tickets at least this old are swept, so a ticket being created right now is left alone. Default 30 s. */
  graceMs?: number;
  /** Default one minute. */
  sweepEveryMs?: number;
  /** Default one hour. */
  purgeEveryMs?: number;
  clock?: Clock;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Two background jobs over the ticket store, run at start-up and then on unref'd timers:
 *
 * - The sweep finds open tickets that were never posted to the help desk channel (no channel
 *   address, and no channel-card delivery pending, in flight or dead) and queues the card
 *   again. Azure Table Storage writes a ticket and its first deliveries in two steps; a crash
 *   between them is what this repairs (SQLite writes both in one transaction).
 * - The retention purge deletes resolved and withdrawn tickets (with their transcripts and
 *   thread links), delivered outbox items, and conversation state (the case file with its
 *   transcript and the sign-ins read) that nobody touched for `retentionDays`.
 *
 * Several instances may run it at once: queuing a card twice is harmless (the second delivery
 * updates the posted card), and purging is idempotent.
 */
export class TicketSweeper {
  private sweepTimer?: NodeJS.Timeout;
  private purgeTimer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: TicketSweeperDeps) {}

  /** Runs both jobs now, then every `sweepEveryMs` / `purgeEveryMs`. */
  start(): void {
    if (this.sweepTimer) return;
    this.stopped = false;
    this.schedule(() => this.sweep());
    this.schedule(() => this.purge());
    this.sweepTimer = setInterval(() => this.schedule(() => this.sweep()), this.deps.sweepEveryMs ?? 60_000);
    this.purgeTimer = setInterval(() => this.schedule(() => this.purge()), this.deps.purgeEveryMs ?? 60 * 60_000);
    this.sweepTimer.unref();
    this.purgeTimer.unref();
  }

  /** Stops the timers and waits for a job in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.purgeTimer);
    this.sweepTimer = undefined;
    this.purgeTimer = undefined;
    await this.running;
  }

  /** Jobs run one after another, never overlapping; a failure is logged and the next run tries again. */
  private schedule(job: () => Promise<unknown>): void {
    this.running = this.running.then(async () => {
      if (this.stopped) return;
      try {
        await job();
      } catch (error) {
        this.deps.log.error({ err: (error as Error).message }, 'ticket sweeper job failed');
      }
    });
  }

  /** Queues the channel card again for every open ticket that was never posted. Returns their ids. */
  async sweep(): Promise<string[]> {
    const now = this.now();
    const grace = this.deps.graceMs ?? 30_000;
    const requeued: string[] = [];
    for (const ticket of await this.deps.tickets.listOpen()) {
      if (ticket.channelAddress) continue;
      const created = Date.parse(ticket.createdAt);
      if (!(now - created >= grace)) continue;
      if (await this.deps.outbox.hasOpenItem('channel-card', ticket.id)) continue;
      await this.deps.outbox.enqueue('channel-card', { ticketId: ticket.id }, now);
      requeued.push(ticket.id);
    }
    if (requeued.length > 0) {
      this.deps.log.warn({ tickets: requeued }, 'tickets never posted to the help desk channel: channel card queued again');
      this.deps.kick();
    }
    return requeued;
  }

  /** Deletes closed tickets (and delivered outbox items) older than the retention period. Returns the purged ticket ids. */
  async purge(): Promise<string[]> {
    const cutoff = new Date(this.now() - this.deps.retentionDays * DAY_MS);
    const purged = await this.deps.tickets.purgeClosedBefore(cutoff);
    if (purged.length > 0) this.deps.log.info({ count: purged.length, before: cutoff.toISOString() }, 'retention: closed tickets purged');
    const conversations = (await this.deps.conversations?.purgeStateBefore(cutoff)) ?? 0;
    if (conversations > 0) this.deps.log.info({ count: conversations, before: cutoff.toISOString() }, 'retention: idle conversation state purged');
    return purged;
  }

  private now(): number {
    return (this.deps.clock ?? systemClock)().getTime();
  }
}
