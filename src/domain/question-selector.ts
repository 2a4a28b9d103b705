import { NETWORK_CAUSES } from './causes';
import { diagnose, type Diagnosis, type DiagnosisInput } from './diagnosis';
import type { EvidenceAnalysis } from './evidence-analysis';
import { QUESTION_ANSWER_IDS, type Answers, type QuestionId } from './questions';

/**
 * Order used to break ties between equally useful questions: cheap, decisive questions first.
 * `admin-rights` is not here: it changes the walkthrough, not the cause, so the fix walkthrough asks it.
 */
const TIE_BREAK: readonly QuestionId[] = ['error-code', 'error-message', 'password-changed', 'network', 'web-works', 'other-apps', 'device-type', 'others-affected'];

/** Most questions one triage asks before it settles on what it has. */
export const MAX_QUESTIONS = 6;
/** After this many "not sure" / "other" answers the bot stops asking. */
export const MAX_UNSURE_ANSWERS = 3;

/** What tells the network path apart: asked before a network cause (or `unknown`) is concluded without attempts in the logs. */
const NETWORK_QUESTIONS: readonly QuestionId[] = ['network', 'web-works', 'other-apps'];

/** Answers the directory already gives, so the question need not be asked. */
export function inferAnswers(evidence: EvidenceAnalysis | undefined): Answers {
  if (!evidence) return {};
  const inferred: Answers = {};
  if (evidence.passwordChangedRecently) inferred['password-changed'] = 'yes';
  if (evidence.officeSucceeding) inferred['other-apps'] = 'yes';
  else if (evidence.officeFailures.length > 0 && evidence.officeEvents.every((e) => (e.status?.errorCode ?? 0) !== 0)) inferred['other-apps'] = 'no';
  if (evidence.ownsCompanyDevice || evidence.oneDriveEvents.some((e) => e.deviceDetail?.isManaged === true)) inferred['device-type'] = 'company';
  return inferred;
}

/** What the selector decided. */
export interface NextStep {
  /** The question to ask, or undefined when triage should conclude. */
  question?: QuestionId;
  diagnosis: Diagnosis;
}

/** Answers worth simulating: "not sure" and "other" rarely move anything, so they are not what makes a question useful. */
function decisiveAnswers(questionId: QuestionId): string[] {
  return QUESTION_ANSWER_IDS[questionId].filter((id) => !['not-sure', 'not-tried', 'other'].includes(id));
}

/**
 * Picks the next question: the one whose possible answers most change the outcome
 * (different leading cause, or a clear diagnosis), skipping everything already known.
 * Returns no question when the diagnosis is clear, nothing left would change it, or the budget is spent.
 */
export function selectNextQuestion(input: DiagnosisInput, asked: readonly QuestionId[]): NextStep {
  const diagnosis = diagnose(input);
  if (asked.length >= MAX_QUESTIONS) return { diagnosis };
  // Three "not sure" / "other" answers: the employee cannot tell, so the help desk takes it from here.
  const unsure = asked.filter((q) => input.answers[q] !== undefined && !decisiveAnswers(q).includes(input.answers[q]!)).length;
  if (unsure >= MAX_UNSURE_ANSWERS) return { diagnosis };
  const known = { ...inferAnswers(input.evidence), ...input.answers };
  const open = (q: QuestionId): boolean => known[q] === undefined && !asked.includes(q);
  // Each question's possible outcomes are worked out once, whichever rule below asks for them.
  const simulated = new Map<QuestionId, Diagnosis[]>();
  const outcomesOf = (q: QuestionId): Diagnosis[] => {
    let outcomes = simulated.get(q);
    if (!outcomes) {
      outcomes = decisiveAnswers(q).map((answer) => diagnose({ ...input, answers: { ...input.answers, [q]: answer } }));
      simulated.set(q, outcomes);
    }
    return outcomes;
  };
  const changesLeader = (q: QuestionId): boolean => outcomesOf(q).some((o) => o.leading !== diagnosis.leading);
  /** True when some decisive answer to `q` changes the leader or whether it is clear: a question that cannot is never asked. */
  const matters = (q: QuestionId): boolean => outcomesOf(q).some((o) => o.leading !== diagnosis.leading || o.clear !== diagnosis.clear);

  // The code on screen narrows things fastest: ask it first unless the logs already settle the cause.
  if (!(diagnosis.clear && diagnosis.evidenceBacked) && open('error-code') && matters('error-code')) return { question: 'error-code', diagnosis };
  // Nothing reached Entra (or, without logs, the network path leads): find out how the PC connects before naming a cause.
  const nothingReached = input.evidence !== undefined && !input.evidence.oneDriveAttempts;
  const networkLeads = NETWORK_CAUSES.includes(diagnosis.leading);
  if ((nothingReached || (!input.evidence && networkLeads)) && !(diagnosis.clear && !NETWORK_CAUSES.includes(diagnosis.leading))) {
    const question = NETWORK_QUESTIONS.find((q) => open(q) && matters(q));
    if (question) return { question, diagnosis };
  }
  if (diagnosis.clear) {
    // Without logs a clear lead rests on what the employee said: check it with one question that could still overturn it.
    if (input.evidence || asked.length >= 3) return { diagnosis };
    const check = TIE_BREAK.find((q) => open(q) && changesLeader(q));
    return check ? { question: check, diagnosis } : { diagnosis };
  }

  const plausible = new Set(diagnosis.ranked.filter((r) => r.score > 0 || r.causeId === diagnosis.leading).map((r) => r.causeId));
  plausible.add(diagnosis.leading);
  // A lead that rests only on the employee's words is confirmed (or overturned) first.
  const wordsOnly = diagnosis.ranked[0]?.causeId === diagnosis.leading && !diagnosis.ranked[0].findings.some((x) => x.weight > 0 && x.source !== 'text');
  let best: { question: QuestionId; confirms: boolean; leaders: number; clears: number; rank: number } | undefined;
  TIE_BREAK.forEach((questionId, rank) => {
    if (!open(questionId)) return;
    const outcomes = outcomesOf(questionId);
    // Count only outcomes that are already plausible: an answer that could crown a cause the evidence speaks against is unlikely.
    const leaders = new Set(outcomes.map((o) => o.leading).filter((c) => plausible.has(c)));
    if (!matters(questionId)) return;
    const clears = outcomes.filter((o) => o.clear).length;
    const confirms = wordsOnly && outcomes.some((o) => o.leading === diagnosis.leading && o.clear);
    const candidate = { question: questionId, confirms, leaders: leaders.size, clears, rank };
    const better =
      !best ||
      (candidate.confirms && !best.confirms) ||
      (candidate.confirms === best.confirms && (candidate.leaders > best.leaders || (candidate.leaders === best.leaders && candidate.clears > best.clears)));
    if (better) best = candidate;
  });
  return best ? { question: best.question, diagnosis } : { diagnosis };
}
