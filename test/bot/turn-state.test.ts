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

describe('the turn state: conversation state serialised once a turn', () => {
  let dir: string;
  let db: Database.Database;
  let storage: SqliteBotStorage;
  const etag = (): number | undefined => (db.prepare('SELECT etag FROM bot_state WHERE key = ?').get(KEY) as { etag: number } | undefined)?.etag;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'turn-state-'));
    db = openSqliteDatabase(dir);
    storage = new SqliteBotStorage(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a turn changes a stored case, then it is serialised once (not on load, compare and write) and read back as written', async () => {
    await turn(storage, (c) => Object.assign(c, bigCase()));
    const { large } = await countingLargeStringify(() => turn(storage, (c) => ((c.caseFile as { ticketId?: string }).ticketId = 'HD-1')));
    assert.equal(large, 1);
    const stored = (await storage.read([KEY]))[KEY] as { caseFile: { ticketId: string; transcript: unknown[] } };
    assert.equal(stored.caseFile.ticketId, 'HD-1');
    assert.equal(stored.caseFile.transcript.length, 40);
  });

  it('when a turn leaves the stored case as it was, then nothing is written (the eTag stays)', async () => {
    await turn(storage, (c) => Object.assign(c, bigCase()));
    const before = etag();
    await turn(storage, () => undefined);
    assert.equal(etag(), before);
    await turn(storage, (c) => (c.welcomed = true));
    assert.equal(etag(), before! + 1);
  });

  it('when a turn replaces the whole conversation, or changes it after it was compared, then what is written is the final state', async () => {
    await turn(storage, (c) => Object.assign(c, bigCase()));
    const context = contextFor();
    const state = createTurnState();
    await state.load(context, storage);
    state.conversation = { version: 2, welcomed: true } as never;
    await state.save(context, storage);
    (state.conversation as { welcomed?: boolean }).welcomed = false;
    await state.save(context, storage);
    assert.deepEqual({ ...(await storage.read([KEY]))[KEY], eTag: undefined }, { version: 2, welcomed: false, eTag: undefined });
  });

  it('when another turn wrote first, then the save still loses on the eTag, as before', async () => {
    await turn(storage, (c) => Object.assign(c, bigCase()));
    const context = contextFor();
    const slow = createTurnState();
    await slow.load(context, storage);
    await turn(storage, (c) => (c.welcomed = true));
    (slow.conversation as { welcomed?: boolean }).welcomed = false;
    await assert.rejects(slow.save(context, storage), /eTag conflict/);
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
