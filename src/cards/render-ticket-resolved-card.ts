import { messages } from '../content/knowledge';
import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/ticket-resolved.json';
import { CARD_BUDGET_BYTES, fitToBudget, halveTo } from './card-budget';
import { plainLine, plainText, TEXT_LIMITS } from './plain-text';
import type { TicketResolvedCardModel } from './view-models';

function render(model: TicketResolvedCardModel, noteLength: number): AdaptiveCard {
  const note = plainText(model.note, noteLength);
  const m = messages(model.locale);
  const agentName = plainLine(model.agentName, TEXT_LIMITS.name) || m.text('notify.default-agent-name');
  return renderTemplate(template, {
    ticketId: model.ticketId,
    causeText: m.text('cards.ticket-resolved.cause', { title: plainLine(model.causeTitle, TEXT_LIMITS.title) }),
    resolvedBy: m.text(note ? 'cards.ticket-resolved.resolved-by-with-note' : 'cards.ticket-resolved.resolved-by', { agent: agentName }),
    hasNote: note.length > 0,
    note,
  });
}

/**
 * Tells the employee an agent resolved their ticket, with the agent's note (plain text), and
 * asks for a rating: an optional `comment` input, five buttons "★ 1" … "★ 5" (`ticket.rate`
 * with `ticketId` and `rating` as a number) and "It's not fixed" (`ticket.not-fixed` with
 * `ticketId`: the employee reopens their own ticket, no inputs). Stays within `maxBytes`.
 */
export function renderTicketResolvedCard(model: TicketResolvedCardModel, maxBytes: number = CARD_BUDGET_BYTES): AdaptiveCard {
  return fitToBudget<number>(TEXT_LIMITS.note, (noteLength) => render(model, noteLength), [halveTo(120)], maxBytes);
}
