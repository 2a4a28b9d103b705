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
export type WalkthroughNext =
  | { kind: 'step'; index: number; skipped: FixStep[] }
  | { kind: 'resolved' }
  | { kind: 'escalate'; reason: string; skipped: FixStep[] };

/**
 * The first step to show at or after `from`, skipping steps that need local admin rights when the
 * employee said they have none (they are recorded as skipped, for IT).
 */
export function nextShowableStep(playbook: Playbook, from: number, hasAdminRights: boolean | undefined, answers: Answers = {}): { index: number; skipped: FixStep[] } {
  const skipped: FixStep[] = [];
  let index = from;
  for (; index < playbook.steps.length; index++) {
    const step = playbook.steps[index]!;
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
export function applyStepResult(state: WalkthroughState, playbook: Playbook, result: FixResultValue, hasAdminRights: boolean | undefined, answers: Answers = {}): WalkthroughNext {
  const step = playbook.steps[state.index];
  if (!step) return { kind: 'escalate', reason: 'There are no more steps to try.', skipped: [] };
  state.results.push({ stepId: step.id, result });
  if (result === 'fixed') return { kind: 'resolved' };
  const next = nextShowableStep(playbook, state.index + 1, hasAdminRights, answers);
  for (const s of next.skipped) state.results.push({ stepId: s.id, result: 'skipped' });
  if (next.index >= playbook.steps.length) {
    const needsAdmin = state.results.some((r) => r.result === 'skipped');
    const couldNot = state.results.some((r) => r.result === 'cannot-do');
    return {
      kind: 'escalate',
      reason: needsAdmin
        ? 'Some steps need administrator rights on your PC, so the help desk will do them with you.'
        : couldNot
          ? "You couldn't do some of the steps yourself, so the help desk will do them with you."
          : "We've tried every step I know for this cause and it is still broken, so a person will take over.",
      skipped: next.skipped,
    };
  }
  state.index = next.index;
  return { kind: 'step', index: next.index, skipped: next.skipped };
}
