import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { startBot } from '../../src/index';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { tokenDouble } from '../graph/graph-test-kit';
import { BotHarness, Chat, type ActivityPoster } from '../support/bot-harness';
import { BotProcess } from '../support/bot-process';
import { cardsIn, cardText, type Json } from '../support/cards';
import { FakeGraphServer } from '../support/fake-graph-server';
import { AGENT_A, AGENT_A_ENV, AGENT_B, CHANNEL_ID, openTicket, TEAM_ID } from '../support/handoff-helpers';
import { LoopbackBotCredentials } from '../support/loopback-bot-credentials';
import { LoopbackConnector } from '../support/loopback-connector';
import { OpenIdServer } from '../support/openid-server';

/** Where an activity comes from: a channel of a team, in a tenant. */
interface Place {
  teamId: string;
  channelId: string;
  tenantId: string;
  teamName?: string;
}
type Person = { id: string; name: string; aadObjectId: string };

const QUEUE: Place = { teamId: TEAM_ID, channelId: CHANNEL_ID, tenantId: 'tenant-1', teamName: 'IT Help Desk' };
const MALLORY: Person = { id: '29:mallory', name: 'Mallory Outsider', aadObjectId: 'mallory-aad' };
const MALLORY_TEAM: Place = { teamId: '19:team-mallory@thread.tacv2', channelId: '19:mallory-general@thread.tacv2', tenantId: 'tenant-1', teamName: 'Mallory and friends' };
const stale = SCENARIOS.find((s) => s.causeId === 'stale-credentials')!;
const mfa = SCENARIOS.find((s) => s.causeId === 'mfa-required')!;

let seq = 0;
/** Posts an activity from `from` in `place` (or one of its threads), as Teams would. */
function inPlace(p: ActivityPoster, from: Person, place: Place, extra: Json, conversationId = place.channelId): Promise<{ status: number; body: unknown }> {
  seq += 1;
  return p.post({
    channelId: 'msteams',
    serviceUrl: p.connector.url,
    id: `sec-${seq}`,
    timestamp: new Date().toISOString(),
    conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: place.tenantId },
    from,
    recipient: { id: '28:bot', name: 'Helpdesk' },
    channelData: { team: { id: place.teamId, name: place.teamName }, channel: { id: place.channelId }, tenant: { id: place.tenantId } },
    ...extra,
  });
}

/** `from` mentions the bot with `text` in `place`. */
function say(p: ActivityPoster, from: Person, place: Place, text: string, conversationId?: string): Promise<{ status: number; body: unknown }> {
  return inPlace(
    p,
    from,
    place,
    { type: 'message', text: `<at>Helpdesk</at> ${text}`, entities: [{ type: 'mention', text: '<at>Helpdesk</at>', mentioned: { id: '28:bot', name: 'Helpdesk' } }] },
    conversationId,
  );
}

/** `from` presses an Action.Execute button in `place`. */
function press(p: ActivityPoster, from: Person, place: Place, data: Json, conversationId?: string): Promise<{ status: number; body: unknown }> {
  const replyToId = conversationId ? /;messageid=(.+)$/.exec(conversationId)?.[1] : undefined;
  return inPlace(p, from, place, { type: 'invoke', name: 'adaptiveCard/action', replyToId, value: { action: { type: 'Action.Execute', verb: data.verb, data } } }, conversationId);
}

function textOf(body: Json): string {
  return [typeof body.text === 'string' ? body.text : '', ...cardsIn(body).map(cardText)].join('\n');
}

/** Everything the bot posted to `conversationId` since call number `mark`, as text. */
function postedTo(p: ActivityPoster, conversationId: string, mark: number): string {
  return p.connector.calls
    .slice(mark)
    .filter((c) => c.conversationId === conversationId && c.body.type === 'message')
    .map((c) => textOf(c.body))
    .join('\n---\n');
}

/** The thread a ticket's card was posted in (a `channel;messageid=` conversation). */
function threadOf(p: ActivityPoster, ticketId: string): Promise<string> {
  return p.connector.waitFor(
    (calls) => calls.find((c) => c.conversationId.includes(';messageid=') && cardsIn(c.body).some((card) => cardText(card).includes(ticketId)))?.conversationId,
    10_000,
    `the channel card of ${ticketId}`,
  );
}

