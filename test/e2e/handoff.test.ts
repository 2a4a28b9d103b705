import assert from 'node:assert/strict';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { BotHarness } from '../support/bot-harness';
import { actionData, cardsIn, cardText, type Json } from '../support/cards';
import { AGENT_A, AGENT_A_ENV, AGENT_B, agentExecute, CHANNEL_ID, mention, openTicket, TEAM_ID } from '../support/handoff-helpers';

const stale = SCENARIOS.find((s) => s.causeId === 'stale-credentials')!;
const mfa = SCENARIOS.find((s) => s.causeId === 'mfa-required')!;

function textOf(body: Json): string {
  return [typeof body.text === 'string' ? body.text : '', ...cardsIn(body).map(cardText)].join('\n');
}

/** A bot whose help desk channel is registered by agent A, fresh for each suite. */
function withHelpdeskChannel(): BotHarness {
  const h = new BotHarness();
  before(async () => {
    await h.start({ OUTBOX_RETRY_BASE_MS: '20', ...AGENT_A_ENV }, buildScenarioTenant(new Date()));
    h.connector.teamMembers.set(TEAM_ID, [AGENT_A]);
    await mention(h, AGENT_A, 'use this channel for tickets');
  });
  after(() => h.stop());
  return h;
}

describe('e2e: hand-off to agents in the help desk channel', function () {
  this.timeout(60_000);
  const h = new BotHarness();
  before(async () => {
    // Agent A is configured (HELPDESK_AGENTS); agent B is an agent as a member of the registered team.
    await h.start({ OUTBOX_RETRY_BASE_MS: '20', ...AGENT_A_ENV }, buildScenarioTenant(new Date()));
    h.connector.teamMembers.set(TEAM_ID, [AGENT_A, AGENT_B]);
  });
  after(() => h.stop());

  /** The thread id of a ticket's channel card, once posted. */
  const threadOf = (ticketId: string): Promise<string> =>
    h.connector.waitFor(
      (calls) => calls.find((c) => c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && cardsIn(c.body).some((card) => cardText(card).includes(ticketId)))?.conversationId,
      10_000,
      `the channel card of ${ticketId}`,
    );

  const employeeSees = (conversationId: string, text: string | RegExp, after = 0): Promise<Json> =>
    h.connector.waitFor(
      (calls) =>
        calls
          .slice(after)
          .find((c) => c.conversationId === conversationId && c.body.type === 'message' && (typeof text === 'string' ? textOf(c.body).includes(text) : text.test(textOf(c.body))))
          ?.body,
      10_000,
      `"${String(text)}" in ${conversationId}`,
    );

  it('when an agent says "use this channel for tickets", then the channel becomes the queue', async () => {
    const before = h.connector.calls.length;
    const res = await mention(h, AGENT_A, 'use this channel for tickets');
    assert.equal(res.status, 200);
    const reply = h.connector.calls.slice(before).find((c) => c.conversationId === CHANNEL_ID);
    assert.ok(reply && textOf(reply.body).includes('help desk queue'), 'confirmation in the channel');
  });

  it('when a ticket is opened, then it is claimed, relayed both ways, transferred, resolved and rated', async () => {
    const employee = h.chat({ aadObjectId: stale.userId, name: 'Erin Employee' });
    const ticketId = await openTicket(employee, stale.firstMessage, stale.answers);
    const thread = await threadOf(ticketId);
    const card = h.connector.calls.find((c) => c.conversationId === thread)!.body;
    const text = cardsIn(card).map(cardText).join('\n');
    assert.match(text, /Erin Employee/);
    assert.match(text, /Saved sign-in details are out of date/, 'cause on the agent card');
    assert.ok(actionData(cardsIn(card)[0]!).some((d) => d.verb === 'ticket.claim' && d.ticketId === ticketId));

    // Claim: the employee hears who has it.
    let mark = h.connector.calls.length;
    const claim = await agentExecute(h, AGENT_A, { verb: 'ticket.claim', ticketId }, thread);
    assert.equal(claim.status, 200, JSON.stringify(claim.body));
    await employeeSees(employee.conversationId, `${AGENT_A.name} has your ticket`, mark);

    // The employee's message goes into the thread, not to triage.
    mark = h.connector.calls.length;
    const relayed = await employee.say('I restarted the PC, still the same error');
    assert.ok(relayed.some((r) => textOf(r).includes(`Sent to ${AGENT_A.name}`)));
    await h.connector.waitFor(
      (calls) => calls.slice(mark).find((c) => c.conversationId === thread && textOf(c.body).includes('I restarted the PC')),
      10_000,
      'relay into the thread',
    );

    // The agent's reply in the thread reaches the employee by name.
    mark = h.connector.calls.length;
    await mention(h, AGENT_A, 'Please open Credential Manager and remove the MicrosoftOffice16 entries.', thread);
    const reply = await employeeSees(employee.conversationId, 'Please open Credential Manager', mark);
    assert.match(textOf(reply), new RegExp(AGENT_A.name));

    // Transfer to the other agent with a note.
    mark = h.connector.calls.length;
    await agentExecute(h, AGENT_A, { verb: 'ticket.transfer', ticketId, toAgent: AGENT_B.aadObjectId, note: 'Going off shift' }, thread);
    await employeeSees(employee.conversationId, `${AGENT_B.name} has your ticket now`, mark);
    await h.connector.waitFor(
      (calls) => calls.slice(mark).find((c) => c.conversationId === thread && textOf(c.body).includes('Going off shift')),
      10_000,
      'transfer note in the thread',
    );

    // The first agent can no longer resolve it; the new owner can.
    const refused = await agentExecute(h, AGENT_A, { verb: 'ticket.resolve', ticketId, note: 'done' }, thread);
    assert.equal(refused.status, 200);
    mark = h.connector.calls.length;
    await agentExecute(h, AGENT_B, { verb: 'ticket.resolve', ticketId, note: 'Cleared the cached credentials together.' }, thread);
    const resolved = await employeeSees(employee.conversationId, 'is resolved', mark);
    const rate = cardsIn(resolved)
      .flatMap(actionData)
      .filter((d) => d.verb === 'ticket.rate');
    assert.deepEqual(
      rate.map((d) => d.rating),
      [1, 2, 3, 4, 5],
    );
    assert.ok(rate.every((d) => d.ticketId === ticketId));

    // Rating: recorded and shown to the agents.
    mark = h.connector.calls.length;
    const rated = await employee.submit({ verb: 'ticket.rate', ticketId, rating: 5, comment: 'Quick and friendly' });
    assert.ok(rated.some((r) => textOf(r).includes(ticketId)));
    await h.connector.waitFor((calls) => calls.slice(mark).find((c) => c.conversationId === thread && textOf(c.body).includes('rated')), 10_000, 'rating in the thread');

    // The channel card was updated in place (PUT) to show the final state.
    const updates = h.connector.calls.filter((c) => c.method === 'PUT' && c.conversationId === thread);
    assert.ok(updates.length >= 3, `card updates: ${updates.length}`);
    assert.match(cardsIn(updates.at(-1)!.body).map(cardText).join('\n'), /Resolved/);
  });

  it('when two agents claim at once, then exactly one wins and the other sees who has it', async () => {
    const employee = h.chat({ aadObjectId: mfa.userId, name: 'Mo Employee' });
    const ticketId = await openTicket(employee, mfa.firstMessage, mfa.answers);
    const thread = await threadOf(ticketId);
    const mark = h.connector.calls.length;
    await Promise.all([agentExecute(h, AGENT_A, { verb: 'ticket.claim', ticketId }, thread), agentExecute(h, AGENT_B, { verb: 'ticket.claim', ticketId }, thread)]);
    const notices = h.connector.calls
      .slice(mark)
      .filter((c) => c.conversationId === thread)
      .map((c) => textOf(c.body));
    const wins = notices.filter((t) => /claimed HD-/.test(t));
    const losses = notices.filter((t) => /already has ticket/.test(t));
    assert.equal(wins.length, 1, notices.join(' | '));
    assert.equal(losses.length, 1, notices.join(' | '));
  });

  it('when an employee tries an agent verb, then it is refused', async () => {
    const employee = h.chat({ aadObjectId: stale.userId, name: 'Erin Employee' });
    const replies = await employee.submit({ verb: 'ticket.claim', ticketId: 'HD-000001' });
    assert.ok(replies.some((r) => textOf(r).includes('Only help desk agents')));
    const res = await agentExecute(h, { id: '29:someone', name: 'Not An Agent', aadObjectId: 'not-an-agent' }, { verb: 'ticket.resolve', ticketId: 'HD-000001', note: 'x' });
    assert.equal(res.status, 200);
  });

  it('when agents type "tickets" in the channel, then open tickets are listed', async () => {
    const mark = h.connector.calls.length;
    await mention(h, AGENT_A, 'tickets');
    const list = await h.connector.waitFor(
      (calls) => calls.slice(mark).find((c) => c.conversationId === CHANNEL_ID && textOf(c.body).includes('Open tickets')),
      5000,
      'ticket list',
    );
    assert.match(textOf(list.body), /HD-\d{6}/);
  });

  it('when an agent looks up a person by UPN, then their evidence and likely cause are shown', async () => {
    const upn = buildScenarioTenant(new Date()).users.find((u) => u.id === stale.userId)!.userPrincipalName!;
    const mark = h.connector.calls.length;
    await mention(h, AGENT_A, `lookup ${upn}`);
    const card = await h.connector.waitFor(
      (calls) => calls.slice(mark).find((c) => c.conversationId === CHANNEL_ID && textOf(c.body).includes('audit'))?.body,
      5000,
      'lookup card',
    );
    assert.match(textOf(card), /Saved sign-in details are out of date/);
  });
});

