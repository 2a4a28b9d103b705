import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/incident.json';
import type { IncidentCardModel } from './view-models';

/** How many "Open HD-…" buttons the incident card offers (Teams shows about six actions). */
export const INCIDENT_OPEN_ACTIONS = 5;

function reportsText(count: number, windowMinutes: number): string {
  const minutes = Math.max(0, Math.round(windowMinutes));
  return `${count} in the last ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

/**
 * A possible tenant-wide problem, for the help desk channel: the shared cause and signal, how
 * many reports in the window, the linked tickets and the affected employees without a ticket.
 * One "Open HD-…" button (`Action.Execute`, `ticket.refresh` with `ticketId`) per linked
 * ticket, for the first few; the bot answers with that ticket's agent card.
 */
export function renderIncidentCard(model: IncidentCardModel): AdaptiveCard {
  const summary = model.summary.trim();
  const employees = model.employees.map((name) => name.trim()).filter((name) => name.length > 0);
  const card = renderTemplate(template, {
    title: model.title,
    hasSummary: summary.length > 0,
    summary,
    causeTitle: model.causeTitle,
    signature: model.signature,
    reportsText: reportsText(model.count, model.windowMinutes),
    hasTickets: model.tickets.length > 0,
    tickets: model.tickets.map(({ ticketId, requesterName, when }) => ({ line: `${ticketId} · ${requesterName} · ${when}` })),
    hasEmployees: employees.length > 0,
    employees: employees.map((name) => ({ name })),
    openActions: model.tickets.slice(0, INCIDENT_OPEN_ACTIONS).map(({ ticketId }) => ({ ticketId })),
  });
  // An empty `$data` array leaves `"actions": []`, which some hosts reject: drop it.
  if (Array.isArray(card.actions) && card.actions.length === 0) delete card.actions;
  return card;
}
