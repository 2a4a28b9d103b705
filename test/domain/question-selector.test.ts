import assert from 'node:assert/strict';
import { diagnose, type DiagnosisInput } from '../../src/domain/diagnosis';
import type { EvidenceAnalysis } from '../../src/domain/evidence-analysis';
import { inferAnswers, MAX_QUESTIONS, selectNextQuestion } from '../../src/domain/question-selector';
import { getQuestion, QUESTION_IDS, type Answers, type QuestionId } from '../../src/domain/questions';
import { failures, makeEvidence } from './evidence-fixture';

/** Contract §1 codes, for the "decisive evidence" checks. */
const CONTRACT_CODES = [50126, 50133, 50173, 53003, 53000, 530003, 50097, 50129, 53001, 50076, 50074, 50158, 50079, 70043, 70044, 700082, 50053, 50057, 50055, 50144];

interface Situation {
  label: string;
  evidence?: EvidenceAnalysis;
  answers: Answers;
  proxy?: boolean;
}

/** Evidence situations the selector is exercised in (built once: evidence is pure data). */
function situations(): Situation[] {
  const silent = makeEvidence({ device: {}, oneDrive: [] });
  const silentRecentPassword = makeEvidence({ device: {}, user: { passwordChangedHoursAgo: 48 }, oneDrive: [] });
  const unmapped = makeEvidence({ device: {}, oneDrive: failures(9002313) });
  const unmappedRecentPassword = makeEvidence({ device: null, user: { passwordChangedHoursAgo: 96 }, oneDrive: failures(9002313) });
  const lockedOnce = makeEvidence({ device: {}, oneDrive: failures(50053, [1]) });
  const healthy = makeEvidence({ device: {}, oneDrive: [{ hoursAgo: 1 }] });
  const nothingReached = makeEvidence({ device: null, oneDrive: [], office: [] });
  return [
    { label: 'no evidence, no answers', answers: {} },
    { label: 'no evidence, 0x8004de40', answers: { 'error-code': '0x8004de40' } },
    { label: 'no evidence, a proxy mentioned', answers: {}, proxy: true },
    { label: 'no OneDrive attempts, Outlook fine', evidence: silent, answers: {} },
    { label: 'no OneDrive attempts, Outlook fine, 0x8004de40', evidence: silent, answers: { 'error-code': '0x8004de40' } },
    { label: 'no attempts, password changed two days ago', evidence: silentRecentPassword, answers: {} },
    { label: 'unmapped failures', evidence: unmapped, answers: {} },
    { label: 'unmapped failures, password changed four days ago', evidence: unmappedRecentPassword, answers: { 'error-code': '0x8004de40' } },
    { label: 'one 50053 failure', evidence: lockedOnce, answers: {} },
    { label: 'OneDrive signs in fine', evidence: healthy, answers: {} },
    { label: 'nothing reached Entra at all', evidence: nothingReached, answers: {} },
  ];
}

type AnswerPolicy = (questionId: QuestionId, turn: number) => string;

/** How simulated employees answer: the first button, the last one ("not sure"), or rotating through them. */
const POLICIES: ReadonlyArray<{ label: string; pick: AnswerPolicy }> = [
  { label: 'first answer', pick: (q) => getQuestion(q).answers[0]!.id },
  { label: 'last answer', pick: (q) => getQuestion(q).answers[getQuestion(q).answers.length - 1]!.id },
  { label: 'second answer', pick: (q) => getQuestion(q).answers[1]!.id },
  { label: 'rotating answers', pick: (q, turn) => getQuestion(q).answers[turn % getQuestion(q).answers.length]!.id },
];

interface Run {
  asked: QuestionId[];
  /** The input as it stood each time a question was chosen, with that question. */
  turns: Array<{ input: DiagnosisInput; asked: QuestionId[]; question: QuestionId }>;
  final: ReturnType<typeof selectNextQuestion>;
}

