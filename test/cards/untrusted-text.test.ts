import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  plainLine,
  plainText,
  renderAgentTicketCard,
  renderDiagnosisCard,
  renderIncidentCard,
  renderLookupResultCard,
  renderMessageCard,
  renderQuestionCard,
  renderTicketCard,
  renderTicketListCard,
  renderTicketResolvedCard,
  renderWelcomeCard,
  truncate,
  type AdaptiveCard,
} from '../../src/cards';
import { presentAgentTicket, presentTicketList } from '../../src/desk/present-agent';
import { presentEvent, presentQuestion, presentTicket } from '../../src/dialogs/present';
import { newCaseFile } from '../../src/domain/case-file';
import type { SignInEvent } from '../../src/domain/directory';
import { claimTicket, employeeMessage, replyOnTicket } from '../../src/domain/handoff';
import { draftTicket, type Person, type Ticket } from '../../src/domain/tickets';
import { assertValidCard, collectActions, elementsOfType, type Json } from './card-test-helpers';

// ---------------------------------------------------------------------------------------------
// Hostile text: every construct Teams would render from Markdown or treat as markup, tagged
// with the field it was put in, so a leak says where it came from.

/** A marker no card text has by itself. */
const mark = (tag: string): string => `zq-${tag}`;

const LINK = (tag: string): string => `[Reset your password here](https://evil.example/${mark(tag)})`;

function hostile(tag: string): string {
  const m = mark(tag);
  return `${LINK(tag)} **bold-${m}** _it-${m}_ <at>Megan ${m}</at> <b>html-${m}</b>\n# heading-${m}\n- list-${m}\n1. num-${m}\n{{DATE(2017-02-14T06:00:00Z, SHORT)}}`;
}

/** Where Teams formats text: TextBlock texts, FactSet titles and values, and button titles. */
function formattedStrings(card: unknown): string[] {
  const strings = elementsOfType(card, 'TextBlock').map((block) => String(block.text));
  for (const set of elementsOfType(card, 'FactSet')) {
    for (const fact of set.facts as Json[]) strings.push(String(fact.title), String(fact.value));
  }
  for (const { action } of collectActions(card)) strings.push(String(action.title));
  return strings;
}

/** TextRun texts: shown exactly as they are. */
function runTexts(card: unknown): string[] {
  return elementsOfType(card, 'TextRun').map((run) => String(run.text));
}

/**
 * Every tag's text must appear literally in a TextRun (shown, not dropped) and nowhere Teams
 * formats; no TextRun may hold "{{" (a DATE/TIME function).
 */
function assertShownAsPlainText(card: AdaptiveCard, tags: readonly string[]): void {
  const formatted = formattedStrings(card);
  const runs = runTexts(card);
  for (const tag of tags) {
    const leaks = formatted.filter((text) => text.includes(mark(tag)));
    assert.deepEqual(leaks, [], `"${tag}" reached text that Teams formats as Markdown`);
    assert.ok(
      runs.some((text) => text.includes(LINK(tag))),
      `"${tag}" is not shown literally in any TextRun:\n${runs.filter((text) => text.includes(mark(tag))).join('\n') || '(nowhere)'}`,
    );
  }
  for (const text of runs) assert.ok(!text.includes('{{'), `a TextRun still holds "{{": ${text}`);
  assertValidCard(card, { acceptedProblems: ['validate: Duplicate Id "note".'] });
}

const NOW = new Date('2026-11-20T12:00:00.000Z');

function person(tag: string, id: string): Person {
  return { aadObjectId: id, name: hostile(`${tag}-name`), upn: hostile(`${tag}-upn`) };
}

/** A real ticket whose every employee-, agent- and Graph-supplied string is hostile. */
function hostileTicket(): Ticket {
  const employee = person('employee', 'aad-employee');
  const caseFile = newCaseFile(NOW);
  caseFile.answers = { 'password-changed': 'yes' };
  (caseFile.answers as Record<string, string>)[hostile('answer-key')] = hostile('answer-value');
  caseFile.steps = [{ causeId: 'stale-credentials', stepId: 'x', title: hostile('step'), result: 'not-fixed', at: NOW.toISOString() }];
  caseFile.transcript = [{ at: NOW.toISOString(), from: 'employee', text: hostile('transcript') }];
  const draft = draftTicket({
    caseFile,
    requester: employee,
    causeId: 'stale-credentials',
    causeTitle: 'Saved sign-in details are out of date',
    evidence: [hostile('evidence')],
    keyEvents: [hostile('key-event')],
    details: hostile('details'),
    lookupNote: hostile('lookup-note'),
    now: NOW,
  });
  const ticket: Ticket = { ...draft, id: 'HD-000042', number: 42, version: 1 };
  const agent = person('agent', 'aad-agent');
  assert.ok(claimTicket(ticket, agent, NOW).ok);
  assert.ok(replyOnTicket(ticket, agent, hostile('agent-reply'), NOW).ok);
  assert.ok(employeeMessage(ticket, employee, hostile('employee-reply'), NOW).ok);
  return ticket;
}

