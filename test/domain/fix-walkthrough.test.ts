import assert from 'node:assert/strict';
import { CAUSE_IDS } from '../../src/domain/causes';
import { applyStepResult, nextShowableStep, type WalkthroughState } from '../../src/domain/fix-walkthrough';
import type { Playbook } from '../../src/domain/playbook';
import { PLAYBOOKS } from '../../src/domain/playbooks';

function start(playbook: Playbook, index = 0): WalkthroughState {
  return { causeId: playbook.causeId, index, results: [] };
}

/** A real playbook with a step that needs local admin rights, followed by a step that does not. */
function playbookWithAdminStepInTheMiddle(): { playbook: Playbook; adminIndex: number } {
  for (const causeId of CAUSE_IDS) {
    const playbook = PLAYBOOKS[causeId];
    const adminIndex = playbook.steps.findIndex((s, i) => i > 0 && s.needsLocalAdmin && playbook.steps[i + 1] && !playbook.steps[i + 1]!.needsLocalAdmin);
    if (adminIndex > 0) return { playbook, adminIndex };
  }
  throw new Error('no playbook has a needsLocalAdmin step followed by an ordinary one');
}

/** A real playbook whose last step needs local admin rights. */
function playbookEndingWithAdminStep(): Playbook {
  const found = CAUSE_IDS.map((c) => PLAYBOOKS[c]).find((p) => p.steps.length >= 2 && p.steps[p.steps.length - 1]!.needsLocalAdmin && !p.steps[p.steps.length - 2]!.needsLocalAdmin);
  if (!found) throw new Error('no playbook ends with a needsLocalAdmin step');
  return found;
}

