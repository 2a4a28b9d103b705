import assert from 'node:assert/strict';
import { applyTypedFacts, diagnosisInputOf, newCaseFile, recordAnswer } from '../../src/domain/case-file';
import { CAUSE_IDS, type CauseId } from '../../src/domain/causes';
import { diagnose, type Diagnosis } from '../../src/domain/diagnosis';
import { extractFacts } from '../../src/domain/message-parser';
import { selectNextQuestion } from '../../src/domain/question-selector';
import type { Answers, QuestionId } from '../../src/domain/question-ids';

/**
 * Whole triage conversations with no directory evidence (Graph not configured, the account not
 * found, a lookup that timed out): an employee with a given cause writes a first message in
 * their own words, then answers every question the bot asks the way that person would.
 */
interface Persona {
  cause: CauseId;
  first: string;
  answers: Answers;
}

const PERSONAS: Persona[] = [
  {
    cause: 'stale-credentials',
    first: 'OneDrive keeps asking for my password',
    answers: { 'error-code': '0x8004de40', 'error-message': 'credentials', 'password-changed': 'yes', 'web-works': 'yes', 'other-apps': 'yes', network: 'office' },
  },
  {
    cause: 'password-sync-delay',
    first: 'I changed my password an hour ago and now nothing accepts it',
    answers: { 'error-code': '0x8004de40', 'error-message': 'credentials', 'password-changed': 'yes', 'web-works': 'no', 'other-apps': 'no', network: 'office' },
  },
  {
    cause: 'conditional-access-block',
    first: "OneDrive says you can't get there from here",
    answers: { 'error-code': '0x8004de40', 'others-affected': 'yes', 'web-works': 'yes', 'password-changed': 'no', network: 'office', 'other-apps': 'yes' },
  },
  {
    cause: 'device-not-compliant',
    first: 'OneDrive says my device is not compliant',
    answers: { 'error-code': '0x8004de40', 'device-type': 'personal', 'password-changed': 'no', 'web-works': 'yes', network: 'home' },
  },
  {
    cause: 'device-trust-broken',
    first: 'Office says CAA50021 and OneDrive will not sign in',
    answers: { 'error-code': 'caa50021', 'device-type': 'company', 'password-changed': 'no', 'web-works': 'yes' },
  },
  {
    cause: 'mfa-required',
    first: 'OneDrive wants me to approve the sign in request in Authenticator and then fails',
    answers: { 'error-code': '0x8004de40', 'password-changed': 'no', 'web-works': 'yes', 'other-apps': 'yes', 'error-message': 'credentials' },
  },
  {
    cause: 'mfa-registration-required',
    first: 'OneDrive sign in says more information required',
    answers: { 'error-code': 'other', 'password-changed': 'no', 'error-message': 'credentials', 'web-works': 'no' },
  },
  {
    cause: 'session-expired',
    first: 'OneDrive keeps signing me out, I have to sign in again every day',
    answers: { 'error-code': '0x8004de40', 'password-changed': 'no', 'error-message': 'credentials', 'web-works': 'yes' },
  },
  {
    cause: 'account-locked',
    first: 'OneDrive login says my account is locked',
    answers: { 'error-code': 'other', 'password-changed': 'no', 'web-works': 'no', 'other-apps': 'no' },
  },
  {
    cause: 'account-disabled',
    first: 'OneDrive sign in says my account has been disabled',
    answers: { 'error-code': 'other', 'password-changed': 'no', 'web-works': 'no', 'other-apps': 'no' },
  },
  {
    cause: 'password-expired',
    first: 'OneDrive login says my password has expired',
    answers: { 'error-code': 'other', 'password-changed': 'no', 'web-works': 'no', 'other-apps': 'no' },
  },
  {
    cause: 'network-blocked',
    first: "OneDrive won't sign in, I'm on the VPN",
    answers: { 'error-code': '0x8004de40', 'error-message': 'connection', network: 'vpn', 'web-works': 'yes', 'other-apps': 'yes', 'password-changed': 'no' },
  },
  {
    cause: 'tls-or-network-stack',
    first: 'OneDrive says there was a problem connecting',
    answers: {
      'error-code': '0x8004de88',
      'error-message': 'connection',
      network: 'home',
      'web-works': 'yes',
      'other-apps': 'yes',
      'password-changed': 'no',
      'others-affected': 'no',
    },
  },
  {
    cause: 'no-internet',
    first: 'OneDrive says check your internet connection',
    answers: { 'error-code': '0x8004de40', 'error-message': 'connection', network: 'home', 'web-works': 'no', 'other-apps': 'no', 'password-changed': 'no' },
  },
  { cause: 'license-missing', first: 'OneDrive shows 0x8004de4a', answers: { 'error-code': '0x8004de4a' } },
  { cause: 'onedrive-not-provisioned', first: "It's my first day and OneDrive shows an error", answers: { 'error-code': '0x8004de90' } },
  { cause: 'account-mismatch', first: 'OneDrive error, I think I used my personal account', answers: { 'error-code': '0x8004de85' } },
  {
    cause: 'unknown',
    first: "OneDrive doesn't work",
    answers: {
      'error-code': 'other',
      'error-message': 'other',
      'password-changed': 'not-sure',
      network: 'not-sure',
      'web-works': 'not-tried',
      'other-apps': 'not-sure',
      'device-type': 'not-sure',
      'others-affected': 'not-sure',
    },
  },
];