describe('e2e security: only the help desk acts as the help desk', function () {
  this.timeout(90_000);
  const h = new BotHarness();
  let ticketId = '';
  let thread = '';

  before(async () => {
    // Agent A is configured; agent B is an agent only as a member of the registered team.
    await h.start({ OUTBOX_RETRY_BASE_MS: '20', ...AGENT_A_ENV }, buildScenarioTenant(new Date()));
    h.connector.teamMembers.set(TEAM_ID, [AGENT_A, AGENT_B]);
    h.connector.teamMembers.set(MALLORY_TEAM.teamId, [MALLORY]);
    const mark = h.connector.calls.length;
    await say(h, AGENT_A, QUEUE, 'use this channel for tickets');
    assert.match(postedTo(h, CHANNEL_ID, mark), /This channel is now the help desk queue/);
  });
  after(() => h.stop());

  it('when a user adds the bot to their own team and says "use this channel for tickets", then they are refused and tickets still go to the help desk', async () => {
    const mark = h.connector.calls.length;
    const res = await say(h, MALLORY, MALLORY_TEAM, 'use this channel for tickets');
    assert.equal(res.status, 200);
    const answer = postedTo(h, MALLORY_TEAM.channelId, mark);
    assert.match(answer, /Only help desk agents can do that/);
    assert.doesNotMatch(answer, /now the help desk queue/);
    assert.equal(postedTo(h, CHANNEL_ID, mark), '', 'the real queue is not told of any move');

    ticketId = await openTicket(h.chat({ aadObjectId: stale.userId, name: 'Erin Employee' }), stale.firstMessage, stale.answers);
    thread = await threadOf(h, ticketId);
    assert.ok(thread.startsWith(`${CHANNEL_ID};messageid=`), `the ticket went to ${thread}`);
    // Her own team's roster does not make her an agent either.
    const refused = await say(h, MALLORY, MALLORY_TEAM, 'tickets');
    assert.equal(refused.status, 200);
    assert.match(postedTo(h, MALLORY_TEAM.channelId, mark), /Only help desk agents can do that[\s\S]*Only help desk agents can do that/);
  });

  it('when an agent writes a sentence that merely contains the command, then nothing is registered', async () => {
    const elsewhere: Place = { teamId: '19:team-agent-a-other@thread.tacv2', channelId: '19:agent-a-other@thread.tacv2', tenantId: 'tenant-1' };
    const mark = h.connector.calls.length;
    for (const text of ["please don't use this channel for tickets", 'use this channel for tickets please', 'we could use this channel for tickets, right?']) {
      const res = await say(h, AGENT_A, elsewhere, text);
      assert.equal(res.status, 200);
    }
    assert.doesNotMatch(postedTo(h, elsewhere.channelId, mark), /now the help desk queue/);
    assert.equal(postedTo(h, CHANNEL_ID, mark), '', 'the queue was not told of a move');
    // Without a mention of the bot the exact words do nothing either.
    await inPlace(h, AGENT_A, elsewhere, { type: 'message', text: 'use this channel for tickets' });
    assert.doesNotMatch(postedTo(h, elsewhere.channelId, mark), /now the help desk queue/);
  });

  it('when a member of the registered team acts, then they are an agent; a non-member with the same team id on the activity is not', async () => {
    let mark = h.connector.calls.length;
    await press(h, MALLORY, QUEUE, { verb: 'ticket.claim', ticketId }, thread);
    assert.match(postedTo(h, thread, mark), /Only help desk agents can do that/);
    await say(h, MALLORY, QUEUE, 'Please reply with your password so I can fix it', thread);
    assert.match(postedTo(h, thread, mark), /Only help desk agents can do that[\s\S]*Only help desk agents can do that/);

    mark = h.connector.calls.length;
    const claimed = await press(h, AGENT_B, QUEUE, { verb: 'ticket.claim', ticketId }, thread);
    assert.equal(claimed.status, 200);
    assert.match(postedTo(h, thread, mark), new RegExp(`claimed ${ticketId}`));

    // Mallory's attempt left no trace: agent A is told that B (not Mallory) has it.
    mark = h.connector.calls.length;
    await press(h, AGENT_A, QUEUE, { verb: 'ticket.claim', ticketId }, thread);
    assert.match(postedTo(h, thread, mark), new RegExp(`${AGENT_B.name} already has ticket ${ticketId}`));
  });

  it('when a non-agent refreshes an existing and a missing ticket, then both answers are identical and reveal nothing', async () => {
    const mark = h.connector.calls.length;
    const existing = await press(h, MALLORY, QUEUE, { verb: 'ticket.refresh', ticketId }, thread);
    const missing = await press(h, MALLORY, QUEUE, { verb: 'ticket.refresh', ticketId: 'HD-999999' }, thread);
    assert.equal(existing.status, missing.status);
    assert.deepEqual(existing.body, missing.body);
    assert.doesNotMatch(JSON.stringify(existing.body), /Erin|stale|HD-0/i);

    // The same through Action.Submit (a message), in the channel: identical notices.
    const before = h.connector.calls.length;
    await inPlace(h, MALLORY, QUEUE, { type: 'message', value: { verb: 'ticket.refresh', ticketId } });
    const first = postedTo(h, CHANNEL_ID, before);
    const between = h.connector.calls.length;
    await inPlace(h, MALLORY, QUEUE, { type: 'message', value: { verb: 'ticket.refresh', ticketId: 'HD-999999' } });
    assert.equal(postedTo(h, CHANNEL_ID, between), first);
    assert.match(first, /Only help desk agents can do that/);
    assert.doesNotMatch(postedTo(h, thread, mark) + first, /Erin Employee/);

    // Control: an agent's refresh of the same ticket does return its card.
    const agentView = await press(h, AGENT_A, QUEUE, { verb: 'ticket.refresh', ticketId }, thread);
    assert.match(JSON.stringify(agentView.body), /Erin Employee/);
  });

  it('when an agent tries to register a channel of another tenant, then it is refused and the queue stays', async () => {
    const foreign: Place = { teamId: '19:team-other-tenant@thread.tacv2', channelId: '19:other-tenant-general@thread.tacv2', tenantId: 'tenant-2' };
    const mark = h.connector.calls.length;
    const res = await say(h, AGENT_A, foreign, 'use this channel for tickets');
    assert.equal(res.status, 200);
    assert.match(postedTo(h, foreign.channelId, mark), /different Microsoft 365 tenant/);
    assert.equal(postedTo(h, CHANNEL_ID, mark), '', 'the queue was not told of a move');

    // After every refused attempt the next ticket still goes to the help desk's channel.
    const next = await openTicket(h.chat({ aadObjectId: mfa.userId, name: 'Mo Employee' }), mfa.firstMessage, mfa.answers);
    assert.ok((await threadOf(h, next)).startsWith(`${CHANNEL_ID};messageid=`));
  });
});

