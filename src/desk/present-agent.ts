import { AGENT_TRANSFER_CHOICES, plainLine, plainText, TEXT_LIMITS, type AgentTicketCardModel, type TicketListCardModel } from '../cards';
import { CAUSE_IDS } from '../domain/causes';
import { itSteps } from '../domain/fix-walkthrough';
import { getPlaybook } from '../domain/playbooks';
import { answerLabel, getQuestion, isQuestionId } from '../domain/questions';
import { isOpen, STATUS_LABELS, type Ticket } from '../domain/tickets';
import { formatWhen, historyText, resultLabel } from '../dialogs/present';

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
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id));
  return { shown: candidates.slice(0, AGENT_TRANSFER_CHOICES), notShown: Math.max(0, candidates.length - AGENT_TRANSFER_CHOICES) };
}

/**
 * The ticket as agents see it in the help desk channel: all of its history, internal notes
 * marked, and the whole transcript (the card shows the latest lines that fit). Untrusted text
 * is plain and bounded here; the card shortens further to stay within Teams' size limit.
 */
export function presentAgentTicket(ticket: Ticket, agents: Array<{ aadObjectId: string; name: string }>, timeZone?: string): AgentTicketCardModel {
  const requesterName = plainLine(ticket.requester.name, TEXT_LIMITS.name);
  const targets = transferTargets(agents, ticket.assignee?.aadObjectId);
  return {
    ticketId: ticket.id,
    status: ticket.status,
    statusLabel: AGENT_STATUS[ticket.status] ?? STATUS_LABELS[ticket.status],
    requesterName,
    requesterUpn: ticket.requester.upn ? plainLine(ticket.requester.upn, TEXT_LIMITS.name) : undefined,
    causeTitle: plainLine(ticket.causeTitle, TEXT_LIMITS.title),
    confidencePercent: ticket.confidence,
    openedAt: formatWhen(ticket.createdAt, timeZone),
    updatedAt: formatWhen(ticket.updatedAt, timeZone),
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
      when: formatWhen(l.at, timeZone),
      who: l.from === 'employee' ? requesterName : l.from === 'agent' ? 'Agent' : 'Bot',
      text: plainText(l.text, TEXT_LIMITS.line),
    })),
    history: ticket.history.map((h) => ({ when: formatWhen(h.at, timeZone), text: historyText(h), internal: h.internal === true })),
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
  };
}

/** Open tickets, oldest first, for the channel's `tickets` command. */
export function presentTicketList(tickets: Ticket[], now: Date): TicketListCardModel {
  return {
    title: `Open tickets (${tickets.length})`,
    tickets: tickets.map((t) => ({
      ticketId: t.id,
      status: t.status,
      statusLabel: AGENT_STATUS[t.status],
      age: age(now.getTime() - Date.parse(t.createdAt)),
      requesterName: plainLine(t.requester.name, TEXT_LIMITS.name),
      causeTitle: plainLine(t.causeTitle, TEXT_LIMITS.title),
      assigneeName: t.assignee ? plainLine(t.assignee.name, TEXT_LIMITS.name) : undefined,
    })),
    emptyText: 'No open tickets. Nice.',
  };
}

function age(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} d`;
}
