import { messages } from '../content/knowledge';
import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import { CARD_BUDGET_BYTES, shrinkCard } from './card-budget';
import template from './templates/resolved.json';
import type { ResolvedCardModel } from './view-models';

/** "Glad that's fixed", how to check it holds, and five rating buttons (`triage.rate`, `rating` 1–5). */
export function renderResolvedCard(model: ResolvedCardModel): AdaptiveCard {
  const verify = model.verify.trim();
  const m = messages(model.locale);
  const card = renderTemplate(template, {
    causeId: model.causeId,
    heading: m.text('cards.resolved.heading'),
    causeText: m.text('cards.resolved.cause', { title: model.causeTitle }),
    hasVerify: verify.length > 0,
    verify,
  });
  // Only the bot's own words: no shrinking needed in practice, but every card keeps the budget.
  return shrinkCard(card, CARD_BUDGET_BYTES);
}
