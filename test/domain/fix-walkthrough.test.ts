import assert from 'node:assert/strict';
import { CAUSE_IDS } from '../../src/domain/causes';
import { applyStepResult, employeeSteps, itSteps, nextShowableStep, type WalkthroughState } from '../../src/domain/fix-walkthrough';
import type { FixStep, Playbook } from '../../src/domain/playbook';
import { allPlaybooks, getPlaybook } from '../../src/domain/playbooks';

function start(playbook: Playbook, index = 0): WalkthroughState {
  return { causeId: playbook.causeId, index, results: [] };
}

const step = (id: string, extra: Partial<FixStep> = {}): FixStep => ({ id, title: id, instructions: [`do ${id}`], audience: 'self-service', ...extra });

/** A playbook with every kind of step: both desktops, Windows only, Mac only, local admin, and IT. */
const mixed: Playbook = {
  causeId: 'stale-credentials',
  title: 'Test',
  explanation: 'A test playbook.',
  evidenceFor: ['x'],
  evidenceAgainst: ['y'],
  steps: [
    step('both-1'),
    step('windows-1', { platform: 'windows' }),
    step('mac-1', { platform: 'mac' }),
    step('windows-admin', { platform: 'windows', needsLocalAdmin: true }),
    step('it-1', { audience: 'needs-admin' }),
    step('both-2'),
    step('it-windows', { audience: 'needs-admin', platform: 'windows', needsLocalAdmin: true }),
  ],
  warnings: [],
  verify: 'v',
  escalateWhen: 'e',
};

/** Walks a playbook answering "still broken" to every step; returns the ids shown and the final outcome. */
function walk(playbook: Playbook, rights: boolean | undefined, platform: 'windows' | 'mac'): { shown: string[]; state: WalkthroughState; reason?: string } {
  const first = nextShowableStep(playbook, 0, rights, {}, platform);
  const state = start(playbook, first.index);
  for (const s of first.skipped) state.results.push({ stepId: s.id, result: 'skipped' });
  const shown: string[] = [];
  if (first.index >= playbook.steps.length) return { shown, state };
  shown.push(playbook.steps[first.index]!.id);
  for (;;) {
    const next = applyStepResult(state, playbook, 'not-fixed', rights, {}, platform);
    if (next.kind === 'escalate') return { shown, state, reason: next.reason };
    assert.equal(next.kind, 'step');
    if (next.kind === 'step') shown.push(playbook.steps[next.index]!.id);
  }
}

describe('fix walkthrough', () => {
  const stale = getPlaybook('stale-credentials');

  it('when the employee says the first step fixed it, then the walkthrough is resolved and the step is recorded as fixed', () => {
    const state = start(stale);
    assert.deepEqual(applyStepResult(state, stale, 'fixed', undefined), { kind: 'resolved' });
    assert.deepEqual(state.results, [{ stepId: stale.steps[0]!.id, result: 'fixed' }]);
  });

  it('when a step does not fix it, then the next step for the same desktop is shown and the state moves to it', () => {
    const state = start(mixed);
    const next = applyStepResult(state, mixed, 'not-fixed', undefined, {}, 'windows');
    assert.deepEqual(next, { kind: 'step', index: 1, skipped: [] });
    assert.equal(state.index, 1);
    const onMac = start(mixed);
    assert.deepEqual(applyStepResult(onMac, mixed, 'not-fixed', undefined, {}, 'mac'), { kind: 'step', index: 2, skipped: [] });
  });

  it('when a Windows user walks every step, then they see the shared and Windows steps only, IT steps are recorded for the help desk, and the case escalates', () => {
    const { shown, state, reason } = walk(mixed, true, 'windows');
    assert.deepEqual(shown, ['both-1', 'windows-1', 'windows-admin', 'both-2']);
    assert.deepEqual(
      state.results.filter((r) => r.result === 'skipped').map((r) => r.stepId),
      ['it-1', 'it-windows'],
    );
    assert.match(reason ?? '', /for IT/);
  });

  it('when a Mac user walks every step, then no Windows step ever reaches them', () => {
    const { shown } = walk(mixed, true, 'mac');
    assert.deepEqual(shown, ['both-1', 'mac-1', 'both-2']);
  });

  it('when the employee has no admin rights, then the local-admin step is skipped and the escalation says the help desk will do it with them', () => {
    const { shown, state, reason } = walk(mixed, false, 'windows');
    assert.deepEqual(shown, ['both-1', 'windows-1', 'both-2']);
    assert.ok(state.results.some((r) => r.stepId === 'windows-admin' && r.result === 'skipped'));
    assert.match(reason ?? '', /administrator rights on your PC/);
  });

  it('when the employee cannot do a step, then the walkthrough continues, and the escalation says the help desk will do those steps with them', () => {
    const only: Playbook = { ...mixed, steps: [step('a'), step('b')] };
    const state = start(only);
    assert.deepEqual(applyStepResult(state, only, 'cannot-do', true), { kind: 'step', index: 1, skipped: [] });
    const end = applyStepResult(state, only, 'not-fixed', true);
    assert.equal(end.kind, 'escalate');
    if (end.kind === 'escalate') assert.match(end.reason, /couldn't do some of the steps yourself/);
  });

  it('when the last step does not fix it, then the case is escalated with the "tried every step" reason', () => {
    const only: Playbook = { ...mixed, steps: [step('a'), step('b')] };
    const state = start(only, 1);
    const next = applyStepResult(state, only, 'not-fixed', true);
    assert.equal(next.kind, 'escalate');
    if (next.kind === 'escalate') assert.match(next.reason, /tried every step/);
  });

  it('when the step index is past the end, then the walkthrough escalates without recording anything', () => {
    const state = start(stale, stale.steps.length);
    assert.equal(applyStepResult(state, stale, 'fixed', true).kind, 'escalate');
    assert.deepEqual(state.results, []);
  });

  it('when any real playbook is walked on either desktop, then the employee sees exactly its employee steps for that desktop, in order, and never an IT step', () => {
    for (const playbook of allPlaybooks()) {
      for (const platform of ['windows', 'mac'] as const) {
        const { shown } = walk(playbook, true, platform);
        assert.deepEqual(
          shown,
          employeeSteps(playbook, platform).map((s) => s.id),
          `${playbook.causeId} on ${platform}`,
        );
        for (const id of shown) assert.ok(!itSteps(playbook, platform).some((s) => s.id === id), `${playbook.causeId}: showed IT step ${id}`);
      }
    }
  });

  it('when the playbooks are read, then every cause has at least one step for each desktop or an IT step for the help desk', () => {
    for (const causeId of CAUSE_IDS) {
      const playbook = getPlaybook(causeId);
      for (const platform of ['windows', 'mac'] as const) assert.ok(employeeSteps(playbook, platform).length + itSteps(playbook, platform).length > 0, `${causeId} on ${platform}`);
    }
  });
});

describe('fix walkthrough: checks triage already made', () => {
  it('when the employee already said whether OneDrive works on the web, then the web check step is skipped', () => {
    const playbook = getPlaybook('network-blocked');
    assert.equal(playbook.steps[0]!.skipWhenAnswered, 'web-works');
    assert.equal(nextShowableStep(playbook, 0, undefined, { 'web-works': 'yes' }).index, 1);
    assert.equal(nextShowableStep(playbook, 0, undefined, {}).index, 0);
  });
});
