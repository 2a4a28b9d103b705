import type { CauseId } from './causes';
import { isOpen, type Person, type Ticket, type TicketEvent } from './tickets';

/**
 * Ticket transitions: pure functions that change a ticket in memory and record who did what.
 * The caller saves the result with the store's version check, so two agents racing for the
 * same ticket cannot both win.
 */

/** A transition either changed the ticket or was refused with a reason in plain words. */
export type Transition = { ok: true; ticket: Ticket; summary: string } | { ok: false; reason: string };

function record(ticket: Ticket, actor: Person, action: string, now: Date, note?: string, internal = false): void {
  const at = now.toISOString();
  ticket.history.push(internal ? { at, actor, action, note: note || undefined, internal: true } : { at, actor, action, note: note || undefined });
  ticket.updatedAt = at;
}

const TRANSFER_ACTION = 'transferred the ticket to ';

/**
 * The history the employee may see: internal entries (transfer notes, anything agents wrote
 * for each other) left out. Transfers recorded before notes were kept apart carry the note on
 * the transfer itself; that note is dropped too.
 */
export function employeeFacingHistory(ticket: Pick<Ticket, 'history'>): TicketEvent[] {
  return ticket.history
    .filter((event) => !event.internal)
    .map((event) => (event.action.startsWith(TRANSFER_ACTION) && event.note !== undefined ? { ...event, note: undefined } : event));
}

function closed(ticket: Ticket): Transition {
  return { ok: false, reason: `Ticket ${ticket.id} is ${ticket.status}. Reopen it first.` };
}

/** An agent takes the ticket. Refused when someone else already has it. */
export function claimTicket(ticket: Ticket, agent: Person, now: Date): Transition {
  if (!isOpen(ticket)) return closed(ticket);
  if (ticket.assignee?.aadObjectId === agent.aadObjectId) return { ok: false, reason: `You already have ticket ${ticket.id}.` };
  if (ticket.assignee) return { ok: false, reason: `${ticket.assignee.name} already has ticket ${ticket.id}. Ask them to transfer it to you.` };
  ticket.assignee = agent;
  ticket.status = 'claimed';
  record(ticket, agent, 'claimed the ticket', now);
  return { ok: true, ticket, summary: `${agent.name} claimed ${ticket.id}.` };
}

/**
 * Hands the ticket to another agent, with a note for them. Only the assignee (or anyone when
 * unassigned) may. The transfer itself is public; the note is a separate internal entry, so
 * the employee never sees what agents wrote for each other.
 */
export function transferTicket(ticket: Ticket, from: Person, to: Person, note: string | undefined, now: Date): Transition {
  if (!isOpen(ticket)) return closed(ticket);
  if (ticket.assignee && ticket.assignee.aadObjectId !== from.aadObjectId)
    return { ok: false, reason: `${ticket.assignee.name} has ticket ${ticket.id}; only they can transfer it.` };
  if (to.aadObjectId === from.aadObjectId) return { ok: false, reason: 'Pick another agent to transfer to.' };
  ticket.assignee = to;
  ticket.status = 'claimed';
  record(ticket, from, `${TRANSFER_ACTION}${to.name}`, now);
  if (note?.trim()) record(ticket, from, `left a note for ${to.name}`, now, note, true);
  return { ok: true, ticket, summary: `${from.name} transferred ${ticket.id} to ${to.name}.` };
}

/** An agent's message to the employee. Claims an unassigned ticket for the agent, since they are now talking to the employee. */
export function replyOnTicket(ticket: Ticket, agent: Person, text: string, now: Date, asksForInfo = false): Transition {
  if (!isOpen(ticket)) return closed(ticket);
  if (ticket.assignee && ticket.assignee.aadObjectId !== agent.aadObjectId)
    return { ok: false, reason: `${ticket.assignee.name} has ticket ${ticket.id}; claim or ask for a transfer before replying.` };
  if (!ticket.assignee) {
    ticket.assignee = agent;
    record(ticket, agent, 'claimed the ticket', now);
  }
  ticket.status = asksForInfo ? 'waiting-on-employee' : 'claimed';
  record(ticket, agent, asksForInfo ? 'asked for more information' : 'replied', now, text);
  ticket.transcript.push({ at: now.toISOString(), from: 'agent', text: `${agent.name}: ${text}` });
  return { ok: true, ticket, summary: `${agent.name} replied on ${ticket.id}.` };
}

