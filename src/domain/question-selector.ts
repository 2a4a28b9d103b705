import { diagnose, type Diagnosis, type DiagnosisInput } from './diagnosis';
import type { EvidenceAnalysis } from './evidence-analysis';
import { QUESTIONS, type Answers, type QuestionId } from './questions';

/**
 * Order used to break ties between equally useful questions: cheap, decisive questions first.
 * `admin-rights` is not here: it changes the walkthrough, not the cause, so the fix walkthrough asks it.
 */
const TIE_BREAK: readonly QuestionId[] = ['error-code', 'error-message', 'password-changed', 'network', 'web-works', 'other-apps', 'device-type', 'others-affected'];

/** Most questions one triage asks before it settles on what it has. */
export const MAX_QUESTIONS = 6;

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
  return QUESTIONS[questionId].answers.map((a) => a.id).filter((id) => !['not-sure', 'not-tried', 'other'].includes(id));
}

/**
 * Picks the next question: the one whose possible answers most change the outcome
 * (different leading cause, or a clear diagnosis), skipping everything already known.
 * Returns no question when the diagnosis is clear, nothing left would change it, or the budget is spent.
 */
export function selectNextQuestion(input: DiagnosisInput, asked: readonly QuestionId[]): NextStep {
  const diagnosis = diagnose(input);
  if (diagnosis.clear || asked.length >= MAX_QUESTIONS) return { diagnosis };
  const known = { ...inferAnswers(input.evidence), ...input.answers };

  const plausible = new Set(diagnosis.ranked.filter((r) => r.score > 0 || r.causeId === diagnosis.leading).map((r) => r.causeId));
  plausible.add(diagnosis.leading);
  let best: { question: QuestionId; leaders: number; clears: number; rank: number } | undefined;
  TIE_BREAK.forEach((questionId, rank) => {
    if (known[questionId] !== undefined || asked.includes(questionId)) return;
    const outcomes = decisiveAnswers(questionId).map((answer) => diagnose({ ...input, answers: { ...input.answers, [questionId]: answer } }));
    // Count only outcomes that are already plausible: an answer that could crown a cause the evidence speaks against is unlikely.
    const leaders = new Set(outcomes.map((o) => o.leading).filter((c) => plausible.has(c)));
    const changes = outcomes.some((o) => o.leading !== diagnosis.leading || o.clear !== diagnosis.clear);
    if (!changes) return;
    const clears = outcomes.filter((o) => o.clear).length;
    const candidate = { question: questionId, leaders: leaders.size, clears, rank };
    if (!best || candidate.leaders > best.leaders || (candidate.leaders === best.leaders && candidate.clears > best.clears)) best = candidate;
  });
  return best ? { question: best.question, diagnosis } : { diagnosis };
}
