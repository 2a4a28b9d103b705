import type { CaseFile, StepOutcome, TranscriptLine } from './case-file';
import type { CauseId } from './causes';

/** Where a ticket is in its life. */
export type TicketStatus = 'new' | 'claimed' | 'waiting-on-employee' | 'resolved' | 'withdrawn';

/** Employee-facing words for each status. */
export const STATUS_LABELS: Readonly<Record<TicketStatus, string>> = {
  new: 'Waiting for an agent',
  claimed: 'An agent is working on it',
  'waiting-on-employee': 'Waiting for your reply',
  resolved: 'Resolved',
  withdrawn: 'Withdrawn',
};

/** A person the ticket mentions. */
export interface Person {
  aadObjectId: string;
  name: string;
  upn?: string;
}

/** One recorded change: who did what, when. */
export interface TicketEvent {
  at: string;
  actor: Person;
  action: string;
  note?: string;
}

/** An escalation ticket with everything the bot collected. */
export interface Ticket {
  id: string;
  number: number;
  status: TicketStatus;
  requester: Person;
  causeId: CauseId;
  causeTitle: string;
  confidence: number;
  /** Plain-language findings, for the agent. */
  evidence: string[];
  /** The sign-in events that mattered, already worded for people (no raw IPs). */
  keyEvents: string[];
  answers: Record<string, string>;
  stepsTried: StepOutcome[];
  transcript: TranscriptLine[];
  details?: string;
  lookupNote?: string;
  assignee?: Person;
  rating?: number;
  ratingComment?: string;
  history: TicketEvent[];
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: bumped on every write. */
  version: number;
  /** What this ticket shares with others in an incident (failing policy or Entra code), if anything. */
  incidentSignature?: string;
  /** Opaque address of the employee's 1:1 chat, for notifications (a Bot Framework conversation reference). */
  requesterAddress?: unknown;
  /** Opaque address of the ticket's card / thread in the help desk channel. */
  channelAddress?: unknown;
}

/** What a new ticket is made from; the store assigns id, number and version. */
export type TicketDraft = Omit<Ticket, 'id' | 'number' | 'version'>;

/** Formats a ticket number as its public id (`HD-000042`). */
export function formatTicketId(number: number): string {
  return `HD-${String(number).padStart(6, '0')}`;
}

/** Parses `HD-000042` (any case, padding optional) back to 42; undefined when it is not a ticket id. */
export function parseTicketId(id: unknown): number | undefined {
  if (typeof id !== 'string') return undefined;
  const m = /^HD-(\d{1,9})$/i.exec(id.trim());
  return m ? Number(m[1]) : undefined;
}

/** Thrown by a store when a write lost a race (someone else changed the ticket first). */
export class TicketConflictError extends Error {
  constructor(readonly ticketId: string) {
    super(`Ticket ${ticketId} was changed by someone else.`);
    this.name = 'TicketConflictError';
  }
}

/** The port every ticket store implements (SQLite, Azure Table Storage). */
export interface TicketRepository {
  create(draft: TicketDraft): Promise<Ticket>;
  get(id: string): Promise<Ticket | undefined>;
  /** Writes `ticket` if its `version` still matches the stored one; returns the stored copy with the new version. */
  update(ticket: Ticket): Promise<Ticket>;
  listByRequester(aadObjectId: string): Promise<Ticket[]>;
  listOpen(): Promise<Ticket[]>;
}

/** Builds a ticket draft from the case file. */
export function draftTicket(input: {
  caseFile: CaseFile;
  requester: Person;
  causeId: CauseId;
  causeTitle: string;
  evidence: string[];
  keyEvents: string[];
  details?: string;
  lookupNote?: string;
  requesterAddress?: unknown;
  incidentSignature?: string;
  now: Date;
}): TicketDraft {
  const at = input.now.toISOString();
  const answers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.caseFile.answers)) if (v !== undefined) answers[k] = v;
  return {
    status: 'new',
    requester: input.requester,
    causeId: input.causeId,
    causeTitle: input.causeTitle,
    confidence: input.caseFile.diagnosis?.confidence ?? 0,
    evidence: input.evidence,
    keyEvents: input.keyEvents,
    answers,
    stepsTried: [...input.caseFile.steps],
    transcript: [...input.caseFile.transcript],
    details: input.details,
    lookupNote: input.lookupNote,
    history: [{ at, actor: input.requester, action: 'opened the ticket', note: input.details }],
    createdAt: at,
    updatedAt: at,
    requesterAddress: input.requesterAddress,
    incidentSignature: input.incidentSignature,
  };
}

/** True when the ticket still needs someone. */
export function isOpen(ticket: Ticket): boolean {
  return ticket.status !== 'resolved' && ticket.status !== 'withdrawn';
}