describe('e2e security: moving the queue is announced in both channels and audited', function () {
  this.timeout(90_000);
  const connector = new LoopbackConnector();
  const bot = new BotProcess();
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-move-'));
  const poster: ActivityPoster = {
    connector,
    post: async (activity) => {
      const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
  };
  const NEXT: Place = { teamId: '19:team-service-desk@thread.tacv2', channelId: '19:service-desk-queue@thread.tacv2', tenantId: 'tenant-1', teamName: 'Service Desk' };
  const THIRD: Place = { teamId: '19:team-third@thread.tacv2', channelId: '19:third-queue@thread.tacv2', tenantId: 'tenant-1', teamName: 'Third' };

  /** The bot's JSON log lines that are audit records of a registration. */
  const auditLines = (): Json[] =>
    bot.log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Json)
      .filter((entry) => entry.audit === true && entry.action === 'register-help-desk-channel');

  before(async () => {
    await connector.start();
    connector.teamMembers.set(TEAM_ID, [AGENT_A, AGENT_B]);
    connector.teamMembers.set(NEXT.teamId, [AGENT_A]);
    const tenantFile = join(dir, 'tenant.json');
    writeFileSync(tenantFile, JSON.stringify(buildScenarioTenant(new Date())));
    await bot.start({ DATA_DIR: join(dir, 'data'), DEMO_TENANT_FILE: tenantFile, OUTBOX_RETRY_BASE_MS: '20', LOG_LEVEL: 'info', ...AGENT_A_ENV });
    await say(poster, AGENT_A, QUEUE, 'use this channel for tickets');
  });
  after(async () => {
    await bot.stop();
    await connector.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when an agent moves the queue, then both channels hear of it, one audit line records who, from where and to where, and new tickets go to the new channel', async () => {
    const mark = connector.calls.length;
    const res = await say(poster, AGENT_A, NEXT, 'Use this channel for tickets!');
    assert.equal(res.status, 200);
    assert.match(postedTo(poster, NEXT.channelId, mark), /This channel is now the help desk queue[\s\S]*moved here from another channel/);
    await connector.waitFor(() => /The help desk queue has moved/.test(postedTo(poster, CHANNEL_ID, mark)) || undefined, 10_000, 'the notice in the old channel');
    assert.match(postedTo(poster, CHANNEL_ID, mark), /Kari Nordmann made another channel \(in the team Service Desk\) the ticket queue/);

    const audits = auditLines();
    assert.equal(audits.length, 2, JSON.stringify(audits));
    const move = audits[1]!;
    assert.equal(move.outcome, 'registered');
    assert.equal(move.by, AGENT_A.aadObjectId);
    assert.equal(move.via, 'allow-list');
    assert.deepEqual(move.from, { channelId: CHANNEL_ID, teamId: TEAM_ID, tenantId: 'tenant-1' });
    assert.deepEqual(move.to, { channelId: NEXT.channelId, teamId: NEXT.teamId, tenantId: 'tenant-1' });
    assert.equal(move.level, 30, 'an info line');
    assert.equal(audits[0]!.from, null, 'the first registration had no predecessor');

    const employee = new Chat(poster, `personal-move-${Date.now()}`, { aadObjectId: stale.userId, name: 'Erin Employee' });
    const ticketId = await openTicket(employee, stale.firstMessage, stale.answers);
    assert.ok((await threadOf(poster, ticketId)).startsWith(`${NEXT.channelId};messageid=`));

    // Agent B was an agent only through the old team: no longer.
    const before = connector.calls.length;
    await say(poster, AGENT_B, QUEUE, 'tickets');
    assert.match(postedTo(poster, CHANNEL_ID, before), /Only help desk agents can do that/);
  });

  it('when the old channel cannot be told, then the move still happens and the failure is logged', async () => {
    await say(poster, AGENT_A, NEXT, 'use this channel for tickets'); // the queue is in NEXT (already, or now)
    const mark = connector.calls.length;
    connector.failedCount = 0;
    // The Bot Connector client retries a 503 itself (3 times): fail every attempt.
    connector.failNext(4, new RegExp(encodeURIComponent(NEXT.channelId)));
    const res = await say(poster, AGENT_A, THIRD, 'use this channel for tickets.');
    assert.equal(res.status, 200);
    assert.match(postedTo(poster, THIRD.channelId, mark), /This channel is now the help desk queue/);
    assert.ok(connector.failedCount >= 1, 'the notice to the old channel failed');
    await connector.waitFor(() => bot.log.includes('could not tell the old help desk channel that the queue moved') || undefined, 5000, 'the warning');
    connector.failNext(0);
    assert.equal(auditLines().at(-1)!.to && (auditLines().at(-1)!.to as Json).channelId, THIRD.channelId);
  });
});

