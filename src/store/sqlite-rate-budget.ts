/**
 * The shared reports budget on SQLite (local and single-host deployments): one row per budget,
 * changed inside an IMMEDIATE transaction, so several bot processes on the same database file
 * never grant more than the budget allows between them.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyTake, parseSlots, type BudgetRequest, type BudgetTake, type RateBudgetStore } from '../domain/rate-budget';

/** A RateBudgetStore in the table `rate_budget` of a SQLite database. */
export class SqliteRateBudgetStore implements RateBudgetStore {
  private readonly read: Database.Statement<[string], { slots: string }>;
  private readonly write: Database.Statement<[string, string, number]>;
  /** Made once (making a transaction costs more than running it); run IMMEDIATE. */
  private readonly takeSlots: Database.Transaction<(key: string, request: BudgetRequest) => BudgetTake>;
  private readonly releaseSlots: Database.Transaction<(key: string, ids: ReadonlySet<string>, until: number) => void>;

  /** Uses `db` (its own connection is fine: the row is changed inside an IMMEDIATE transaction). */
  constructor(private readonly db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS rate_budget (key TEXT PRIMARY KEY, slots TEXT NOT NULL, updated_at INTEGER NOT NULL)');
    this.read = db.prepare('SELECT slots FROM rate_budget WHERE key = ?');
    this.write = db.prepare(
      'INSERT INTO rate_budget (key, slots, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET slots = excluded.slots, updated_at = excluded.updated_at',
    );
    this.takeSlots = db.transaction((key: string, request: BudgetRequest): BudgetTake => {
      const { slots, result } = applyTake(parseSlots(this.read.get(key)?.slots), request, randomUUID);
      this.write.run(key, JSON.stringify(slots), Date.now());
      return result;
    });
    this.releaseSlots = db.transaction((key: string, ids: ReadonlySet<string>, until: number): void => {
      const slots = parseSlots(this.read.get(key)?.slots).map((s) => (ids.has(s.id) ? { ...s, until } : s));
      this.write.run(key, JSON.stringify(slots), Date.now());
    });
  }

  /** Opens (and creates) the budget table in `dataDir`'s helpdesk.sqlite, on a connection of its own. */
  static open(dataDir: string, fileName = 'helpdesk.sqlite'): SqliteRateBudgetStore {
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, fileName));
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    // As the stores' connection (sqlite-database.ts): in WAL, commits need no fsync each; the file stays consistent.
    db.pragma('synchronous = NORMAL');
    return new SqliteRateBudgetStore(db);
  }

  async take(key: string, request: BudgetRequest): Promise<BudgetTake> {
    return this.takeSlots.immediate(key, request);
  }

  async release(key: string, slotIds: readonly string[], until: number): Promise<void> {
    this.releaseSlots.immediate(key, new Set(slotIds), until);
  }

  async peek(key: string, now: number): Promise<number[]> {
    return parseSlots(this.read.get(key)?.slots)
      .filter((s) => s.until > now)
      .map((s) => s.until)
      .sort((a, b) => a - b);
  }

  close(): void {
    this.db.close();
  }
}