describe('e2e: the outbox delivers the channel card despite failures and restarts', function () {
  this.timeout(60_000);
  const h = withHelpdeskChannel();

  const NEW_THREAD = /\/v3\/conversations\/?$/;
  const cardsPosted = (ticketId: string): number =>
    h.connector.calls.filter(
      (c) => c.method === 'POST' && c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && cardsIn(c.body).some((card) => cardText(card).includes(ticketId)),
    ).length;

  it('when posting the card fails several times, then it is retried until it appears once', async () => {
    const employee = h.chat({ aadObjectId: stale.userId, name: 'Erin Employee' });
    h.connector.failedCount = 0;
    h.connector.failNext(3, NEW_THREAD);
    const ticketId = await openTicket(employee, stale.firstMessage, stale.answers);
    await h.connector.waitFor(() => cardsPosted(ticketId) > 0 || undefined, 15_000, 'card after failures');
    assert.equal(h.connector.failedCount, 3, 'the first three posts failed');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(cardsPosted(ticketId), 1);
  });

  it('when the bot restarts between ticket creation and posting, then the card is posted after the restart', async () => {
    const employee = h.chat({ aadObjectId: mfa.userId, name: 'Mo Employee' });
    h.connector.failNext(1_000_000, NEW_THREAD); // no channel post gets through before the restart
    const ticketId = await openTicket(employee, mfa.firstMessage, mfa.answers);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(cardsPosted(ticketId), 0);
    await h.stopBot();
    h.connector.failNext(0);
    await h.restartBot({ OUTBOX_RETRY_BASE_MS: '20', ...AGENT_A_ENV }, `${h.dataDir}/tenant.json`);
    await h.connector.waitFor(() => cardsPosted(ticketId!) > 0 || undefined, 15_000, 'card after restart');
    assert.equal(cardsPosted(ticketId!), 1);
  });
});

