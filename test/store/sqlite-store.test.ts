import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { TicketConflictError, type Ticket, type TicketDraft, type TicketStatus } from '../../src/domain/tickets';
import { SqliteBotStorage } from '../../src/store/sqlite-bot-storage';
import { openSqliteDatabase } from '../../src/store/sqlite-database';
import { SqliteTicketRepository } from '../../src/store/sqlite-ticket-repository';

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

function draft(requesterId: string, status: TicketStatus = 'new', at = '2026-11-21T10:00:00.000Z'): TicketDraft {
  const requester = { aadObjectId: requesterId, name: `Person ${requesterId}` };
  return {
    status,
    requester,
    causeId: 'stale-credentials',
    causeTitle: 'Saved sign-in details are out of date',
    confidence: 90,
    evidence: ['+ OneDrive refused with 50126 after the password change'],
    keyEvents: [],
    answers: { 'password-changed': 'yes' },
    stepsTried: [{ causeId: 'stale-credentials', stepId: 'restart-onedrive', title: 'Quit OneDrive and start it again', result: 'not-fixed', at }],
    transcript: [{ at, from: 'employee', text: 'OneDrive says 0x8004de40' }],
    history: [{ at, actor: requester, action: 'opened the ticket' }],
    createdAt: at,
    updatedAt: at,
  };
}

