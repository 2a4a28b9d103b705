import assert from 'node:assert/strict';
import { employeeSteps } from '../../src/domain/fix-walkthrough';
import { join } from 'node:path';
import { getPlaybook } from '../../src/domain/playbooks';
import { cardsOf, findAction } from '../support/bot-harness';
import { actionData, type Json } from '../support/cards';
import { allText, scenario, stepIdIn, useScenarioBot } from '../support/e2e-helpers';
import { diagnosisCardIn, driveTriage } from '../support/triage-driver';

function questionIn(replies: Json[]): string | undefined {
  const q = findAction(replies, 'triage.answer');
  return q ? String(q.questionId) : undefined;
}

describe('e2e: a restart mid-conversation resumes where it was', () => {
  const h = useScenarioBot();
  const unknown = scenario('unknown');
  const stale = scenario('stale-credentials');

  const restart = async (): Promise<void> => {
    const oldUrl = h.bot!.url;
    await h.restartBot({}, join(h.dataDir, 'tenant.json'));
    // The old server is really gone: the new one listens on a new port.
    assert.notEqual(h.bot!.url, oldUrl);
    await assert.rejects(fetch(`${oldUrl}/healthz`));
  };

  it('when the bot restarts while a question is pending, then answering it continues to the diagnosis without repeating earlier questions', async () => {
    // The "unknown" scenario rules every cause out, so it asks several questions; its first message carries no facts.
    const chat = h.chat({ aadObjectId: unknown.userId, name: 'Rosa Jimenez' });
    const answerFor = (questionId: string): string => unknown.answers[questionId] ?? 'not-sure';
    const asked: string[] = [];
    let replies = await chat.say(unknown.firstMessage);
    const first = questionIn(replies);
    assert.ok(first, allText(replies));
    asked.push(first);

    // Answer the first question; the second one is pending when the bot restarts.
    replies = await chat.submit({ verb: 'triage.answer', questionId: first, answer: answerFor(first) });
    const pending = questionIn(replies);
    assert.ok(pending, `expected a second question before the restart: ${allText(replies).slice(0, 300)}`);
    assert.notEqual(pending, first);
    asked.push(pending);

    await restart();

    for (let turn = 0; turn < 10; turn++) {
      const questionId = asked.at(-1)!;
      replies = await chat.submit({ verb: 'triage.answer', questionId, answer: answerFor(questionId) });
      assert.doesNotMatch(allText(replies), /older card|didn't catch|start over|went wrong/i, allText(replies));
      const next = questionIn(replies);
      if (!next) break;
      assert.ok(!asked.includes(next), `"${next}" was asked again after the restart (asked before: ${asked.join(', ')})`);
      asked.push(next);
    }
    assert.ok(diagnosisCardIn(replies), `no diagnosis after the restart: ${allText(replies).slice(0, 300)}`);
    assert.ok(findAction(replies, 'ticket.create', { causeId: unknown.causeId }), allText(replies).slice(0, 300));
    assert.equal(stepIdIn(replies), employeeSteps(getPlaybook(unknown.causeId))[0]!.id);
  });

  it('when the bot restarts mid-walkthrough, then fix.result for the current step still advances', async () => {
    const chat = h.chat({ aadObjectId: stale.userId, name: 'Avery Lindqvist' });
    const run = await driveTriage(chat, stale.firstMessage, stale.answers);
    assert.equal(run.causeId, 'stale-credentials');
    const steps = employeeSteps(getPlaybook('stale-credentials'));
    let replies = await chat.submit(actionData(run.firstStep!).find((d) => d.result === 'not-fixed')!);
    assert.equal(stepIdIn(replies), steps[1]!.id);

    await restart();

    const notFixed = cardsOf(replies)
      .flatMap(actionData)
      .find((d) => d.verb === 'fix.result' && d.result === 'not-fixed')!;
    replies = await chat.submit(notFixed);
    assert.equal(stepIdIn(replies), steps[2]!.id, allText(replies));
    assert.match(allText(replies), new RegExp(`Step 3 of ${steps.length}\\b`));

    // The case file survived too: a ticket opened now lists the steps tried before the restart.
    const ticket = await chat.submit({ verb: 'ticket.create', causeId: 'stale-credentials' });
    const ticketId = cardsOf(ticket)
      .flatMap(actionData)
      .find((d) => typeof d.ticketId === 'string')?.ticketId;
    assert.ok(ticketId, allText(ticket));
    const text = allText(ticket);
    assert.ok(text.includes(steps[0]!.title) && text.includes(steps[1]!.title), `steps tried before the restart are missing: ${text}`);
  });
});
