import { openSqliteDatabase, statement } from './sqlite-database';
import { SqliteBotStorage } from './sqlite-bot-storage';
import { SqliteOutboxStore, SqliteSettingsStore } from './sqlite-outbox-store';
import { SqliteTicketRepository } from './sqlite-ticket-repository';
import type { Stores } from './stores';

/** The embedded backend: one SQLite file under `dataDir`. */
export function createSqliteStores(dataDir: string): Stores {
  const db = openSqliteDatabase(dataDir);
  const botStorage = new SqliteBotStorage(db);
  return {
    botStorage,
    purgeStateBefore: (cutoff) => botStorage.purgeBefore(cutoff),
    tickets: new SqliteTicketRepository(db),
    outbox: new SqliteOutboxStore(db),
    settings: new SqliteSettingsStore(db),
    ready: async () => {
      statement(db, 'SELECT 1').get();
      return { ok: true };
    },
    close: async () => {
      db.close();
    },
  };
}
