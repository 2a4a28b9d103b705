import type Database from 'better-sqlite3';
import { deadLetterNotice, orderKeyOf, ticketIdOf, type DeadLetter, type OutboxItem, type OutboxKind, type OutboxStore, type SettingsStore } from '../domain/outbox';
import { statement } from './sqlite-database';

interface OutboxRow {
  id: number;
  kind: OutboxKind;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  dead_at?: number | null;
}

const COLUMNS = 'id, kind, payload, attempts, next_attempt_at, last_error';

/** An item without an order key is keyed by its own id, so nothing waits for it. */
function orderKeyFor(id: number | bigint, kind: OutboxKind, payload: Record<string, unknown>): string {
  return orderKeyOf(kind, payload) ?? `#${String(id)}`;
}

function toItem(r: OutboxRow, attemptsDelta = 0): OutboxItem {
  return {
    id: String(r.id),
    kind: r.kind,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    attempts: r.attempts + attemptsDelta,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error ?? undefined,
  };
}

/** insertOutboxRow's transaction, made once per connection (making one costs more than running it). */
const rowWriters = new WeakMap<Database.Database, Database.Transaction<(kind: OutboxKind, payload: Record<string, unknown>, now: number) => string>>();

/**
 * Writes one outbox row with its ticket id and order key. Exported so a store that queues a
 * delivery inside its own transaction (a new ticket and its channel card) writes the same row.
 */
export function insertOutboxRow(db: Database.Database, kind: OutboxKind, payload: Record<string, unknown>, now: number): string {
  let write = rowWriters.get(db);
  if (!write) {
    write = db.transaction((k: OutboxKind, p: Record<string, unknown>, at: number): string => {
      const info = statement(db, 'INSERT INTO outbox (kind, payload, next_attempt_at, ticket_id) VALUES (?, ?, ?, ?)').run(k, JSON.stringify(p), at, ticketIdOf(p) ?? null);
      statement(db, 'UPDATE outbox SET order_key = ? WHERE id = ?').run(orderKeyFor(info.lastInsertRowid, k, p), info.lastInsertRowid);
      return String(info.lastInsertRowid);
    });
    rowWriters.set(db, write);
  }
  return write(kind, payload, now);
}

/**
 * The outbox in SQLite. Leases are taken in one transaction, so two workers never claim the same
 * item; dead items keep their row (`dead_at`), as delivered ones do (`done_at`).
 */
export class SqliteOutboxStore implements OutboxStore {
  private readonly claim: Database.Transaction<(now: number, leaseMs: number, limit: number) => OutboxRow[]>;

  constructor(private readonly db: Database.Database) {
    this.claim = db.transaction((now: number, leaseMs: number, limit: number): OutboxRow[] => {
      this.assignKeys();
      const rows = statement(
        db,
        `SELECT ${COLUMNS} FROM outbox o
         WHERE o.done_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= ? AND o.lease_until <= ?
           AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.order_key = o.order_key AND p.id < o.id AND p.done_at IS NULL AND p.dead_at IS NULL)
         ORDER BY o.id LIMIT ?`,
      ).all(now, now, limit) as OutboxRow[];
      const lease = statement(db, 'UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ?');
      for (const row of rows) lease.run(now + leaseMs, row.id);
      return rows;
    });
  }

  async enqueue(kind: OutboxKind, payload: Record<string, unknown>, now: number): Promise<string> {
    return insertOutboxRow(this.db, kind, payload, now);
  }

