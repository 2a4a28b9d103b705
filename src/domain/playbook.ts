import type { CauseId } from './causes';
import type { QuestionId } from './question-ids';

/** Who can carry out a fix step. */
export type StepAudience = 'self-service' | 'needs-admin';

/** One fix step the employee (or IT) carries out. */
export interface FixStep {
  /** Stable within its playbook, kebab-case (e.g. `clear-credential-manager`). */
  readonly id: string;
  readonly title: string;
  /** Ordered instructions: exact menu paths and commands, one action per line. */
  readonly instructions: readonly string[];
  readonly audience: StepAudience;
  /** True when the step needs local administrator rights on the PC (elevated prompt). */
  readonly needsLocalAdmin?: boolean;
  /** Shown before the step, where doing it carelessly can hurt. */
  readonly warning?: string;
  /** How the employee can tell the step worked. */
  readonly check?: string;
  /** The only desktop the step is written for; unset means it suits Windows and Mac alike. */
  readonly platform?: 'windows' | 'mac';
  /** A check the triage already made: skipped when this question has an answer. */
  readonly skipWhenAnswered?: QuestionId;
}

/** Everything the bot knows about fixing one cause. */
export interface Playbook {
  readonly causeId: CauseId;
  /** Short name shown as the diagnosis title. */
  readonly title: string;
  /** Plain-language explanation: exactly two sentences. */
  readonly explanation: string;
  /** Evidence that points to this cause. */
  readonly evidenceFor: readonly string[];
  /** Evidence that rules it out. */
  readonly evidenceAgainst: readonly string[];
  /** Ordered fix steps: cheapest and safest first. */
  readonly steps: readonly FixStep[];
  /** Warnings shown with the diagnosis. */
  readonly warnings: readonly string[];
  /** How to verify the fix held. */
  readonly verify: string;
  /** When to stop and hand over to the help desk. */
  readonly escalateWhen: string;
}
