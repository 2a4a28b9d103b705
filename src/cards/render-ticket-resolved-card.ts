import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/ticket-resolved.json';
import type { TicketResolvedCardModel } from './view-models';

/**
 * Tells the employee an agent resolved their ticket, with the agent's note, and asks for a
 * rating: an optional `comment` input, five buttons "★ 1" … "★ 5" (`ticket.rate` with
 * `ticketId` and `rating` as a number) and "It's not fixed" (`ticket.not-fixed` with `ticketId`: the employee reopens their own ticket,
 * no inputs).
 */
export function renderTicketResolvedCard(model: TicketResolvedCardModel): AdaptiveCard {
  const note = model.note?.trim() ?? '';
  const agentName = model.agentName.trim() || 'The help desk';
  return renderTemplate(template, {
    ticketId: model.ticketId,
    causeText: `Cause: ${model.causeTitle}`,
    resolvedBy: note ? `${agentName} resolved it:` : `${agentName} resolved it.`,
    hasNote: note.length > 0,
    note,
  });
}
