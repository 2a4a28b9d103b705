import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/help.json';
import type { HelpCardModel } from './view-models';

/** The commands the bot understands, with a "Start" button. */
export function renderHelpCard(model: HelpCardModel): AdaptiveCard {
  return renderTemplate(template, {
    commands: model.commands.map(({ command, description }) => ({ command, description })),
  });
}
