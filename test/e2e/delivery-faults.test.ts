import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REPOSTED_NOTICE } from '../../src/delivery/deliveries';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { BotHarness, type Chat } from '../support/bot-harness';
import { actionData, cardsIn, cardText, type Json } from '../support/cards';
import { AGENT_A, AGENT_A_ENV, agentExecute, CHANNEL_ID, channelCardPosts, mention, NEW_THREAD, openTicket, TEAM_ID } from '../support/handoff-helpers';

const scenario = (causeId: string) => SCENARIOS.find((s) => s.causeId === causeId)!;

function textOf(body: Json): string {
  return [typeof body.text === 'string' ? body.text : '', ...cardsIn(body).map(cardText)].join('\n');
}

/** Polls `check` until it gives a value (or fails after `timeoutMs`). */
async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function readyz(h: BotHarness): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${h.bot!.url}/readyz`);
  return { status: response.status, body: await response.json() };
}

function bytesOf(card: Json): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/** Requests to an employee's chat (replies and proactive messages). */
function chatPath(conversationId: string): RegExp {
  return new RegExp(`/v3/conversations/${encodeURIComponent(conversationId)}/activities`);
}

/** A bot whose help desk channel is registered by agent A, with the given outbox settings. */
function helpdesk(env: Record<string, string>): BotHarness {
  const h = new BotHarness();
  before(async () => {
    await h.start({ OUTBOX_RETRY_BASE_MS: '20', ...AGENT_A_ENV, ...env }, buildScenarioTenant(new Date()));
    h.connector.teamMembers.set(TEAM_ID, [AGENT_A]);
    await mention(h, AGENT_A, 'use this channel for tickets');
  });
  after(() => h.stop());
  return h;
}

/** Helpers over one harness's loopback connector. */
function lookups(h: BotHarness) {
  const cardPosts = (ticketId: string) => channelCardPosts(h.connector.calls, ticketId);
  return {
    cardPosts,
    threadOf: (ticketId: string): Promise<string> => h.connector.waitFor(() => cardPosts(ticketId)[0]?.conversationId, 15_000, `the channel card of ${ticketId}`),
    sees: (conversationId: string, text: string, after: number): Promise<Json> =>
      h.connector.waitFor(
        (calls) => calls.slice(after).find((c) => c.conversationId === conversationId && c.body.type === 'message' && textOf(c.body).includes(text))?.body,
        20_000,
        `"${text}" in ${conversationId}`,
      ),
    somethingWentWrong: (after: number) => h.connector.calls.slice(after).filter((c) => /Something went wrong/.test(textOf(c.body))),
  };
}

describe('e2e: deliveries survive connector failures, hangs and oversized cards', function () {
  this.timeout(90_000);
  // A long delivery timeout: the connector client's own retries of a 503 take seconds.
  const h = helpdesk({ OUTBOX_DELIVERY_TIMEOUT_MS: '30000', OUTBOX_CONCURRENCY: '4' });
  const { cardPosts, threadOf, sees, somethingWentWrong } = lookups(h);

  it('when the connector fails (503) for an agent reply and then recovers, then the employee gets the reply and nobody sees "Something went wrong"', async () => {
    const s = scenario('stale-credentials');
    const employee = h.chat({ aadObjectId: s.userId, name: 'Erin Employee' });
    const ticketId = await openTicket(employee, s.firstMessage, s.answers);
    const thread = await threadOf(ticketId);
    let mark = h.connector.calls.length;
    await agentExecute(h, AGENT_A, { verb: 'ticket.claim', ticketId }, thread);
    await sees(employee.conversationId, 'has your ticket', mark);

    mark = h.connector.calls.length;
    h.connector.failedCount = 0;
    // Enough failures for a whole delivery attempt (the connector client itself retries a 503 three times).
    h.connector.failNext(4, chatPath(employee.conversationId));
    const reply = await mention(h, AGENT_A, 'Please quit OneDrive and start it again.', thread);
    assert.equal(reply.status, 200);
    const delivered = await sees(employee.conversationId, 'Please quit OneDrive and start it again.', mark);
    assert.match(textOf(delivered), new RegExp(AGENT_A.name));
    assert.equal(h.connector.failedCount, 4, 'the first attempt failed');
    assert.deepEqual(somethingWentWrong(mark), [], 'no failure notice anywhere (channel, thread or chat)');
  });

  it('when a turn in the help desk channel fails, then no failure notice is posted into the channel', async () => {
    const mark = h.connector.calls.length;
    h.connector.failedCount = 0;
    h.connector.failNext(4, chatPath(CHANNEL_ID));
    const result = await mention(h, AGENT_A, 'tickets');
    assert.equal(h.connector.failedCount, 4, 'the reply in the channel failed');
    assert.ok(result.status < 500, `answered ${result.status}`);
    assert.deepEqual(somethingWentWrong(mark), []);
    assert.deepEqual(
      h.connector.calls.slice(mark).filter((c) => c.conversationId === CHANNEL_ID && c.body.type === 'message'),
      [],
      'nothing posted into the channel',
    );
  });

  it("when one ticket's channel post hangs, then another ticket's claim notice is still delivered, and the held card is posted once when the connector answers", async () => {
    const first = scenario('mfa-required');
    const employee = h.chat({ aadObjectId: first.userId, name: 'Mo Employee' });
    const ticketId = await openTicket(employee, first.firstMessage, first.answers);
    const thread = await threadOf(ticketId);

    h.connector.hangNext(1, NEW_THREAD);
    const second = scenario('session-expired');
    const other = h.chat({ aadObjectId: second.userId, name: 'Sam Employee' });
    const heldTicket = await openTicket(other, second.firstMessage, second.answers);
    await h.connector.waitFor(() => h.connector.hungCount === 1 || undefined, 15_000, 'the held channel post');

    const mark = h.connector.calls.length;
    await agentExecute(h, AGENT_A, { verb: 'ticket.claim', ticketId }, thread);
    await sees(employee.conversationId, 'has your ticket', mark);
    assert.equal(h.connector.hungCount, 1, 'the other ticket is still held');
    assert.equal(cardPosts(heldTicket).length, 0);

    h.connector.releaseHung();
    const heldThread = await threadOf(heldTicket);
    // A later change of the same ticket is delivered after its first card, so once its update shows, the post is settled.
    const settled = h.connector.calls.length;
    await agentExecute(h, AGENT_A, { verb: 'ticket.claim', ticketId: heldTicket }, heldThread);
    await h.connector.waitFor((calls) => calls.slice(settled).find((c) => c.method === 'PUT' && c.conversationId === heldThread), 15_000, 'the update of the held card');
    assert.equal(cardPosts(heldTicket).length, 1, 'posted exactly once');
    assert.ok(!cardText(cardsIn(cardPosts(heldTicket)[0]!.body)[0]).includes(REPOSTED_NOTICE));
  });

  it('when the connector refuses a card as too large (413), then a smaller card is posted instead, with the ticket and its actions', async () => {
    const s = scenario('account-locked');
    const employee = h.chat({ aadObjectId: s.userId, name: 'Lou Employee' });
    const refusedBefore = h.connector.rejected.length;
    h.connector.failNext(1, NEW_THREAD, 413);
    const ticketId = await openTicket(employee, s.firstMessage, s.answers);
    await threadOf(ticketId);
    const refused = h.connector.rejected.slice(refusedBefore).find((r) => r.status === 413);
    assert.ok(refused, 'the first post was refused');
    const refusedCard = cardsIn(refused.body.activity as Json)[0]!;
    assert.match(cardText(refusedCard), new RegExp(ticketId));
    const posts = cardPosts(ticketId);
    assert.equal(posts.length, 1);
    const posted = cardsIn(posts[0]!.body)[0]!;
    assert.ok(bytesOf(posted) < bytesOf(refusedCard), `posted ${bytesOf(posted)} bytes, refused ${bytesOf(refusedCard)}`);
    assert.ok(
      actionData(posted).some((d) => d.verb === 'ticket.claim' && d.ticketId === ticketId),
      'the smaller card keeps its claim button',
    );
  });
});

describe('e2e: a delivery that keeps failing is set aside and reported', function () {
  this.timeout(90_000);
  const h = helpdesk({ OUTBOX_MAX_ATTEMPTS: '2', OUTBOX_DELIVERY_TIMEOUT_MS: '30000' });
  const { threadOf, somethingWentWrong } = lookups(h);

  it('when the employee chat fails maxAttempts times, then the item is dead-lettered, agents get one notice in the channel, and /readyz says degraded', async () => {
    assert.deepEqual(await readyz(h), { status: 200, body: { status: 'ready' } });
    const s = scenario('device-not-compliant');
    const employee = h.chat({ aadObjectId: s.userId, name: 'Dee Employee' });
    const ticketId = await openTicket(employee, s.firstMessage, s.answers);
    const thread = await threadOf(ticketId);
    const mark = h.connector.calls.length;
    h.connector.failNext(1_000_000, chatPath(employee.conversationId));
    await agentExecute(h, AGENT_A, { verb: 'ticket.claim', ticketId }, thread);

    // A new post in the channel (not in the ticket's thread), so agents see it.
    const notice = await h.connector.waitFor(
      (calls) => calls.slice(mark).find((c) => c.method === 'POST' && c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && /set aside/.test(textOf(c.body)))?.body,
      40_000,
      'the dead-letter notice',
    );
    assert.match(textOf(notice), new RegExp(ticketId));
    assert.match(textOf(notice), /message to the employee/);
    assert.equal(notice.textFormat, 'plain');
    assert.deepEqual(await readyz(h), { status: 200, body: { status: 'degraded' } });
    h.connector.failNext(0);
    const notices = h.connector.calls.slice(mark).filter((c) => /set aside/.test(textOf(c.body)));
    assert.equal(notices.length, 1, 'one notice for the dead item');
    assert.deepEqual(somethingWentWrong(mark), []);

    // Once the cause is fixed, an agent puts it back in the queue; someone outside the help desk cannot.
    const outsider = { id: '29:outsider', name: 'Out Sider', aadObjectId: 'outsider-aad' };
    await mention(h, outsider, 'retry deliveries');
    assert.deepEqual(await readyz(h), { status: 200, body: { status: 'degraded' } });
    const retryMark = h.connector.calls.length;
    await mention(h, AGENT_A, 'retry deliveries');
    const claimNotice = await h.connector.waitFor(
      (calls) => calls.slice(retryMark).find((c) => c.conversationId === employee.conversationId && /has your ticket/.test(JSON.stringify(c.body)))?.body,
      20_000,
      "the employee's claim notice after the retry",
    );
    assert.ok(claimNotice);
    assert.deepEqual(await readyz(h), { status: 200, body: { status: 'ready' } });
  });
});

describe('e2e: a channel post that hangs past the delivery timeout', function () {
  this.timeout(60_000);
  const h = helpdesk({ OUTBOX_DELIVERY_TIMEOUT_MS: '300' });
  const { cardPosts } = lookups(h);

  it('when the post is abandoned and retried, then the new card says an earlier copy may exist, and it stays the ticket card', async () => {
    const s = scenario('stale-credentials');
    const employee: Chat = h.chat({ aadObjectId: s.userId, name: 'Erin Employee' });
    h.connector.hangNext(1, NEW_THREAD);
    const ticketId = await openTicket(employee, s.firstMessage, s.answers);
    const repost = await h.connector.waitFor(() => cardPosts(ticketId)[0], 15_000, 'the re-posted card');
    assert.match(cardText(cardsIn(repost.body)[0]), new RegExp(REPOSTED_NOTICE.replace(/[.;]/g, '.')));
    assert.equal(h.connector.hungCount, 1, 'the first post is still in flight');

    // The first post gets through after all: two copies exist, the re-posted one stays the ticket card.
    h.connector.releaseHung();
    await h.connector.waitFor(() => cardPosts(ticketId).length === 2 || undefined, 10_000, 'the late first copy');
    const mark = h.connector.calls.length;
    await agentExecute(h, AGENT_A, { verb: 'ticket.claim', ticketId }, repost.conversationId);
    const update = await h.connector.waitFor((calls) => calls.slice(mark).find((c) => c.method === 'PUT'), 10_000, 'the card update');
    assert.equal(update.conversationId, repost.conversationId);
    assert.match(cardText(cardsIn(update.body)[0]), /Re-posted after an interruption/);
  });
});

describe('e2e: the webhook never follows a redirect', function () {
  this.timeout(60_000);
  let redirector: Server;
  let target: Server;
  let redirectorHits = 0;
  let targetHits = 0;
  const h = new BotHarness();

  const listen = async (server: Server): Promise<string> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  before(async () => {
    target = createServer((req, res) => {
      targetHits += 1;
      req.resume();
      res.statusCode = 204;
      res.end();
    });
    const targetUrl = await listen(target);
    redirector = createServer((req, res) => {
      redirectorHits += 1;
      req.resume();
      res.writeHead(307, { location: `${targetUrl}/collect` });
      res.end();
    });
    const url = `${await listen(redirector)}/itsm`;
    await h.start({ WEBHOOK_URL: url, WEBHOOK_SECRET: 'secret', OUTBOX_RETRY_BASE_MS: '20', OUTBOX_MAX_ATTEMPTS: '2' }, buildScenarioTenant(new Date()));
  });
  after(async () => {
    await h.stop();
    await Promise.all([redirector, target].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('when the webhook answers 307, then the ticket is not re-posted to the new location, the delivery fails and is set aside', async () => {
    const s = scenario('stale-credentials');
    const employee = h.chat({ aadObjectId: s.userId, name: 'Erin Employee' });
    await openTicket(employee, s.firstMessage, s.answers);
    await h.connector.waitFor(() => redirectorHits >= 2 || undefined, 15_000, 'the first try and its retry');
    await eventually(async () => ((await readyz(h)).body as { status?: string }).status === 'degraded', '/readyz degraded');
    assert.equal(redirectorHits, 2, 'two attempts, then set aside');
    assert.equal(targetHits, 0, 'nothing reached the redirect target');
  });
});