/** A Graph sign-in whose names are all hostile. */
function hostileSignIn(tag: string): SignInEvent {
  return {
    id: tag,
    createdDateTime: NOW.toISOString(),
    appDisplayName: hostile(`${tag}-app`),
    // An unknown code, so the card quotes Graph's own failure reason.
    status: { errorCode: 987654, failureReason: hostile(`${tag}-reason`) },
    deviceDetail: { displayName: hostile(`${tag}-device`), operatingSystem: 'Windows' },
    location: { city: hostile(`${tag}-city`), countryOrRegion: 'NO' },
    appliedConditionalAccessPolicies: [{ id: 'p', displayName: hostile(`${tag}-policy`), result: 'failure' }] as SignInEvent['appliedConditionalAccessPolicies'],
  };
}

// ---------------------------------------------------------------------------------------------

describe('untrusted text in cards', () => {
  describe('plainText', () => {
    it('when text holds Markdown, HTML or a mention, then it is kept verbatim (a TextRun shows it literally)', () => {
      for (const text of [LINK('x'), '**x**', '_x_', '# x', '- x', '1. x', '<at>Megan</at>', '<b>x</b>', '\\*x\\*', '`code`']) {
        assert.equal(plainText(text), text);
      }
    });

    it('when text holds control, bidirectional-override or broken UTF-16 characters, then they are removed or replaced', () => {
      assert.equal(plainText('a\u0000b\u0007c\u001bd\u007fe\u0085f'), 'abcdef');
      assert.equal(plainLine('Adm\u202Enigol\u202C'), 'Admnigol', 'an RLO override cannot disguise a name');
      assert.equal(plainText('x\u2066y\u2069z\u200Fw'), 'xyzw');
      assert.equal(plainText('lone \uD83D here'), 'lone \uFFFD here');
      assert.equal(plainText('ok 😀'), 'ok 😀');
    });

    it('when text holds "{{", then a word joiner breaks it so no DATE()/TIME() function runs, and nothing visible changes', () => {
      const out = plainText('{{DATE(2017-02-14T06:00:00Z, SHORT)}}');
      assert.ok(!out.includes('{{'));
      assert.equal(out.replace(/\u2060/g, ''), '{{DATE(2017-02-14T06:00:00Z, SHORT)}}');
    });

    it('when text is longer than the limit, then it is cut with "…" and never splits an emoji', () => {
      assert.equal(plainText('x'.repeat(10_000), 2000).length, 2000);
      assert.ok(plainText('x'.repeat(10_000), 2000).endsWith('…'));
      assert.equal(truncate('ab😀cd', 4), 'ab…');
      assert.equal(plainLine(`${'a'.repeat(200)}`, 100).length, 100);
    });

    it('when text has line breaks, then plainText keeps them (at most one blank line) and plainLine makes one line', () => {
      assert.equal(plainText('one\r\ntwo\n\n\n\nthree  \n'), 'one\ntwo\n\nthree');
      assert.equal(plainLine(' Alex\n\tWilber \r\n'), 'Alex Wilber');
    });

    it('when any text is cleaned, then the result is within the limit, has no control characters and cleaning it again changes nothing', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 1, max: 300 }), (text, max) => {
          const once = plainText(text, max);
          assert.ok(once.length <= max);
          // eslint-disable-next-line no-control-regex -- the point is that control characters never survive
          assert.ok(!/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/.test(once));
          assert.ok(!once.includes('{{'));
          assert.equal(plainText(once, max), once);
          const line = plainLine(text, max);
          assert.ok(line.length <= max && !line.includes('\n'));
          assert.equal(plainLine(line, max), line);
        }),
      );
    });
  });

  describe('every card', () => {
    it('when the agent ticket card shows a hostile ticket, then names, notes, evidence, answers, history and transcript are plain text', () => {
      const ticket = hostileTicket();
      const roster = [{ aadObjectId: 'aad-other', name: hostile('roster') }];
      const card = renderAgentTicketCard(presentAgentTicket(ticket, roster, 'UTC'));
      assertShownAsPlainText(card, [
        'employee-name',
        'employee-upn',
        'agent-name',
        'details',
        'lookup-note',
        'evidence',
        'key-event',
        'answer-key',
        'answer-value',
        'step',
        'agent-reply',
        'employee-reply',
      ]);
      const transcript = collectActions(card).find(({ action }) => action.title === 'Transcript')?.action.card;
      assert.ok(runTexts(transcript).some((text) => text.includes(LINK('transcript'))));
      const [choices] = elementsOfType(card, 'Input.ChoiceSet');
      assert.match(String((choices.choices as Json[])[0].title), /^\[Reset your password here\]/, 'choice titles are never formatted; the name is kept');
    });

    it('when the employee ticket card shows a hostile ticket, then the agent name, the note and the history are plain text', () => {
      assertShownAsPlainText(renderTicketCard(presentTicket(hostileTicket(), 'UTC')), ['agent-name', 'details', 'agent-reply', 'employee-reply', 'step']);
    });

    it('when the ticket list shows hostile names, then they are plain text', () => {
      assertShownAsPlainText(renderTicketListCard(presentTicketList([hostileTicket()], NOW)), ['employee-name', 'agent-name']);
    });

    it('when the diagnosis card shows hostile Graph names, then apps, reasons, policies, devices and places are plain text', () => {
      const event = presentEvent(hostileSignIn('g'), 'UTC');
      const card = renderDiagnosisCard({
        causeId: 'conditional-access-block',
        title: 'A Conditional Access policy blocks OneDrive',
        confidenceLabel: 'High',
        confidencePercent: 90,
        explanation: 'A policy blocks OneDrive.',
        findings: [{ text: `The policy "${hostile('finding')}" failed`, supports: true }],
        events: [event],
        eventsSummary: `Not available: ${hostile('gaps')}`,
        lookupNote: hostile('diagnosis-note'),
        warnings: [],
        alternatives: [],
        stepCount: 1,
      });
      assertShownAsPlainText(card, ['g-app', 'g-reason', 'g-device', 'g-city', 'g-policy', 'finding', 'gaps', 'diagnosis-note']);
    });

    it('when the lookup card shows a hostile person and sign-ins, then all of it is plain text', () => {
      const event = presentEvent(hostileSignIn('l'), 'UTC');
      const card = renderLookupResultCard({
        upn: hostile('lookup-upn'),
        displayName: hostile('lookup-name'),
        causeTitle: 'A Conditional Access policy blocks OneDrive',
        causeId: 'conditional-access-block',
        confidencePercent: 90,
        findings: [{ text: hostile('lookup-finding'), supports: false }],
        events: [event],
        eventsSummary: hostile('lookup-summary'),
        auditNote: `Looked up by ${hostile('auditor')}`,
        lookupNote: hostile('lookup-note'),
      });
      assertShownAsPlainText(card, ['lookup-upn', 'lookup-name', 'lookup-finding', 'l-app', 'l-policy', 'lookup-summary', 'auditor', 'lookup-note']);
    });

    it('when the incident card lists hostile names and a hostile policy signal, then they are plain text', () => {
      const card = renderIncidentCard({
        title: 'Possible tenant-wide problem',
        summary: '3 people hit the same problem.',
        causeTitle: 'A Conditional Access policy blocks OneDrive',
        signature: `53003 · ${hostile('signature')}`,
        count: 3,
        windowMinutes: 30,
        tickets: [{ ticketId: 'HD-000001', requesterName: hostile('incident-ticket'), when: '09:00' }],
        employees: [hostile('incident-employee')],
      });
      assertShownAsPlainText(card, ['signature', 'incident-ticket', 'incident-employee']);
    });

    it('when an agent resolves with a hostile name and note, then the employee sees them as plain text', () => {
      assertShownAsPlainText(renderTicketResolvedCard({ ticketId: 'HD-000042', agentName: hostile('resolver'), note: hostile('resolution'), causeTitle: 'Unknown' }), [
        'resolver',
        'resolution',
      ]);
    });

    it("when a notice relays an agent's hostile message, then its title and text are plain text", () => {
      assertShownAsPlainText(renderMessageCard({ title: `${hostile('notice-title')} (help desk)`, text: hostile('notice-text'), tone: 'default' }), [
        'notice-title',
        'notice-text',
      ]);
    });

    it('when the greeting uses a hostile display name, then it is plain text', () => {
      assertShownAsPlainText(renderWelcomeCard({ userName: hostile('greeting'), examples: [] }), ['greeting']);
    });

    it('when a question card carries a hostile lookup error, then it is plain text', () => {
      assertShownAsPlainText(renderQuestionCard(presentQuestion('password-changed', 1, hostile('question-note'))), ['question-note']);
    });
  });
});
