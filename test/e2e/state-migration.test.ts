import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getPlaybook } from '../../src/domain/playbooks';
import { cardsOf, findAction, type Chat } from '../support/bot-harness';
import { actionData, type Json } from '../support/cards';
import { allText, scenario, stepIdIn, useScenarioBot } from '../support/e2e-helpers';
import { driveTriage } from '../support/triage-driver';

/**
 * Conversations saved before the flows replaced botbuilder-dialogs kept the active dialog on
 * `dialogState.dialogStack` ('triage' with state.pending, 'fix-walkthrough' with the walkthrough
 * state). A row in that shape, written into the real SQLite file while the bot is down, must carry
 * on where it was after the bot starts again.
 */
describe('e2e: conversations saved in the old (botbuilder-dialogs) shape keep working', () => {
  const h = useScenarioBot();

  const stateKey = (chat: Chat): string => `msteams/28:bot/conversations/${chat.conversationId}`;

  /** Stops the bot, replaces the conversation's saved state with `rewrite(saved)`, and starts it again. */
  const rewriteWhileDown = async (chat: Chat, rewrite: (saved: Json) => Json): Promise<void> => {
    await h.stopBot();
    const db = new Database(join(h.dataDir, 'data', 'helpdesk.sqlite'));
    try {
      const row = db.prepare('SELECT value FROM bot_state WHERE key = ?').get(stateKey(chat)) as { value: string } | undefined;
      assert.ok(row, `no saved state under ${stateKey(chat)}`);
      db.prepare('UPDATE bot_state SET value = ? WHERE key = ?').run(JSON.stringify(rewrite(JSON.parse(row.value) as Json)), stateKey(chat));
    } finally {
      db.close();
    }
    await h.restartBot({}, join(h.dataDir, 'tenant.json'));
  };

  const savedState = (chat: Chat): Json => {
    const db = new Database(join(h.dataDir, 'data', 'helpdesk.sqlite'), { readonly: true });
    try {
      const row = db.prepare('SELECT value FROM bot_state WHERE key = ?').get(stateKey(chat)) as { value: string };
      return JSON.parse(row.value) as Json;
    } finally {
      db.close();
    }
  };

  it('when an old-shape walkthrough state is stored, then fix.result for its current step advances and the state is saved in the new shape', async () => {
    const stale = scenario('stale-credentials');
    const chat = h.chat({ aadObjectId: stale.userId, name: 'Avery Lindqvist' });
    const run = await driveTriage(chat, stale.firstMessage, stale.answers);
    assert.equal(run.causeId, 'stale-credentials');
    const steps = getPlaybook('stale-credentials').steps;
    const afterFirst = await chat.submit(actionData(run.firstStep!).find((d) => d.result === 'not-fixed')!);
    const current = stepIdIn(afterFirst);
    const index = steps.findIndex((s) => s.id === current);
    assert.ok(index > 0, allText(afterFirst));
    const before = savedState(chat);
    assert.equal((before.flow as Json).kind, 'fix');

    // Exactly what botbuilder-dialogs stored: the walkthrough on top of the stack, no `flow`, no `version`.
    await rewriteWhileDown(chat, (saved) => ({
      welcomed: saved.welcomed,
      caseFile: saved.caseFile,
      dialogState: { dialogStack: [{ id: 'fix-walkthrough', state: { causeId: 'stale-credentials', index, results: (before.flow as Json).results, awaitingAdminRights: false } }] },
    }));

    const notFixed = cardsOf(afterFirst)
      .flatMap(actionData)
      .find((d) => d.verb === 'fix.result' && d.result === 'not-fixed')!;
    const replies = await chat.submit(notFixed);
    assert.doesNotMatch(allText(replies), /older card|walkthrough has ended|went wrong/i, allText(replies));
    const next = stepIdIn(replies);
    assert.ok(next && steps.findIndex((s) => s.id === next) > index, `expected a later step than ${String(current)}: ${allText(replies)}`);

    const migrated = savedState(chat);
    assert.equal(migrated.version, 2);
    assert.equal(migrated.dialogState, undefined);
    assert.deepEqual({ kind: (migrated.flow as Json).kind, step: steps[(migrated.flow as Json).index as number]?.id }, { kind: 'fix', step: next });
  });

  it('when an old-shape triage state with a pending question is stored, then answering that question carries on without repeating it', async () => {
    const unknown = scenario('unknown');
    const chat = h.chat({ aadObjectId: unknown.userId, name: 'Rosa Jimenez' });
    const first = await chat.say(unknown.firstMessage);
    const pending = findAction(first, 'triage.answer')?.questionId as string | undefined;
    assert.ok(pending, allText(first));

    await rewriteWhileDown(chat, (saved) => ({ welcomed: saved.welcomed, caseFile: saved.caseFile, dialogState: { dialogStack: [{ id: 'triage', state: { pending } }] } }));

    const replies = await chat.submit({ verb: 'triage.answer', questionId: pending, answer: unknown.answers[pending] ?? 'not-sure' });
    assert.doesNotMatch(allText(replies), /older card|didn't catch|went wrong/i, allText(replies));
    const next = findAction(replies, 'triage.answer')?.questionId;
    assert.ok(next !== undefined || /Likely cause/i.test(JSON.stringify(replies)), allText(replies));
    assert.notEqual(next, pending, `"${pending}" was asked again after the migration`);
    const saved = savedState(chat);
    assert.equal((saved.flow as Json | undefined)?.kind, next === undefined ? 'fix' : 'triage');
    // The same case carried on (a fresh triage would have started a new case file, forgetting what was asked).
    assert.ok(((saved.caseFile as Json).asked as string[]).includes(pending), JSON.stringify((saved.caseFile as Json).asked));
  });

  it('when an old-shape state names a dialog or cause this bot does not know, then the employee can still start over', async () => {
    const stale = scenario('stale-credentials');
    const chat = h.chat({ aadObjectId: stale.userId, name: 'Avery Lindqvist' });
    await chat.say(stale.firstMessage);
    await rewriteWhileDown(chat, (saved) => ({
      caseFile: saved.caseFile,
      dialogState: { dialogStack: [{ id: 'fix-walkthrough', state: { causeId: 'no-such-cause', index: 'x' } }] },
    }));

    const stray = await chat.submit({ verb: 'fix.result', causeId: 'stale-credentials', stepId: 'whatever', result: 'fixed' });
    assert.match(allText(stray), /walkthrough has ended/i, allText(stray));
    const again = await chat.say('start over');
    assert.ok(findAction(again, 'triage.answer') || findAction(again, 'fix.result'), allText(again));
  });
});
