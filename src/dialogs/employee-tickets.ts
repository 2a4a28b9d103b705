import { TurnContext } from 'botbuilder';
import { renderTicketCard, type AdaptiveCard } from '../cards';
import type { CaseFile } from '../domain/case-file';
import { isCauseId, type CauseId } from '../domain/causes';
import { addDetails, employeeMessage, isLiveHandoff, type Transition } from '../domain/handoff';
import { incidentSignature } from '../domain/incidents';
import { getPlaybook } from '../domain/playbooks';
import { retryOnConflict } from '../domain/retry-on-conflict';
import type { TicketChange } from '../domain/ticket-events';
import { draftTicket, isOpen, OpenTicketExistsError, type Person, type Ticket } from '../domain/tickets';
import type { EmployeeDeps, EmployeeTurn } from './employee-turn';
import { endFlow } from './flows';
import { caseEvidence, eventLines, presentTicket } from './present';

/** Tells the hand-off side about a saved change; a failure there is logged, never shown as the employee's problem. */
async function emit(deps: EmployeeDeps, ticket: Ticket, change: TicketChange): Promise<void> {
  await deps.events
    ?.ticketChanged(ticket, change)
    .catch((error: Error) => deps.log.error({ err: error.message, ticketId: ticket.id, change: change.kind }, 'ticket event hook failed'));
}

/** "Open a ticket": one open ticket per employee; the ticket and its channel card are stored before any reply. */
export async function createTicket(turn: EmployeeTurn, deps: EmployeeDeps, requestedCause: string | undefined, details: string | undefined): Promise<void> {
  const file = turn.caseFile;
  const requester = turn.requester;
  // One open ticket per employee: this case's, or one opened before "start over" or from an older card.
  let existing: Ticket | undefined;
  try {
    existing = await openTicketOf(deps, file, requester);
  } catch (error) {
    deps.log.error({ err: (error as Error).message }, 'ticket read failed');
    await turn.notice(turn.text('tickets.open-read-failed.title'), turn.text('tickets.open-read-failed.text'), 'attention');
    return;
  }
  if (existing) {
    await showExistingTicket(turn, deps, existing, details);
    return;
  }
  const causeId: CauseId = isCauseId(requestedCause) ? requestedCause : (file.diagnosis?.leading ?? 'unknown');
  const analysis = caseEvidence(file, turn.now);
  if (file.lookup?.ok) requester.upn = file.lookup.evidence.user.userPrincipalName ?? undefined;
  const draft = draftTicket({
    caseFile: file,
    requester,
    causeId,
    causeTitle: getPlaybook(causeId).title,
    evidence: file.diagnosis?.findings ?? [],
    keyEvents: eventLines(analysis, turn.timeZone),
    details,
    lookupNote: file.lookup && !file.lookup.ok ? `${file.lookup.failure.message} (${file.lookup.failure.adminDetail ?? file.lookup.failure.kind})` : undefined,
    requesterAddress: TurnContext.getConversationReference(turn.context.activity),
    incidentSignature: analysis ? incidentSignature(analysis.failedPolicies, analysis.oneDriveFailures[0]?.code) : undefined,
    now: turn.now,
  });
  const creation = deps.creation;
  let ticket: Ticket;
  try {
    // The ticket and its channel card (and webhook item) are stored before any reply, so a
    // failed reply or a crash from here on cannot leave a ticket the help desk never sees.
    ticket = await deps.tickets.create(draft, { deliveries: creation && ((t) => creation.deliveriesForNew(t)) });
  } catch (error) {
    if (error instanceof OpenTicketExistsError) {
      // Another turn (another instance, another card) opened one a moment ago.
      await showExistingTicket(turn, deps, error.existing, details);
      return;
    }
    deps.log.error({ err: (error as Error).message }, 'ticket could not be saved');
    await turn.notice(turn.text('tickets.open-save-failed.title'), turn.text('tickets.open-save-failed.text'), 'attention');
    return;
  }
  file.ticketId = ticket.id;
  endFlow(turn);
  deps.log.info({ ticketId: ticket.id, causeId }, 'ticket created');
  if (creation) {
    await creation.ticketCreated(ticket).catch((error: Error) => deps.log.error({ err: error.message, ticketId: ticket.id }, 'ticket created hook failed'));
  } else {
    await emit(deps, ticket, { kind: 'created' });
  }
  try {
    await turn.say(renderTicketCard(presentTicket(ticket, turn.timeZone, turn.locale)), turn.text('tickets.created-summary', { ticketId: ticket.id }));
  } catch (error) {
    // The ticket is saved and queued for the channel; pressing "Open a ticket" again shows it.
    deps.log.warn({ err: (error as Error).message, ticketId: ticket.id }, 'the ticket card could not be sent to the employee');
  }
}

