/**
 * A durable outbox: work that must reach the outside world (a channel card, a proactive
 * message, a webhook) is written here first and delivered with retries, so a failure or a
 * restart never loses it. Several bot instances may share one outbox: a lease makes sure
 * only one of them works on an item at a time. An item that cannot be delivered goes to a
 * dead-letter state: kept, never retried, and announced once by a `dead-letter-notice` item.
 */

/** What kind of delivery an item is; the bot layer knows how to carry out each. */
export type OutboxKind = 'channel-card' | 'channel-reply' | 'notify-employee' | 'notify-agent' | 'webhook' | 'incident-card' | 'dead-letter-notice';

/** One pending delivery. */
export interface OutboxItem {
  id: string;
  kind: OutboxKind;
  payload: Record<string, unknown>;
  attempts: number;
  /** Epoch ms before which it is not retried. */
  nextAttemptAt: number;
  lastError?: string;
}

/** An item that will not be tried again, and when it was given up. */
export interface DeadLetter extends OutboxItem {
  deadAt: number;
}

/** What a `dead-letter-notice` item carries: the dead item, described for the help desk. */
export interface DeadLetterNoticePayload {
  deadItemId: string;
  deadKind: OutboxKind;
  ticketId?: string;
  attempts: number;
  error: string;
}

/** The port every outbox store implements (SQLite, Azure Table Storage). */
export interface OutboxStore {
  enqueue(kind: OutboxKind, payload: Record<string, unknown>, now: number): Promise<string>;
  /**
   * Leases up to `limit` due items for `leaseMs`; others cannot claim them until the lease ends.
   * Items with the same {@link orderKeyOf} are handed out one at a time, in enqueue order: an
   * item waits while an earlier one with its key is pending or in flight (dead ones do not block).
   */
  claimDue(now: number, leaseMs: number, limit: number): Promise<OutboxItem[]>;
  complete(id: string, now: number): Promise<void>;
  /** Records a failed attempt and when to try again. */
  retryLater(id: string, error: string, nextAttemptAt: number): Promise<void>;
  /** Like {@link retryLater}, but the attempt does not count (it waited for something, e.g. a help desk channel, and failed nothing). */
  defer(id: string, reason: string, nextAttemptAt: number): Promise<void>;
  /**
   * Gives the item up: it is kept with `error`, never handed out again, and, in the same write,
   * one `dead-letter-notice` item is queued for it (none for a notice itself). A no-op when the
   * item is already done or dead, so a notice is queued at most once per item.
   */
  deadLetter(id: string, error: string, now: number): Promise<void>;
  /** How many items are dead (for `/readyz`). */
  deadLetterCount(): Promise<number>;
  /** Puts every dead item back in the queue with its attempts reset (an agent's "retry deliveries"); returns how many. */
  requeueDeadLetters(now: number): Promise<number>;
  /** Dead items, oldest first. */
  listDeadLetters(limit: number): Promise<DeadLetter[]>;
  /** True while an item of `kind` for `ticketId` (its payload's `ticketId`) is pending, in flight or dead. */
  hasOpenItem(kind: OutboxKind, ticketId: string): Promise<boolean>;
  /** Items still to be delivered (not done, not dead): for readiness and tests. */
  pendingCount(): Promise<number>;
}

/** Small settings the bot keeps (the help desk channel's address, cached rosters). */
export interface SettingsStore {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T): Promise<void>;
}

/**
 * Thrown by a delivery that can never succeed on a retry (the bot was removed, the conversation
 * or ticket is gone, the address is not trusted): the item goes to the dead letters at once.
 */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}

/**
 * Thrown by a delivery that waits for something outside it (no help desk channel registered
 * yet): it is tried again later without using up an attempt.
 */
export class DeliveryNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryNotReadyError';
  }
}

/** The payload's ticket id, when it has one. */
export function ticketIdOf(payload: Record<string, unknown>): string | undefined {
  const id = payload.ticketId;
  return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : undefined;
}

/**
 * Which items must be delivered in order: those for the same ticket going to the same place
 * (its channel thread, the employee's chat, the webhook). Items for different destinations
 * are independent, so a failing webhook never holds back the employee's reply. Undefined
 * means the item needs no order.
 */
export function orderKeyOf(kind: OutboxKind, payload: Record<string, unknown>): string | undefined {
  const ticketId = ticketIdOf(payload);
  if (!ticketId) return undefined;
  switch (kind) {
    case 'channel-card':
    case 'channel-reply':
    case 'notify-agent':
      return `channel:${ticketId}`;
    case 'notify-employee':
      return `employee:${ticketId}`;
    case 'webhook':
      return `webhook:${ticketId}`;
    case 'incident-card':
    case 'dead-letter-notice':
      return undefined;
  }
}

/** The notice queued for a dead item (by the store, in the same write that kills it). */
export function deadLetterNotice(item: { id: string; kind: OutboxKind; payload: Record<string, unknown>; attempts: number }, error: string): DeadLetterNoticePayload {
  const notice: DeadLetterNoticePayload = { deadItemId: item.id, deadKind: item.kind, attempts: item.attempts, error: error.slice(0, 500) };
  const ticketId = ticketIdOf(item.payload);
  if (ticketId) notice.ticketId = ticketId;
  return notice;
}

/** Retry schedule: 2 s, 4 s, 8 s … capped at 5 minutes, with ±20 % jitter. */
export function nextRetryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(300_000, 2000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
