import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAzureStores } from '../../src/store/azure-stores';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { Chat, type ActivityPoster } from '../support/bot-harness';
import { BotProcess } from '../support/bot-process';
import { cardsIn, cardText, type Json } from '../support/cards';
import { startAzurite, type AzuriteHandle } from '../support/azurite';
import { AGENT_A, AGENT_A_ENV, AGENT_B, agentExecute, CHANNEL_ID, mention, openTicket, TEAM_ID } from '../support/handoff-helpers';
import { LoopbackConnector } from '../support/loopback-connector';
import { driveTriage } from '../support/triage-driver';

/** Two bot processes behind a round robin, the way App Service spreads requests over instances. */
class RoundRobin implements ActivityPoster {
  readonly connector = new LoopbackConnector();
  readonly bots = [new BotProcess(), new BotProcess()];
  private next = 0;
  readonly served = [0, 0];

  async post(activity: Json): Promise<{ status: number; body: unknown }> {
    const index = this.next;
    this.next = (this.next + 1) % this.bots.length;
    this.served[index]! += 1;
    const response = await fetch(`${this.bots[index]!.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
}

describe('e2e: two bot processes share one Azure Storage (Azurite)', function () {
  this.timeout(180_000);
  let azurite: AzuriteHandle;
  const rr = new RoundRobin();
  const dir = mkdtempSync(join(tmpdir(), 'scale-out-'));
  const prefix = `so${randomUUID().replace(/-/g, '').slice(0, 8)}`;

  before(async () => {
    azurite = await startAzurite();
    await rr.connector.start();
    rr.connector.teamMembers.set(TEAM_ID, [AGENT_A, AGENT_B]);
    const tenantFile = join(dir, 'tenant.json');
    writeFileSync(tenantFile, JSON.stringify(buildScenarioTenant(new Date())));
    const env = {
      STORAGE_BACKEND: 'azure',
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      AZURE_STORAGE_TABLE_PREFIX: prefix,
      AZURE_STORAGE_BLOB_CONTAINER: `${prefix}state`,
      DEMO_TENANT_FILE: tenantFile,
      OUTBOX_RETRY_BASE_MS: '20',
      NODE_ENV: 'production',
      ...AGENT_A_ENV,
    };
    await Promise.all(rr.bots.map((b) => b.start(env)));
  });

  after(async () => {
    await Promise.all(rr.bots.map((b) => b.stop()));
    await rr.connector.stop();
    await azurite?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the turns of several conversations alternate between the instances, then every triage completes without lost or repeated state', async () => {
    const picks = SCENARIOS.filter((s) =>
      ['unknown', 'tls-or-network-stack', 'no-internet', 'network-blocked', 'stale-credentials', 'conditional-access-block'].includes(s.causeId),
    );
    const runs = await Promise.all(
      picks.map(async (s) => {
        const chat = new Chat(rr, `personal-${s.causeId}`, { aadObjectId: s.userId, name: s.userId });
        const run = await driveTriage(chat, s.firstMessage, s.answers);
        return { s, run };
      }),
    );
    for (const { s, run } of runs) {
      assert.equal(run.causeId, s.causeId, `${s.causeId}: asked ${run.questions.join(', ')}`);
      assert.equal(new Set(run.questions).size, run.questions.length, `${s.causeId} repeated a question: ${run.questions.join(', ')}`);
    }
    assert.ok(rr.served[0]! > 0 && rr.served[1]! > 0, 'both instances served turns');
  });

  it('when tickets are opened through both instances and two agents claim at once, then numbers are unique, one claim wins and each card is posted once', async () => {
    await mention(rr as never, AGENT_A, 'use this channel for tickets');
    const people = SCENARIOS.filter((s) => ['stale-credentials', 'mfa-required', 'session-expired', 'account-locked'].includes(s.causeId));
    const ids = await Promise.all(people.map((s) => openTicket(new Chat(rr, `ticket-${s.causeId}`, { aadObjectId: s.userId, name: s.userId }), s.firstMessage, s.answers)));
    assert.equal(new Set(ids).size, ids.length, `ticket ids: ${ids.join(', ')}`);

    const posted = (ticketId: string): Json[] =>
      rr.connector.calls
        .filter((c) => c.method === 'POST' && c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && cardsIn(c.body).some((card) => cardText(card).includes(ticketId)))
        .map((c) => c.body);
    await rr.connector.waitFor(() => ids.every((id) => posted(id).length > 0) || undefined, 30_000, 'every ticket card');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // both workers keep polling: give a duplicate time to appear
    for (const id of ids) assert.equal(posted(id).length, 1, `${id} card posts`);

    const thread = rr.connector.calls.find(
      (c) => c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && cardsIn(c.body).some((card) => cardText(card).includes(ids[0]!)),
    )!.conversationId;
    const mark = rr.connector.calls.length;
    await Promise.all([
      agentExecute(rr as never, AGENT_A, { verb: 'ticket.claim', ticketId: ids[0] }, thread),
      agentExecute(rr as never, AGENT_B, { verb: 'ticket.claim', ticketId: ids[0] }, thread),
    ]);
    const notices = rr.connector.calls
      .slice(mark)
      .filter((c) => c.conversationId === thread)
      .map((c) => cardsIn(c.body).map(cardText).join(' '));
    assert.equal(notices.filter((t) => /claimed HD-/.test(t)).length, 1, notices.join(' | '));
    assert.equal(notices.filter((t) => /already has ticket/.test(t)).length, 1, notices.join(' | '));

    // The shared store agrees: one assignee, who is the winner named in the channel.
    const stores = await createAzureStores({ connectionString: azurite.connectionString, blobContainer: `${prefix}state`, tablePrefix: prefix });
    const ticket = await stores.tickets.get(ids[0]!);
    await stores.close();
    const winner = notices.find((t) => /claimed HD-/.test(t))!;
    assert.ok(ticket?.assignee && winner.includes(ticket.assignee.name), `store says ${ticket?.assignee?.name}; channel says ${winner}`);
    assert.equal(ticket.history.filter((h) => h.action === 'claimed the ticket').length, 1);
  });
});
