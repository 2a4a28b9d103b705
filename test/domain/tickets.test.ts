import assert from 'node:assert/strict';
import { MAX_TRANSCRIPT_LINES, newCaseFile, recordLine, type CaseFile } from '../../src/domain/case-file';
import { draftTicket, formatTicketId, isOpen, parseTicketId, STATUS_LABELS, type Person, type Ticket, type TicketStatus } from '../../src/domain/tickets';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const LATER = new Date('2026-11-20T12:05:00.000Z');
const EMPLOYEE: Person = { aadObjectId: 'aad-employee-1', name: 'Avery Lindqvist', upn: 'avery@contoso.test' };

function caseWithHistory(): CaseFile {
  const file = newCaseFile(NOW);
  file.answers = { 'error-code': '0x8004de40', 'password-changed': 'yes', network: undefined };
  file.asked = ['password-changed'];
  file.diagnosis = { leading: 'stale-credentials', confidence: 87, clear: true, findings: ['+ password changed'], alternatives: [] };
  file.steps = [
    { causeId: 'stale-credentials', stepId: 'restart-onedrive', title: 'Restart OneDrive', result: 'not-fixed', at: NOW.toISOString() },
    { causeId: 'stale-credentials', stepId: 'clear-credential-manager', title: 'Clear saved credentials', result: 'cannot-do', at: LATER.toISOString() },
  ];
  recordLine(file, 'employee', 'OneDrive says 0x8004de40', NOW);
  recordLine(file, 'bot', 'Did you change your password?', NOW);
  return file;
}

