import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/incident.json';
import { CARD_BUDGET_BYTES, fitToBudget, stepDown, type Shrinker } from './card-budget';
import { moreText, part, type Fact } from './card-parts';
import { plainLine, TEXT_LIMITS } from './plain-text';
import type { IncidentCardModel } from './view-models';

/** How many "Open HD-…" buttons the incident card offers (Teams shows about six actions). */
export const INCIDENT_OPEN_ACTIONS = 5;
/** How many linked tickets, and how many other affected employees, the card lists when they fit. */
export const INCIDENT_LIST_SHOWN = 50;

const TICKET_ID = /^HD-\d{1,9}$/;

function reportsText(count: number, windowMinutes: number): string {
  const minutes = Math.max(0, Math.round(windowMinutes));
  return `${count} in the last ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

interface Limits {
  ticketsShown: number;
  employeesShown: number;
}

const SHRINKERS: ReadonlyArray<Shrinker<Limits>> = [stepDown('employeesShown', [25, 10, 5, 1]), stepDown('ticketsShown', [25, 10, 5, 1])];

function render(model: IncidentCardModel, limits: Limits): AdaptiveCard {
  const summary = model.summary.trim();
  const allEmployees = model.employees.map((name) => plainLine(name, TEXT_LIMITS.name)).filter((name) => name.length > 0);
  const employees = allEmployees.slice(0, limits.employeesShown);
  const tickets = model.tickets.slice(0, limits.ticketsShown);
  const facts: Fact[] = [
    { title: 'Cause', value: plainLine(model.causeTitle, TEXT_LIMITS.title) },
    { title: 'Shared signal', value: plainLine(model.signature, TEXT_LIMITS.title) },
    { title: 'Reports', value: reportsText(model.count, model.windowMinutes) },
  ];
  const card = renderTemplate(template, {
    title: model.title,
    hasSummary: summary.length > 0,
    summary,
    facts,
    hasTickets: tickets.length > 0,
    tickets: tickets.map(({ ticketId, requesterName, when }) => ({
      line: `${plainLine(ticketId, 20)} · ${plainLine(requesterName, TEXT_LIMITS.name)} · ${plainLine(when, TEXT_LIMITS.name)}`,
    })),
    ...part('moreTickets', moreText(model.tickets.length - tickets.length, 'more tickets')),
    hasEmployees: employees.length > 0,
    employees: employees.map((name) => ({ name })),
    ...part('moreEmployees', moreText(allEmployees.length - employees.length, 'more people')),
    openActions: model.tickets
      .map(({ ticketId }) => ticketId)
      .filter((ticketId) => TICKET_ID.test(ticketId))
      .slice(0, INCIDENT_OPEN_ACTIONS)
      .map((ticketId) => ({ ticketId })),
  });
  // An empty `$data` array leaves `"actions": []`, which some hosts reject: drop it.
  if (Array.isArray(card.actions) && card.actions.length === 0) delete card.actions;
  return card;
}

/**
 * A possible tenant-wide problem, for the help desk channel: the shared cause and signal, how
 * many reports in the window, the linked tickets and the affected employees without a ticket.
 * One "Open HD-…" button (`Action.Execute`, `ticket.refresh` with `ticketId` and `as:
 * "reply"`) per linked ticket, for the first few; the bot posts that ticket's agent card as a
 * new reply in the thread, and this shared card stays as it is. `title` and
 * `summary` are the bot's words; names and the signal (a policy name) are plain text. Long
 * lists are cut to what fits `maxBytes`, with "…and N more".
 */
export function renderIncidentCard(model: IncidentCardModel, maxBytes: number = CARD_BUDGET_BYTES): AdaptiveCard {
  return fitToBudget({ ticketsShown: INCIDENT_LIST_SHOWN, employeesShown: INCIDENT_LIST_SHOWN }, (limits) => render(model, limits), SHRINKERS, maxBytes);
}