describe('fix walkthrough', () => {
  const stale = PLAYBOOKS['stale-credentials'];

  it('when the employee says the first step fixed it, then the walkthrough is resolved and the step is recorded as fixed', () => {
    const state = start(stale);
    assert.deepEqual(applyStepResult(state, stale, 'fixed', undefined), { kind: 'resolved' });
    assert.deepEqual(state.results, [{ stepId: stale.steps[0]!.id, result: 'fixed' }]);
  });

  it('when a middle step fixes it, then the walkthrough is resolved', () => {
    const state = start(stale, 2);
    assert.equal(applyStepResult(state, stale, 'fixed', true).kind, 'resolved');
    assert.deepEqual(state.results, [{ stepId: stale.steps[2]!.id, result: 'fixed' }]);
  });

  it('when a step does not fix it, then the next step is shown and the state moves to it', () => {
    const state = start(stale);
    const next = applyStepResult(state, stale, 'not-fixed', undefined);
    assert.deepEqual(next, { kind: 'step', index: 1, skipped: [] });
    assert.equal(state.index, 1);
    assert.deepEqual(state.results, [{ stepId: stale.steps[0]!.id, result: 'not-fixed' }]);
  });

  it('when the last step does not fix it, then the case is escalated with the "tried every step" reason', () => {
    const last = stale.steps.length - 1;
    const state = start(stale, last);
    const next = applyStepResult(state, stale, 'not-fixed', true);
    assert.equal(next.kind, 'escalate');
    if (next.kind !== 'escalate') return;
    assert.match(next.reason, /tried every step/);
    assert.deepEqual(next.skipped, []);
    assert.equal(state.index, last, 'the state stays on the last step');
  });

  it('when every step of a playbook is answered not-fixed, then each step is shown once in order and the walkthrough ends in escalation', () => {
    for (const causeId of CAUSE_IDS) {
      const playbook = PLAYBOOKS[causeId];
      const state = start(playbook);
      const shown: number[] = [0];
      for (;;) {
        const next = applyStepResult(state, playbook, 'not-fixed', true);
        if (next.kind !== 'step') {
          assert.equal(next.kind, 'escalate', causeId);
          break;
        }
        shown.push(next.index);
      }
      assert.deepEqual(shown, playbook.steps.map((_, i) => i), causeId);
      assert.deepEqual(state.results.map((r) => r.stepId), playbook.steps.map((s) => s.id), causeId);
    }
  });

  it('when the employee cannot do a step, then the walkthrough continues with the next step', () => {
    const state = start(stale);
    const next = applyStepResult(state, stale, 'cannot-do', undefined);
    assert.deepEqual(next, { kind: 'step', index: 1, skipped: [] });
    assert.deepEqual(state.results, [{ stepId: stale.steps[0]!.id, result: 'cannot-do' }]);
  });

  it('when the employee could not do a step and the last one fails, then the escalation says the help desk will do those steps with them', () => {
    const state = start(stale);
    applyStepResult(state, stale, 'cannot-do', true);
    let next = applyStepResult(state, stale, 'not-fixed', true);
    while (next.kind === 'step') next = applyStepResult(state, stale, 'not-fixed', true);
    assert.equal(next.kind, 'escalate');
    if (next.kind === 'escalate') assert.match(next.reason, /couldn't do some of the steps yourself/);
  });

  it('when the step index is past the end, then the walkthrough escalates without recording anything', () => {
    const state = start(stale, stale.steps.length);
    const next = applyStepResult(state, stale, 'fixed', true);
    assert.equal(next.kind, 'escalate');
    assert.deepEqual(state.results, []);
  });

  describe('steps that need local admin rights', () => {
    it('when the knowledge base is read, then at least one playbook has a needsLocalAdmin step after an ordinary one', () => {
      const { playbook, adminIndex } = playbookWithAdminStepInTheMiddle();
      assert.equal(playbook.steps[adminIndex]!.needsLocalAdmin, true);
    });

    it('when the employee has no admin rights, then the admin step is skipped, recorded as skipped and the next ordinary step is shown', () => {
      const { playbook, adminIndex } = playbookWithAdminStepInTheMiddle();
      const state = start(playbook, adminIndex - 1);
      const next = applyStepResult(state, playbook, 'not-fixed', false);
      assert.equal(next.kind, 'step');
      if (next.kind !== 'step') return;
      assert.equal(next.index, adminIndex + 1);
      assert.deepEqual(next.skipped.map((s) => s.id), [playbook.steps[adminIndex]!.id]);
      assert.equal(state.index, adminIndex + 1);
      assert.deepEqual(state.results, [
        { stepId: playbook.steps[adminIndex - 1]!.id, result: 'not-fixed' },
        { stepId: playbook.steps[adminIndex]!.id, result: 'skipped' },
      ]);
    });

    it('when the employee has admin rights or has not said, then the admin step is shown', () => {
      const { playbook, adminIndex } = playbookWithAdminStepInTheMiddle();
      for (const rights of [true, undefined]) {
        const state = start(playbook, adminIndex - 1);
        assert.deepEqual(applyStepResult(state, playbook, 'not-fixed', rights), { kind: 'step', index: adminIndex, skipped: [] }, String(rights));
      }
    });

    it('when the only steps left need admin rights the employee lacks, then the case escalates, naming the skipped steps', () => {
      const playbook = playbookEndingWithAdminStep();
      const last = playbook.steps.length - 1;
      const state = start(playbook, last - 1);
      const next = applyStepResult(state, playbook, 'not-fixed', false);
      assert.equal(next.kind, 'escalate');
      if (next.kind !== 'escalate') return;
      assert.deepEqual(next.skipped.map((s) => s.id), [playbook.steps[last]!.id]);
      assert.match(next.reason, /administrator rights on your PC/);
      assert.deepEqual(state.results[state.results.length - 1], { stepId: playbook.steps[last]!.id, result: 'skipped' });
    });

    it('when a whole walkthrough runs without admin rights, then no needsLocalAdmin step is ever shown and each is recorded skipped', () => {
      for (const causeId of CAUSE_IDS) {
        const playbook = PLAYBOOKS[causeId];
        const first = nextShowableStep(playbook, 0, false);
        if (first.index >= playbook.steps.length) continue;
        const state = start(playbook, first.index);
        for (const s of first.skipped) state.results.push({ stepId: s.id, result: 'skipped' });
        const shown = [first.index];
        for (;;) {
          const next = applyStepResult(state, playbook, 'not-fixed', false);
          if (next.kind !== 'step') break;
          shown.push(next.index);
        }
        for (const i of shown) assert.ok(!playbook.steps[i]!.needsLocalAdmin, `${causeId}: showed admin step ${playbook.steps[i]!.id}`);
        const skipped = state.results.filter((r) => r.result === 'skipped').map((r) => r.stepId);
        assert.deepEqual(skipped, playbook.steps.filter((s) => s.needsLocalAdmin).map((s) => s.id), causeId);
      }
    });

    it('when nextShowableStep starts on an admin step without rights, then it moves past it; with rights it stays', () => {
      const { playbook, adminIndex } = playbookWithAdminStepInTheMiddle();
      assert.deepEqual(nextShowableStep(playbook, adminIndex, false), { index: adminIndex + 1, skipped: [playbook.steps[adminIndex]] });
      assert.deepEqual(nextShowableStep(playbook, adminIndex, true), { index: adminIndex, skipped: [] });
      assert.deepEqual(nextShowableStep(playbook, adminIndex, undefined), { index: adminIndex, skipped: [] });
    });
  });
});

describe('fix walkthrough: checks triage already made', () => {
  it('when the employee already said whether OneDrive works on the web, then the web check step is skipped', () => {
    const playbook = PLAYBOOKS['network-blocked'];
    assert.equal(playbook.steps[0]!.skipWhenAnswered, 'web-works');
    assert.equal(nextShowableStep(playbook, 0, undefined, { 'web-works': 'yes' }).index, 1);
    assert.equal(nextShowableStep(playbook, 0, undefined, {}).index, 0);
  });
});