describe('e2e: the employee says a resolved ticket is not fixed', function () {
  this.timeout(60_000);
  const h = withHelpdeskChannel();

  it('when the employee presses "It\'s not fixed", then the ticket reopens and the agents are told', async () => {
    const employee = h.chat({ aadObjectId: stale.userId, name: 'Erin Employee' });
    const ticketId = await openTicket(employee, stale.firstMessage, stale.answers);
    const thread = await h.connector.waitFor(
      (calls) => calls.find((c) => c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && textOf(c.body).includes(ticketId))?.conversationId,
      10_000,
      'card',
    );
    let mark = h.connector.calls.length;
    await agentExecute(h, AGENT_A, { verb: 'ticket.resolve', ticketId, note: 'Should be fine now.' }, thread);
    const resolved = await h.connector.waitFor(
      (calls) => calls.slice(mark).find((c) => c.conversationId === employee.conversationId && textOf(c.body).includes('is resolved'))?.body,
      10_000,
      'resolution',
    );
    const notFixed = cardsIn(resolved)
      .flatMap(actionData)
      .find((d) => d.verb === 'ticket.not-fixed');
    assert.ok(notFixed, 'the resolution card offers "It\'s not fixed"');
    mark = h.connector.calls.length;
    const replies = await employee.submit(notFixed);
    assert.ok(
      replies.some((r) => /Waiting for an agent|An agent is working on it/.test(textOf(r))),
      replies.map(textOf).join(' | '),
    );
    await h.connector.waitFor((calls) => calls.slice(mark).find((c) => c.conversationId === thread && textOf(c.body).includes('not fixed')), 10_000, 'agents told');
  });
});

