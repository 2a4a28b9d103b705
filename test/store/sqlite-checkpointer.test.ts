import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { startWalCheckpointer, type CheckpointResult, type WalCheckpointer } from '../../src/store/sqlite-checkpointer';
import { openSqliteDatabase } from '../../src/store/sqlite-database';
import { createSqliteStores } from '../../src/store/sqlite-stores';

/** Writes `rows` rows of 3 pages each (8 KB) through `db`. */
function writeRows(db: Database.Database, rows: number): void {
  const upsert = db.prepare('INSERT INTO bot_state (key, value, etag, updated_at) VALUES (?, ?, 1, 0) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const value = JSON.stringify({ text: 'x'.repeat(8000) });
  for (let i = 0; i < rows; i++) upsert.run(`conversation-${i}`, value);
}

/** About 800 KB in some 500 log pages (each commit also rewrites index pages): below the 1,000 at which the bot's own commit checkpoints. */
const BELOW_AUTOCHECKPOINT = 100;

function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('timed out'));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('SQLite log checkpoints in a worker thread', function () {
  this.timeout(30_000);
  let dir: string;
  let db: Database.Database;
  let checkpointer: WalCheckpointer | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'checkpointer-'));
    db = openSqliteDatabase(dir);
  });
  afterEach(async () => {
    await checkpointer?.stop();
    checkpointer = undefined;
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("when the bot writes, then the worker copies the log into the database file before the bot's own commits would", async () => {
    writeRows(db, BELOW_AUTOCHECKPOINT);
    // Without the worker nothing copied it: the data is only in the log.
    assert.ok(statSync(db.name).size < 300_000, `database file already ${statSync(db.name).size} bytes`);
    const results: CheckpointResult[] = [];
    checkpointer = startWalCheckpointer(db.name, { everyMs: 20, onCheckpoint: (r) => results.push(r) });
    await until(() => results.some((r) => r.log > 300 && r.checkpointed === r.log));
    assert.ok(statSync(db.name).size > 800_000, `database file only ${statSync(db.name).size} bytes`);
    assert.equal(checkpointer.lastError(), undefined);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM bot_state').get() as { n: number }).n, BELOW_AUTOCHECKPOINT);
  });

  it('when the worker cannot open the database, then the error is named, the bot keeps writing and stopping still resolves', async () => {
    const errors: string[] = [];
    checkpointer = startWalCheckpointer(join(dir, 'missing', 'no.sqlite'), { everyMs: 20, onError: (e) => errors.push(e) });
    await until(() => errors.length > 0);
    assert.match(checkpointer.lastError() ?? '', /checkpoint worker failed/);
    writeRows(db, BELOW_AUTOCHECKPOINT);
    await checkpointer.stop();
    await checkpointer.stop();
  });

  it('when the SQLite stores close, then their checkpointer stops with them and a readiness check before that is ok', async () => {
    const storesDir = mkdtempSync(join(tmpdir(), 'checkpointer-stores-'));
    try {
      const stores = createSqliteStores(storesDir);
      assert.deepEqual(await stores.ready(), { ok: true });
      await stores.close();
    } finally {
      rmSync(storesDir, { recursive: true, force: true });
    }
  });
});
