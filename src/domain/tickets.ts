import type { CaseFile, StepOutcome, TranscriptLine } from './case-file';
import type { CauseId } from './causes';
import type { OutboxKind } from './outbox';

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
  /** Only agents see it (e.g. a transfer note): never shown to the employee. */
  internal?: boolean;
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

/**
 * Thrown by `TicketRepository.create` when the requester already has an open ticket: one
 * employee has at most one open ticket, and the store enforces it (also across instances).
 */
export class OpenTicketExistsError extends Error {
  constructor(readonly existing: Ticket) {
    super(`${existing.requester.aadObjectId} already has open ticket ${existing.id}.`);
    this.name = 'OpenTicketExistsError';
  }
}

/** A delivery written together with a new ticket (an outbox item, before any reply). */
export interface TicketDelivery {
  kind: OutboxKind;
  payload: Record<string, unknown>;
}

/** Options for `TicketRepository.create`. */
export interface CreateTicketOptions {
  /** The ticket's first deliveries, computed from the stored ticket (which has its id by then). */
  deliveries?: (ticket: Ticket) => TicketDelivery[];
  /** Epoch ms the deliveries are due at (default: now). */
  now?: number;
}

/** The port every ticket store implements (SQLite, Azure Table Storage). */
export interface TicketRepository {
  /**
   * Stores a new ticket and its first deliveries. SQLite writes both in one transaction; Azure
   * writes the ticket first, then the items (the ticket sweeper re-queues a missing channel
   * card). Throws OpenTicketExistsError when `draft` is open and its requester already has an
   * open ticket; nothing is written then.
   */
  create(draft: TicketDraft, options?: CreateTicketOptions): Promise<Ticket>;
  get(id: string): Promise<Ticket | undefined>;
  /** Writes `ticket` if its `version` still matches the stored one; returns the stored copy with the new version. */
  update(ticket: Ticket): Promise<Ticket>;
  listByRequester(aadObjectId: string): Promise<Ticket[]>;
  /** The requester's open ticket (the newest, should there be more after a reopen), if any. */
  findOpenByRequester(aadObjectId: string): Promise<Ticket | undefined>;
  listOpen(): Promise<Ticket[]>;
  /**
   * Retention: deletes resolved and withdrawn tickets last updated before `cutoff` (with their
   * transcripts, the settings that link a channel thread to them, and delivered outbox items
   * older than `cutoff` where the store keeps those). Returns the ids of the purged tickets.
   */
  purgeClosedBefore(cutoff: Date): Promise<string[]>;
}

/** Settings key of the link from a channel thread (its conversation id) to its ticket. */
export function threadLinkKey(threadConversationId: string): string {
  return `thread:${threadConversationId.trim()}`;
}

/** Settings key of the in-flight marker of a ticket's channel card post (see src/delivery/deliveries.ts); purged with the ticket. */
export function channelPostMarkerKey(ticketId: string): string {
  return `channel-post:${ticketId}`;
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
export function isOpen(ticket: Pick<Ticket, 'status'>): boolean {
  return ticket.status !== 'resolved' && ticket.status !== 'withdrawn';
}
