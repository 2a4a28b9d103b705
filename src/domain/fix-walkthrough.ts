import type { Platform } from './platform';
import type { CauseId } from './causes';
import type { FixStep, Playbook } from './playbook';
import type { Answers } from './questions';

/** Outcome of one fix step (contract §3 `fix.result`). */
export type FixResultValue = 'fixed' | 'not-fixed' | 'cannot-do';

/** Where the walkthrough stands: which step is shown and what happened to the earlier ones. */
export interface WalkthroughState {
  causeId: CauseId;
  /** Index of the step on screen. */
  index: number;
  results: Array<{ stepId: string; result: FixResultValue | 'skipped' }>;
}

/** What to do after an outcome. */
export type WalkthroughNext = { kind: 'step'; index: number; skipped: FixStep[] } | { kind: 'resolved' } | { kind: 'escalate'; reason: string; skipped: FixStep[] };

/** True when the step is written for this desktop (or for any). */
export function suitsPlatform(step: FixStep, platform: Platform): boolean {
  return !step.platform || step.platform === platform;
}

/** The steps IT does for this cause on this desktop: they go into the ticket and the agent's card, never to the employee. */
export function itSteps(playbook: Playbook, platform: Platform = 'windows'): FixStep[] {
  return playbook.steps.filter((step) => step.audience === 'needs-admin' && suitsPlatform(step, platform));
}

/** The steps an employee on this desktop may be shown, in order. */
export function employeeSteps(playbook: Playbook, platform: Platform = 'windows'): FixStep[] {
  return playbook.steps.filter((step) => step.audience === 'self-service' && suitsPlatform(step, platform));
}

/**
 * The first step to show at or after `from`. Steps for another desktop are passed over; steps for
 * IT, and steps that need local admin rights when the employee said they have none, are recorded
 * as skipped so the help desk sees them.
 */
export function nextShowableStep(
  playbook: Playbook,
  from: number,
  hasAdminRights: boolean | undefined,
  answers: Answers = {},
  platform: Platform = 'windows',
): { index: number; skipped: FixStep[] } {
  const skipped: FixStep[] = [];
  let index = from;
  for (; index < playbook.steps.length; index++) {
    const step = playbook.steps[index]!;
    if (!suitsPlatform(step, platform)) continue;
    if (step.audience === 'needs-admin') {
      skipped.push(step);
      continue;
    }
    if (step.skipWhenAnswered && answers[step.skipWhenAnswered] !== undefined) continue; // already known from triage: not worth a card
    if (hasAdminRights === false && step.needsLocalAdmin) {
      skipped.push(step);
      continue;
    }
    break;
  }
  return { index, skipped };
}

/**
 * Applies an outcome to the step on screen. "Fixed" ends the walkthrough; "still broken" and
 * "I can't do this" move to the next step; past the last step the case goes to a person.
 */
export function applyStepResult(
  state: WalkthroughState,
  playbook: Playbook,
  result: FixResultValue,
  hasAdminRights: boolean | undefined,
  answers: Answers = {},
  platform: Platform = 'windows',
): WalkthroughNext {
  const step = playbook.steps[state.index];
  if (!step) return { kind: 'escalate', reason: 'There are no more steps to try.', skipped: [] };
  state.results.push({ stepId: step.id, result });
  if (result === 'fixed') return { kind: 'resolved' };
  const next = nextShowableStep(playbook, state.index + 1, hasAdminRights, answers, platform);
  for (const s of next.skipped) state.results.push({ stepId: s.id, result: 'skipped' });
  if (next.index >= playbook.steps.length) {
    const skippedSteps = state.results.filter((r) => r.result === 'skipped').map((r) => playbook.steps.find((s) => s.id === r.stepId));
    const forIt = skippedSteps.some((s) => s?.audience === 'needs-admin');
    const needsAdmin = skippedSteps.some((s) => s?.audience === 'self-service');
    const couldNot = state.results.some((r) => r.result === 'cannot-do');
    return {
      kind: 'escalate',
      reason: needsAdmin
        ? 'Some steps need administrator rights on your PC, so the help desk will do them with you.'
        : forIt
          ? 'The remaining steps are for IT, so the help desk will take it from here with everything you tried.'
          : couldNot
            ? "You couldn't do some of the steps yourself, so the help desk will do them with you."
            : "We've tried every step I know for this cause and it is still broken, so a person will take over.",
      skipped: next.skipped,
    };
  }
  state.index = next.index;
  return { kind: 'step', index: next.index, skipped: next.skipped };
}
