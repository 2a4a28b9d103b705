import type { CauseId } from './causes';
import type { Person, Ticket } from './tickets';

/** What happened to a ticket; the hand-off side turns each into channel posts and notifications. */
export type TicketChange =
  | { kind: 'created' }
  | { kind: 'claimed'; actor: Person }
  | { kind: 'transferred'; actor: Person; to: Person; note?: string }
  | { kind: 'agent-replied'; actor: Person; text: string }
  | { kind: 'asked-info'; actor: Person; text: string }
  | { kind: 'fix-sent'; actor: Person; causeId: CauseId }
  | { kind: 'resolved'; actor: Person; note?: string }
  | { kind: 'reopened'; actor: Person; byEmployee: boolean }
  | { kind: 'employee-replied'; actor: Person; text: string }
  | { kind: 'details-added'; actor: Person; text: string }
  | { kind: 'withdrawn'; actor: Person }
  | { kind: 'rated'; actor: Person; rating: number; comment?: string };

/** The port the bot calls after saving a ticket change. */
export interface TicketEvents {
  ticketChanged(ticket: Ticket, change: TicketChange): Promise<void>;
}
