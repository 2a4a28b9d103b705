import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/message.json';
import { CARD_BUDGET_BYTES, fitToBudget, halveTo } from './card-budget';
import { plainLine, plainText, TEXT_LIMITS } from './plain-text';
import type { MessageCardModel } from './view-models';

const TONE_COLOR: Record<MessageCardModel['tone'], string> = {
  default: 'Default',
  attention: 'Attention',
  good: 'Good',
};

function render(model: MessageCardModel, textLength: number): AdaptiveCard {
  const text = plainText(model.text, textLength);
  return renderTemplate(template, {
    title: plainLine(model.title, TEXT_LIMITS.title),
    color: TONE_COLOR[model.tone] ?? 'Default',
    hasText: text.length > 0,
    text,
  });
}

/**
 * A simple notice or error: a title and a text, no actions. Both are plain text (an agent's
 * reply or a name often is part of them) with their line breaks kept, and the text is cut to
 * what fits `maxBytes`.
 */
export function renderMessageCard(model: MessageCardModel, maxBytes: number = CARD_BUDGET_BYTES): AdaptiveCard {
  return fitToBudget<number>(TEXT_LIMITS.message, (textLength) => render(model, textLength), [halveTo(120)], maxBytes);
}
