import assert from 'node:assert/strict';
import { employeeSteps } from '../../src/domain/fix-walkthrough';
import { getPlaybook } from '../../src/domain/playbooks';
import { cardsOf, findAction, type Chat } from '../support/bot-harness';
import { actionData, cardText, type Json } from '../support/cards';
import { allText, fixActions, messagesSince, scenario, stepIdIn, useScenarioBot } from '../support/e2e-helpers';
import { driveTriage } from '../support/triage-driver';

/** The fix-step card among replies (the card with fix.result actions). */
function stepCard(replies: Json[]): Json | undefined {
  return cardsOf(replies).find((c) => actionData(c).some((d) => d.verb === 'fix.result'));
}

/** One card as the activity list the helpers read. */
function asReplies(card: Json): Json[] {
  return [{ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }];
}

/** Presses `result` on the step card among `replies`. */
async function pressStep(chat: Chat, replies: Json[], result: 'fixed' | 'not-fixed' | 'cannot-do'): Promise<Json[]> {
  const action = fixActions(replies).find((d) => d.result === result);
  assert.ok(action, `no "${result}" button in: ${allText(replies).slice(0, 400)}`);
  return chat.submit(action);
}

describe('e2e: the fix walkthrough', () => {
  const h = useScenarioBot();

  async function diagnose(causeId: string): Promise<{ chat: Chat; replies: Json[]; diagnosisCard: Json }> {
    const s = scenario(causeId);
    const chat = h.chat({ aadObjectId: s.userId, name: s.userId });
    const run = await driveTriage(chat, s.firstMessage, s.answers);
    assert.equal(run.causeId, causeId, `asked: ${run.questions.join(', ')}`);
    assert.ok(run.diagnosisCard);
    assert.ok(run.firstStep, 'the first fix step arrives with the diagnosis');
    return { chat, replies: asReplies(run.firstStep), diagnosisCard: run.diagnosisCard };
  }

  it('when the stale-credentials employee says step 1 is still broken and step 2 worked, then a resolved card asks for a rating and the rating is thanked', async () => {
    const stepCount = employeeSteps(getPlaybook('stale-credentials')).length;
    const { chat, replies: first } = await diagnose('stale-credentials');
    const firstCard = stepCard(first)!;
    assert.match(cardText(firstCard), new RegExp(`Step 1 of ${stepCount}\\b`));
    const notFixed = actionData(firstCard).find((d) => d.result === 'not-fixed')!;
    assert.equal(notFixed.causeId, 'stale-credentials');
    assert.equal(notFixed.stepId, employeeSteps(getPlaybook('stale-credentials'))[0]!.id);

    const second = await chat.submit(notFixed);
    const secondCard = stepCard(second);
    assert.ok(secondCard, `no step card after "Still broken": ${allText(second)}`);
    assert.match(cardText(secondCard), new RegExp(`Step 2 of ${stepCount}\\b`));
    assert.equal(stepIdIn(second), employeeSteps(getPlaybook('stale-credentials'))[1]!.id);

    const resolved = await pressStep(chat, second, 'fixed');
    const rates = cardsOf(resolved)
      .flatMap(actionData)
      .filter((d) => d.verb === 'triage.rate');
    assert.equal(rates.length, 5, allText(resolved));
    assert.deepEqual(
      rates.map((r) => Number(r.rating)),
      [1, 2, 3, 4, 5],
    );
    assert.ok(rates.every((r) => r.causeId === 'stale-credentials'));
    assert.equal(fixActions(resolved).length, 0, 'no further step after "It worked"');

    const thanks = await chat.submit(rates.find((r) => Number(r.rating) === 5)!);
    assert.equal(thanks.length, 1);
    assert.match(allText(thanks), /thank/i);
  });

  it('when a diagnosis and every fix step are shown, then each diagnosis action carries causeId and each step action carries causeId, stepId and result', async () => {
    const { chat, replies, diagnosisCard } = await diagnose('stale-credentials');
    const diagnosisActions = actionData(diagnosisCard);
    assert.ok(diagnosisActions.length > 0);
    for (const d of diagnosisActions) assert.equal(d.causeId, 'stale-credentials', JSON.stringify(d));

    const playbook = getPlaybook('stale-credentials');
    let current = replies;
    const seen: string[] = [];
    for (let i = 0; i < employeeSteps(playbook).length; i++) {
      const card = stepCard(current);
      assert.ok(card, `no step card for step ${i + 1}: ${allText(current)}`);
      const data = actionData(card);
      assert.deepEqual(data.map((d) => d.result).sort(), ['cannot-do', 'fixed', 'not-fixed']);
      for (const d of data) {
        assert.equal(d.verb, 'fix.result');
        assert.equal(d.causeId, 'stale-credentials');
        assert.equal(d.stepId, employeeSteps(playbook)[i]!.id);
      }
      seen.push(String(data[0]!.stepId));
      current = await pressStep(chat, current, 'not-fixed');
    }
    assert.deepEqual(
      seen,
      employeeSteps(playbook).map((s) => s.id),
    );
  });

  it('when the employee presses "I can\'t do this" on every step, then an escalate card offers ticket.create with the causeId', async () => {
    const { chat, replies } = await diagnose('stale-credentials');
    let current = replies;
    let pressed = 0;
    while (stepCard(current) && pressed < 20) {
      current = await pressStep(chat, current, 'cannot-do');
      pressed += 1;
    }
    assert.equal(pressed, employeeSteps(getPlaybook('stale-credentials')).length);
    const create = findAction(current, 'ticket.create');
    assert.ok(create, `no ticket.create after the last step: ${allText(current)}`);
    assert.equal(create.causeId, 'stale-credentials');
    assert.match(allText(current), /person/i);
  });

  describe('steps that need local admin rights (tls-or-network-stack: the Winsock reset; the TLS policy check is for IT)', () => {
    const playbook = getPlaybook('tls-or-network-stack');
    const adminSteps = employeeSteps(playbook)
      .filter((s) => s.needsLocalAdmin)
      .map((s) => s.id);
    const firstAdmin = employeeSteps(playbook).findIndex((s) => s.needsLocalAdmin);

    it('when the playbook is read, then it has steps that need local admin rights after self-service ones', () => {
      assert.ok(firstAdmin > 0);
      assert.ok(adminSteps.length >= 1);
    });

    /** Walks "still broken" up to the step before the first admin step; returns the replies that follow. */
    async function walkToAdminQuestion(): Promise<{ chat: Chat; replies: Json[] }> {
      const { chat, replies } = await diagnose('tls-or-network-stack');
      let current = replies;
      for (let i = 0; i < firstAdmin; i++) {
        assert.equal(stepIdIn(current), employeeSteps(playbook)[i]!.id);
        assert.equal(findAction(current, 'triage.answer', { questionId: 'admin-rights' }), undefined, `admin-rights asked before step ${i + 1}`);
        current = await pressStep(chat, current, 'not-fixed');
      }
      return { chat, replies: current };
    }

    it('when the walkthrough reaches the first admin step, then it asks the admin-rights question before showing it, and "no" skips the admin steps', async () => {
      const { chat, replies } = await walkToAdminQuestion();
      assert.ok(findAction(replies, 'triage.answer', { questionId: 'admin-rights' }), `no admin-rights question: ${allText(replies)}`);
      assert.equal(fixActions(replies).length, 0, 'the admin step is not shown before the answer');

      const afterNo = await chat.submit({ verb: 'triage.answer', questionId: 'admin-rights', answer: 'no' });
      const nextId = stepIdIn(afterNo);
      const expected = employeeSteps(playbook)
        .slice(firstAdmin)
        .find((s) => !s.needsLocalAdmin)!;
      assert.equal(nextId, expected.id, allText(afterNo));
      assert.match(allText(afterNo), new RegExp(`Step ${employeeSteps(playbook).indexOf(expected) + 1} of ${employeeSteps(playbook).length}\\b`));

      // Still broken: what is left is for IT, so the case goes to a person.
      const end = await pressStep(chat, afterNo, 'not-fixed');
      assert.equal(fixActions(end).length, 0, `an admin step was shown: ${allText(end)}`);
      assert.ok(findAction(end, 'ticket.create', { causeId: 'tls-or-network-stack' }), allText(end));
      assert.equal(findAction(end, 'triage.answer', { questionId: 'admin-rights' }), undefined, 'admin-rights is not asked twice');
    });

    it('when the employee answers "yes" to admin rights, then the admin step is shown next', async () => {
      const { chat } = await walkToAdminQuestion();
      const afterYes = await chat.submit({ verb: 'triage.answer', questionId: 'admin-rights', answer: 'yes' });
      assert.equal(stepIdIn(afterYes), employeeSteps(playbook)[firstAdmin]!.id, allText(afterYes));
    });
  });

  it('when the same fix.result is submitted twice, then the walkthrough advances only one step', async () => {
    const { chat, replies } = await diagnose('stale-credentials');
    const steps = employeeSteps(getPlaybook('stale-credentials'));
    const notFixed = fixActions(replies).find((d) => d.result === 'not-fixed')!;
    const first = await chat.submit(notFixed);
    assert.equal(stepIdIn(first), steps[1]!.id);

    const again = await chat.submit(notFixed);
    assert.equal(fixActions(again).length, 0, `the second click showed a step: ${allText(again)}`);
    assert.doesNotMatch(allText(again), /Step \d+ of/);

    const next = await pressStep(chat, first, 'not-fixed');
    assert.equal(stepIdIn(next), steps[2]!.id, 'the walkthrough is still on step 2 after the double click');
  });

  // BUG: a real double click sends both submits at once. Both turns read the conversation state
  // before either saves it (src/bot/app.ts runs turns of one conversation concurrently; the dialog
  // state is only written at the end of the turn, with an eTag), so both turns show step 2 and the
  // second state write fails with an eTag conflict. adapter.onTurnError (src/bot/app.ts) matches
  // /eTag/ as a storage problem and tells the employee "I couldn't save our conversation … the help
  // desk storage is full or unavailable". Expected: step 2 once, no error card.
  it('when the same fix.result arrives twice at the same moment, then step 2 is shown once and no error is shown', async () => {
    const { chat, replies } = await diagnose('stale-credentials');
    const notFixed = fixActions(replies).find((d) => d.result === 'not-fixed')!;
    const before = h.connector.calls.length;
    await Promise.all([chat.submit(notFixed), chat.submit(notFixed)]);
    const posted = messagesSince(h, chat.conversationId, before);
    const stepCards = cardsOf(posted).filter((c) => actionData(c).some((d) => d.verb === 'fix.result'));
    assert.equal(stepCards.length, 1, `step cards: ${stepCards.map(cardText).join(' | ').slice(0, 300)}`);
    assert.doesNotMatch(allText(posted), /couldn't save|went wrong|storage/i);
  });

  describe('Action.Execute (Universal Actions)', () => {
    /** Posts an adaptiveCard/action invoke in `chat`'s conversation; returns the HTTP status, body and the messages posted. */
    async function invoke(chat: Chat, user: { aadObjectId: string; name: string }, data: Json): Promise<{ status: number; body: unknown; replies: Json[] }> {
      const before = h.connector.calls.length;
      const result = await h.post({
        type: 'invoke',
        name: 'adaptiveCard/action',
        channelId: 'msteams',
        serviceUrl: h.connector.url,
        id: `exec-${Math.random().toString(36).slice(2)}`,
        timestamp: new Date().toISOString(),
        localTimezone: 'Europe/London',
        conversation: { id: chat.conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
        from: { id: `29:${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId },
        recipient: { id: '28:bot', name: 'Helpdesk' },
        channelData: { tenant: { id: 'tenant-1' } },
        value: { action: { type: 'Action.Execute', verb: data.verb, data } },
      });
      const replies = messagesSince(h, chat.conversationId, before);
      return { ...result, replies };
    }

    it('when triage.answer and fix.result arrive as Action.Execute, then each invoke answers 200 and the bot posts the next card', async () => {
      // The "unknown" scenario asks several questions before it concludes.
      const s = scenario('unknown');
      const user = { aadObjectId: s.userId, name: 'Rosa' };
      const chat = h.chat(user);
      let replies = await chat.say(s.firstMessage);
      const asked: string[] = [];
      for (let turn = 0; turn < 8 && !stepCard(replies); turn++) {
        const question = findAction(replies, 'triage.answer');
        assert.ok(question, `no question and no step: ${allText(replies)}`);
        const questionId = String(question.questionId);
        asked.push(questionId);
        const answer = s.answers[questionId] ?? 'not-sure';
        const result = await invoke(chat, user, { verb: 'triage.answer', questionId, answer });
        assert.equal(result.status, 200);
        assert.equal((result.body as Json | undefined)?.statusCode, 200, JSON.stringify(result.body));
        assert.ok(cardsOf(result.replies).length > 0, `nothing posted after answering ${questionId} via Action.Execute`);
        replies = result.replies;
      }
      assert.ok(asked.length > 0, 'at least one question was answered via Action.Execute');
      assert.ok(findAction(replies, 'ticket.create', { causeId: 'unknown' }), allText(replies));

      const steps = employeeSteps(getPlaybook('unknown'));
      const notFixed = fixActions(replies).find((d) => d.result === 'not-fixed')!;
      const result = await invoke(chat, user, notFixed);
      assert.equal(result.status, 200);
      assert.equal(stepIdIn(result.replies), steps[1]!.id, allText(result.replies));
    });
  });
});
