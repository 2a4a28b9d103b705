import assert from 'node:assert/strict';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { BotHarness } from '../support/bot-harness';
import { actionData, actionsIn, cardsIn, cardText, type Json } from '../support/cards';
import { AGENT_A, AGENT_A_ENV, AGENT_B, agentExecute, CHANNEL_ID, inChannel, mention, openTicket, TEAM_ID } from '../support/handoff-helpers';

const stale = SCENARIOS.find((s) => s.causeId === 'stale-credentials')!;
const MALLORY = { id: '29:mallory', name: 'Mallory Outsider', aadObjectId: 'mallory-aad' };
const CARD_RESPONSE = 'application/vnd.microsoft.card.adaptive';
const MINUTE = 60_000;

/** The facts ("Title: value" lines) of an agent card, by title. */
function factsOf(card: Json): Record<string, string> {
  const lines = cardText(card).split('\n');
  const facts: Record<string, string> = {};
  lines.forEach((line, i) => {
    const title = /^(Opened|Updated): $/.exec(line)?.[1];
    if (title) facts[title] = lines[i + 1] ?? '';
  });
  return facts;
}

describe('e2e: the help desk channel shares one agent card, whoever views it', function () {
  this.timeout(90_000);
  const h = new BotHarness();
  // The bot's clock: real time plus an offset the test moves, frozen while two agents must see the same instant.
  let offset = 0;
  let frozen: number | undefined;
  const clockNow = (): number => frozen ?? Date.now() + offset;
  let ticketId = '';
  let thread = '';

  /** An Action.Execute from `from` in the channel (or a thread), with the viewer's own time zone on the activity. */
  const press = (from: typeof AGENT_A, data: Json, conversationId: string, localTimezone = 'Europe/London'): Promise<{ status: number; body: unknown }> =>
    inChannel(
      h,
      from,
      {
        type: 'invoke',
        name: 'adaptiveCard/action',
        localTimezone,
        replyToId: /;messageid=(.+)$/.exec(conversationId)?.[1],
        value: { action: { type: 'Action.Execute', verb: data.verb, data } },
      },
      conversationId,
    );

  /** The last agent card the outbox posted or put into the ticket's thread. */
  const channelCard = (): Json | undefined =>
    h.connector.calls
      .filter((c) => c.conversationId === thread && (c.method === 'PUT' || c.method === 'POST') && cardsIn(c.body).some((card) => cardText(card).includes(`Ticket ${ticketId}`)))
      .map((c) => cardsIn(c.body)[0]!)
      .at(-1);

  before(async () => {
    await h.start({ OUTBOX_RETRY_BASE_MS: '20', HELPDESK_TIME_ZONE: 'Europe/Oslo', ...AGENT_A_ENV }, buildScenarioTenant(new Date()), { clock: () => new Date(clockNow()) });
    h.connector.teamMembers.set(TEAM_ID, [AGENT_B, AGENT_A]);
    await mention(h, AGENT_A, 'use this channel for tickets');
    ticketId = await openTicket(h.chat({ aadObjectId: stale.userId, name: 'Erin Employee' }), stale.firstMessage, stale.answers);
    thread = await h.connector.waitFor(
      (calls) => calls.find((c) => c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && cardsIn(c.body).some((card) => cardText(card).includes(ticketId)))?.conversationId,
      10_000,
      `the channel card of ${ticketId}`,
    );
  });
  after(() => h.stop());

  it('when the outbox posts and updates the agent card, then its refresh names the agents\' Teams ids (the assignee first) and no button is "positive"', async () => {
    const posted = channelCard()!;
    assert.deepEqual((posted.refresh as Json).userIds, [AGENT_A.id, AGENT_B.id], 'by name: Kari Nordmann, then Ola Hansen');
    assert.doesNotMatch(JSON.stringify(posted), /"positive"/);

    const mark = h.connector.calls.length;
    const claimed = await agentExecute(h, AGENT_B, { verb: 'ticket.claim', ticketId }, thread);
    assert.equal(claimed.status, 200);
    const updated = await h.connector.waitFor(
      (calls) => calls.slice(mark).find((c) => c.method === 'PUT' && c.conversationId === thread && cardText(cardsIn(c.body)[0]).includes(AGENT_B.name)),
      10_000,
      'the updated channel card',
    );
    assert.deepEqual((cardsIn(updated.body)[0]!.refresh as Json).userIds, [AGENT_B.id, AGENT_A.id], 'the assignee first');
  });

  it('when two agents in different time zones refresh the card at the same instant, then both get the same card, relative to now in HELPDESK_TIME_ZONE, and nothing is sent', async () => {
    // Another change, then 12 minutes later (a whole minute clear of the boundaries) the agents look.
    const before = clockNow();
    const sent = h.connector.calls.length;
    const replied = await agentExecute(h, AGENT_B, { verb: 'ticket.reply', ticketId, text: 'Looking at it now.' }, thread);
    assert.equal(replied.status, 200);
    const after = clockNow();
    // The outbox's own deliveries of that change (the card's update, the employee's message) come first.
    await h.connector.waitFor(
      (calls) => {
        const later = calls.slice(sent).filter((c) => JSON.stringify(c.body).includes('Looking at it now'));
        return later.some((c) => c.method === 'PUT' && c.conversationId === thread) && later.some((c) => c.method === 'POST' && !c.conversationId.startsWith(CHANNEL_ID));
      },
      10_000,
      'the deliveries of the reply',
    );
    assert.ok(after - before < 40_000, 'the reply was recorded within the same minute');
    frozen = after + 12 * MINUTE + 5_000;
    offset += 12 * MINUTE + 5_000;

    const mark = h.connector.calls.length;
    const seenByA = await press(AGENT_A, { verb: 'ticket.refresh', ticketId }, thread, 'America/Los_Angeles');
    const seenByB = await press(AGENT_B, { verb: 'ticket.refresh', ticketId }, thread, 'Asia/Tokyo');
    assert.equal(h.connector.calls.length, mark, 'a viewer refresh makes no connector call: the shared message is not rewritten');

    assert.equal(seenByA.status, 200);
    assert.deepEqual(seenByA.body, seenByB.body);
    const response = seenByA.body as { type?: string; value?: Json };
    assert.equal(response.type, CARD_RESPONSE, 'the card is the invoke response, for that viewer');
    const card = response.value!;
    const facts = factsOf(card);
    assert.match(facts.Updated!, /^12 min ago \(\w{3} \d{1,2} \w{3}, \d{2}:\d{2} CES?T\)$/, JSON.stringify(facts));
    assert.match(facts.Opened!, / min ago \(.* CES?T\)$/);
    assert.doesNotMatch(JSON.stringify(card), /GMT-[78]|GMT\+9|PST|PDT|JST/, "never a viewer's zone");
    frozen = undefined;
  });

  it("when someone who is not an agent triggers the card's refresh, then the answer carries no card and nothing is posted", async () => {
    const mark = h.connector.calls.length;
    const res = await press(MALLORY, { verb: 'ticket.refresh', ticketId }, thread);
    assert.equal(res.status, 200);
    assert.notEqual((res.body as { type?: string }).type, CARD_RESPONSE);
    assert.doesNotMatch(JSON.stringify(res.body), /Erin/);
    assert.equal(h.connector.calls.length, mark);
  });

  it('when an agent opens a ticket from the "tickets" list, then its card is posted as a new reply in that thread and the shared list stays as it is', async () => {
    let mark = h.connector.calls.length;
    await mention(h, AGENT_A, 'tickets');
    const list = await h.connector.waitFor(
      (calls) => calls.slice(mark).find((c) => c.conversationId === CHANNEL_ID && cardsIn(c.body).some((card) => cardText(card).includes('Open tickets'))),
      10_000,
      'the ticket list',
    );
    const listCard = cardsIn(list.body)[0]!;
    assert.match(cardText(listCard), new RegExp(`${ticketId} · .* min ago \\(.* CES?T\\)`));
    const open = actionData(listCard).find((d) => d.ticketId === ticketId);
    assert.deepEqual(open, { verb: 'ticket.refresh', ticketId, as: 'reply' });
    assert.ok(actionsIn(listCard).every((a) => a.style !== 'positive'));

    // Teams sends the press from the list's own message, in the thread under it.
    const listThread = `${CHANNEL_ID};messageid=list-message`;
    mark = h.connector.calls.length;
    const pressed = await press(AGENT_B, open!, listThread);
    assert.equal(pressed.status, 200);
    const answer = pressed.body as { type?: string; value?: unknown };
    assert.notEqual(answer.type, CARD_RESPONSE, 'a card in the invoke response would take the list message’s place');
    assert.match(String(answer.value), new RegExp(`${ticketId} is posted in this thread`));
    const since = h.connector.calls.slice(mark);
    assert.deepEqual(
      since.map((c) => c.method),
      ['POST'],
      'one new reply, no PUT of any message',
    );
    assert.equal(since[0]!.conversationId, listThread);
    const posted = cardsIn(since[0]!.body)[0]!;
    assert.match(cardText(posted), new RegExp(`Ticket ${ticketId}`));
    assert.ok(actionData(posted).some((d) => d.verb === 'ticket.claim' && d.ticketId === ticketId));
  });
});
