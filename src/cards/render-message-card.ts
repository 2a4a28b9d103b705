import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/message.json';
import type { MessageCardModel } from './view-models';

const TONE_COLOR: Record<MessageCardModel['tone'], string> = {
  default: 'Default',
  attention: 'Attention',
  good: 'Good',
};

/** A simple notice or error: a title and a text, no actions. */
export function renderMessageCard(model: MessageCardModel): AdaptiveCard {
  const text = model.text.trim();
  return renderTemplate(template, {
    title: model.title,
    color: TONE_COLOR[model.tone] ?? 'Default',
    hasText: text.length > 0,
    text,
  });
}
