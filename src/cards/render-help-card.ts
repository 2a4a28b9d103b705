import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import { CARD_BUDGET_BYTES, shrinkCard } from './card-budget';
import template from './templates/help.json';
import type { HelpCardModel } from './view-models';

/** The commands the bot understands, with a "Start" button. */
export function renderHelpCard(model: HelpCardModel): AdaptiveCard {
  const card = renderTemplate(template, {
    commands: model.commands.map(({ command, description }) => ({ command, description })),
  });
  // Only the bot's own words: no shrinking needed in practice, but every card keeps the budget.
  return shrinkCard(card, CARD_BUDGET_BYTES);
}
