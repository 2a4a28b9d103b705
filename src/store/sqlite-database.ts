import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const prepared = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * The statement for `sql` on `db`, prepared on first use and kept with the connection: preparing
 * parses and plans the SQL again each time (tens of µs, several times per turn), while a
 * better-sqlite3 statement can be run any number of times. Every caller passes constant SQL
 * text, so the cache holds one entry per query of the code, and goes with the connection.
 */
export function statement(db: Database.Database, sql: string): Database.Statement {
  let byText = prepared.get(db);
  if (!byText) prepared.set(db, (byText = new Map<string, Database.Statement>()));
  let cached = byText.get(sql);
  if (!cached) byText.set(sql, (cached = db.prepare(sql)));
  return cached;
}

/** Opens (and creates) the embedded SQLite database under `dataDir`, with the schema every store needs. */
export function openSqliteDatabase(dataDir: string, fileName = 'helpdesk.sqlite'): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, fileName));
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS bot_state (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      etag INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS tickets (
      number INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT UNIQUE,
      requester TEXT NOT NULL,
      status TEXT NOT NULL,
      body TEXT NOT NULL,
      version INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS tickets_requester ON tickets(requester);
    CREATE INDEX IF NOT EXISTS tickets_status ON tickets(status);
    CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      payload TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      done_at INTEGER,
      lease_until INTEGER NOT NULL DEFAULT 0,
      dead_at INTEGER,
      ticket_id TEXT,
      order_key TEXT
    );
    CREATE INDEX IF NOT EXISTS outbox_due ON outbox(done_at, next_attempt_at);
    CREATE TABLE IF NOT EXISTS kv (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
  `);
  migrateOutbox(db);
  migrateBotState(db);
  return db;
}

/**
 * Conversation state carries an update time so the retention purge can drop conversations
 * nobody has touched for RETENTION_DAYS. Rows from before the column count from the upgrade.
 */
function migrateBotState(db: Database.Database): void {
  const columns = new Set((db.prepare('PRAGMA table_info(bot_state)').all() as Array<{ name: string }>).map((c) => c.name));
  if (!columns.has('updated_at')) {
    db.exec('ALTER TABLE bot_state ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0');
    db.prepare('UPDATE bot_state SET updated_at = ? WHERE updated_at = 0').run(Date.now());
  }
  db.exec('CREATE INDEX IF NOT EXISTS bot_state_updated ON bot_state(updated_at)');
}

/**
 * Databases made before dead letters and ordered delivery lack three outbox columns: add them
 * (SQLite has no ADD COLUMN IF NOT EXISTS). Their rows get an order key on the next claim.
 */
function migrateOutbox(db: Database.Database): void {
  const columns = new Set((db.prepare('PRAGMA table_info(outbox)').all() as Array<{ name: string }>).map((c) => c.name));
  for (const [name, type] of [
    ['dead_at', 'INTEGER'],
    ['ticket_id', 'TEXT'],
    ['order_key', 'TEXT'],
  ] as const) {
    if (!columns.has(name)) db.exec(`ALTER TABLE outbox ADD COLUMN ${name} ${type}`);
  }
  db.exec(`
    CREATE INDEX IF NOT EXISTS outbox_order ON outbox(order_key, id);
    CREATE INDEX IF NOT EXISTS outbox_ticket ON outbox(ticket_id, kind);
    CREATE INDEX IF NOT EXISTS outbox_dead ON outbox(dead_at);
  `);
}