/** The employee's open ticket: the one this case opened, else any open one of theirs. */
async function openTicketOf(deps: EmployeeDeps, file: CaseFile, requester: Person): Promise<Ticket | undefined> {
  if (file.ticketId) {
    const linked = await deps.tickets.get(file.ticketId);
    if (linked && isOpen(linked) && linked.requester.aadObjectId === requester.aadObjectId) return linked;
  }
  return deps.tickets.findOpenByRequester(requester.aadObjectId);
}

/**
 * "Open a ticket" while one is open shows that one. New details typed on the card are added
 * to it rather than dropped (the same text twice, from a double press, is added once).
 */
async function showExistingTicket(turn: EmployeeTurn, deps: EmployeeDeps, existing: Ticket, details: string | undefined): Promise<void> {
  turn.caseFile.ticketId = existing.id;
  let ticket = existing;
  let added = false;
  const text = details?.trim();
  if (text && existing.details?.trim() !== text && !existing.history.some((e) => e.note?.trim() === text)) {
    const me = turn.requester;
    try {
      const outcome = await retryOnConflict(3, async (attempt) => {
        const current = attempt === 0 ? existing : await deps.tickets.get(existing.id);
        if (!current || !isOpen(current)) return;
        // A copy: the transition changes the ticket it is given, and a failed save must not show unsaved details.
        const result = addDetails(structuredClone(current), me, text, turn.now);
        if (!result.ok) return;
        ticket = await deps.tickets.update(result.ticket);
        added = true;
        await emit(deps, ticket, { kind: 'details-added', actor: me, text });
      });
      void outcome;
    } catch (error) {
      deps.log.error({ err: (error as Error).message, ticketId: existing.id }, 'details could not be added');
    }
  }
  await turn.notice(turn.text('tickets.already-open.title'), turn.text(added ? 'tickets.already-open.added' : 'tickets.already-open.shown', { ticketId: ticket.id }));
  await turn.say(renderTicketCard(presentTicket(ticket, turn.timeZone, turn.locale)), turn.text('tickets.status-summary', { ticketId: ticket.id, status: ticket.status }));
}

async function loadOwnTicket(turn: EmployeeTurn, deps: EmployeeDeps, ticketId: string): Promise<Ticket | undefined> {
  let ticket: Ticket | undefined;
  try {
    ticket = await deps.tickets.get(ticketId);
  } catch (error) {
    deps.log.error({ err: (error as Error).message }, 'ticket read failed');
    await turn.notice(turn.text('tickets.read-failed.title'), turn.text('tickets.read-failed.text'), 'attention');
    return undefined;
  }
  if (!ticket || ticket.requester.aadObjectId !== turn.requester.aadObjectId) {
    await turn.notice(turn.text('tickets.not-found.title', { ticketId }), turn.text('tickets.not-found.text'), 'attention');
    return undefined;
  }
  return ticket;
}

