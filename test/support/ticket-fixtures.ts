import { newCaseFile } from '../../src/domain/case-file';
import { draftTicket, type Person, type Ticket } from '../../src/domain/tickets';

/** The employee on the card tests' tickets. */
const AVERY: Person = { aadObjectId: 'aad-employee', name: 'Avery Lindqvist', upn: 'avery@contoso.test' };

/** A real stale-credentials ticket HD-000042 from Avery, opened at `now` and not yet claimed. */
export function openTicketAt(now: Date): Ticket {
  const draft = draftTicket({
    caseFile: newCaseFile(now),
    requester: AVERY,
    causeId: 'stale-credentials',
    causeTitle: 'Saved sign-in details are out of date',
    evidence: ['Password changed yesterday'],
    keyEvents: [],
    details: 'OneDrive keeps asking for my password',
    now,
  });
  return { ...draft, id: 'HD-000042', number: 42, version: 1 };
}
