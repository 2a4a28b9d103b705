import assert from 'node:assert/strict';
import { cardsOf, type Chat } from '../support/bot-harness';
import { actionData, actionsIn, cardText, type Json } from '../support/cards';
import { allText, fixActions, scenario, useScenarioBot } from '../support/e2e-helpers';
import { driveTriage } from '../support/triage-driver';

/** The card an Action.Execute answered with (it takes the pressed card's place in Teams). */
function replacementCard(chat: Chat): Json {
  const body = chat.lastInvokeBody as { statusCode?: number; type?: string; value?: Json };
  assert.equal(body?.statusCode, 200, JSON.stringify(body));
  assert.equal(body.type, 'application/vnd.microsoft.card.adaptive', `expected a card in place of the pressed one, got ${JSON.stringify(body)}`);
  return body.value!;
}

/** What pressing the question card among the replies sends: its button's data, or "Next" with the first choice of its list. */
function questionAction(replies: Json[]): Json {
  const card = cardsOf(replies).find((c) => actionData(c).some((d) => d.verb === 'triage.answer'));
  assert.ok(card, `no question card in: ${allText(replies).slice(0, 400)}`);
  const action = actionData(card).find((d) => d.verb === 'triage.answer')!;
  if (typeof action.answer === 'string') return action;
  const choiceSet = (card.body as Json[]).find((e) => e.type === 'Input.ChoiceSet' && e.id === 'answer');
  const first = (choiceSet?.choices as Json[] | undefined)?.[0]?.value;
  assert.equal(typeof first, 'string', 'the list has choices');
  return { ...action, answer: first };
}

describe('e2e: employee cards are Universal Actions (Action.Execute)', () => {
  const h = useScenarioBot();

  function chatFor(causeId: string): Chat {
    const s = scenario(causeId);
    return h.chat({ aadObjectId: s.userId, name: s.userId });
  }

  /** A stale-credentials employee diagnosed, with the first fix step's card as the replies to press on. */
  async function firstStepOfWalkthrough(): Promise<{ chat: Chat; stepReplies: Json[] }> {
    const s = scenario('stale-credentials');
    const chat = chatFor('stale-credentials');
    const run = await driveTriage(chat, s.firstMessage, s.answers);
    return { chat, stepReplies: [{ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: run.firstStep }] }] };
  }

  let unknown = 0;
  /** An employee the directory has no evidence for: triage asks questions. */
  function askedChat(): Chat {
    unknown += 1;
    return h.chat({ aadObjectId: `no-evidence-${unknown}`, name: 'Sam Asked' });
  }
  const ASKED_FIRST = 'OneDrive will not sign in on my laptop';

  it('when every employee card the bot sends is inspected, then each button is an Action.Execute whose verb is its data verb, carrying the case', async () => {
    const s = scenario('network-blocked');
    const run = await driveTriage(chatFor('network-blocked'), s.firstMessage, s.answers);
    const actions = cardsOf(run.replies).flatMap((card) => actionsIn(card));
    const pressable = actions.filter((a) => a.type !== 'Action.ShowCard' && a.type !== 'Action.OpenUrl');
    assert.ok(pressable.length > 3);
    for (const action of pressable) {
      assert.equal(action.type, 'Action.Execute', JSON.stringify(action));
      assert.equal(action.verb, (action.data as Json).verb);
      assert.notEqual(action.style, 'positive');
    }
    for (const data of fixActions(run.replies)) assert.equal(typeof data.case, 'string');
  });

  it('when a question is answered with Action.Execute, then the card is replaced by the answer given and pressing it again says the step is done and changes nothing', async () => {
    const chat = askedChat();
    const first = await chat.say(ASKED_FIRST);
    const question = questionAction(first);
    const answer = { ...question };

    const next = await chat.execute(answer, 'card-1');
    const answered = replacementCard(chat);
    assert.match(cardText(answered), /Your answer: /);
    assert.equal(actionsIn(answered).length, 0, 'the answered card has no buttons left');
    assert.ok(cardsOf(next).length > 0, 'the next card comes as a new message');

    const again = await chat.execute(answer, 'card-1');
    assert.match(cardText(replacementCard(chat)), /This step is done/);
    assert.equal(again.length, 0, `nothing else is said: ${allText(again)}`);
    // The conversation carries on from where it was.
    const moved = await chat.execute(questionAction(next), 'card-2');
    assert.match(cardText(replacementCard(chat)), /Your answer: /);
    assert.ok(cardsOf(moved).length > 0);
  });

  it('when a fix step is pressed with Action.Execute, then it is replaced by the result, and the same step pressed again is done without moving the walkthrough', async () => {
    const { chat, stepReplies } = await firstStepOfWalkthrough();
    const notFixed = fixActions(stepReplies).find((d) => d.result === 'not-fixed')!;

    const second = await chat.execute(notFixed, 'step-1');
    assert.match(cardText(replacementCard(chat)), /You said: Still broken/);
    const secondStep = fixActions(second)[0];
    assert.ok(secondStep && secondStep.stepId !== notFixed.stepId, `step 2 follows: ${allText(second)}`);

    const again = await chat.execute(notFixed, 'step-1');
    assert.match(cardText(replacementCard(chat)), /This step is done/);
    assert.deepEqual(fixActions(again), [], 'no further step is shown');

    // Step 2 is still the one on screen.
    const third = await chat.execute({ ...secondStep, result: 'not-fixed' }, 'step-2');
    assert.match(cardText(replacementCard(chat)), /You said: Still broken/);
    assert.ok(cardsOf(third).length > 0);
  });

  it('when the employee rates the help with Action.Execute, then the rating card shows the rating in place of its stars', async () => {
    const { chat, stepReplies } = await firstStepOfWalkthrough();
    const resolved = await chat.execute(
      fixActions(stepReplies).find((d) => d.result === 'fixed')!,
      'step-1',
    );
    assert.match(cardText(replacementCard(chat)), /You said: It worked/);
    const five = cardsOf(resolved)
      .flatMap(actionData)
      .find((d) => d.verb === 'triage.rate' && Number(d.rating) === 5);
    assert.ok(five, allText(resolved));
    const thanks = await chat.execute(five, 'resolved-card');
    const rated = replacementCard(chat);
    assert.match(cardText(rated), /Glad that's fixed[\s\S]*You rated this help 5 of 5/);
    assert.equal(actionsIn(rated).length, 0);
    assert.match(allText(thanks), /Thanks for the rating/);
  });

  it('when a card from before "start over" is pressed, then it says the step is done and does not answer the new triage', async () => {
    const chat = askedChat();
    const first = await chat.say(ASKED_FIRST);
    const oldQuestion = questionAction(first);
    assert.equal(typeof oldQuestion.case, 'string');
    await chat.say('start over');

    // Action.Submit cannot replace its card: the same words come as a notice.
    const replies = await chat.submit(oldQuestion);
    assert.match(allText(replies), /This step is done/);
    assert.equal(
      cardsOf(replies)
        .flatMap(actionData)
        .filter((d) => d.verb === 'triage.answer').length,
      0,
      'no new question: the old card did not answer the new triage',
    );
  });

  it('when Action.Execute comes without the pressed card id, then the bot still acts and answers with a message instead of a card', async () => {
    const chat = askedChat();
    const first = await chat.say(ASKED_FIRST);
    const next = await chat.execute(questionAction(first));
    const body = chat.lastInvokeBody as { statusCode?: number; type?: string };
    assert.equal(body.statusCode, 200);
    assert.equal(body.type, 'application/vnd.microsoft.activity.message');
    assert.ok(cardsOf(next).length > 0);
  });
});
