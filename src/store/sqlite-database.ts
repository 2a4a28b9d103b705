import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

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
      lease_until INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS outbox_due ON outbox(done_at, next_attempt_at);
    CREATE TABLE IF NOT EXISTS kv (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
  `);
  return db;
}
