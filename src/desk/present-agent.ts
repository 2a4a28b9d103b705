import { AGENT_TRANSFER_CHOICES, plainLine, plainText, TEXT_LIMITS, type AgentTicketCardModel, type TicketListCardModel } from '../cards';
import { AGENT_REFRESH_USERS, isTeamsUserId } from '../cards/render-agent-ticket-card';
import { CAUSE_IDS } from '../domain/causes';
import { itSteps } from '../domain/fix-walkthrough';
import { getPlaybook } from '../domain/playbooks';
import { answerLabel, getQuestion, isQuestionId } from '../domain/questions';
import { isOpen, STATUS_LABELS, type Ticket } from '../domain/tickets';
import { historyText, resultLabel } from '../dialogs/present';
import { sharedWhen } from './shared-time';

/** Agent-facing status words (the employee's say "your"). */
const AGENT_STATUS: Record<Ticket['status'], string> = {
  new: 'New: nobody has it yet',
  claimed: 'Claimed',
  'waiting-on-employee': 'Waiting on the employee',
  resolved: 'Resolved',
  withdrawn: 'Withdrawn by the employee',
};

/**
 * Transfer targets: everyone but the assignee, sorted by name, at most `AGENT_TRANSFER_CHOICES`
 * (a whole roster would not fit the card); `notShown` counts the rest.
 */
export function transferTargets(
  agents: ReadonlyArray<{ aadObjectId: string; name: string }>,
  assigneeId: string | undefined,
): { shown: Array<{ id: string; name: string }>; notShown: number } {
  const seen = new Set<string>();
  const candidates = agents
    .filter((a) => a.aadObjectId && a.aadObjectId !== assigneeId && !seen.has(a.aadObjectId) && seen.add(a.aadObjectId))
    .map((a) => ({ id: a.aadObjectId, name: plainLine(a.name, TEXT_LIMITS.name) || a.aadObjectId }))
    .sort(byName);
  return { shown: candidates.slice(0, AGENT_TRANSFER_CHOICES), notShown: Math.max(0, candidates.length - AGENT_TRANSFER_CHOICES) };
}

function byName(a: { name: string; id: string }, b: { name: string; id: string }): number {
  return a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id);
}

/**
 * Who gets the agent card's automatic refresh (`refresh.userIds`): the agents' Teams user MRIs
 * (the roster's member ids, not their Entra object ids: Teams matches `userIds` against the
 * viewer's MRI), the assignee first, then the rest by name, at most `AGENT_REFRESH_USERS`
 * (Teams' limit of 60). Agents known only by object id (the allow-list) have no MRI and are
 * left out; they still see the posted card, kept current by the outbox.
 */
export function refreshUserIds(agents: ReadonlyArray<{ aadObjectId: string; name: string; mri?: string }>, assigneeId: string | undefined): string[] {
  const known = agents.filter((a): a is { aadObjectId: string; name: string; mri: string } => isTeamsUserId(a.mri));
  const assignee = assigneeId ? known.find((a) => a.aadObjectId.toLowerCase() === assigneeId.toLowerCase()) : undefined;
  const ids = new Set<string>(assignee ? [assignee.mri] : []);
  for (const agent of known.map((a) => ({ id: a.mri, name: a.name })).sort(byName)) {
    if (ids.size >= AGENT_REFRESH_USERS) break;
    ids.add(agent.id);
  }
  return [...ids];
}

/**
 * The ticket as agents see it in the help desk channel: all of its history, internal notes
 * marked, and the whole transcript (the card shows the latest lines that fit). Untrusted text
 * is plain and bounded here; the card shortens further to stay within Teams' size limit.
 * Times are relative to `now` (pass the caller's Clock) and absolute in `timeZone`
 * (HELPDESK_TIME_ZONE; UTC when absent), never the viewer's zone: every agent sees the same card.
 */
