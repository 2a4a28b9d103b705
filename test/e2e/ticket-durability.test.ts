import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import Database from 'better-sqlite3';
import { TicketSweeper } from '../../src/delivery/ticket-sweeper';
import { loadConfig } from '../../src/config';
import { OpenTicketExistsError, threadLinkKey, type TicketDraft } from '../../src/domain/tickets';
import { startBot, type RunningBot } from '../../src/index';
import { createAzureStores } from '../../src/store/azure-stores';
import { createSqliteStores } from '../../src/store/sqlite-stores';
import type { Stores } from '../../src/store/stores';
import { buildScenarioTenant } from '../fixtures/scenario-tenant';
import { useAzurite } from '../support/azurite';
import { BotHarness, Chat, findAction, type ActivityPoster } from '../support/bot-harness';
import type { Json } from '../support/cards';
import { allText, scenario } from '../support/e2e-helpers';
import { AGENT_A, AGENT_A_ENV, agentExecute, CHANNEL_ID, channelCardPosts, mention, TEAM_ID, ticketIdsIn } from '../support/handoff-helpers';
import { contractDraft } from '../store/store-contract';
import { driveTriage } from '../support/triage-driver';

const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Drives a triage to its diagnosis and returns the "Open a ticket" action on it. */
async function reachTicketCreate(chat: Chat, causeId: string): Promise<Json> {
  const s = scenario(causeId);
  const run = await driveTriage(chat, s.firstMessage, s.answers);
  const create = findAction(run.replies, 'ticket.create');
  assert.ok(create, `no "Open a ticket" on the diagnosis: ${allText(run.replies).slice(0, 300)}`);
  return create;
}

/** A draft whose times are `ageMs` before now. */
function agedDraft(requester: string, status: TicketDraft['status'], ageMs: number): TicketDraft {
  return contractDraft(requester, status, new Date(Date.now() - ageMs).toISOString());
}

