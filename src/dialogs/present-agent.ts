import type { AgentTicketCardModel, TicketListCardModel } from '../cards';
import { CAUSE_IDS } from '../domain/causes';
import { getPlaybook } from '../domain/playbooks';
import { answerLabel, isQuestionId, QUESTIONS } from '../domain/questions';
import { isOpen, STATUS_LABELS, type Ticket } from '../domain/tickets';
import { formatWhen, resultLabel } from './present';

/** Agent-facing status words (the employee's say "your"). */
const AGENT_STATUS: Record<Ticket['status'], string> = {
  new: 'New: nobody has it yet',
  claimed: 'Claimed',
  'waiting-on-employee': 'Waiting on the employee',
  resolved: 'Resolved',
  withdrawn: 'Withdrawn by the employee',
};

/** The ticket as agents see it in the help desk channel. */
export function presentAgentTicket(ticket: Ticket, agents: Array<{ aadObjectId: string; name: string }>, timeZone?: string): AgentTicketCardModel {
  return {
    ticketId: ticket.id,
    status: ticket.status,
    statusLabel: AGENT_STATUS[ticket.status] ?? STATUS_LABELS[ticket.status],
    requesterName: ticket.requester.name,
    requesterUpn: ticket.requester.upn,
    causeTitle: ticket.causeTitle,
    confidencePercent: ticket.confidence,
    openedAt: formatWhen(ticket.createdAt, timeZone),
    updatedAt: formatWhen(ticket.updatedAt, timeZone),
    assigneeName: ticket.assignee?.name,
    evidence: ticket.evidence,
    keyEvents: ticket.keyEvents,
    answers: Object.entries(ticket.answers).map(([q, a]) => ({ question: isQuestionId(q) ? QUESTIONS[q].text : q, answer: isQuestionId(q) ? answerLabel(q, a) : a })),
    stepsTried: ticket.stepsTried.map((s) => ({ title: s.title, outcome: resultLabel(s.result) })),
    details: ticket.details,
    lookupNote: ticket.lookupNote,
    transcript: ticket.transcript.slice(-15).map((l) => ({ when: formatWhen(l.at, timeZone), who: l.from === 'employee' ? ticket.requester.name : l.from === 'agent' ? 'Agent' : 'Bot', text: l.text })),
    history: ticket.history.map((h) => ({ when: formatWhen(h.at, timeZone), text: `${h.actor.name} ${h.action}${h.note ? `: ${h.note}` : ''}` })),
    agents: agents.filter((a) => a.aadObjectId !== ticket.assignee?.aadObjectId).map((a) => ({ id: a.aadObjectId, name: a.name })),
    causes: CAUSE_IDS.filter((c) => c !== 'unknown').map((c) => ({ id: c, title: getPlaybook(c).title })),
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
      requesterName: t.requester.name,
      causeTitle: t.causeTitle,
      assigneeName: t.assignee?.name,
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
