/**
 * What only the SQLite backend promises. The behaviour every backend shares (eTags, versions,
 * listing, races) is in the contract suite, store-contract.ts, run on SQLite and Azurite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Ticket } from '../../src/domain/tickets';
import { SqliteBotStorage } from '../../src/store/sqlite-bot-storage';
import { openSqliteDatabase } from '../../src/store/sqlite-database';
import { SqliteTicketRepository } from '../../src/store/sqlite-ticket-repository';
import { contractDraft } from './store-contract';

/** A temp folder with a fresh database, closed and removed after each test. */
function useDatabase(): { db: () => Database.Database; dir: () => string } {
  let dir = '';
  let db: Database.Database | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-store-'));
    db = openSqliteDatabase(dir);
  });
  afterEach(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db: () => db!, dir: () => dir };
}

describe('SqliteBotStorage', () => {
  const t = useDatabase();

  it('when the database is reopened, then the stored items are still there', async () => {
    await new SqliteBotStorage(t.db()).write({ k: { v: 'kept' } });
    t.db().close();
    const reopened = openSqliteDatabase(t.dir());
    try {
      const items = await new SqliteBotStorage(reopened).read(['k']);
      assert.equal((items.k as { v: string }).v, 'kept');
    } finally {
      reopened.close();
    }
  });

  it('when a batch has one stale item, then none of the batch is written', async () => {
    const storage = new SqliteBotStorage(t.db());
    await storage.write({ a: { v: 1 }, b: { v: 1 } });
    const b = (await storage.read(['b'])).b as Record<string, unknown>;
    await storage.write({ b: { ...b, v: 2 } });
    await assert.rejects(storage.write({ a: { v: 'new' }, b: { ...b, v: 3 } }));
    const items = await storage.read(['a', 'b']);
    assert.equal((items.a as Record<string, unknown>).v, 1);
    assert.equal((items.b as Record<string, unknown>).v, 2);
  });
});

describe('SqliteTicketRepository', () => {
  const t = useDatabase();

  // The contract only asks for increasing numbers; SQLite hands them out without gaps.
  it('when tickets are created, then they get HD-000001, HD-000002, … with number and version 1', async () => {
    const repo = new SqliteTicketRepository(t.db());
    const created: Ticket[] = [];
    for (const id of ['a', 'b', 'c']) created.push(await repo.create(contractDraft(id)));
    assert.deepEqual(
      created.map((c) => [c.id, c.number, c.version]),
      [
        ['HD-000001', 1, 1],
        ['HD-000002', 2, 1],
        ['HD-000003', 3, 1],
      ],
    );
  });

  it('when the database is reopened, then numbering carries on and numbers are never reused', async () => {
    const repo = new SqliteTicketRepository(t.db());
    await repo.create(contractDraft('a'));
    const second = await repo.create(contractDraft('b'));
    t.db().prepare('DELETE FROM tickets WHERE id = ?').run(second.id);
    t.db().close();
    const reopened = openSqliteDatabase(t.dir());
    try {
      const next = await new SqliteTicketRepository(reopened).create(contractDraft('c'));
      assert.equal(next.id, 'HD-000003');
    } finally {
      reopened.close();
    }
  });
});
