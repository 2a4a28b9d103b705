import assert from 'node:assert/strict';
import { CAUSE_IDS } from '../../src/domain/causes';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { BotHarness } from '../support/bot-harness';
import { cardText } from '../support/cards';
import { driveTriage } from '../support/triage-driver';

describe('e2e: one triage per cause, through the contract verbs', () => {
  const h = new BotHarness();
  before(() => h.start({}, buildScenarioTenant(new Date())));
  after(() => h.stop());

  it('when the scenarios are listed, then every cause has one', () => {
    assert.deepEqual([...new Set(SCENARIOS.map((s) => s.causeId))].sort(), [...CAUSE_IDS].sort());
  });

  for (const scenario of SCENARIOS) {
    it(`when ${scenario.userId} says "${scenario.firstMessage}", then the diagnosis is ${scenario.causeId}`, async () => {
      const chat = h.chat({ aadObjectId: scenario.userId, name: scenario.userId });
      const run = await driveTriage(chat, scenario.firstMessage, scenario.answers);
      assert.equal(run.causeId, scenario.causeId, `asked: ${run.questions.join(', ')}\n${cardText(run.diagnosisCard)}`);
      if (scenario.causeId !== 'unknown') assert.ok(run.questions.length <= 3, `asked ${run.questions.length} questions: ${run.questions.join(', ')}`);
    });
  }
});