export function presentAgentTicket(
  ticket: Ticket,
  agents: Array<{ aadObjectId: string; name: string; mri?: string }>,
  timeZone?: string,
  now: Date = new Date(),
): AgentTicketCardModel {
  const requesterName = plainLine(ticket.requester.name, TEXT_LIMITS.name);
  const targets = transferTargets(agents, ticket.assignee?.aadObjectId);
  const when = (iso: string): string => sharedWhen(iso, now, timeZone);
  return {
    ticketId: ticket.id,
    status: ticket.status,
    statusLabel: AGENT_STATUS[ticket.status] ?? STATUS_LABELS[ticket.status],
    requesterName,
    requesterUpn: ticket.requester.upn ? plainLine(ticket.requester.upn, TEXT_LIMITS.name) : undefined,
    causeTitle: plainLine(ticket.causeTitle, TEXT_LIMITS.title),
    confidencePercent: ticket.confidence,
    openedAt: when(ticket.createdAt),
    updatedAt: when(ticket.updatedAt),
    assigneeName: ticket.assignee ? plainLine(ticket.assignee.name, TEXT_LIMITS.name) : undefined,
    evidence: ticket.evidence.map((line) => plainLine(line, TEXT_LIMITS.line)),
    keyEvents: ticket.keyEvents.map((line) => plainLine(line, TEXT_LIMITS.line)),
    answers: Object.entries(ticket.answers).map(([q, a]) => ({
      question: isQuestionId(q) ? getQuestion(q).text : plainLine(q, TEXT_LIMITS.title),
      answer: isQuestionId(q) ? answerLabel(q, a) : plainLine(a, TEXT_LIMITS.line),
    })),
    stepsTried: ticket.stepsTried.map((s) => ({ title: plainLine(s.title, TEXT_LIMITS.title), outcome: resultLabel(s.result) })),
    details: ticket.details ? plainText(ticket.details, TEXT_LIMITS.note) : undefined,
    lookupNote: ticket.lookupNote ? plainText(ticket.lookupNote, TEXT_LIMITS.line) : undefined,
    transcript: ticket.transcript.map((l) => ({
      when: when(l.at),
      who: l.from === 'employee' ? requesterName : l.from === 'agent' ? 'Agent' : 'Bot',
      text: plainText(l.text, TEXT_LIMITS.line),
    })),
    history: ticket.history.map((h) => ({ when: when(h.at), text: historyText(h), internal: h.internal === true })),
    agents: targets.shown,
    agentsNotShown: targets.notShown,
    causes: CAUSE_IDS.filter((c) => c !== 'unknown').map((c) => ({ id: c, title: getPlaybook(c).title })),
    // What the agent needs and the employee never sees: the IT-only steps, and how to confirm the cause.
    itSteps: itSteps(getPlaybook(ticket.causeId)).map((step) => ({ title: step.title, detail: step.instructions.join(' ') })),
    causeChecks: [
      ...getPlaybook(ticket.causeId).evidenceFor.map((text) => ({ text, supports: true })),
      ...getPlaybook(ticket.causeId).evidenceAgainst.map((text) => ({ text, supports: false })),
    ],
    isOpen: isOpen(ticket),
    isClaimed: Boolean(ticket.assignee),
    rating: ticket.rating,
    refreshUserIds: refreshUserIds(agents, ticket.assignee?.aadObjectId),
  };
}

/** Open tickets, oldest first, for the channel's `tickets` command; when each was opened, as on the agent card. */
export function presentTicketList(tickets: Ticket[], now: Date, timeZone?: string): TicketListCardModel {
  return {
    title: `Open tickets (${tickets.length})`,
    tickets: tickets.map((t) => ({
      ticketId: t.id,
      status: t.status,
      statusLabel: AGENT_STATUS[t.status],
      age: sharedWhen(t.createdAt, now, timeZone),
      requesterName: plainLine(t.requester.name, TEXT_LIMITS.name),
      causeTitle: plainLine(t.causeTitle, TEXT_LIMITS.title),
      assigneeName: t.assignee ? plainLine(t.assignee.name, TEXT_LIMITS.name) : undefined,
    })),
    emptyText: 'No open tickets. Nice.',
  };
}
