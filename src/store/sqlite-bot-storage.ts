import type Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';
import { statement } from './sqlite-database';
import { noteReadJson, takeWriteJson, withoutETag, type WritesCostBySize } from './state-json';

/**
 * Bot Framework `Storage` on SQLite: conversation and user state survive a restart.
 * eTags follow botbuilder's MemoryStorage rules: a write whose eTag is set, is not `*`,
 * and differs from the stored one loses (another turn wrote first).
 */
export class SqliteBotStorage implements Storage, WritesCostBySize {
  /** Every page of a row goes to the log: the turn state keeps the case lookup in a row of its own. */
  readonly writesCostBySize = true as const;

  private readonly select: Database.Statement<[string], { value: string; etag: number }>;
  private readonly upsert: Database.Statement<[string, string, number, number]>;
  private readonly remove: Database.Statement<[string]>;
  /** Made once: every turn saves its state through it. */
  private readonly apply: Database.Transaction<(entries: Array<[string, Record<string, unknown>]>) => void>;

  constructor(private readonly db: Database.Database) {
    this.select = db.prepare('SELECT value, etag FROM bot_state WHERE key = ?');
    this.upsert = db.prepare(
      'INSERT INTO bot_state (key, value, etag, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, etag = excluded.etag, updated_at = excluded.updated_at',
    );
    this.remove = db.prepare('DELETE FROM bot_state WHERE key = ?');
    this.apply = db.transaction((entries: Array<[string, Record<string, unknown>]>) => {
      for (const [key, item] of entries) {
        const current = this.select.get(key);
        const eTag = item?.eTag;
        if (current && typeof eTag === 'string' && eTag !== '*' && eTag !== String(current.etag)) {
          throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
        }
        // The turn state may already have serialised this item (src/store/state-json.ts).
        const json = (item && takeWriteJson(item)) ?? JSON.stringify(withoutETag(item ?? {}));
        this.upsert.run(key, json, (current?.etag ?? 0) + 1, Date.now());
      }
    });
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of keys) {
      const row = this.select.get(key);
      if (!row) continue;
      const item = { ...(JSON.parse(row.value) as Record<string, unknown>), eTag: String(row.etag) };
      noteReadJson(item, row.value);
      items[key] = item;
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    this.apply(Object.entries(changes) as Array<[string, Record<string, unknown>]>);
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.remove.run(key);
  }

  /** Retention: deletes state last written before `cutoff` (conversations nobody touched since). Returns how many. */
  async purgeBefore(cutoff: Date): Promise<number> {
    return statement(this.db, 'DELETE FROM bot_state WHERE updated_at < ?').run(cutoff.getTime()).changes;
  }
}