/** `ticket.status` / `ticket.refresh` in the employee's chat: their own ticket's card. */
export async function showTicket(turn: EmployeeTurn, deps: EmployeeDeps, ticketId: string): Promise<AdaptiveCard | undefined> {
  const ticket = await loadOwnTicket(turn, deps, ticketId);
  if (!ticket) return undefined;
  const card = renderTicketCard(presentTicket(ticket, turn.timeZone, turn.locale));
  await turn.say(card, turn.text('tickets.status-summary', { ticketId: ticket.id, status: ticket.status }));
  return card;
}

/** Applies one of the employee's own ticket actions (rate, withdraw, add details, not fixed), retried on a lost race. */
export async function changeOwnTicket(
  turn: EmployeeTurn,
  deps: EmployeeDeps,
  ticketId: string,
  change: (t: Ticket, me: Person) => Transition,
  describe: (me: Person) => TicketChange,
): Promise<AdaptiveCard | undefined> {
  const me = turn.requester;
  try {
    const outcome = await retryOnConflict(3, async (): Promise<AdaptiveCard | undefined> => {
      const ticket = await loadOwnTicket(turn, deps, ticketId);
      if (!ticket) return undefined;
      const result = change(ticket, me);
      if (!result.ok) {
        await turn.notice(turn.text('tickets.change-refused-title', { ticketId: ticket.id }), result.reason);
        return undefined;
      }
      const saved = await deps.tickets.update(result.ticket);
      const card = renderTicketCard(presentTicket(saved, turn.timeZone, turn.locale));
      await turn.say(card, turn.text('tickets.updated-summary', { ticketId: saved.id }));
      await emit(deps, saved, describe(me));
      return card;
    });
    if (outcome.done) return outcome.value;
  } catch (error) {
    deps.log.error({ err: (error as Error).message }, 'ticket update failed');
    await turn.notice(turn.text('tickets.save-failed.title'), turn.text('tickets.save-failed.text'), 'attention');
    return undefined;
  }
  await turn.notice(turn.text('tickets.busy.title'), turn.text('tickets.busy.text'), 'attention');
  return undefined;
}

/** "my tickets": the open one first (a reopened one may be older than closed ones), then the newest closed ones. */
export async function showMyTickets(turn: EmployeeTurn, deps: EmployeeDeps): Promise<void> {
  const mine = await deps.tickets.listByRequester(turn.requester.aadObjectId);
  if (mine.length === 0) {
    await turn.notice(turn.text('tickets.none-yet.title'), turn.text('tickets.none-yet.text'));
    return;
  }
  const shown = [...mine.filter(isOpen), ...mine.filter((t) => !isOpen(t))].slice(0, 5);
  for (const ticket of shown)
    await turn.say(renderTicketCard(presentTicket(ticket, turn.timeZone, turn.locale)), turn.text('tickets.status-summary', { ticketId: ticket.id, status: ticket.status }));
}

/**
 * While a person has the employee's ticket, their messages go to that person, not to triage.
 * Returns true when the message was relayed.
 */
export async function relayToAgent(turn: EmployeeTurn, deps: EmployeeDeps, text: string): Promise<boolean> {
  const ticketId = turn.caseFile.ticketId;
  if (!ticketId) return false;
  const ticket = await deps.tickets.get(ticketId).catch(() => undefined);
  if (!ticket || !isLiveHandoff(ticket)) return false;
  const me = turn.requester;
  const outcome = await retryOnConflict(3, async (attempt): Promise<boolean> => {
    const current = attempt === 0 ? ticket : await deps.tickets.get(ticketId);
    if (!current) return false;
    const result = employeeMessage(current, me, text, turn.now);
    if (!result.ok) return false;
    const saved = await deps.tickets.update(result.ticket);
    await emit(deps, saved, { kind: 'employee-replied', actor: me, text });
    await turn.notice(
      turn.text('tickets.relayed.title', { name: saved.assignee?.name ?? turn.text('tickets.relayed.default-name') }),
      turn.text('tickets.relayed.text', { ticketId: saved.id }),
    );
    return true;
  });
  return outcome.done && outcome.value;
}