describe('SqliteBotStorage', () => {
  const t = useDatabase();

  it('when an item is written and read back, then the value round-trips with an eTag', async () => {
    const storage = new SqliteBotStorage(t.db());
    await storage.write({ 'conv/1': { dialogState: { dialogStack: [{ id: 'triage', state: { pending: 'network' } }] }, n: 1 } });
    const items = await storage.read(['conv/1', 'missing']);
    assert.deepEqual(Object.keys(items), ['conv/1']);
    const { eTag, ...value } = items['conv/1'] as Record<string, unknown>;
    assert.deepEqual(value, { dialogState: { dialogStack: [{ id: 'triage', state: { pending: 'network' } }] }, n: 1 });
    assert.equal(typeof eTag, 'string');
    assert.ok((eTag as string).length > 0);
  });

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

  it('when an item is written with the eTag it was read with, then the write succeeds and the eTag changes', async () => {
    const storage = new SqliteBotStorage(t.db());
    await storage.write({ k: { v: 1 } });
    const read = (await storage.read(['k'])).k as Record<string, unknown>;
    await storage.write({ k: { ...read, v: 2 } });
    const after = (await storage.read(['k'])).k as Record<string, unknown>;
    assert.equal(after.v, 2);
    assert.notEqual(after.eTag, read.eTag);
  });

  it('when an item is written with a stale eTag, then the write throws and the stored value is unchanged', async () => {
    const storage = new SqliteBotStorage(t.db());
    await storage.write({ k: { v: 1 } });
    const stale = (await storage.read(['k'])).k as Record<string, unknown>;
    await storage.write({ k: { ...stale, v: 2 } }); // another turn wins
    await assert.rejects(storage.write({ k: { ...stale, v: 3 } }), /eTag/i);
    assert.equal(((await storage.read(['k'])).k as Record<string, unknown>).v, 2);
  });

  it('when two turns write from the same read, then exactly one wins', async () => {
    const storage = new SqliteBotStorage(t.db());
    await storage.write({ k: { v: 0 } });
    const read = (await storage.read(['k'])).k as Record<string, unknown>;
    const results = await Promise.allSettled([storage.write({ k: { ...read, v: 'a' } }), storage.write({ k: { ...read, v: 'b' } })]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
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

  it('when an item is written with eTag "*", then it overwrites whatever is stored', async () => {
    const storage = new SqliteBotStorage(t.db());
    await storage.write({ k: { v: 1 } });
    await storage.write({ k: { v: 2 } });
    await storage.write({ k: { v: 'forced', eTag: '*' } });
    const item = (await storage.read(['k'])).k as Record<string, unknown>;
    assert.equal(item.v, 'forced');
    assert.notEqual(item.eTag, '*');
  });

  it('when an item is deleted, then reading it finds nothing and the other items stay', async () => {
    const storage = new SqliteBotStorage(t.db());
    await storage.write({ a: { v: 1 }, b: { v: 2 } });
    await storage.delete(['a', 'never-there']);
    const items = await storage.read(['a', 'b']);
    assert.deepEqual(Object.keys(items), ['b']);
  });
});

describe('SqliteTicketRepository', () => {
  const t = useDatabase();

  it('when tickets are created, then they get HD-000001, HD-000002, … with number and version 1', async () => {
    const repo = new SqliteTicketRepository(t.db());
    const created: Ticket[] = [];
    for (const id of ['a', 'b', 'a']) created.push(await repo.create(draft(id)));
    assert.deepEqual(
      created.map((c) => [c.id, c.number, c.version]),
      [
        ['HD-000001', 1, 1],
        ['HD-000002', 2, 1],
        ['HD-000003', 3, 1],
      ],
    );
    const read = await repo.get('HD-000002');
    assert.equal(read?.requester.aadObjectId, 'b');
    assert.deepEqual(read?.stepsTried, draft('b').stepsTried);
    assert.equal((await repo.get('hd-000002'))?.id, 'HD-000002', 'ids match in any case');
    assert.equal(await repo.get('HD-000099'), undefined);
  });

  it('when a ticket is updated with its current version, then the change is stored and the version goes up', async () => {
    const repo = new SqliteTicketRepository(t.db());
    const ticket = await repo.create(draft('a'));
    const saved = await repo.update({ ...ticket, status: 'claimed', assignee: { aadObjectId: 'agent', name: 'Agent' } });
    assert.equal(saved.version, 2);
    const read = await repo.get(ticket.id);
    assert.equal(read?.status, 'claimed');
    assert.equal(read?.assignee?.name, 'Agent');
    assert.equal(read?.version, 2);
  });

  it('when a ticket is updated with a stale version, then TicketConflictError is thrown and the stored ticket is unchanged', async () => {
    const repo = new SqliteTicketRepository(t.db());
    const ticket = await repo.create(draft('a'));
    await repo.update({ ...ticket, status: 'claimed' });
    await assert.rejects(repo.update({ ...ticket, status: 'withdrawn' }), (error: unknown) => error instanceof TicketConflictError && error.ticketId === ticket.id);
    assert.equal((await repo.get(ticket.id))?.status, 'claimed');
  });

  it('when two updates start from the same read, then exactly one wins and the other gets TicketConflictError', async () => {
    const repo = new SqliteTicketRepository(t.db());
    const created = await repo.create(draft('a'));
    const read = (await repo.get(created.id))!;
    const results = await Promise.allSettled([repo.update({ ...read, status: 'claimed' }), repo.update({ ...read, status: 'withdrawn' })]);
    const won = results.filter((r): r is PromiseFulfilledResult<Ticket> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.ok(lost[0]!.reason instanceof TicketConflictError);
    assert.equal((await repo.get(created.id))?.status, won[0]!.value.status);
  });

  it('when tickets are listed by requester, then only that person\'s tickets come back, newest first', async () => {
    const repo = new SqliteTicketRepository(t.db());
    const a1 = await repo.create(draft('a'));
    await repo.create(draft('b'));
    const a2 = await repo.create(draft('a', 'withdrawn'));
    assert.deepEqual(
      (await repo.listByRequester('a')).map((x) => x.id),
      [a2.id, a1.id],
    );
    assert.deepEqual(await repo.listByRequester('nobody'), []);
  });

  it('when open tickets are listed, then resolved and withdrawn ones are left out, oldest first', async () => {
    const repo = new SqliteTicketRepository(t.db());
    const open1 = await repo.create(draft('a'));
    const resolved = await repo.create(draft('b'));
    const open2 = await repo.create(draft('c', 'claimed'));
    const withdrawn = await repo.create(draft('d'));
    await repo.update({ ...resolved, status: 'resolved' });
    await repo.update({ ...withdrawn, status: 'withdrawn' });
    assert.deepEqual(
      (await repo.listOpen()).map((x) => x.id),
      [open1.id, open2.id],
    );
  });

  it('when the database is reopened, then numbering carries on and numbers are never reused', async () => {
    const repo = new SqliteTicketRepository(t.db());
    await repo.create(draft('a'));
    const second = await repo.create(draft('a'));
    t.db().prepare('DELETE FROM tickets WHERE id = ?').run(second.id);
    t.db().close();
    const reopened = openSqliteDatabase(t.dir());
    try {
      const next = await new SqliteTicketRepository(reopened).create(draft('b'));
      assert.equal(next.id, 'HD-000003');
    } finally {
      reopened.close();
    }
  });
});
