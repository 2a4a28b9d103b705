import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/ticket.json';
import type { TicketCardModel } from './view-models';

/** How many history entries the card shows (newest first). */
export const TICKET_HISTORY_SHOWN = 5;

function stars(rating: number): string {
  const value = Math.min(5, Math.max(1, Math.round(rating)));
  return `${'★'.repeat(value)}${'☆'.repeat(5 - value)} (${value} of 5)`;
}

/**
 * The employee's view of a ticket. Every action carries `ticketId`: "Refresh status"
 * (`ticket.status`), "Add details" (a ShowCard whose "Send" is `ticket.details` with input
 * `text`) and, when allowed, "Withdraw" (`ticket.withdraw`).
 */
export function renderTicketCard(model: TicketCardModel): AdaptiveCard {
  const facts: Array<{ title: string; value: string }> = [
    { title: 'Status', value: model.statusLabel },
    { title: 'Cause', value: model.causeTitle },
    { title: 'Opened', value: model.createdAt },
    { title: 'Updated', value: model.updatedAt },
  ];
  const assignee = model.assignee?.trim() ?? '';
  if (assignee) facts.push({ title: 'Assigned to', value: assignee });
  if (typeof model.rating === 'number' && Number.isFinite(model.rating)) {
    facts.push({ title: 'Your rating', value: stars(model.rating) });
  }
  const summary = model.summary.trim();
  const history = model.history.slice(-TICKET_HISTORY_SHOWN).reverse();
  return renderTemplate(template, {
    ticketId: model.ticketId,
    facts,
    hasSummary: summary.length > 0,
    summary,
    hasStepsTried: model.stepsTried.length > 0,
    stepsTried: model.stepsTried.map((step) => ({ line: `${step.title}: ${step.outcome}` })),
    hasHistory: history.length > 0,
    historyHeading: model.history.length > history.length ? 'Latest updates' : 'Updates',
    history: history.map(({ when, text }) => ({ when, text })),
    canWithdraw: model.canWithdraw,
    canAddDetails: model.canAddDetails ?? true,
  });
}
