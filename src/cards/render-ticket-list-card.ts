import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/ticket-list.json';
import type { TicketListCardModel } from './view-models';

/** How many tickets the list shows; Teams caps a card at about 28 KB. */
export const TICKET_LIST_SHOWN = 25;
/** Longer cause titles are cut to keep each ticket to a compact line. */
export const TICKET_LIST_CAUSE_LENGTH = 48;

/** Cuts `text` to at most `max` characters, at a word boundary when one is near, with "…". */
function shorten(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space >= max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The `tickets` command in the help desk channel: one compact container per ticket
 * ("HD-000012 · Waiting for an agent · 2 h" over "Alex Wilber · cause · assignee or Nobody
 * yet"), each selectable (`Action.Execute`, `ticket.refresh` with `ticketId`: the bot answers
 * with that ticket's agent card). Shows `emptyText` when there are none.
 */
export function renderTicketListCard(model: TicketListCardModel): AdaptiveCard {
  const shown = model.tickets.slice(0, TICKET_LIST_SHOWN);
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
        ticket.requesterName,
        shorten(ticket.causeTitle, TICKET_LIST_CAUSE_LENGTH),
        ticket.assigneeName?.trim() || 'Nobody yet',
      ].join(' · '),
    })),
    hasMore: hidden > 0,
    moreText: `…and ${hidden} more not shown.`,
  });
}