  /** Rows written without keys (an older version, or a raw INSERT) get them before they are claimed. */
  private assignKeys(): void {
    const rows = statement(this.db, 'SELECT id, kind, payload FROM outbox WHERE order_key IS NULL AND done_at IS NULL').all() as Array<Pick<OutboxRow, 'id' | 'kind' | 'payload'>>;
    const set = statement(this.db, 'UPDATE outbox SET order_key = ?, ticket_id = COALESCE(ticket_id, ?) WHERE id = ?');
    for (const row of rows) {
      let payload: Record<string, unknown> = {};
      try {
        payload = JSON.parse(row.payload) as Record<string, unknown>;
      } catch {
        // An unreadable payload fails at delivery, where it is reported; it just gets no order here.
      }
      set.run(orderKeyFor(row.id, row.kind, payload), ticketIdOf(payload) ?? null, row.id);
    }
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<OutboxItem[]> {
    return this.claim(now, leaseMs, limit).map((r) => toItem(r, 1));
  }

  async complete(id: string, now: number): Promise<void> {
    statement(this.db, 'UPDATE outbox SET done_at = ?, lease_until = 0 WHERE id = ? AND dead_at IS NULL').run(now, Number(id));
  }

  async retryLater(id: string, error: string, nextAttemptAt: number): Promise<void> {
    statement(this.db, 'UPDATE outbox SET last_error = ?, next_attempt_at = ?, lease_until = 0 WHERE id = ? AND done_at IS NULL AND dead_at IS NULL').run(
      error.slice(0, 1000),
      nextAttemptAt,
      Number(id),
    );
  }

  async defer(id: string, reason: string, nextAttemptAt: number): Promise<void> {
    statement(
      this.db,
      'UPDATE outbox SET last_error = ?, next_attempt_at = ?, lease_until = 0, attempts = MAX(attempts - 1, 0) WHERE id = ? AND done_at IS NULL AND dead_at IS NULL',
    ).run(reason.slice(0, 1000), nextAttemptAt, Number(id));
  }

  async deadLetter(id: string, error: string, now: number): Promise<void> {
    const kill = this.db.transaction(() => {
      const row = statement(this.db, `SELECT ${COLUMNS} FROM outbox WHERE id = ? AND done_at IS NULL AND dead_at IS NULL`).get(Number(id)) as OutboxRow | undefined;
      if (!row) return;
      statement(this.db, 'UPDATE outbox SET dead_at = ?, last_error = ?, lease_until = 0 WHERE id = ?').run(now, error.slice(0, 1000), row.id);
      const item = toItem(row);
      if (item.kind !== 'dead-letter-notice') insertOutboxRow(this.db, 'dead-letter-notice', { ...deadLetterNotice(item, error) }, now);
    });
    kill();
  }

  async requeueDeadLetters(now: number): Promise<number> {
    return statement(this.db, 'UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = ?, lease_until = 0 WHERE dead_at IS NOT NULL').run(now).changes;
  }

  async deadLetterCount(): Promise<number> {
    return (statement(this.db, 'SELECT COUNT(*) AS n FROM outbox WHERE dead_at IS NOT NULL').get() as { n: number }).n;
  }

  async listDeadLetters(limit: number): Promise<DeadLetter[]> {
    const rows = statement(this.db, `SELECT ${COLUMNS}, dead_at FROM outbox WHERE dead_at IS NOT NULL ORDER BY id LIMIT ?`).all(limit) as OutboxRow[];
    return rows.map((r) => ({ ...toItem(r), deadAt: r.dead_at! }));
  }

  async hasOpenItem(kind: OutboxKind, ticketId: string): Promise<boolean> {
    this.assignKeys();
    return statement(this.db, 'SELECT 1 FROM outbox WHERE ticket_id = ? AND kind = ? AND done_at IS NULL LIMIT 1').get(ticketId, kind) !== undefined;
  }

  async pendingCount(): Promise<number> {
    return (statement(this.db, 'SELECT COUNT(*) AS n FROM outbox WHERE done_at IS NULL AND dead_at IS NULL').get() as { n: number }).n;
  }
}

/** Settings in SQLite's `kv` table. */
export class SqliteSettingsStore implements SettingsStore {
  constructor(private readonly db: Database.Database) {}

  async get<T>(key: string): Promise<T | undefined> {
    const row = statement(this.db, 'SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async set<T>(key: string, value: T): Promise<void> {
    statement(this.db, 'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }
}
