import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/fix-start.json';

/** The "Start the steps" card that follows an agent's "send fix steps" in the employee's chat. */
export interface FixStartCardModel {
  /** A cause id of the contract (the agent desk checked it). */
  causeId: string;
}

/** One button, `fix.start` with the cause: the employee starts the walkthrough when ready. */
export function renderFixStartCard(model: FixStartCardModel): AdaptiveCard {
  return renderTemplate(template, { causeId: model.causeId });
}
