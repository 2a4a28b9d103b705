import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import { CARD_BUDGET_BYTES, shrinkCard } from './card-budget';
import template from './templates/escalate.json';
import type { EscalateCardModel } from './view-models';

/**
 * Hand-over to the help desk: what will be sent, an optional "details" text input, and
 * "Open a ticket" (`ticket.create`) / "Start over" (`triage.restart`), both with `causeId`.
 */
export function renderEscalateCard(model: EscalateCardModel): AdaptiveCard {
  const reason = model.reason.trim();
  const card = renderTemplate(template, {
    causeId: model.causeId,
    causeTitle: model.causeTitle,
    hasReason: reason.length > 0,
    reason,
    hasSummary: model.summary.length > 0,
    summary: model.summary.map((text) => ({ text })),
  });
  // Only the bot's own words: no shrinking needed in practice, but every card keeps the budget.
  return shrinkCard(card, CARD_BUDGET_BYTES);
}
