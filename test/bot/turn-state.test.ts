import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { MemoryStorage, TestAdapter, TurnContext, type Storage } from 'botbuilder';
import { createTurnState } from '../../src/bot/turn-state';
import { openSqliteDatabase } from '../../src/store/sqlite-database';
import { SqliteBotStorage } from '../../src/store/sqlite-bot-storage';

const KEY = 'msteams/28:bot/conversations/a:1';

function contextFor(): TurnContext {
  return new TurnContext(new TestAdapter(), {
    type: 'message',
    channelId: 'msteams',
    recipient: { id: '28:bot', name: 'Bot' },
    conversation: { id: 'a:1', isGroup: false, conversationType: 'personal', name: '' },
    from: { id: '29:u', name: 'U' },
    text: 'hi',
  });
}

/** A case of realistic size: the state a turn reads, compares and writes. */
function bigCase(): Record<string, unknown> {
  return { version: 2, caseFile: { transcript: Array.from({ length: 40 }, (_, i) => ({ at: new Date(0).toISOString(), from: 'bot', text: `line ${i} ${'é'.repeat(50)}` })) } };
}

/** Runs `body` and counts the JSON.stringify calls that produced more than 1,000 characters. */
async function countingLargeStringify<T>(body: () => Promise<T>): Promise<{ result: T; large: number }> {
  const original = JSON.stringify;
  let large = 0;
  JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
    const out = original(...args);
    if (typeof out === 'string' && out.length > 1000) large += 1;
    return out;
  }) as typeof JSON.stringify;
  try {
    return { result: await body(), large };
  } finally {
    JSON.stringify = original;
  }
}

async function turn(storage: Storage, change: (conversation: Record<string, unknown>) => void): Promise<void> {
  const context = contextFor();
  const state = createTurnState();
  await state.load(context, storage);
  change(state.conversation as unknown as Record<string, unknown>);
  await state.save(context, storage);
}

/** A fresh SQLite database and bot storage for each test of the suite that calls it. */
function useSqliteStorage(): { db: () => Database.Database; storage: () => SqliteBotStorage } {
  let dir: string;
  let db: Database.Database;
  let storage: SqliteBotStorage;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'turn-state-'));
    db = openSqliteDatabase(dir);
    storage = new SqliteBotStorage(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db: () => db, storage: () => storage };
}

describe('the turn state: conversation state serialised once a turn', () => {
  const sqlite = useSqliteStorage();
  const etag = (): number | undefined => (sqlite.db().prepare('SELECT etag FROM bot_state WHERE key = ?').get(KEY) as { etag: number } | undefined)?.etag;

  it('when a turn changes a stored case, then it is serialised once (not on load, compare and write) and read back as written', async () => {
    await turn(sqlite.storage(), (c) => Object.assign(c, bigCase()));
    const { large } = await countingLargeStringify(() => turn(sqlite.storage(), (c) => ((c.caseFile as { ticketId?: string }).ticketId = 'HD-1')));
    assert.equal(large, 1);
    const stored = (await sqlite.storage().read([KEY]))[KEY] as { caseFile: { ticketId: string; transcript: unknown[] } };
    assert.equal(stored.caseFile.ticketId, 'HD-1');
    assert.equal(stored.caseFile.transcript.length, 40);
  });

  it('when a turn leaves the stored case as it was, then nothing is written (the eTag stays)', async () => {
    await turn(sqlite.storage(), (c) => Object.assign(c, bigCase()));
    const before = etag();
    await turn(sqlite.storage(), () => undefined);
    assert.equal(etag(), before);
    await turn(sqlite.storage(), (c) => (c.welcomed = true));
    assert.equal(etag(), before! + 1);
  });

  it('when a turn replaces the whole conversation, or changes it after it was compared, then what is written is the final state', async () => {
    await turn(sqlite.storage(), (c) => Object.assign(c, bigCase()));
    const context = contextFor();
    const state = createTurnState();
    await state.load(context, sqlite.storage());
    state.conversation = { version: 2, welcomed: true } as never;
    await state.save(context, sqlite.storage());
    (state.conversation as { welcomed?: boolean }).welcomed = false;
    await state.save(context, sqlite.storage());
    assert.deepEqual({ ...(await sqlite.storage().read([KEY]))[KEY], eTag: undefined }, { version: 2, welcomed: false, eTag: undefined });
  });

  it('when another turn wrote first, then the save still loses on the eTag, as before', async () => {
    await turn(sqlite.storage(), (c) => Object.assign(c, bigCase()));
    const context = contextFor();
    const slow = createTurnState();
    await slow.load(context, sqlite.storage());
    await turn(sqlite.storage(), (c) => (c.welcomed = true));
    (slow.conversation as { welcomed?: boolean }).welcomed = false;
    await assert.rejects(slow.save(context, sqlite.storage()), /eTag conflict/);
  });

  it('when the storage notes no JSON (another backend), then changes are found as teams-ai finds them', async () => {
    const memory = new MemoryStorage();
    await turn(memory, (c) => (c.welcomed = true));
    await turn(memory, () => undefined);
    await turn(memory, (c) => (c.welcomed = false));
    const stored = (await memory.read([KEY]))[KEY] as { welcomed: boolean; eTag: string };
    assert.equal(stored.welcomed, false);
    assert.equal(stored.eTag, '2', 'two writes: the unchanged turn wrote nothing');
  });
});

const LOOKUP_KEY = 'msteams/28:bot/case-lookups/a:1';