describe('e2e security: with no agent configured, nobody can register the queue', function () {
  this.timeout(60_000);

  it('when the bot runs locally with nothing configured, then registration is refused with what to configure', async () => {
    const h = new BotHarness();
    try {
      await h.start({}, buildScenarioTenant(new Date()));
      h.connector.teamMembers.set(TEAM_ID, [AGENT_A]);
      const mark = h.connector.calls.length;
      await say(h, AGENT_A, QUEUE, 'use this channel for tickets');
      const answer = postedTo(h, CHANNEL_ID, mark);
      assert.match(answer, /No help desk agents are configured/);
      assert.match(answer, /HELPDESK_AGENTS \(/);
      assert.match(answer, /HELPDESK_AGENTS_GROUP_ID/);
      // Still nothing registered: a second try gets the same refusal, not "only agents".
      const again = h.connector.calls.length;
      await say(h, AGENT_A, QUEUE, 'use this channel for tickets');
      assert.match(postedTo(h, CHANNEL_ID, again), /No help desk agents are configured/);
    } finally {
      await h.stop();
    }
  });

  it('when the bot has credentials (BOT_ID) and nothing is configured, then a validly signed registration is refused with what to configure', async () => {
    const APP_ID = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const openid = new OpenIdServer();
    const h = new BotHarness();
    try {
      await openid.start();
      await h.connector.start();
      h.connector.teamMembers.set(TEAM_ID, [AGENT_A]);
      h.authorize = (activity) => `Bearer ${openid.channelToken({ appId: APP_ID, serviceUrl: String(activity.serviceUrl) })}`;
      const config = loadConfig({
        PORT: '0',
        DATA_DIR: join(h.dataDir, 'data'),
        LOG_LEVEL: 'silent',
        BOT_ID: APP_ID,
        BOT_PASSWORD: 'test-bot-password',
        BOT_OPENID_METADATA_URL: openid.metadataUrl,
        TRUSTED_SERVICE_URLS: h.connector.url,
        ALLOWED_TENANT_IDS: 'tenant-1',
      });
      assert.equal(config.bot.authenticated, true);
      h.bot = await startBot(config, { botCredentials: new LoopbackBotCredentials(APP_ID, 'test-bot-password') });
      const mark = h.connector.calls.length;
      const res = await say(h, AGENT_A, QUEUE, 'use this channel for tickets');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const answer = postedTo(h, CHANNEL_ID, mark);
      assert.match(answer, /No help desk agents are configured/);
      assert.match(answer, /HELPDESK_AGENTS/);
      assert.match(answer, /HELPDESK_AGENTS_GROUP_ID/);
    } finally {
      await h.stop();
      await openid.stop();
    }
  });
});

describe('e2e security: members of the agents group (HELPDESK_AGENTS_GROUP_ID) through Microsoft Graph', function () {
  this.timeout(60_000);
  const GROUP = '5c7a3e1d-2b4f-4d6a-9e8c-0f1a2b3c4d5e';
  const TOKEN = 'group-e2e-token';
  const MEMBER: Person = { id: '29:grp-member', name: 'Grace Member', aadObjectId: 'grp-member' };
  const FLAKY: Person = { id: '29:grp-flaky', name: 'Frank Flaky', aadObjectId: 'grp-flaky' };
  const OUTSIDER: Person = { id: '29:grp-outsider', name: 'Oscar Outsider', aadObjectId: 'grp-outsider' };
  const h = new BotHarness();
  let graph: FakeGraphServer;

  before(async () => {
    const tenant = buildScenarioTenant(new Date());
    const template = tenant.users[0]!;
    for (const p of [MEMBER, FLAKY, OUTSIDER]) tenant.users.push({ ...template, id: p.aadObjectId, displayName: p.name, userPrincipalName: `${p.aadObjectId}@contoso.test` });
    graph = await FakeGraphServer.start(tenant, { requireToken: TOKEN });
    graph.groups.set(GROUP, [MEMBER.aadObjectId, FLAKY.aadObjectId]);
    await h.connector.start();
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: join(h.dataDir, 'data'),
      LOG_LEVEL: 'silent',
      GRAPH_ENABLED: 'true',
      GRAPH_BASE_URL: graph.url,
      HELPDESK_AGENTS_GROUP_ID: GROUP,
    });
    h.bot = await startBot(config, { graphCredential: tokenDouble({ token: TOKEN }) });
  });
  after(async () => {
    await h.stop();
    await graph.close();
  });

  it('when someone outside the group (or unknown to the directory) says the command, then Graph is asked and they are refused', async () => {
    const asked = graph.count(/checkMemberGroups/);
    const mark = h.connector.calls.length;
    await say(h, OUTSIDER, QUEUE, 'use this channel for tickets');
    await say(h, { id: '29:ghost', name: 'Ghost', aadObjectId: 'not-in-directory' }, QUEUE, 'use this channel for tickets');
    assert.equal(graph.count(/checkMemberGroups/) - asked, 2);
    const answer = postedTo(h, CHANNEL_ID, mark);
    assert.match(answer, /Only help desk agents can do that[\s\S]*Only help desk agents can do that/);
    assert.doesNotMatch(answer, /now the help desk queue/);
  });

  it('when Graph fails while checking a group member, then they are refused (not an agent), and the bot carries on', async () => {
    graph.unavailableNext(/checkMemberGroups/, 10, 503);
    const mark = h.connector.calls.length;
    const res = await say(h, FLAKY, QUEUE, 'use this channel for tickets');
    graph.clearFaults();
    assert.equal(res.status, 200);
    assert.match(postedTo(h, CHANNEL_ID, mark), /Only help desk agents can do that/);
  });

  it('when a group member says the command, then the channel becomes the queue and they can act on tickets', async () => {
    const mark = h.connector.calls.length;
    await say(h, MEMBER, QUEUE, 'use this channel for tickets');
    assert.match(postedTo(h, CHANNEL_ID, mark), /This channel is now the help desk queue/);
    // An agent verb on a missing ticket: the member reaches the ticket lookup, the outsider does not.
    const memberTry = await press(h, MEMBER, QUEUE, { verb: 'ticket.claim', ticketId: 'HD-999999' });
    const outsiderTry = await press(h, OUTSIDER, QUEUE, { verb: 'ticket.claim', ticketId: 'HD-999999' });
    assert.match(JSON.stringify(memberTry.body), /can't find ticket HD-999999/);
    assert.match(JSON.stringify(outsiderTry.body), /Only help desk agents can do that/);
  });
});
