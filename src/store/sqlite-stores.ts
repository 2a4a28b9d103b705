import { startWalCheckpointer } from './sqlite-checkpointer';
import { openSqliteDatabase, statement } from './sqlite-database';
import { SqliteBotStorage } from './sqlite-bot-storage';
import { SqliteOutboxStore, SqliteSettingsStore } from './sqlite-outbox-store';
import { SqliteTicketRepository } from './sqlite-ticket-repository';
import type { Stores } from './stores';

/** The embedded backend: one SQLite file under `dataDir`, its log checkpointed by a worker (sqlite-checkpointer.ts). */
export function createSqliteStores(dataDir: string): Stores {
  const db = openSqliteDatabase(dataDir);
  const checkpointer = startWalCheckpointer(db.name);
  const botStorage = new SqliteBotStorage(db);
  return {
    botStorage,
    purgeStateBefore: (cutoff) => botStorage.purgeBefore(cutoff),
    tickets: new SqliteTicketRepository(db),
    outbox: new SqliteOutboxStore(db),
    settings: new SqliteSettingsStore(db),
    ready: async () => {
      statement(db, 'SELECT 1').get();
      const failing = checkpointer.lastError();
      // Writes still work while the worker's checkpoints fail (the bot's own commits still checkpoint): worth naming, not failing on.
      return failing ? { ok: true, detail: `SQLite log checkpoints are failing: ${failing}` } : { ok: true };
    },
    close: async () => {
      await checkpointer.stop();
      db.close();
    },
  };
}