/** A successful lookup of realistic size (about 40 sign-ins). */
function bigLookup(tag = 'first'): Record<string, unknown> {
  const signIns = Array.from({ length: 40 }, (_, i) => ({
    id: `${tag}-${i}`,
    createdDateTime: new Date(i * 60_000).toISOString(),
    appDisplayName: 'OneDrive SyncEngine',
    status: { errorCode: 50076 },
  }));
  return { ok: true, evidence: { user: { id: 'u1', userPrincipalName: 'u1@example.com' }, signIns, devices: [], gaps: [], conditionalAccessPolicies: [] } };
}

type Case = { caseFile?: { lookup?: Record<string, unknown>; ticketId?: string; transcript?: unknown[] } };

describe('the turn state: the case lookup is stored apart from the conversation', () => {
  const sqlite = useSqliteStorage();
  const row = (key: string): { value: string; etag: number } | undefined =>
    sqlite.db().prepare('SELECT value, etag FROM bot_state WHERE key = ?').get(key) as { value: string; etag: number } | undefined;
  const withLookup = (c: Record<string, unknown>, lookup = bigLookup()): void => {
    Object.assign(c, bigCase());
    (c as Case).caseFile!.lookup = lookup;
  };

  it('when a turn puts a lookup on the case, then it is stored in its own item and the next turn reads the case with it', async () => {
    await turn(sqlite.storage(), (c) => withLookup(c));
    assert.equal((JSON.parse(row(KEY)!.value) as Case).caseFile!.lookup, undefined, 'the conversation row holds no lookup');
    assert.deepEqual((JSON.parse(row(LOOKUP_KEY)!.value) as { lookup: unknown }).lookup, bigLookup());
    let seen: unknown;
    await turn(sqlite.storage(), (c) => (seen = (c as Case).caseFile!.lookup));
    assert.deepEqual(seen, bigLookup());
  });

  it('when later turns change the case but not its lookup, then the lookup is neither serialised nor written again', async () => {
    await turn(sqlite.storage(), (c) => withLookup(c));
    const lookupETag = row(LOOKUP_KEY)!.etag;
    const conversationETag = row(KEY)!.etag;
    const { large } = await countingLargeStringify(() => turn(sqlite.storage(), (c) => ((c as Case).caseFile!.ticketId = 'HD-1')));
    assert.equal(large, 1, 'only the conversation, without the lookup');
    assert.equal(row(LOOKUP_KEY)!.etag, lookupETag);
    assert.equal(row(KEY)!.etag, conversationETag + 1);
  });

  it('when a turn replaces the lookup, then its item is written again with the new one', async () => {
    await turn(sqlite.storage(), (c) => withLookup(c));
    await turn(sqlite.storage(), (c) => ((c as Case).caseFile!.lookup = bigLookup('second')));
    assert.deepEqual((JSON.parse(row(LOOKUP_KEY)!.value) as { lookup: unknown }).lookup, bigLookup('second'));
  });

  it('when the case is replaced by one without a lookup ("start over"), then the stored lookup is deleted and never comes back', async () => {
    await turn(sqlite.storage(), (c) => withLookup(c));
    await turn(sqlite.storage(), (c) => (c.caseFile = { transcript: [] }));
    assert.equal(row(LOOKUP_KEY), undefined);
    let seen: unknown = 'not read';
    await turn(sqlite.storage(), (c) => (seen = (c as Case).caseFile!.lookup));
    assert.equal(seen, undefined);
  });

  it('when a conversation saved with its lookup inline is loaded, then the case has the lookup and the next save moves it to its own item', async () => {
    const legacy = bigCase() as Case;
    legacy.caseFile!.lookup = bigLookup();
    sqlite.db().prepare('INSERT INTO bot_state (key, value, etag, updated_at) VALUES (?, ?, 1, ?)').run(KEY, JSON.stringify(legacy), Date.now());
    let seen: unknown;
    await turn(sqlite.storage(), (c) => (seen = (c as Case).caseFile!.lookup));
    assert.deepEqual(seen, bigLookup());
    assert.equal((JSON.parse(row(KEY)!.value) as Case).caseFile!.lookup, undefined);
    assert.deepEqual((JSON.parse(row(LOOKUP_KEY)!.value) as { lookup: unknown }).lookup, bigLookup());
  });

  it('when another turn replaced the lookup first, then the slower save loses on the eTag', async () => {
    await turn(sqlite.storage(), (c) => withLookup(c));
    const context = contextFor();
    const slow = createTurnState();
    await slow.load(context, sqlite.storage());
    await turn(sqlite.storage(), (c) => ((c as Case).caseFile!.lookup = bigLookup('fast')));
    (slow.conversation as unknown as Case).caseFile!.lookup = bigLookup('slow');
    await assert.rejects(slow.save(context, sqlite.storage()), /eTag conflict/);
  });

  it('when the storage counts requests rather than bytes (MemoryStorage, like Azure Storage), then the lookup stays in the conversation and no second item is read', async () => {
    const memory = new MemoryStorage();
    const read = memory.read.bind(memory);
    const keysRead: string[][] = [];
    memory.read = (keys: string[]) => {
      keysRead.push(keys);
      return read(keys);
    };
    await turn(memory, (c) => withLookup(c));
    const items = await read([KEY, LOOKUP_KEY]);
    assert.deepEqual((items[KEY] as Case).caseFile!.lookup, bigLookup());
    assert.equal(items[LOOKUP_KEY], undefined);
    let seen: unknown;
    await turn(memory, (c) => (seen = (c as Case).caseFile!.lookup));
    assert.deepEqual(seen, bigLookup());
    assert.ok(
      keysRead.every((keys) => !keys.includes(LOOKUP_KEY)),
      'one item per scope, as before',
    );
  });
});
