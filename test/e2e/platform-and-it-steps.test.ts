import assert from 'node:assert/strict';
import { employeeSteps, itSteps } from '../../src/domain/fix-walkthrough';
import { getPlaybook } from '../../src/domain/playbooks';
import { CAUSE_IDS } from '../../src/domain/causes';
import type { Chat } from '../support/bot-harness';
import { allText, fixActions, scenario, useScenarioBot } from '../support/e2e-helpers';
import { driveTriage } from '../support/triage-driver';
import { actionData, cardsIn, type Json } from '../support/cards';

/** Windows places and commands a Mac user must never be told about. */
const WINDOWS_WORDS = /taskbar|Windows\+|Start menu|Command Prompt|Credential Manager|regedit|%localappdata%|\bcmd\b|dsregcmd|netsh|inetcpl/i;

/** Presses "Still broken" until the walkthrough ends; returns the text of every step card shown. */
async function walkAll(chat: Chat, first: Json): Promise<string[]> {
  const shown: string[] = [];
  let replies: Json[] = [{ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: first }] }];
  for (let i = 0; i < 15; i++) {
    const action = fixActions(replies).find((d) => d.result === 'not-fixed');
    if (!action) break;
    shown.push(allText(replies));
    replies = await chat.submit(action);
    // The admin-rights question may come before a step that needs it: answer yes to see every step.
    const adminQuestion = replies
      .flatMap((r) => cardsIn(r))
      .flatMap(actionData)
      .find((d) => d.verb === 'triage.answer' && d.questionId === 'admin-rights' && d.answer === 'yes');
    if (adminQuestion) replies = await chat.submit(adminQuestion);
  }
  return shown;
}

describe('e2e: Mac users get Mac steps, and IT steps never reach employees', () => {
  const h = useScenarioBot();

  it('when a Mac user with stale credentials walks every step, then each step is a Mac step and none names a Windows place', async () => {
    const s = scenario('stale-credentials');
    const chat = h.chat({ aadObjectId: s.userId, name: 'Mac User' });
    const run = await driveTriage(chat, 'OneDrive on my MacBook keeps asking for my password since I changed it', s.answers);
    assert.equal(run.causeId, 'stale-credentials');
    assert.ok(run.firstStep);
    const shown = await walkAll(chat, run.firstStep!);
    assert.equal(shown.length, employeeSteps(getPlaybook('stale-credentials'), 'mac').length, shown.join('\n====\n').slice(0, 2000));
    for (const text of shown) assert.doesNotMatch(text, WINDOWS_WORDS);
    assert.ok(
      shown.some((t) => /Keychain/.test(t)),
      'the Keychain step is shown',
    );
  });

  for (const causeId of CAUSE_IDS.filter((c) => itSteps(getPlaybook(c)).length > 0)) {
    it(`when an employee with ${causeId} walks every step, then no step meant for IT is ever shown`, async () => {
      const s = scenario(causeId);
      const chat = h.chat({ aadObjectId: s.userId, name: 'Employee' });
      const run = await driveTriage(chat, s.firstMessage, s.answers);
      assert.ok(run.firstStep, `${causeId}: no first step (cause ${run.causeId}): ${allText(run.replies).slice(0, 600)}`);
      const shown = await walkAll(chat, run.firstStep);
      assert.ok(shown.length >= 1);
      const itTitles = itSteps(getPlaybook(run.causeId as typeof causeId)).map((step) => step.title);
      for (const text of shown) for (const title of itTitles) assert.ok(!text.includes(title), `${causeId}: showed IT step "${title}"`);
    });
  }
});