describe('e2e: tickets are never lost or doubled', function () {
  this.timeout(60_000);
  const h = new BotHarness();
  const env = { OUTBOX_RETRY_BASE_MS: '20', ...AGENT_A_ENV };
  const dbFile = (): string => join(h.dataDir, 'data', 'helpdesk.sqlite');
  function readDb<T>(read: (db: Database.Database) => T): T {
    const db = new Database(dbFile(), { readonly: true, fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }
  const ticketRows = (requester: string): Array<{ id: string; status: string; body: string }> =>
    readDb((db) => db.prepare('SELECT id, status, body FROM tickets WHERE requester = ? ORDER BY number').all(requester) as Array<{ id: string; status: string; body: string }>);
  const channelPosts = (ticketId: string): number => channelCardPosts(h.connector.calls, ticketId).length;
  const waitForChannelPost = (ticketId: string): Promise<true> => h.connector.waitFor(() => channelPosts(ticketId) > 0 || undefined, 15_000, `the channel card of ${ticketId}`);
  /** Waits until nothing is left to deliver, so "exactly once" is checked after the outbox settled. */
  const outboxSettled = (): Promise<true> =>
    h.connector.waitFor(
      () => readDb((db) => (db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE done_at IS NULL AND dead_at IS NULL').get() as { n: number }).n) === 0 || undefined,
      15_000,
      'the outbox to settle',
    );

  before(async () => {
    await h.start(env, buildScenarioTenant(new Date()));
    h.connector.teamMembers.set(TEAM_ID, [AGENT_A]);
    await mention(h, AGENT_A, 'use this channel for tickets');
  });
  after(() => h.stop());

  it('when the employee\'s ticket reply fails, then the ticket is still saved and posted once, and "Open a ticket" again shows it', async () => {
    const s = scenario('stale-credentials');
    const chat = h.chat({ aadObjectId: s.userId, name: 'Erin Employee' });
    const create = await reachTicketCreate(chat, s.causeId);
    const personal = new RegExp(`/v3/conversations/${encodeURIComponent(chat.conversationId)}/`);
    const failedBefore = h.connector.failedCount;
    h.connector.failNext(1000, personal);
    const during = await chat.submit({ ...create, details: 'It fails every morning' });
    h.connector.failNext(0);
    assert.ok(h.connector.failedCount > failedBefore, 'the reply to the employee was refused');
    assert.deepEqual(ticketIdsIn(during), [], 'no ticket card reached the employee');

    const rows = ticketRows(s.userId);
    assert.equal(rows.length, 1, 'the ticket was saved although the reply failed');
    const ticketId = rows[0]!.id;
    await waitForChannelPost(ticketId);

    const again = await chat.submit({ ...create, details: 'It fails every morning' });
    assert.match(allText(again), /already have a ticket/i);
    assert.deepEqual(ticketIdsIn(again), [ticketId]);
    assert.equal(ticketRows(s.userId).length, 1);
    await outboxSettled();
    assert.equal(channelPosts(ticketId), 1);
    await chat.submit({ verb: 'ticket.withdraw', ticketId });
  });

  it('when the employee says "start over" and reaches a diagnosis again, then "Open a ticket" shows the open ticket and keeps the new details', async () => {
    const s = scenario('mfa-required');
    const chat = h.chat({ aadObjectId: s.userId, name: 'Mo Employee' });
    const first = await chat.submit({ ...(await reachTicketCreate(chat, s.causeId)), details: 'first attempt' });
    const [ticketId] = ticketIdsIn(first);
    assert.ok(ticketId, allText(first));

    await chat.say('start over');
    const again = await chat.submit({ ...(await reachTicketCreate(chat, s.causeId)), details: 'Now Outlook fails too' });
    assert.match(allText(again), /already have a ticket/i);
    assert.match(allText(again), /added what you wrote/i);
    assert.deepEqual(ticketIdsIn(again), [ticketId]);
    const rows = ticketRows(s.userId);
    assert.equal(rows.length, 1, 'a second ticket was opened after "start over"');
    const body = JSON.parse(rows[0]!.body) as { transcript: Array<{ text: string }>; history: Array<{ note?: string }> };
    assert.ok(
      body.history.some((e) => e.note === 'Now Outlook fails too'),
      'the new details were added to the open ticket',
    );
    // The agents hear about the added details in the ticket's thread.
    await h.connector.waitFor(
      (calls) => calls.some((c) => c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && JSON.stringify(c.body).includes('Now Outlook fails too')),
      15_000,
      'the details in the thread',
    );
    await chat.submit({ verb: 'ticket.withdraw', ticketId });
  });

  it('when "Open a ticket" is pressed on an old card in a chat whose state is gone, then the open ticket is shown', async () => {
    const s = scenario('password-expired');
    const chat = h.chat({ aadObjectId: s.userId, name: 'Kofi Employee' });
    const create = await reachTicketCreate(chat, s.causeId);
    const [ticketId] = ticketIdsIn(await chat.submit(create));
    assert.ok(ticketId);
    // The same employee, a conversation the bot has no state for (as after its state was lost).
    const fresh = h.chat({ aadObjectId: s.userId, name: 'Kofi Employee' });
    const replies = await fresh.submit(create);
    assert.match(allText(replies), /already have a ticket/i);
    assert.deepEqual(ticketIdsIn(replies), [ticketId]);
    assert.equal(ticketRows(s.userId).length, 1);
    // Once it is withdrawn, a new one may be opened.
    await chat.submit({ verb: 'ticket.withdraw', ticketId });
    const next = ticketIdsIn(await fresh.submit(create));
    assert.equal(next.length, 1);
    assert.notEqual(next[0], ticketId);
    await fresh.submit({ verb: 'ticket.withdraw', ticketId: next[0] });
  });

  it('when the employee asks "my tickets", then their open ticket comes first, even when a closed one is newer', async () => {
    const s = scenario('session-expired');
    const chat = h.chat({ aadObjectId: s.userId, name: 'Sam Employee' });
    const create = await reachTicketCreate(chat, s.causeId);
    const [older] = ticketIdsIn(await chat.submit(create));
    assert.ok(older);
    const resolved = await agentExecute(h, AGENT_A, { verb: 'ticket.resolve', ticketId: older, note: 'Signed in again together.' });
    assert.equal(resolved.status, 200);
    const [newer] = ticketIdsIn(await chat.submit(create));
    assert.ok(newer && newer !== older, 'a new ticket once the first was resolved');
    await chat.submit({ verb: 'ticket.withdraw', ticketId: newer });
    await chat.submit({ verb: 'ticket.not-fixed', ticketId: older });
    const mine = await chat.say('my tickets');
    assert.deepEqual(ticketIdsIn(mine).slice(0, 2), [older, newer]);
    await chat.submit({ verb: 'ticket.withdraw', ticketId: older });
  });

  it('when two bot instances get "Open a ticket" for one employee at the same moment, then one ticket is opened and both show it', async () => {
    const peer: RunningBot = await startBot(
      loadConfig({ PORT: '0', DATA_DIR: join(h.dataDir, 'data'), LOG_LEVEL: 'silent', DEMO_TENANT_FILE: join(h.dataDir, 'tenant.json'), ...env }),
    );
    try {
      const viaPeer: ActivityPoster = {
        connector: h.connector,
        post: async (activity) => {
          const response = await fetch(`${peer.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
          const text = await response.text();
          return { status: response.status, body: text ? JSON.parse(text) : undefined };
        },
      };
      const s = scenario('account-locked');
      const chat = h.chat({ aadObjectId: s.userId, name: 'Lee Employee' });
      const create = await reachTicketCreate(chat, s.causeId);
      const onPeer = new Chat(viaPeer, chat.conversationId, { aadObjectId: s.userId, name: 'Lee Employee' });
      const [a, b] = await Promise.all([chat.submit(create), onPeer.submit(create)]);
      const rows = ticketRows(s.userId);
      assert.equal(rows.length, 1, `two tickets were opened: ${rows.map((r) => r.id).join(', ')}`);
      assert.deepEqual([...new Set([...ticketIdsIn(a), ...ticketIdsIn(b)])], [rows[0]!.id]);
      await waitForChannelPost(rows[0]!.id);
      await outboxSettled();
      assert.equal(channelPosts(rows[0]!.id), 1);
      await chat.submit({ verb: 'ticket.withdraw', ticketId: rows[0]!.id });
    } finally {
      await peer.close();
    }
  });

  it('when a ticket was stored without its channel card (a crash between two Azure writes), then the sweeper posts it after a restart', async () => {
    const side = createSqliteStores(join(h.dataDir, 'data'));
    let ticketId: string;
    try {
      ticketId = (await side.tickets.create(agedDraft('orphan-employee', 'new', 2 * MINUTE))).id;
    } finally {
      await side.close();
    }
    await h.restartBot(env, join(h.dataDir, 'tenant.json'));
    await waitForChannelPost(ticketId);
    await outboxSettled();
    assert.equal(channelPosts(ticketId), 1);
  });

  it('when a closed ticket is older than RETENTION_DAYS, then the bot purges it and its thread link at start-up, and keeps the rest', async () => {
    const side = createSqliteStores(join(h.dataDir, 'data'));
    let oldId: string;
    let recentId: string;
    try {
      oldId = (await side.tickets.create(agedDraft('retired-employee', 'resolved', 200 * DAY))).id;
      recentId = (await side.tickets.create(agedDraft('recent-employee', 'resolved', 100 * DAY))).id;
      await side.settings.set(threadLinkKey(`${CHANNEL_ID};messageid=old-1`), oldId);
    } finally {
      await side.close();
    }
    await h.restartBot({ ...env, RETENTION_DAYS: '180' }, join(h.dataDir, 'tenant.json'));
    await h.connector.waitFor(() => readDb((db) => db.prepare('SELECT 1 FROM tickets WHERE id = ?').get(oldId)) === undefined || undefined, 15_000, 'the purge');
    assert.ok(
      readDb((db) => db.prepare('SELECT 1 FROM tickets WHERE id = ?').get(recentId)),
      'a ticket inside the retention period was purged',
    );
    assert.equal(
      readDb((db) => db.prepare('SELECT 1 FROM kv WHERE key = ?').get(threadLinkKey(`${CHANNEL_ID};messageid=old-1`))),
      undefined,
    );
  });
});

describe('ticket sweeper and retention purge (SQLite)', () => {
  let dir: string;
  let stores: Stores;
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);
  const sweeper = (extra: Partial<ConstructorParameters<typeof TicketSweeper>[0]> = {}): TicketSweeper =>
    new TicketSweeper({ tickets: stores.tickets, outbox: stores.outbox, kick: () => undefined, log: silentLog, retentionDays: 30, clock: () => new Date(now), ...extra });
  const at = (ms: number): string => new Date(now - ms).toISOString();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'helpdesk-sweeper-'));
    stores = createSqliteStores(dir);
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when an open ticket has no channel card and nothing queued for it, then the sweep queues it once; young, posted, queued and closed ones are left alone', async () => {
    const orphan = await stores.tickets.create(contractDraft('orphan', 'new', at(2 * MINUTE)));
    const young = await stores.tickets.create(contractDraft('young', 'new', at(5_000)));
    const posted = await stores.tickets.create({
      ...contractDraft('posted', 'claimed', at(2 * MINUTE)),
      channelAddress: { reference: { conversation: { id: 'x' } }, activityId: 'a' },
    });
    const queued = await stores.tickets.create(contractDraft('queued', 'new', at(2 * MINUTE)), { deliveries: (t) => [{ kind: 'channel-card', payload: { ticketId: t.id } }], now });
    await stores.tickets.create(contractDraft('closed', 'withdrawn', at(2 * MINUTE)));
    let kicks = 0;
    const job = sweeper({ kick: () => kicks++ });

    assert.deepEqual(await job.sweep(), [orphan.id]);
    assert.equal(kicks, 1);
    assert.equal(await stores.outbox.hasOpenItem('channel-card', orphan.id), true);
    assert.deepEqual(await job.sweep(), [], 'a ticket whose card is queued is not queued again');
    assert.equal(kicks, 1);
    const items = await stores.outbox.claimDue(now, 30_000, 10);
    assert.deepEqual(
      items.map((i) => [i.kind, i.payload.ticketId]).sort(),
      [
        ['channel-card', orphan.id],
        ['channel-card', queued.id],
      ].sort(),
    );
    assert.ok(young && posted);
  });

  it('when the deliveries of a new ticket cannot be computed, then the ticket is not stored either (one transaction)', async () => {
    await assert.rejects(
      stores.tickets.create(contractDraft('atomic'), {
        deliveries: () => {
          throw new Error('renderer broke');
        },
      }),
      /renderer broke/,
    );
    assert.deepEqual(await stores.tickets.listByRequester('atomic'), []);
    assert.equal(await stores.outbox.pendingCount(), 0);
  });

  it('when the purge runs, then closed tickets and delivered outbox items older than the retention period go, and everything else stays', async () => {
    const oldResolved = await stores.tickets.create(contractDraft('a', 'resolved', at(31 * DAY)));
    const oldWithdrawn = await stores.tickets.create(contractDraft('b', 'withdrawn', at(40 * DAY)));
    const recentResolved = await stores.tickets.create(contractDraft('c', 'resolved', at(29 * DAY)));
    const oldOpen = await stores.tickets.create(contractDraft('d', 'waiting-on-employee', at(90 * DAY)));
    const oldDone = await stores.outbox.enqueue('notify-employee', { ticketId: oldResolved.id, title: 't', text: 'old' }, now - 31 * DAY);
    const recentDone = await stores.outbox.enqueue('notify-employee', { ticketId: recentResolved.id, title: 't', text: 'recent' }, now - 29 * DAY);
    const pending = await stores.outbox.enqueue('webhook', { ticketId: oldOpen.id, event: 'x' }, now - 60 * DAY);
    await stores.outbox.claimDue(now, 1, 10);
    await stores.outbox.complete(oldDone, now - 31 * DAY);
    await stores.outbox.complete(recentDone, now - 29 * DAY);

    const purged = await sweeper().purge();
    assert.deepEqual([...purged].sort(), [oldResolved.id, oldWithdrawn.id].sort());
    for (const kept of [recentResolved, oldOpen]) assert.ok(await stores.tickets.get(kept.id), `${kept.id} was purged`);
    const db = new Database(join(dir, 'helpdesk.sqlite'), { readonly: true });
    try {
      const ids = (db.prepare('SELECT id FROM outbox ORDER BY id').all() as Array<{ id: number }>).map((r) => String(r.id));
      assert.deepEqual(ids, [recentDone, pending]);
    } finally {
      db.close();
    }
    assert.deepEqual(await sweeper().purge(), []);
  });

  it('when started, then both jobs run at once and on their timers, and stop() ends them', async () => {
    const orphan = await stores.tickets.create(contractDraft('orphan', 'new', at(2 * MINUTE)));
    const closed = await stores.tickets.create(contractDraft('gone', 'resolved', at(365 * DAY)));
    const job = sweeper({ sweepEveryMs: 20, purgeEveryMs: 20 });
    job.start();
    try {
      for (let i = 0; i < 200 && !((await stores.outbox.hasOpenItem('channel-card', orphan.id)) && !(await stores.tickets.get(closed.id))); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await job.stop();
    }
    assert.equal(await stores.outbox.hasOpenItem('channel-card', orphan.id), true);
    assert.equal(await stores.tickets.get(closed.id), undefined);
    // Stopped: a new orphan is not swept any more.
    const later = await stores.tickets.create(contractDraft('later', 'new', at(2 * MINUTE)));
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(await stores.outbox.hasOpenItem('channel-card', later.id), false);
  });
});

describe('one open ticket per requester on Azure Storage (Azurite): markers left by a crash', function () {
  this.timeout(60_000);
  const azurite = useAzurite();
  let stores: Stores;
  let markers: TableClient;
  beforeEach(async () => {
    const tag = `${randomBytes(3).toString('hex')}d`;
    stores = await createAzureStores({ connectionString: azurite.connectionString, tablePrefix: `t${tag}`, blobContainer: `c${tag}` });
    markers = TableClient.fromConnectionString(azurite.connectionString, `t${tag}Tickets`, { allowInsecureConnection: true });
  });

  it('when a marker names a ticket that was never written (its creator crashed long ago), then a new ticket is opened', async () => {
    await markers.createEntity({
      partitionKey: 'open-requester',
      rowKey: 'crashed',
      requester: 'crashed',
      ticketId: 'HD-000777',
      at: new Date(Date.now() - 5 * MINUTE).toISOString(),
    });
    const ticket = await stores.tickets.create(contractDraft('crashed'));
    assert.equal((await stores.tickets.findOpenByRequester('crashed'))?.id, ticket.id);
    await assert.rejects(stores.tickets.create(contractDraft('crashed')), (error: unknown) => error instanceof OpenTicketExistsError && error.existing.id === ticket.id);
  });

  it('when a ticket closes, then its marker is cleared; a marker naming a closed ticket is taken over', async () => {
    const first = await stores.tickets.create(contractDraft('closer'));
    const marker = await markers.getEntity('open-requester', 'closer');
    assert.equal(marker.ticketId, first.id);
    await stores.tickets.update({ ...first, status: 'resolved' });
    await assert.rejects(markers.getEntity('open-requester', 'closer'), (error: unknown) => (error as { statusCode?: number }).statusCode === 404);

    const second = await stores.tickets.create(contractDraft('closer'));
    // A marker left behind for a closed ticket (the clear-up after closing did not happen).
    await stores.tickets.update({ ...second, status: 'withdrawn' });
    await markers.upsertEntity({ partitionKey: 'open-requester', rowKey: 'closer', requester: 'closer', ticketId: second.id, at: new Date().toISOString() }, 'Replace');
    const third = await stores.tickets.create(contractDraft('closer'));
    assert.equal((await markers.getEntity('open-requester', 'closer')).ticketId, third.id);
  });
});
