import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/welcome.json';
import type { WelcomeCardModel } from './view-models';

/** Greeting card: what the bot does, a few example messages, "start" and "help" buttons. */
export function renderWelcomeCard(model: WelcomeCardModel): AdaptiveCard {
  const userName = model.userName?.trim() ?? '';
  return renderTemplate(template, {
    hasUserName: userName.length > 0,
    userName,
    hasExamples: model.examples.length > 0,
    examples: model.examples.map((text) => ({ text })),
  });
}