/** The employee wrote while an agent has the ticket. */
export function employeeMessage(ticket: Ticket, employee: Person, text: string, now: Date): Transition {
  if (!isOpen(ticket)) return closed(ticket);
  if (ticket.status === 'waiting-on-employee') ticket.status = 'claimed';
  record(ticket, employee, 'replied', now, text);
  ticket.transcript.push({ at: now.toISOString(), from: 'employee', text });
  return { ok: true, ticket, summary: `${employee.name} replied on ${ticket.id}.` };
}

/** An agent sends a playbook (or one step of it) back to the bot's guided flow for the employee. */
export function sendFix(ticket: Ticket, agent: Person, causeId: CauseId, causeTitle: string, now: Date): Transition {
  if (!isOpen(ticket)) return closed(ticket);
  if (ticket.assignee && ticket.assignee.aadObjectId !== agent.aadObjectId) return { ok: false, reason: `${ticket.assignee.name} has ticket ${ticket.id}.` };
  ticket.assignee ??= agent;
  ticket.status = 'waiting-on-employee';
  record(ticket, agent, `sent the fix steps for "${causeTitle}"`, now);
  return { ok: true, ticket, summary: `${agent.name} sent fix steps on ${ticket.id}.` };
}

/** Resolves with a note; the employee is then asked for a rating. */
export function resolveTicket(ticket: Ticket, agent: Person, note: string | undefined, now: Date): Transition {
  if (!isOpen(ticket)) return closed(ticket);
  if (ticket.assignee && ticket.assignee.aadObjectId !== agent.aadObjectId)
    return { ok: false, reason: `${ticket.assignee.name} has ticket ${ticket.id}; only they can resolve it.` };
  ticket.assignee ??= agent;
  ticket.status = 'resolved';
  record(ticket, agent, 'resolved the ticket', now, note);
  return { ok: true, ticket, summary: `${agent.name} resolved ${ticket.id}.` };
}

/** Reopens a resolved or withdrawn ticket (an agent, or the employee who says it is not fixed). */
export function reopenTicket(ticket: Ticket, actor: Person, now: Date, note?: string): Transition {
  if (isOpen(ticket)) return { ok: false, reason: `Ticket ${ticket.id} is already open.` };
  ticket.status = ticket.assignee ? 'claimed' : 'new';
  ticket.rating = undefined;
  record(ticket, actor, 'reopened the ticket', now, note);
  return { ok: true, ticket, summary: `${actor.name} reopened ${ticket.id}.` };
}

/** The employee withdraws their ticket. */
export function withdrawTicket(ticket: Ticket, employee: Person, now: Date): Transition {
  if (!isOpen(ticket)) return { ok: false, reason: `Ticket ${ticket.id} is already ${ticket.status}.` };
  ticket.status = 'withdrawn';
  record(ticket, employee, 'withdrew the ticket', now);
  return { ok: true, ticket, summary: `${employee.name} withdrew ${ticket.id}.` };
}

/** The employee adds details to an open ticket. */
export function addDetails(ticket: Ticket, employee: Person, text: string, now: Date): Transition {
  if (!isOpen(ticket)) return { ok: false, reason: `Ticket ${ticket.id} is ${ticket.status}; open a new one if the problem is back.` };
  record(ticket, employee, 'added details', now, text);
  ticket.transcript.push({ at: now.toISOString(), from: 'employee', text });
  return { ok: true, ticket, summary: `${employee.name} added details to ${ticket.id}.` };
}

/** The employee rates a resolved ticket. */
export function rateTicket(ticket: Ticket, employee: Person, rating: number, comment: string | undefined, now: Date): Transition {
  if (ticket.status !== 'resolved') return { ok: false, reason: 'You can rate the ticket once it is resolved.' };
  ticket.rating = rating;
  ticket.ratingComment = comment;
  record(ticket, employee, `rated it ${rating}/5`, now, comment);
  return { ok: true, ticket, summary: `${employee.name} rated ${ticket.id} ${rating}/5.` };
}

/** True while a person is handling the ticket, so the employee's messages go to them instead of the bot. */
export function isLiveHandoff(ticket: Ticket): boolean {
  return ticket.status === 'claimed' || ticket.status === 'waiting-on-employee';
}
