import assert from 'node:assert/strict';
import { getQuestion, type QuestionId } from '../../src/domain/questions';
import { cardsOf, findAction, type Chat } from '../support/bot-harness';
import { actionData, cardText, type Json } from '../support/cards';
import { allText, scenario, useScenarioBot } from '../support/e2e-helpers';
import { driveTriage } from '../support/triage-driver';

/** The text of the single message card (a card with no actions) the bot answered with. */
function noticeText(replies: Json[]): string {
  const notices = cardsOf(replies).filter((c) => actionData(c).length === 0 && !(c.actions as unknown[] | undefined)?.length);
  assert.equal(notices.length, 1, `expected one message card, got: ${allText(replies).slice(0, 600)}`);
  return cardText(notices[0]);
}

describe('e2e: bad input gets a clear reply and the bot keeps working', () => {
  const h = useScenarioBot();
  const stale = scenario('stale-credentials');
  const unknown = scenario('unknown');

  /** A normal message afterwards still gets a normal answer. */
  async function assertStillWorks(chat: Chat): Promise<void> {
    const help = await chat.say('help');
    assert.match(allText(help), /What I can do/, `no help card after the bad input: ${allText(help).slice(0, 300)}`);
    const health = await fetch(`${h.bot!.url}/healthz`);
    assert.equal(health.status, 200);
  }

  it('when an activity has no from.aadObjectId, then the bot says it could not identify the account and carries on with questions', async () => {
    const chat = h.chat({ id: '29:no-aad', name: 'Nobody Known' });
    const replies = await chat.say('OneDrive says 0x8004de40 and will not sign in');
    const text = allText(replies);
    assert.match(text, /couldn't read your sign-in logs|can't look up your account/i, text);
    assert.ok(findAction(replies, 'triage.answer'), `no question card: ${text.slice(0, 400)}`);
    assert.equal(findAction(replies, 'ticket.create'), undefined, 'it did not jump to a diagnosis without asking');
    await assertStillWorks(chat);
  });

  it('when an Action.Submit carries an unknown verb, then the bot says it does not know that action', async () => {
    const chat = h.chat({ aadObjectId: stale.userId });
    const replies = await chat.submit({ verb: 'frobnicate', x: 1 });
    assert.match(noticeText(replies), /don't know the action "frobnicate"/);
    await assertStillWorks(chat);
  });

  it('when triage.answer names an answer id that is not in the list, then the bot names the problem and the triage goes on', async () => {
    const chat = h.chat({ aadObjectId: unknown.userId });
    const first = await chat.say(unknown.firstMessage);
    const question = findAction(first, 'triage.answer');
    assert.ok(question, allText(first));
    const questionId = String(question.questionId);
    const replies = await chat.submit({ verb: 'triage.answer', questionId, answer: 'purple' });
    const text = noticeText(replies);
    assert.match(text, /"purple" is not one of the answers/);
    assert.ok(text.includes(getQuestion(questionId as QuestionId).text), text);
    assert.ok(findAction(replies, 'triage.answer', { questionId }), `the pending question is not shown again: ${allText(replies).slice(0, 300)}`);

    // The pending question can still be answered.
    const answer = getQuestion(questionId as QuestionId).answers[0]!.id;
    const next = await chat.submit({ verb: 'triage.answer', questionId, answer });
    assert.ok(findAction(next, 'triage.answer') || findAction(next, 'ticket.create'), allText(next));
    await assertStillWorks(chat);
  });

  it('when triage.answer names a questionId that is not in the list, then the bot says it is not one of its questions', async () => {
    const chat = h.chat({ aadObjectId: unknown.userId });
    await chat.say(unknown.firstMessage);
    const replies = await chat.submit({ verb: 'triage.answer', questionId: 'favourite-colour', answer: 'yes' });
    assert.match(noticeText(replies), /"favourite-colour" is not one of my questions/);
    assert.ok(findAction(replies, 'triage.answer'), `the pending question is not shown again: ${allText(replies).slice(0, 300)}`);
    await assertStillWorks(chat);
  });

  it('when fix.result names a cause that does not exist, then the bot says it is not a cause it knows and the walkthrough is unchanged', async () => {
    const chat = h.chat({ aadObjectId: stale.userId });
    const run = await driveTriage(chat, stale.firstMessage, stale.answers);
    const step = actionData(run.firstStep!).find((d) => d.result === 'not-fixed')!;
    const replies = await chat.submit({ ...step, causeId: 'gremlins' });
    assert.match(noticeText(replies), /"gremlins" is not a cause I know/);
    // The real button still moves on to step 2.
    const next = await chat.submit(step);
    assert.match(allText(next), /Step 2 of \d+/);
    await assertStillWorks(chat);
  });

  it('when a 100,000-character message arrives, then the bot says it read the first 4,000 characters and nothing crashes', async () => {
    const chat = h.chat({ aadObjectId: stale.userId });
    const text = `OneDrive says 0x8004de40. ${'blah '.repeat(20_000)}`.slice(0, 100_000);
    assert.equal(text.length, 100_000);
    const replies = await chat.say(text);
    const all = allText(replies);
    assert.match(all, /first 4,000 characters/, all.slice(0, 400));
    assert.doesNotMatch(all, /Something went wrong/);
    assert.ok(findAction(replies, 'triage.answer') || findAction(replies, 'ticket.create'), 'the problem in the first 4,000 characters was still read');
    await assertStillWorks(chat);
  });

  it('when a long message has no problem description, then it is still cut and answered', async () => {
    const chat = h.chat({ aadObjectId: stale.userId });
    const replies = await chat.say('x'.repeat(100_000));
    assert.match(allText(replies), /first 4,000 characters/);
    assert.doesNotMatch(allText(replies), /Something went wrong/);
    await assertStillWorks(chat);
  });

  it('when a message is empty, then the bot says there was nothing to read', async () => {
    const chat = h.chat({ aadObjectId: stale.userId });
    const replies = await chat.say('');
    assert.match(noticeText(replies), /empty/i);
    await assertStillWorks(chat);
  });

  it('when a message is only whitespace, then the bot says there was nothing to read', async () => {
    const chat = h.chat({ aadObjectId: stale.userId });
    const replies = await chat.say(' \n\t  \u00a0 ');
    assert.match(noticeText(replies), /empty/i);
    await assertStillWorks(chat);
  });

  it('when malformed JSON is POSTed to /api/messages, then the server answers 400 with a generic body and still answers /healthz', async () => {
    const response = await fetch(`${h.bot!.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "message", "text": ' });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: 'bad request' }, 'a generic body, no parser detail');
    const health = await fetch(`${h.bot!.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    await assertStillWorks(h.chat({ aadObjectId: stale.userId }));
  });

  it('when a JSON body that is not an activity is POSTed, then the server answers 400 and keeps working', async () => {
    for (const body of ['[]', '"hello"', '{}']) {
      const response = await fetch(`${h.bot!.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(response.status, 400, body);
      assert.deepEqual(await response.json(), { error: 'bad request' });
    }
    await assertStillWorks(h.chat({ aadObjectId: stale.userId }));
  });

  it('when ticket.status carries a ticketId that is not HD-…, then the bot says what a ticket id looks like', async () => {
    const chat = h.chat({ aadObjectId: stale.userId });
    const replies = await chat.submit({ verb: 'ticket.status', ticketId: 'TICKET-42' });
    const text = noticeText(replies);
    assert.match(text, /ticketId/);
    assert.match(text, /HD-000042/i);
    await assertStillWorks(chat);
  });

  // BUG: src/bot/activity-input.ts describe() lower-cases every zod message, so the example id
  // "HD-000042" from the ticketId regex message reaches the employee as "hd-000042".
  it('when ticket.status carries a bad ticketId, then the example id is shown as tickets are written (HD-000042)', async () => {
    const chat = h.chat({ aadObjectId: stale.userId });
    const replies = await chat.submit({ verb: 'ticket.status', ticketId: 'TICKET-42' });
    assert.match(noticeText(replies), /HD-000042/);
  });
});
