import assert from 'node:assert/strict';
import { newCaseFile } from '../../src/domain/case-file';
import { claimTicket, employeeFacingHistory, replyOnTicket, resolveTicket, transferTicket } from '../../src/domain/handoff';
import { draftTicket, type Person, type Ticket } from '../../src/domain/tickets';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const LATER = new Date('2026-11-20T12:10:00.000Z');
const EMPLOYEE: Person = { aadObjectId: 'aad-employee', name: 'Avery Lindqvist', upn: 'avery@contoso.test' };
const KARI: Person = { aadObjectId: 'aad-kari', name: 'Kari Nordmann' };
const MEGAN: Person = { aadObjectId: 'aad-megan', name: 'Megan Bowen' };

function newTicket(): Ticket {
  const draft = draftTicket({
    caseFile: newCaseFile(NOW),
    requester: EMPLOYEE,
    causeId: 'stale-credentials',
    causeTitle: 'Saved sign-in details are out of date',
    evidence: [],
    keyEvents: [],
    details: 'OneDrive keeps asking for my password',
    now: NOW,
  });
  return { ...draft, id: 'HD-000001', number: 1, version: 1 };
}

function ok<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
  assert.ok(result.ok, JSON.stringify(result));
  return result as Extract<T, { ok: true }>;
}

describe('ticket history audience', () => {
  it('when an agent transfers with a note, then the transfer is public and the note is a separate internal entry', () => {
    const ticket = ok(claimTicket(newTicket(), KARI, NOW)).ticket;
    ok(transferTicket(ticket, KARI, MEGAN, 'She is a VIP, call her mobile 555-0100', LATER));
    const [transfer, note] = ticket.history.slice(-2);
    assert.deepEqual(transfer, { at: LATER.toISOString(), actor: KARI, action: 'transferred the ticket to Megan Bowen', note: undefined });
    assert.deepEqual(note, { at: LATER.toISOString(), actor: KARI, action: 'left a note for Megan Bowen', note: 'She is a VIP, call her mobile 555-0100', internal: true });
    assert.equal(ticket.assignee, MEGAN);
  });

  it('when an agent transfers without a note, then only the public transfer is recorded', () => {
    const ticket = ok(claimTicket(newTicket(), KARI, NOW)).ticket;
    const before = ticket.history.length;
    ok(transferTicket(ticket, KARI, MEGAN, '   ', LATER));
    assert.equal(ticket.history.length, before + 1);
    assert.equal(ticket.history.at(-1)?.internal, undefined);
  });

  it('when the employee-facing history is read, then internal entries are left out and everything else stays in order', () => {
    const ticket = ok(claimTicket(newTicket(), KARI, NOW)).ticket;
    ok(transferTicket(ticket, KARI, MEGAN, 'internal: check the VIP list', LATER));
    ok(replyOnTicket(ticket, MEGAN, 'I reset your sign-in, try again', LATER));
    ok(resolveTicket(ticket, MEGAN, 'Cleared the saved credentials', LATER));
    const shown = employeeFacingHistory(ticket);
    assert.deepEqual(
      shown.map((event) => [event.action, event.note]),
      [
        ['opened the ticket', 'OneDrive keeps asking for my password'],
        ['claimed the ticket', undefined],
        ['transferred the ticket to Megan Bowen', undefined],
        ['replied', 'I reset your sign-in, try again'],
        ['resolved the ticket', 'Cleared the saved credentials'],
      ],
    );
    assert.ok(!JSON.stringify(shown).includes('VIP'));
    assert.ok(JSON.stringify(ticket.history).includes('VIP'), 'the note is kept for agents');
  });

  it('when a ticket stored before internal notes existed has a note on its transfer, then the employee sees the transfer without it', () => {
    const ticket = newTicket();
    ticket.history.push({ at: LATER.toISOString(), actor: KARI, action: 'transferred the ticket to Megan Bowen', note: 'Going off shift, she is difficult' });
    const shown = employeeFacingHistory(ticket);
    assert.deepEqual(shown.at(-1), { at: LATER.toISOString(), actor: KARI, action: 'transferred the ticket to Megan Bowen', note: undefined });
    assert.equal(ticket.history.at(-1)?.note, 'Going off shift, she is difficult', 'the stored ticket is not changed');
  });
});
