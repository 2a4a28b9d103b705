/**
 * The contract's triage questions and their answer ids (docs/contract.md §2). The ids are
 * public: suites outside this code answer through them, so they live in code and never change.
 * What each question and answer says lives in content/<locale>/questions.yaml.
 */

/** Every question id, in the order the contract lists them. */
export const QUESTION_IDS = ['error-code', 'error-message', 'password-changed', 'network', 'web-works', 'other-apps', 'device-type', 'admin-rights', 'others-affected'] as const;

/** A question id from the contract. */
export type QuestionId = (typeof QUESTION_IDS)[number];

/** The answer ids each question accepts, in the order its buttons show them. */
export const QUESTION_ANSWER_IDS: Readonly<Record<QuestionId, readonly string[]>> = {
  'error-code': ['0x8004de40', '0x8004de88', '0x8004de4a', '0x8004deef', '0x8004de90', '0x8004de85', '0x8004de8a', 'caa50021', 'other'],
  'error-message': ['credentials', 'connection', 'other'],
  'password-changed': ['yes', 'no', 'not-sure'],
  network: ['office', 'home', 'vpn', 'not-sure'],
  'web-works': ['yes', 'no', 'not-tried'],
  'other-apps': ['yes', 'no', 'not-sure'],
  'device-type': ['company', 'personal', 'not-sure'],
  'admin-rights': ['yes', 'no', 'not-sure'],
  'others-affected': ['yes', 'no', 'not-sure'],
};

/** What is known so far: one answer id per question. */
export type Answers = Partial<Record<QuestionId, string>>;

/** Narrows an untrusted string to a question id. */
export function isQuestionId(value: unknown): value is QuestionId {
  return typeof value === 'string' && (QUESTION_IDS as readonly string[]).includes(value);
}

/** True when `answer` is one of the question's answer ids. */
export function isAnswerFor(questionId: QuestionId, answer: unknown): answer is string {
  return typeof answer === 'string' && QUESTION_ANSWER_IDS[questionId].includes(answer);
}
