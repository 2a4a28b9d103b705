import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { REPOSTED_NOTICE } from '../../src/delivery/deliveries';
import { buildScenarioTenant } from '../fixtures/scenario-tenant';
import { Chat, findAction, type ActivityPoster } from '../support/bot-harness';
import { BotProcess } from '../support/bot-process';
import { cardsIn, cardText, type Json } from '../support/cards';
import { allText, scenario } from '../support/e2e-helpers';
import { AGENT_A, AGENT_A_ENV, CHANNEL_ID, channelCardPosts, inChannel, TEAM_ID, ticketIdsIn } from '../support/handoff-helpers';
import { LoopbackConnector } from '../support/loopback-connector';
import { driveTriage } from '../support/triage-driver';

/** The bot as its own process, killed with SIGKILL and restarted on the same DATA_DIR. */
class CrashableBot implements ActivityPoster {
  readonly connector = new LoopbackConnector();
  readonly process = new BotProcess();

  async post(activity: Json): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.process.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
}

function textOf(body: Json): string {
  return [typeof body.text === 'string' ? body.text : '', ...cardsIn(body).map(cardText)].join('\n');
}

describe('e2e: the bot is killed (SIGKILL) at each step of ticket creation and delivery, then restarted', function () {
  this.timeout(120_000);
  const bot = new CrashableBot();
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-crash-'));
  const tenantFile = join(dir, 'tenant.json');
  const env = {
    DATA_DIR: join(dir, 'data'),
    DEMO_TENANT_FILE: tenantFile,
    // Short retries, and a short delivery timeout so the lease of a delivery cut off by the crash runs out soon (4× the timeout).
    OUTBOX_RETRY_BASE_MS: '50',
    OUTBOX_DELIVERY_TIMEOUT_MS: '1500',
    ...AGENT_A_ENV,
  };
  const connector = bot.connector;

  function readDb<T>(read: (db: Database.Database) => T): T {
    const db = new Database(join(dir, 'data', 'helpdesk.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }
  const ticketRows = (requester: string): Array<{ id: string }> =>
    readDb((db) => db.prepare('SELECT id FROM tickets WHERE requester = ? ORDER BY number').all(requester) as Array<{ id: string }>);
  const outboxRows = (kind: string, ticketId: string): Array<{ done_at: number | null }> =>
    readDb((db) => db.prepare("SELECT done_at FROM outbox WHERE kind = ? AND json_extract(payload, '$.ticketId') = ?").all(kind, ticketId) as Array<{ done_at: number | null }>);
  const channelPosts = (ticketId: string): Json[] => channelCardPosts(connector.calls, ticketId).map((c) => c.body);
  const threadOf = (ticketId: string): string | undefined => channelCardPosts(connector.calls, ticketId)[0]?.conversationId;
  /** Nothing left to deliver: "exactly once" is checked after the outbox has settled. */
  const outboxSettled = (): Promise<true> =>
    connector.waitFor(
      () => readDb((db) => (db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE done_at IS NULL AND dead_at IS NULL').get() as { n: number }).n) === 0 || undefined,
      30_000,
      'the outbox to settle',
    );
  const personalPath = (chat: Chat): RegExp => new RegExp(`/v3/conversations/${encodeURIComponent(chat.conversationId)}/`);

  async function reachTicketCreate(chat: Chat, causeId: string): Promise<Json> {
    const s = scenario(causeId);
    const run = await driveTriage(chat, s.firstMessage, s.answers);
    const create = findAction(run.replies, 'ticket.create');
    assert.ok(create, allText(run.replies).slice(0, 300));
    return create;
  }

  /** SIGKILL, stop holding requests, and start again on the same data. */
  async function crashAndRestart(): Promise<void> {
    await bot.process.kill();
    connector.hangNext(0);
    await bot.process.start(env);
  }

  /** "Open a ticket" again, after the restart, shows the one ticket. */
  async function pressAgainShows(chat: Chat, create: Json, ticketId: string, requester: string): Promise<void> {
    const again = await chat.submit(create);
    assert.match(allText(again), /already have a ticket/i);
    assert.deepEqual(ticketIdsIn(again), [ticketId]);
    assert.deepEqual(
      ticketRows(requester).map((r) => r.id),
      [ticketId],
    );
  }

  before(async function () {
    this.timeout(90_000);
    writeFileSync(tenantFile, JSON.stringify(buildScenarioTenant(new Date())));
    await connector.start();
    connector.teamMembers.set(TEAM_ID, [AGENT_A]);
    await bot.process.start(env);
    await inChannel(bot, AGENT_A, {
      type: 'message',
      text: '<at>Helpdesk</at> use this channel for tickets',
      entities: [{ type: 'mention', text: '<at>Helpdesk</at>', mentioned: { id: '28:bot', name: 'Helpdesk' } }],
    });
    await connector.waitFor((calls) => calls.some((c) => c.conversationId === CHANNEL_ID && /help desk queue/i.test(textOf(c.body))), 10_000, 'the channel registered');
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`bot output:\n${bot.process.log.slice(-4000)}`);
  });

  after(async function () {
    this.timeout(30_000);
    await bot.process.stop();
    await connector.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('(a) when the bot dies while the "ticket opened" reply is in flight, then the ticket was already stored with its channel card, is posted once, and is shown again', async () => {
    const s = scenario('stale-credentials');
    const chat = new Chat(bot, 'personal-crash-a', { aadObjectId: s.userId, name: 'Erin Employee' });
    const create = await reachTicketCreate(chat, s.causeId);
    const held = connector.hungCount;
    connector.hangNext(100, personalPath(chat));
    const pressed = chat.submit(create).then(
      () => 'answered',
      () => 'cut off',
    );
    await connector.waitFor(() => connector.hungCount > held || undefined, 15_000, 'the reply to the employee in flight');

    // Before any reply got through, the ticket and its channel card delivery were both stored.
    const rows = ticketRows(s.userId);
    assert.equal(rows.length, 1);
    const ticketId = rows[0]!.id;
    assert.equal(outboxRows('channel-card', ticketId).length, 1, 'the channel card was queued with the ticket');
    // The card reaches the channel while the reply hangs; kill once its delivery is recorded.
    await connector.waitFor(() => (outboxRows('channel-card', ticketId)[0]?.done_at ?? null) !== null || undefined, 15_000, 'the channel card delivered');

    await crashAndRestart();
    assert.equal(await pressed, 'cut off');
    await pressAgainShows(chat, create, ticketId, s.userId);
    await outboxSettled();
    assert.equal(channelPosts(ticketId).length, 1, 'the ticket was posted more than once');
  });

  it('(b) when the bot dies while the channel card post is in flight, then after the restart it is posted again at most once, marked as re-posted', async () => {
    const s = scenario('mfa-required');
    const chat = new Chat(bot, 'personal-crash-b', { aadObjectId: s.userId, name: 'Mo Employee' });
    const create = await reachTicketCreate(chat, s.causeId);
    const held = connector.hungCount;
    connector.hangNext(1, /\/v3\/conversations\/?$/);
    const [ticketId] = ticketIdsIn(await chat.submit(create));
    assert.ok(ticketId, 'the employee got the ticket card');
    await connector.waitFor(() => connector.hungCount > held || undefined, 15_000, 'the channel post in flight');

    await bot.process.kill();
    // The worst case: Teams did post the held card, but the bot died before it learned so.
    // (This also lets earlier tests' held requests through; they are not counted here.)
    connector.releaseHung();
    await connector.waitFor(() => channelPosts(ticketId).length > 0 || undefined, 5000, 'the held post recorded');
    connector.hangNext(0);
    await bot.process.start(env);

    await connector.waitFor(() => channelPosts(ticketId).length > 1 || undefined, 30_000, 'the card posted again after the restart');
    await outboxSettled();
    const posts = channelPosts(ticketId);
    assert.equal(posts.length, 2, 'more than one extra copy');
    assert.ok(!textOf(posts[0]!).includes(REPOSTED_NOTICE), 'the original post carries no re-post notice');
    assert.ok(textOf(posts[1]!).includes(REPOSTED_NOTICE), `the extra copy says it was re-posted: ${textOf(posts[1]!).slice(0, 300)}`);
    await pressAgainShows(chat, create, ticketId, s.userId);
  });

  it('(c) when the bot dies right after a claim while the employee notification is in flight, then the notification is delivered after the restart', async () => {
    const s = scenario('password-expired');
    const chat = new Chat(bot, 'personal-crash-c', { aadObjectId: s.userId, name: 'Kofi Employee' });
    const create = await reachTicketCreate(chat, s.causeId);
    const [ticketId] = ticketIdsIn(await chat.submit(create));
    assert.ok(ticketId);
    const thread = await connector.waitFor(() => threadOf(ticketId), 15_000, 'the channel card');
    await outboxSettled();

    const held = connector.hungCount;
    connector.hangNext(100, personalPath(chat));
    const claim = await inChannel(
      bot,
      AGENT_A,
      {
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: /;messageid=(.+)$/.exec(thread)?.[1],
        value: { action: { type: 'Action.Execute', verb: 'ticket.claim', data: { verb: 'ticket.claim', ticketId } } },
      },
      thread,
    );
    assert.equal(claim.status, 200, JSON.stringify(claim.body));
    await connector.waitFor(() => connector.hungCount > held || undefined, 15_000, 'the claim notice in flight');

    // The held notice is never answered: it did not arrive.
    await crashAndRestart();
    const notices = (): number => connector.calls.filter((c) => c.conversationId === chat.conversationId && textOf(c.body).includes(`${AGENT_A.name} has your ticket`)).length;
    await connector.waitFor(() => notices() > 0 || undefined, 30_000, 'the claim notice after the restart');
    await outboxSettled();
    assert.equal(notices(), 1);
    assert.equal(
      channelPosts(ticketId).length,
      1,
      `the ticket was posted more than once: ${channelPosts(ticketId)
        .map((b) => textOf(b).slice(0, 400))
        .join('\n=====\n')}`,
    );
    await pressAgainShows(chat, create, ticketId, s.userId);
  });
});
