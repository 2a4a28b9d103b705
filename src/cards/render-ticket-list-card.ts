import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/ticket-list.json';
import { CARD_BUDGET_BYTES, fitToBudget } from './card-budget';
import { plainLine, TEXT_LIMITS } from './plain-text';
import type { TicketListCardModel } from './view-models';

/** How many tickets the list shows at most; fewer when they would not fit Teams' size limit. */
export const TICKET_LIST_SHOWN = 25;
/** Longer cause titles are cut to keep each ticket to a compact line. */
export const TICKET_LIST_CAUSE_LENGTH = 48;

/** Cuts `text` to at most `max` characters, at a word boundary when one is near, with "…". */
function shorten(text: string, max: number): string {
  const trimmed = plainLine(text);
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space >= max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function render(model: TicketListCardModel, shownAtMost: number): AdaptiveCard {
  const shown = model.tickets.slice(0, shownAtMost);
  const hidden = model.tickets.length - shown.length;
  return renderTemplate(template, {
    title: model.title,
    hasTickets: shown.length > 0,
    emptyText: model.emptyText,
    tickets: shown.map((ticket) => ({
      ticketId: ticket.ticketId,
      headline: `${ticket.ticketId} · ${ticket.statusLabel} · ${ticket.age}`,
      color: ticket.status === 'new' ? 'Attention' : 'Default',
      detail: [
        plainLine(ticket.requesterName, TEXT_LIMITS.name),
        shorten(ticket.causeTitle, TICKET_LIST_CAUSE_LENGTH),
        plainLine(ticket.assigneeName, TEXT_LIMITS.name) || 'Nobody yet',
      ].join(' · '),
    })),
    hasMore: hidden > 0,
    moreText: `…and ${hidden} more not shown.`,
  });
}

/**
 * The `tickets` command in the help desk channel: one compact container per ticket
 * ("HD-000012 · Waiting for an agent · 2 h ago (…)" over "Alex Wilber · cause · assignee or
 * Nobody yet", the names as plain text), each selectable (`Action.Execute`, `ticket.refresh`
 * with `ticketId` and `as: "reply"`: the bot posts that ticket's agent card as a new reply in
 * the thread and leaves this shared list as it is). Shows `emptyText` when there are none, and
 * at most `TICKET_LIST_SHOWN` tickets, fewer if they would not fit `maxBytes`.
 */
export function renderTicketListCard(model: TicketListCardModel, maxBytes: number = CARD_BUDGET_BYTES): AdaptiveCard {
  return fitToBudget(TICKET_LIST_SHOWN, (shown) => render(model, shown), [(shown) => [20, 15, 10, 5, 1].filter((step) => step < shown)], maxBytes);
}