describe('e2e: agents without the Teams roster API', function () {
  this.timeout(60_000);
  const h = new BotHarness();
  const LISTED = { id: '29:listed', name: 'Listed Agent', aadObjectId: 'allow-listed-agent' };
  before(async () => {
    // No team roster is served: the loopback connector answers 404 for pagedmembers.
    await h.start({ OUTBOX_RETRY_BASE_MS: '20', HELPDESK_AGENTS: LISTED.aadObjectId }, buildScenarioTenant(new Date()));
    await mention(h, LISTED, 'use this channel for tickets');
  });
  after(() => h.stop());
  /** Everything the bot sent since the connector had `mark` calls, as one line to match against. */
  const textSince = (mark: number): string =>
    h.connector.calls
      .slice(mark)
      .map((c) => textOf(c.body))
      .join(' | ');

  it('when the roster cannot be read, then acting from inside the help desk team does not make an agent; the allow-list still does', async () => {
    const employee = h.chat({ aadObjectId: stale.userId, name: 'Erin Employee' });
    const ticketId = await openTicket(employee, stale.firstMessage, stale.answers);
    const thread = await h.connector.waitFor(
      (calls) => calls.find((c) => c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && textOf(c.body).includes(ticketId))?.conversationId,
      10_000,
      'card',
    );

    // A personal chat is not the team: a non-listed person is refused there.
    const outsider = h.chat({ aadObjectId: AGENT_B.aadObjectId, name: AGENT_B.name });
    const refused = await outsider.submit({ verb: 'ticket.claim', ticketId });
    assert.ok(refused.some((r) => textOf(r).includes('Only help desk agents')));

    // Inside the team's channel thread, with the team's id on the activity: still not an agent.
    let mark = h.connector.calls.length;
    await agentExecute(h, AGENT_A, { verb: 'ticket.claim', ticketId }, thread);
    assert.match(textSince(mark), /Only help desk agents/);

    // The allow-listed agent may act from a personal chat.
    const listed = h.chat(LISTED);
    const claimed = await listed.submit({ verb: 'ticket.claim', ticketId });
    assert.ok(
      claimed.some((r) => /claimed HD-/.test(textOf(r))),
      claimed.map(textOf).join(' | '),
    );
    mark = h.connector.calls.length;
    await agentExecute(h, LISTED, { verb: 'ticket.claim', ticketId }, thread);
    assert.match(textSince(mark), /You already have ticket/, 'the listed agent counts as an agent in the thread too');
  });
});
