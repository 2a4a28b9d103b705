/**
 * Triage questions and their answers (docs/contract.md §2). The ids are fixed in
 * ./question-ids; what each question says lives in content/<locale>/questions.yaml.
 */
import { knowledge } from '../content/knowledge';
import type { Question } from '../content/load-content';
import type { QuestionId } from './question-ids';

export { QUESTION_IDS, QUESTION_ANSWER_IDS, isAnswerFor, isQuestionId, type Answers, type QuestionId } from './question-ids';
export type { Question } from '../content/load-content';

/** One question in `locale` (English by default). */
export function getQuestion(id: QuestionId, locale?: string): Question {
  return knowledge(locale).questions[id];
}

/** The button label for an answer id, for transcripts and tickets. */
export function answerLabel(questionId: QuestionId, answer: string, locale?: string): string {
  return getQuestion(questionId, locale).answers.find((a) => a.id === answer)?.label ?? answer;
}
