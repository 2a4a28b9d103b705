/**
 * The fix playbooks, one per cause (docs/contract.md §1). Their words live in
 * content/<locale>/causes/<causeId>.yaml; this module only looks them up.
 */
import { knowledge } from '../content/knowledge';
import { CAUSE_IDS, type CauseId } from './causes';
import type { FixStep, Playbook } from './playbook';

/** The playbook for a cause in `locale` (English by default); falls back to `unknown` for ids that slipped past validation. */
export function getPlaybook(causeId: CauseId, locale?: string): Playbook {
  const playbooks = knowledge(locale).playbooks;
  return playbooks[causeId] ?? playbooks.unknown;
}

/** Every playbook, in the contract's cause order. */
export function allPlaybooks(locale?: string): Playbook[] {
  return CAUSE_IDS.map((causeId) => getPlaybook(causeId, locale));
}

/** Finds one step of a cause's playbook by its id, with its position (0-based). */
export function findStep(causeId: CauseId, stepId: string, locale?: string): { step: FixStep; index: number } | undefined {
  const playbook = knowledge(locale).playbooks[causeId];
  if (!playbook) return undefined;
  const index = playbook.steps.findIndex((step) => step.id === stepId);
  if (index < 0) return undefined;
  const step = playbook.steps[index];
  return step ? { step, index } : undefined;
}