/** Plays a whole triage: ask, answer, repeat until the selector stops. Fails if it never stops. */
function simulate(situation: Situation, pick: AnswerPolicy): Run {
  let answers: Answers = { ...situation.answers };
  const asked: QuestionId[] = [];
  const turns: Run['turns'] = [];
  for (let turn = 0; turn <= QUESTION_IDS.length + 1; turn++) {
    const input: DiagnosisInput = { answers, evidence: situation.evidence, proxy: situation.proxy };
    const next = selectNextQuestion(input, asked);
    if (!next.question) return { asked, turns, final: next };
    turns.push({ input, asked: [...asked], question: next.question });
    asked.push(next.question);
    answers = { ...answers, [next.question]: pick(next.question, turn) };
  }
  assert.fail(`triage did not stop for "${situation.label}": asked ${asked.join(', ')}`);
}

describe('question selector', () => {
  const SITUATIONS = situations();

  describe('never asks what is already known', () => {
    it('when any question is pre-answered with any of its answers, then selectNextQuestion never returns that question', () => {
      for (const situation of SITUATIONS) {
        for (const questionId of QUESTION_IDS) {
          for (const answer of getQuestion(questionId).answers) {
            const answers = { ...situation.answers, [questionId]: answer.id };
            const next = selectNextQuestion({ answers, evidence: situation.evidence, proxy: situation.proxy }, []);
            assert.notEqual(next.question, questionId, `${situation.label}: ${questionId}=${answer.id} was asked again`);
          }
        }
      }
    });

    it('when a question was already asked (even without a recorded answer), then it is not asked again', () => {
      for (const situation of SITUATIONS) {
        const first = selectNextQuestion({ answers: situation.answers, evidence: situation.evidence, proxy: situation.proxy }, []).question;
        if (!first) continue;
        const again = selectNextQuestion({ answers: situation.answers, evidence: situation.evidence, proxy: situation.proxy }, [first]);
        assert.notEqual(again.question, first, situation.label);
      }
    });

    it('when whole triages are simulated, then no question is asked twice and none that was answered in the first message', () => {
      for (const situation of SITUATIONS) {
        for (const { label, pick } of POLICIES) {
          const run = simulate(situation, pick);
          assert.equal(new Set(run.asked).size, run.asked.length, `${situation.label} / ${label}: ${run.asked.join(', ')}`);
          for (const q of run.asked) assert.equal(situation.answers[q], undefined, `${situation.label} / ${label}: asked ${q} although it was given`);
        }
      }
    });
  });

  describe('never asks what the directory already says', () => {
    it('when the password changed within two weeks, then inferAnswers says password-changed is yes', () => {
      const ev = makeEvidence({ device: {}, user: { passwordChangedHoursAgo: 5 * 24 }, oneDrive: [] });
      assert.equal(inferAnswers(ev)['password-changed'], 'yes');
      const old = makeEvidence({ device: {}, user: { passwordChangedHoursAgo: 30 * 24 }, oneDrive: [] });
      assert.equal(inferAnswers(old)['password-changed'], undefined);
    });

    it('when Outlook or Teams signed in during the last day, then inferAnswers says other-apps is yes', () => {
      assert.equal(inferAnswers(makeEvidence({ device: {}, oneDrive: [] }))['other-apps'], 'yes');
    });

    it('when every Office sign-in failed, then inferAnswers says other-apps is no', () => {
      const ev = makeEvidence({
        device: {},
        oneDrive: failures(50053),
        office: [
          { app: 'outlook', hoursAgo: 2, errorCode: 50053 },
          { app: 'teams', hoursAgo: 1, errorCode: 50053 },
        ],
      });
      assert.equal(inferAnswers(ev)['other-apps'], 'no');
    });

    it('when the user owns an Entra-joined PC, then inferAnswers says device-type is company; without one it says nothing', () => {
      assert.equal(inferAnswers(makeEvidence({ device: {}, oneDrive: [] }))['device-type'], 'company');
      assert.equal(inferAnswers(makeEvidence({ device: null, oneDrive: [] }))['device-type'], undefined);
    });

    it('when there is no evidence, then inferAnswers infers nothing', () => {
      assert.deepEqual(inferAnswers(undefined), {});
    });

    it('when the password changed recently and Office signs in, then password-changed and other-apps are never asked in any simulated triage', () => {
      const recent = SITUATIONS.filter((s) => s.evidence?.passwordChangedRecently && s.evidence.officeSucceeding);
      assert.ok(recent.length >= 2);
      for (const situation of recent) {
        for (const { label, pick } of POLICIES) {
          const run = simulate(situation, pick);
          assert.ok(!run.asked.includes('password-changed'), `${situation.label} / ${label}: ${run.asked.join(', ')}`);
          assert.ok(!run.asked.includes('other-apps'), `${situation.label} / ${label}: ${run.asked.join(', ')}`);
        }
      }
    });

    it('when the password change is known from the directory although its answer would move the diagnosis, then the question is still not asked', () => {
      const situation = SITUATIONS.find((s) => s.label === 'no attempts, password changed two days ago')!;
      const base = diagnose({ answers: {}, evidence: situation.evidence });
      const withYes = diagnose({ answers: { 'password-changed': 'yes' }, evidence: situation.evidence });
      assert.ok(withYes.leading !== base.leading || withYes.clear !== base.clear, 'the answer matters here, so skipping it is the inference at work');
      for (const { pick } of POLICIES) assert.ok(!simulate(situation, pick).asked.includes('password-changed'));
    });

    it('when Office signs in and other answers are simulated, then other-apps is never asked in any situation with Office succeeding', () => {
      for (const situation of SITUATIONS.filter((s) => s.evidence?.officeSucceeding)) {
        for (const { label, pick } of POLICIES) assert.ok(!simulate(situation, pick).asked.includes('other-apps'), `${situation.label} / ${label}`);
      }
    });
  });

  describe('stops when the evidence is decisive', () => {
    it('when OneDrive fails with 53003 under a failing named policy, then no question is asked and the diagnosis is clear', () => {
      const evidence = makeEvidence({ device: {}, failingPolicy: 'Block unmanaged sync', oneDrive: failures(53003) });
      const next = selectNextQuestion({ answers: {}, evidence }, []);
      assert.equal(next.question, undefined);
      assert.equal(next.diagnosis.clear, true);
      assert.equal(next.diagnosis.leading, 'conditional-access-block');
    });

    it('when OneDrive fails repeatedly with any contract code on a cloud-only company PC, then no question is asked', () => {
      for (const code of CONTRACT_CODES) {
        const evidence = makeEvidence({ device: {}, oneDrive: [{ hoursAgo: 30 }, ...failures(code)] });
        const next = selectNextQuestion({ answers: {}, evidence }, []);
        assert.equal(next.question, undefined, `AADSTS${code}: asked ${next.question} (${next.diagnosis.leading})`);
        assert.equal(next.diagnosis.clear, true, `AADSTS${code}`);
      }
    });

    it('when the employee reports 0x8004deef (a licence or a credential mismatch), then the question that separates the two is asked', () => {
      const next = selectNextQuestion({ answers: { 'error-code': '0x8004deef' } }, []);
      assert.equal(next.question, 'password-changed');
    });

    it('when the employee reports a code that names its cause, then no question is asked', () => {
      for (const code of ['0x8004de4a', '0x8004de90', '0x8004de85', '0x8004de8a']) {
        const next = selectNextQuestion({ answers: { 'error-code': code } }, []);
        assert.equal(next.question, undefined, code);
        assert.equal(next.diagnosis.clear, true, code);
      }
    });

    // BUG: a hybrid user's 50126 is ambiguous between stale-credentials and password-sync-delay (contract §1 lists 50126 for
    // both; `password-changed = yes` flips the leader to password-sync-delay), but diagnose() already calls stale-credentials
    // clear (5 + 1 + 0.5 against 2), so selectNextQuestion stops without asking and password-sync-delay is only reachable
    // when the employee volunteers the password change in the first message.
    it('when a hybrid user fails with 50126 and Entra shows no recent password change, then the code and then password-changed are asked before concluding', () => {
      const evidence = makeEvidence({
        device: { trustType: 'ServerAd' },
        user: { onPremisesSyncEnabled: true, passwordChangedHoursAgo: 60 * 24 },
        oneDrive: [{ hoursAgo: 30 }, ...failures(50126)],
      });
      assert.equal(diagnose({ answers: { 'password-changed': 'yes' }, evidence }).leading, 'password-sync-delay');
      assert.equal(selectNextQuestion({ answers: {}, evidence }, []).question, 'error-code');
      const next = selectNextQuestion({ answers: { 'error-code': '0x8004de40' }, evidence }, ['error-code']);
      assert.equal(next.question, 'password-changed');
    });
  });

  describe('admin-rights belongs to the walkthrough', () => {
    it('when any triage is simulated, then admin-rights is never asked', () => {
      for (const situation of SITUATIONS) {
        for (const { label, pick } of POLICIES) assert.ok(!simulate(situation, pick).asked.includes('admin-rights'), `${situation.label} / ${label}`);
      }
    });

    it('when every other question is answered and only admin-rights is left, then it is still not asked', () => {
      for (const situation of SITUATIONS) {
        for (const { pick } of POLICIES) {
          const answers: Answers = { ...situation.answers };
          QUESTION_IDS.filter((q) => q !== 'admin-rights').forEach((q, i) => {
            if (answers[q] === undefined) answers[q] = pick(q, i);
          });
          const next = selectNextQuestion({ answers, evidence: situation.evidence, proxy: situation.proxy }, []);
          assert.equal(next.question, undefined, situation.label);
        }
      }
    });
  });

  describe('question budget', () => {
    it('when MAX_QUESTIONS have been asked and the diagnosis is still unclear, then no further question is asked', () => {
      const asked = QUESTION_IDS.filter((q) => q !== 'admin-rights' && q !== 'error-code').slice(0, MAX_QUESTIONS);
      assert.equal(asked.length, MAX_QUESTIONS);
      const input: DiagnosisInput = { answers: { 'error-code': '0x8004de40' } };
      assert.equal(diagnose(input).clear, false);
      assert.equal(selectNextQuestion(input, asked).question, undefined);
      assert.notEqual(selectNextQuestion(input, asked.slice(0, MAX_QUESTIONS - 1)).question, undefined, 'one below the budget it still asks');
    });

    it('when there is no evidence, 0x8004de40 is given and the employee always picks the first answer, then triage ends within MAX_QUESTIONS', () => {
      const run = simulate({ label: 'first-answer employee', answers: { 'error-code': '0x8004de40' } }, POLICIES[0]!.pick);
      assert.ok(run.asked.length >= 1, 'at least one question is needed');
      assert.ok(run.asked.length <= MAX_QUESTIONS, `asked ${run.asked.length}: ${run.asked.join(', ')}`);
      assert.equal(run.final.question, undefined);
    });

    it('when any situation is simulated with any answering style, then triage ends within MAX_QUESTIONS', () => {
      for (const situation of SITUATIONS) {
        for (const { label, pick } of POLICIES) {
          const run = simulate(situation, pick);
          assert.ok(run.asked.length <= MAX_QUESTIONS, `${situation.label} / ${label}: ${run.asked.join(', ')}`);
        }
      }
    });
  });

  describe('every question earns its place', () => {
    it('when a question is chosen, then at least one decisive answer to it changes the leader or the clarity', () => {
      let checked = 0;
      for (const situation of SITUATIONS) {
        for (const { label, pick } of POLICIES) {
          for (const turn of simulate(situation, pick).turns) {
            const before = diagnose(turn.input);
            const decisive = getQuestion(turn.question)
              .answers.map((a) => a.id)
              .filter((id) => !['not-sure', 'not-tried', 'other'].includes(id));
            const moves = decisive.some((answer) => {
              const after = diagnose({ ...turn.input, answers: { ...turn.input.answers, [turn.question]: answer } });
              return after.leading !== before.leading || after.clear !== before.clear;
            });
            assert.ok(moves, `${situation.label} / ${label}: ${turn.question} cannot change ${before.leading} (clear ${before.clear})`);
            checked += 1;
          }
        }
      }
      assert.ok(checked > 10);
    });

    it('when the selector returns a question, then its diagnosis is the one diagnose() gives for the same input', () => {
      for (const situation of SITUATIONS) {
        const input: DiagnosisInput = { answers: situation.answers, evidence: situation.evidence, proxy: situation.proxy };
        assert.deepEqual(selectNextQuestion(input, []).diagnosis, diagnose(input), situation.label);
      }
    });
  });
});
