import { messages } from '../content/knowledge';
import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/welcome.json';
import { CARD_BUDGET_BYTES, shrinkCard } from './card-budget';
import { plainLine, TEXT_LIMITS } from './plain-text';
import type { WelcomeCardModel } from './view-models';

/** Greeting card: what the bot does, a few example messages, "start" and "help" buttons. The name (from Teams) is plain text. */
export function renderWelcomeCard(model: WelcomeCardModel): AdaptiveCard {
  const userName = plainLine(model.userName, TEXT_LIMITS.name);
  const card = renderTemplate(template, {
    hasUserName: userName.length > 0,
    greeting: messages(model.locale).text('cards.welcome.greeting', { name: userName }),
    hasExamples: model.examples.length > 0,
    examples: model.examples.map((text) => ({ text })),
  });
  return shrinkCard(card, CARD_BUDGET_BYTES);
}
