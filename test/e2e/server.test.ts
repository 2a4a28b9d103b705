import assert from 'node:assert/strict';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { BotHarness, cardsOf, findAction } from '../support/bot-harness';
import { cardText, type Json } from '../support/cards';

function allText(replies: Json[]): string {
  return cardsOf(replies).map(cardText).join('\n---\n');
}

function questionIn(replies: Json[]): string | undefined {
  const q = findAction(replies, 'triage.answer');
  return q ? String(q.questionId) : undefined;
}

describe('e2e: the server and the conversation basics', () => {
  const h = new BotHarness();
  const unknown = SCENARIOS.find((s) => s.causeId === 'unknown')!;
  before(() => h.start({}, buildScenarioTenant(new Date())));
  after(() => h.stop());

  it('when GET /healthz is called, then it answers 200 {status:"ok"}', async () => {
    const response = await fetch(`${h.bot!.url}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('when GET /readyz is called, then it answers 200 {status:"ready"} and nothing else', async () => {
    const response = await fetch(`${h.bot!.url}/readyz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready' });
  });

  it('when the employee types "help", then the help card lists the commands', async () => {
    const replies = await h.chat({ aadObjectId: unknown.userId }).say('help');
    assert.equal(cardsOf(replies).length, 1);
    const text = allText(replies);
    assert.match(text, /What I can do/);
    for (const command of ['start over', 'my tickets', 'help']) assert.ok(text.includes(command), `help does not mention "${command}"`);
  });

  it('when the employee says "hi", then a welcome card offers triage.start', async () => {
    const replies = await h.chat({ aadObjectId: unknown.userId, name: 'Rosa Jimenez' }).say('hi');
    assert.match(allText(replies), /OneDrive sign-in help/);
    assert.match(allText(replies), /Hi Rosa!/);
    assert.ok(findAction(replies, 'triage.start'), allText(replies));
    assert.equal(findAction(replies, 'triage.answer'), undefined, 'a greeting does not start triage');
  });

  it('when the bot is added to a 1:1 chat (conversationUpdate membersAdded), then it sends the welcome card', async () => {
    const chat = h.chat({ aadObjectId: unknown.userId, name: 'Rosa Jimenez' });
    const replies = await chat.send({ type: 'conversationUpdate', membersAdded: [{ id: '28:bot', name: 'Helpdesk' }] });
    assert.equal(cardsOf(replies).length, 1, allText(replies));
    assert.match(allText(replies), /OneDrive sign-in help/);
    assert.ok(findAction(replies, 'triage.start'));
  });

  it('when Teams announces the bot and then the user in the same chat, then the welcome card is sent once', async () => {
    const chat = h.chat({ aadObjectId: unknown.userId, name: 'Rosa Jimenez' });
    const first = await chat.send({ type: 'conversationUpdate', membersAdded: [{ id: '28:bot', name: 'Helpdesk' }] });
    const second = await chat.send({ type: 'conversationUpdate', membersAdded: [{ id: `29:${unknown.userId}`, name: 'Rosa Jimenez' }] });
    assert.equal(cardsOf(first).length, 1);
    assert.equal(cardsOf(second).length, 0, allText(second));
  });

  it("when the welcome card's triage.start is pressed, then the first question is asked", async () => {
    const chat = h.chat({ aadObjectId: unknown.userId });
    const replies = await chat.submit({ verb: 'triage.start' });
    assert.ok(questionIn(replies), allText(replies));
  });

  it('when the employee types "start over" mid-triage, then the triage restarts and the first question is asked again', async () => {
    const chat = h.chat({ aadObjectId: unknown.userId, name: 'Rosa Jimenez' });
    const opening = await chat.say(unknown.firstMessage);
    const first = questionIn(opening);
    assert.ok(first, allText(opening));
    const answer = unknown.answers[first]!;
    const second = await chat.submit({ verb: 'triage.answer', questionId: first, answer });
    assert.ok(questionIn(second), `expected a second question: ${allText(second)}`);
    assert.notEqual(questionIn(second), first);

    const restarted = await chat.say('start over');
    assert.match(allText(restarted), /start again/i);
    assert.equal(questionIn(restarted), first, allText(restarted));

    // The earlier answer was forgotten: answering the first question again is accepted and moves on.
    const after = await chat.submit({ verb: 'triage.answer', questionId: first, answer });
    assert.equal(questionIn(after), questionIn(second), allText(after));
  });

  it('when the employee types the typo "hlep", then the bot suggests "help"', async () => {
    const replies = await h.chat({ aadObjectId: unknown.userId }).say('hlep');
    assert.match(allText(replies), /"help"/);
    assert.match(allText(replies), /Did you mean/);
  });
});

describe('e2e: help in the middle of a triage', () => {
  const h = new BotHarness();
  before(() => h.start({}, buildScenarioTenant(new Date())));
  after(() => h.stop());

  it('when the employee types "help" while a question is open, then the help card comes with the same question again', async () => {
    const s = SCENARIOS.find((x) => x.causeId === 'unknown')!;
    const chat = h.chat({ aadObjectId: s.userId, name: 'Uma Unknown' });
    const first = await chat.say(s.firstMessage);
    const asked = findAction(first, 'triage.answer')?.questionId;
    assert.ok(asked, 'a question is open');
    const replies = await chat.say('help');
    assert.match(cardsOf(replies).map(cardText).join('\n'), /start over/);
    assert.equal(findAction(replies, 'triage.answer')?.questionId, asked, 'the open question is shown again');
  });
});
