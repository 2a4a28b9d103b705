import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/ticket.json';
import { latestHistory, part, stars, stepLines, trimmed, type Fact } from './card-parts';
import type { TicketCardModel } from './view-models';

/** How many history entries the card shows (newest first). */
export const TICKET_HISTORY_SHOWN = 5;

/**
 * The employee's view of a ticket. Every action carries `ticketId`: "Refresh status"
 * (`ticket.status`), "Add details" (a ShowCard whose "Send" is `ticket.details` with input
 * `text`) and, when allowed, "Withdraw" (`ticket.withdraw`).
 */
export function renderTicketCard(model: TicketCardModel): AdaptiveCard {
  const facts: Fact[] = [
    { title: 'Status', value: model.statusLabel },
    { title: 'Cause', value: model.causeTitle },
    { title: 'Opened', value: model.createdAt },
    { title: 'Updated', value: model.updatedAt },
  ];
  const assignee = trimmed(model.assignee);
  if (assignee) facts.push({ title: 'Assigned to', value: assignee });
  if (typeof model.rating === 'number' && Number.isFinite(model.rating)) {
    facts.push({ title: 'Your rating', value: stars(model.rating) });
  }
  return renderTemplate(template, {
    ticketId: model.ticketId,
    facts,
    ...part('summary', model.summary.trim()),
    ...part('stepsTried', stepLines(model.stepsTried)),
    ...part('history', latestHistory(model.history, TICKET_HISTORY_SHOWN)),
    historyHeading: model.history.length > TICKET_HISTORY_SHOWN ? 'Latest updates' : 'Updates',
    canWithdraw: model.canWithdraw,
    canAddDetails: model.canAddDetails ?? true,
  });
}
