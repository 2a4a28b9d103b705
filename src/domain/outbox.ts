/**
 * A durable outbox: work that must reach the outside world (a channel card, a proactive
 * message, a webhook) is written here first and delivered with retries, so a failure or a
 * restart never loses it. Several bot instances may share one outbox: a lease makes sure
 * only one of them works on an item at a time.
 */

/** What kind of delivery an item is; the bot layer knows how to carry out each. */
export type OutboxKind = 'channel-card' | 'channel-reply' | 'notify-employee' | 'notify-agent' | 'webhook' | 'incident-card';

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

/** The port every outbox store implements (SQLite, Azure Table Storage). */
export interface OutboxStore {
  enqueue(kind: OutboxKind, payload: Record<string, unknown>, now: number): Promise<string>;
  /** Leases up to `limit` due items for `leaseMs`; others cannot claim them until the lease ends. */
  claimDue(now: number, leaseMs: number, limit: number): Promise<OutboxItem[]>;
  complete(id: string, now: number): Promise<void>;
  /** Records a failed attempt and when to try again. */
  retryLater(id: string, error: string, nextAttemptAt: number): Promise<void>;
  /** Items not yet delivered (for readiness and tests). */
  pendingCount(): Promise<number>;
}

/** Small settings the bot keeps (the help desk channel's address, cached rosters). */
export interface SettingsStore {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T): Promise<void>;
}

/** Retry schedule: 2 s, 4 s, 8 s … capped at 5 minutes, with ±20 % jitter. */
export function nextRetryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(300_000, 2000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