/** "Not sure" (or the like) for anything the persona has no answer to. */
function unsure(question: QuestionId): string {
  return question === 'web-works' ? 'not-tried' : question === 'error-code' || question === 'error-message' ? 'other' : 'not-sure';
}

function converse(persona: Persona): { asked: QuestionId[]; diagnosis: Diagnosis; afterFirst: Diagnosis } {
  const file = newCaseFile(new Date('2026-12-01T09:00:00Z'));
  applyTypedFacts(file, extractFacts(persona.first));
  const afterFirst = diagnose(diagnosisInputOf(file));
  for (;;) {
    const next = selectNextQuestion(diagnosisInputOf(file), file.asked);
    if (!next.question) return { asked: [...file.asked], diagnosis: next.diagnosis, afterFirst };
    file.asked.push(next.question);
    recordAnswer(file, next.question, persona.answers[next.question] ?? unsure(next.question));
  }
}

describe('conversations without directory evidence', () => {
  it('when every cause of the contract is covered, then each has a persona', () => {
    assert.deepEqual([...new Set(PERSONAS.map((p) => p.cause))].sort(), [...CAUSE_IDS].sort());
  });

  for (const persona of PERSONAS) {
    it(`when an employee with ${persona.cause} writes "${persona.first}" and answers, then the bot names ${persona.cause} within 4 questions`, () => {
      const { asked, diagnosis } = converse(persona);
      assert.equal(
        diagnosis.leading,
        persona.cause,
        `asked ${asked.join(', ')}; ${diagnosis.ranked
          .slice(0, 3)
          .map((r) => `${r.causeId} ${r.score.toFixed(1)}`)
          .join(' · ')}`,
      );
      assert.ok(asked.length <= 4, `asked ${asked.length}: ${asked.join(', ')}`);
    });

    it(`when the employee with ${persona.cause} has only written their first message, then the bot is not confident`, () => {
      const { afterFirst } = converse(persona);
      // A typed code that names its cause is evidence; words alone never are.
      if (afterFirst.clear)
        assert.ok(
          afterFirst.ranked[0]!.findings.some((f) => f.source === 'error-code' && f.weight > 0),
          `clear from words alone: ${afterFirst.leading}`,
        );
      assert.equal(afterFirst.evidenceBacked, false);
      assert.ok(afterFirst.confidence <= 70, `confidence ${afterFirst.confidence}`);
    });
  }

  it('when there is no evidence at all, then no diagnosis is ever shown as high confidence', () => {
    for (const persona of PERSONAS) {
      const { diagnosis } = converse(persona);
      assert.ok(diagnosis.confidence <= 70, `${persona.cause}: ${diagnosis.confidence}`);
      assert.equal(diagnosis.evidenceBacked, false);
    }
  });

  it('when one free-text mention is all there is ("I\'m on the VPN"), then the bot asks before concluding', () => {
    const file = newCaseFile(new Date());
    applyTypedFacts(file, extractFacts("OneDrive won't sign in, I'm on the VPN"));
    const first = selectNextQuestion(diagnosisInputOf(file), []);
    assert.notEqual(first.question, undefined);
    assert.equal(first.diagnosis.clear, false);
  });

  it('when a later message contradicts a fact read from text, then the fact is dropped and asked instead', () => {
    const file = newCaseFile(new Date());
    applyTypedFacts(file, extractFacts("OneDrive fails, I'm on the VPN"));
    assert.equal(file.answers.network, 'vpn');
    applyTypedFacts(file, extractFacts("sorry, I'm at home, not on the vpn"));
    assert.notEqual(file.answers.network, 'vpn');
    recordAnswer(file, 'network', 'home');
    assert.equal(file.textFacts?.includes('network'), false);
  });

  it('when the error code is unknown and there is no evidence, then the error code is asked first', () => {
    const file = newCaseFile(new Date());
    applyTypedFacts(file, extractFacts("OneDrive doesn't work"));
    assert.equal(selectNextQuestion(diagnosisInputOf(file), []).question, 'error-code');
  });

  it('when the bot ends on unknown, then it asked the code first and stopped after three answers the employee could not give', () => {
    const { asked, diagnosis } = converse(PERSONAS.find((p) => p.cause === 'unknown')!);
    assert.equal(diagnosis.leading, 'unknown');
    assert.equal(asked[0], 'error-code');
    assert.equal(asked.length, 3, `asked ${asked.join(', ')}`);
  });
});