describe('tickets', () => {
  describe('ticket ids', () => {
    it('when ticket 42 is formatted, then its id is HD-000042', () => {
      assert.equal(formatTicketId(42), 'HD-000042');
      assert.equal(formatTicketId(1), 'HD-000001');
      assert.equal(formatTicketId(123456), 'HD-123456');
    });

    it('when a formatted id is parsed, then the same number comes back', () => {
      for (const n of [1, 7, 42, 999, 123456, 1234567, 99_999_999]) assert.equal(parseTicketId(formatTicketId(n)), n, String(n));
    });

    it('when an id is typed in another case, without padding or with spaces, then it still parses', () => {
      assert.equal(parseTicketId('hd-000042'), 42);
      assert.equal(parseTicketId('HD-42'), 42);
      assert.equal(parseTicketId('  HD-000042 '), 42);
    });

    it('when the text is not a ticket id, then parseTicketId returns undefined', () => {
      for (const junk of ['', 'HD-', 'HD-abc', '42', 'XX-000042', 'HD-000042x', 'HD 000042', 'HD--42', 'HD-12345678901', 'HD-4 2', 'ticket HD-000042']) {
        assert.equal(parseTicketId(junk), undefined, JSON.stringify(junk));
      }
      for (const junk of [42, null, undefined, {}, ['HD-000042']]) assert.equal(parseTicketId(junk), undefined, JSON.stringify(junk));
    });
  });

  describe('draftTicket', () => {
    it('when a ticket is drafted from a case file, then it copies the answers, steps and transcript and opens with "opened the ticket"', () => {
      const file = caseWithHistory();
      const draft = draftTicket({
        caseFile: file,
        requester: EMPLOYEE,
        causeId: 'stale-credentials',
        causeTitle: 'Saved credentials are out of date',
        evidence: ['Your password was changed yesterday.'],
        keyEvents: ['OneDrive refused at 10:00'],
        details: 'Still broken after restart',
        now: LATER,
      });
      assert.deepEqual(draft.answers, { 'error-code': '0x8004de40', 'password-changed': 'yes' }, 'undefined answers are left out');
      assert.deepEqual(draft.stepsTried, file.steps);
      assert.deepEqual(draft.transcript, file.transcript);
      assert.equal(draft.history.length, 1);
      assert.deepEqual(draft.history[0], { at: LATER.toISOString(), actor: EMPLOYEE, action: 'opened the ticket', note: 'Still broken after restart' });
      assert.equal(draft.status, 'new');
      assert.equal(draft.requester, EMPLOYEE);
      assert.equal(draft.causeId, 'stale-credentials');
      assert.equal(draft.confidence, 87);
      assert.equal(draft.createdAt, LATER.toISOString());
      assert.equal(draft.updatedAt, LATER.toISOString());
      assert.deepEqual(draft.evidence, ['Your password was changed yesterday.']);
      assert.deepEqual(draft.keyEvents, ['OneDrive refused at 10:00']);
    });

    it('when the case file changes after drafting, then the ticket keeps what was copied', () => {
      const file = caseWithHistory();
      const draft = draftTicket({ caseFile: file, requester: EMPLOYEE, causeId: 'unknown', causeTitle: 'Unknown', evidence: [], keyEvents: [], now: LATER });
      file.answers['network'] = 'vpn';
      file.steps.push({ causeId: 'unknown', stepId: 'restart-pc', title: 'Restart', result: 'fixed', at: LATER.toISOString() });
      recordLine(file, 'employee', 'one more thing', LATER);
      assert.equal(draft.answers['network'], undefined);
      assert.equal(draft.stepsTried.length, 2);
      assert.equal(draft.transcript.length, 2);
    });

    it('when the case has no diagnosis yet, then the ticket confidence is 0', () => {
      const draft = draftTicket({ caseFile: newCaseFile(NOW), requester: EMPLOYEE, causeId: 'unknown', causeTitle: 'Unknown', evidence: [], keyEvents: [], now: NOW });
      assert.equal(draft.confidence, 0);
      assert.deepEqual(draft.answers, {});
      assert.deepEqual(draft.stepsTried, []);
      assert.deepEqual(draft.transcript, []);
    });

    it('when a ticket is resolved or withdrawn, then it is no longer open; every other status is open', () => {
      const draft = draftTicket({ caseFile: newCaseFile(NOW), requester: EMPLOYEE, causeId: 'unknown', causeTitle: 'Unknown', evidence: [], keyEvents: [], now: NOW });
      for (const status of Object.keys(STATUS_LABELS) as TicketStatus[]) {
        const ticket: Ticket = { ...draft, id: formatTicketId(1), number: 1, version: 1, status };
        assert.equal(isOpen(ticket), status !== 'resolved' && status !== 'withdrawn', status);
      }
    });
  });

  describe('recordLine', () => {
    it('when a line is recorded, then it carries the time, the speaker and the text', () => {
      const file = newCaseFile(NOW);
      recordLine(file, 'agent', 'I am looking at it', LATER);
      assert.deepEqual(file.transcript, [{ at: LATER.toISOString(), from: 'agent', text: 'I am looking at it' }]);
    });

    it('when more than MAX_TRANSCRIPT_LINES lines are recorded, then only the newest MAX_TRANSCRIPT_LINES are kept', () => {
      const file = newCaseFile(NOW);
      const total = MAX_TRANSCRIPT_LINES + 25;
      for (let i = 0; i < total; i++) recordLine(file, i % 2 ? 'bot' : 'employee', `line ${i}`, NOW);
      assert.equal(file.transcript.length, MAX_TRANSCRIPT_LINES);
      assert.equal(file.transcript[0]!.text, `line ${total - MAX_TRANSCRIPT_LINES}`);
      assert.equal(file.transcript[file.transcript.length - 1]!.text, `line ${total - 1}`);
    });

    it('when exactly MAX_TRANSCRIPT_LINES lines are recorded, then none is dropped', () => {
      const file = newCaseFile(NOW);
      for (let i = 0; i < MAX_TRANSCRIPT_LINES; i++) recordLine(file, 'bot', `line ${i}`, NOW);
      assert.equal(file.transcript.length, MAX_TRANSCRIPT_LINES);
      assert.equal(file.transcript[0]!.text, 'line 0');
    });

    it('when a line is very long, then it is cut to 1000 characters followed by an ellipsis', () => {
      const file = newCaseFile(NOW);
      recordLine(file, 'employee', 'x'.repeat(5000), NOW);
      const text = file.transcript[0]!.text;
      assert.equal(text.length, 1001);
      assert.equal(text, `${'x'.repeat(1000)}…`);
    });

    it('when a line is exactly 1000 characters, then it is kept whole', () => {
      const file = newCaseFile(NOW);
      recordLine(file, 'employee', 'y'.repeat(1000), NOW);
      assert.equal(file.transcript[0]!.text, 'y'.repeat(1000));
    });
  });
});
