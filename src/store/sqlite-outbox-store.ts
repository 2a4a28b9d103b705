import type Database from 'better-sqlite3';
import type { OutboxItem, OutboxKind, OutboxStore, SettingsStore } from '../domain/outbox';

interface OutboxRow {
  id: number;
  kind: OutboxKind;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

/** The outbox in SQLite. Leases are taken in one transaction, so two workers never claim the same item. */
export class SqliteOutboxStore implements OutboxStore {
  constructor(private readonly db: Database.Database) {}

  async enqueue(kind: OutboxKind, payload: Record<string, unknown>, now: number): Promise<string> {
    const info = this.db.prepare('INSERT INTO outbox (kind, payload, next_attempt_at) VALUES (?, ?, ?)').run(kind, JSON.stringify(payload), now);
    return String(info.lastInsertRowid);
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<OutboxItem[]> {
    const claim = this.db.transaction((): OutboxRow[] => {
      const rows = this.db
        .prepare('SELECT id, kind, payload, attempts, next_attempt_at, last_error FROM outbox WHERE done_at IS NULL AND next_attempt_at <= ? AND lease_until <= ? ORDER BY id LIMIT ?')
        .all(now, now, limit) as OutboxRow[];
      const lease = this.db.prepare('UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ?');
      for (const row of rows) lease.run(now + leaseMs, row.id);
      return rows;
    });
    return claim().map((r) => ({ id: String(r.id), kind: r.kind, payload: JSON.parse(r.payload), attempts: r.attempts + 1, nextAttemptAt: r.next_attempt_at, lastError: r.last_error ?? undefined }));
  }

  async complete(id: string, now: number): Promise<void> {
    this.db.prepare('UPDATE outbox SET done_at = ?, lease_until = 0 WHERE id = ?').run(now, Number(id));
  }

  async retryLater(id: string, error: string, nextAttemptAt: number): Promise<void> {
    this.db.prepare('UPDATE outbox SET last_error = ?, next_attempt_at = ?, lease_until = 0 WHERE id = ?').run(error.slice(0, 1000), nextAttemptAt, Number(id));
  }

  async pendingCount(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE done_at IS NULL').get() as { n: number }).n;
  }
}

/** Settings in SQLite's `kv` table. */
export class SqliteSettingsStore implements SettingsStore {
  constructor(private readonly db: Database.Database) {}

  async get<T>(key: string): Promise<T | undefined> {
    const row = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async set<T>(key: string, value: T): Promise<void> {
    this.db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }
}
