import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tenantRefusal } from '../../src/bot/tenant-guard';

/** The English refusal the bot sends. */
const TENANT_REFUSAL = tenantRefusal();
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { tokenDouble, type TokenDouble } from '../graph/graph-test-kit';
import { BotHarness, cardsOf } from '../support/bot-harness';
import { cardText, type Json } from '../support/cards';
import { FakeGraphServer } from '../support/fake-graph-server';
import { AGENT_A, AGENT_A_ENV, CHANNEL_ID, mention, openTicket, TEAM_ID } from '../support/handoff-helpers';

const OURS = 'tenant-1';
const FOREIGN = '9c1d2e3f-0000-4000-8000-00000000beef';
const stale = SCENARIOS.find((s) => s.causeId === 'stale-credentials')!;

let seq = 0;

/**
 * The contract §3a tenant boundary, against the real server with ALLOWED_TENANT_IDS set and the
 * directory read through a Graph-shaped server on loopback (so any lookup would show).
 */
describe('e2e: only the allowed tenant is served (ALLOWED_TENANT_IDS)', function () {
  this.timeout(60_000);
  const TOKEN = 'tenant-test-graph-token';
  const h = new BotHarness();
  let graph: FakeGraphServer;
  let credential: TokenDouble;

  before(async () => {
    graph = await FakeGraphServer.start(buildScenarioTenant(new Date()), { requireToken: TOKEN });
    credential = tokenDouble({ token: TOKEN });
    await h.start({ ALLOWED_TENANT_IDS: OURS, GRAPH_ENABLED: 'true', GRAPH_BASE_URL: graph.url, OUTBOX_RETRY_BASE_MS: '20', ...AGENT_A_ENV }, undefined, {
      graphCredential: credential,
    });
  });
  after(async () => {
    await h.stop();
    await graph.close();
  });

  /** Reads the bot's SQLite file as it is on disk now. */
  function query<T>(sql: string, ...params: unknown[]): T[] {
    const db = new Database(join(h.dataDir, 'data', 'helpdesk.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  const stateRowsFor = (conversationId: string): number => query<{ n: number }>('SELECT count(*) AS n FROM bot_state WHERE instr(key, ?) > 0', conversationId)[0]!.n;
  const ticketCount = (): number => query<{ n: number }>('SELECT count(*) AS n FROM tickets')[0]!.n;
  const ticketRow = (id: string): Json | undefined => query<Json>('SELECT * FROM tickets WHERE id = ?', id)[0];

  /** Posts an activity in a 1:1 chat, with the tenant fields given (omitted when undefined). */
  async function personal(
    conversationId: string,
    user: { aadObjectId: string; name: string },
    tenant: { channelData?: string; conversation?: string },
    extra: Json,
  ): Promise<{ status: number; body: unknown; sent: Json[] }> {
    seq += 1;
    const before = h.connector.calls.length;
    const result = await h.post({
      type: 'message',
      channelId: 'msteams',
      serviceUrl: h.connector.url,
      id: `tenant-${seq}`,
      timestamp: new Date().toISOString(),
      conversation: { id: conversationId, conversationType: 'personal', ...(tenant.conversation ? { tenantId: tenant.conversation } : {}) },
      from: { id: `29:${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId },
      recipient: { id: '28:bot', name: 'Helpdesk' },
      channelData: tenant.channelData ? { tenant: { id: tenant.channelData } } : {},
      ...extra,
    });
    const sent = h.connector.calls.slice(before).map((c) => ({ ...c.body, conversationId: c.conversationId }));
    return { ...result, sent };
  }

  /** Asserts the bot answered with the refusal as one plain-text message and nothing else. */
  function assertRefusedOnly(result: { status: number; sent: Json[] }, conversationId: string): void {
    assert.equal(result.status, 200);
    const messages = result.sent.filter((s) => s.type === 'message');
    assert.equal(messages.length, 1, `one message, got ${JSON.stringify(result.sent).slice(0, 400)}`);
    assert.equal(messages[0]!.text, TENANT_REFUSAL);
    assert.equal(messages[0]!.conversationId, conversationId);
    assert.equal((messages[0]!.attachments as unknown[] | undefined)?.length ?? 0, 0, 'no card');
    assert.equal(result.sent.length, 1, 'no typing indicator or anything else');
  }

  it('when a user of another tenant describes a OneDrive problem, then one refusal and nothing else: no lookup, no state, no ticket', async () => {
    const conversationId = `a:foreign-${Date.now()}`;
    const graphBefore = graph.httpRequests.length;
    const tokensBefore = credential.calls;
    const ticketsBefore = ticketCount();
    const result = await personal(
      conversationId,
      { aadObjectId: stale.userId, name: 'Mallory Foreign' },
      { channelData: FOREIGN, conversation: FOREIGN },
      { text: stale.firstMessage },
    );
    assertRefusedOnly(result, conversationId);
    assert.equal(graph.httpRequests.length, graphBefore, 'no directory lookup');
    assert.equal(credential.calls, tokensBefore, 'not even a Graph token was asked for');
    assert.equal(stateRowsFor(conversationId), 0, 'no conversation state written');
    assert.equal(ticketCount(), ticketsBefore, 'no ticket');
  });

  it('when the same employee writes from the allowed tenant, then triage runs, the directory is read and state is kept', async () => {
    const conversationId = `a:ours-${Date.now()}`;
    const graphBefore = graph.httpRequests.length;
    const result = await personal(conversationId, { aadObjectId: stale.userId, name: 'Erin Employee' }, { channelData: OURS, conversation: OURS }, { text: stale.firstMessage });
    assert.equal(result.status, 200);
    const cards = cardsOf(result.sent.filter((s) => s.type === 'message'));
    assert.ok(cards.length > 0, 'the bot answered with cards');
    assert.ok(!result.sent.some((s) => s.text === TENANT_REFUSAL));
    assert.ok(graph.httpRequests.length > graphBefore, 'the sign-in evidence was read');
    assert.ok(stateRowsFor(conversationId) > 0, 'the conversation state was saved (so the check above can see state)');
  });

  it('when the tenant id is missing, then the activity is refused', async () => {
    const conversationId = `a:none-${Date.now()}`;
    const result = await personal(conversationId, { aadObjectId: stale.userId, name: 'No Tenant' }, {}, { text: 'help' });
    assertRefusedOnly(result, conversationId);
    assert.equal(stateRowsFor(conversationId), 0);
  });

  it('when channelData names the allowed tenant but the conversation another, then the activity is refused', async () => {
    const conversationId = `a:mixed-${Date.now()}`;
    const result = await personal(conversationId, { aadObjectId: stale.userId, name: 'Mixed Tenant' }, { channelData: OURS, conversation: FOREIGN }, { text: 'help' });
    assertRefusedOnly(result, conversationId);
  });

  it('when the bot is added to a chat in another tenant, then it says it serves only its own organisation instead of welcoming', async () => {
    const conversationId = `a:foreign-install-${Date.now()}`;
    const result = await personal(
      conversationId,
      { aadObjectId: 'foreign-user', name: 'Foreign User' },
      { channelData: FOREIGN, conversation: FOREIGN },
      { type: 'conversationUpdate', membersAdded: [{ id: '28:bot', name: 'Helpdesk' }] },
    );
    assertRefusedOnly(result, conversationId);
    assert.equal(stateRowsFor(conversationId), 0);
  });

  it('when another tenant sends a typing or reaction activity, then the bot sends nothing at all', async () => {
    const conversationId = `a:foreign-quiet-${Date.now()}`;
    for (const extra of [{ type: 'typing' }, { type: 'messageReaction', reactionsAdded: [{ type: 'like' }] }]) {
      const result = await personal(conversationId, { aadObjectId: 'foreign-user', name: 'Foreign User' }, { channelData: FOREIGN, conversation: FOREIGN }, extra);
      assert.equal(result.status, 200);
      assert.deepEqual(result.sent, []);
    }
  });

  it('when an agent identity in another tenant presses ticket.claim, then the invoke answers with the refusal and the ticket is untouched; from our tenant it claims', async () => {
    h.connector.teamMembers.set(TEAM_ID, [AGENT_A]);
    assert.equal((await mention(h, AGENT_A, 'use this channel for tickets')).status, 200);
    const employee = h.chat({ aadObjectId: stale.userId, name: 'Erin Employee' });
    const ticketId = await openTicket(employee, stale.firstMessage, stale.answers);
    const thread = await h.connector.waitFor(
      (calls) => calls.find((c) => c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && cardsOf([c.body]).some((card) => cardText(card).includes(ticketId)))?.conversationId,
      10_000,
      `the channel card of ${ticketId}`,
    );
    const claimIn = async (tenant: string): Promise<{ status: number; body: unknown }> => {
      seq += 1;
      const data = { verb: 'ticket.claim', ticketId };
      return h.post({
        type: 'invoke',
        name: 'adaptiveCard/action',
        channelId: 'msteams',
        serviceUrl: h.connector.url,
        id: `tenant-${seq}`,
        replyToId: /;messageid=(.+)$/.exec(thread)?.[1],
        conversation: { id: thread, conversationType: 'channel', isGroup: true, tenantId: tenant },
        from: AGENT_A,
        recipient: { id: '28:bot', name: 'Helpdesk' },
        channelData: { team: { id: TEAM_ID }, channel: { id: CHANNEL_ID }, tenant: { id: tenant } },
        value: { action: { type: 'Action.Execute', verb: data.verb, data } },
      });
    };

    const rowBefore = ticketRow(ticketId);
    assert.ok(rowBefore, 'the ticket is in SQLite');
    const callsBefore = h.connector.calls.length;
    const refused = await claimIn(FOREIGN);
    assert.equal(refused.status, 200);
    assert.deepEqual(refused.body, { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: TENANT_REFUSAL });
    assert.deepEqual(ticketRow(ticketId), rowBefore, 'the ticket did not change');
    assert.equal(h.connector.calls.length, callsBefore, 'nothing was posted anywhere');

    const claimed = await claimIn(OURS);
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
    assert.notDeepEqual(ticketRow(ticketId), rowBefore, 'from the allowed tenant the same action claims the ticket');
  });
});
