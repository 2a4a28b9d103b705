/**
 * Triage questions and their answer ids (shared/triage-contract.md §2).
 * The ids are public: suites outside this code answer through them.
 */

/** One answer a person can pick, with the words shown on its button. */
export interface AnswerOption {
  readonly id: string;
  readonly label: string;
}

/** A triage question: what it asks, why it matters, and its fixed answers. */
export interface Question {
  readonly id: QuestionId;
  readonly text: string;
  /** One line under the question that says why the bot asks it. */
  readonly why: string;
  readonly answers: readonly AnswerOption[];
}

export const QUESTION_IDS = [
  'error-code',
  'error-message',
  'password-changed',
  'network',
  'web-works',
  'other-apps',
  'device-type',
  'admin-rights',
  'others-affected',
] as const;

/** A question id from the contract. */
export type QuestionId = (typeof QUESTION_IDS)[number];

/** What is known so far: one answer id per question. */
export type Answers = Partial<Record<QuestionId, string>>;

const q = (id: QuestionId, text: string, why: string, answers: Array<[string, string]>): Question => ({
  id,
  text,
  why,
  answers: answers.map(([answerId, label]) => ({ id: answerId, label })),
});

/** Every question, keyed by id. */
export const QUESTIONS: Readonly<Record<QuestionId, Question>> = {
  'error-code': q('error-code', 'Which error code does the OneDrive window show?', 'Each code points to a different kind of problem, so it narrows things down fastest.', [
    ['0x8004de40', '0x8004de40'],
    ['0x8004de88', '0x8004de88'],
    ['0x8004de4a', '0x8004de4a'],
    ['0x8004deef', '0x8004deef'],
    ['0x8004de90', '0x8004de90'],
    ['0x8004de85', '0x8004de85'],
    ['0x8004de8a', '0x8004de8a'],
    ['caa50021', 'CAA50021'],
    ['other', 'Another code or none'],
  ]),
  'error-message': q('error-message', 'What does the OneDrive message say?', 'The wording tells a sign-in refusal apart from a connection that never got through.', [
    ['credentials', 'Something went wrong, credentials invalid, or it keeps asking me to sign in'],
    ['connection', 'There was a problem connecting, check your internet'],
    ['other', 'Something else'],
  ]),
  'password-changed': q('password-changed', 'Did you change or reset your password in the last two weeks?', 'A new password makes the one OneDrive saved on this PC stale.', [
    ['yes', 'Yes'],
    ['no', 'No'],
    ['not-sure', 'Not sure'],
  ]),
  network: q('network', 'How is this PC connected right now?', 'VPNs and proxies are a common reason the sign-in never reaches Microsoft.', [
    ['office', 'Office network'],
    ['home', 'Home or public Wi-Fi'],
    ['vpn', 'VPN'],
    ['not-sure', 'Not sure'],
  ]),
  'web-works': q('web-works', 'Does OneDrive open in a web browser (office.com, then OneDrive)?', 'If the web works, your account is fine and the problem is on this PC or its network path.', [
    ['yes', 'Yes, the web works'],
    ['no', 'No, it fails too'],
    ['not-tried', "I haven't tried"],
  ]),
  'other-apps': q('other-apps', 'Do Outlook and Teams sign in normally on this PC?', 'If they do, your account and internet connection are working.', [
    ['yes', 'Yes'],
    ['no', 'No'],
    ['not-sure', 'Not sure'],
  ]),
  'device-type': q('device-type', 'Is this PC managed by the company, or is it your own?', 'Company policies often require a managed, compliant device.', [
    ['company', 'Company PC'],
    ['personal', 'My own PC'],
    ['not-sure', 'Not sure'],
  ]),
  'admin-rights': q('admin-rights', 'Can you run programs as administrator on this PC?', 'Some fixes need local administrator rights; if you do not have them, IT will do those steps.', [
    ['yes', 'Yes'],
    ['no', 'No'],
    ['not-sure', 'Not sure'],
  ]),
  'others-affected': q('others-affected', 'Are colleagues seeing the same error?', 'Several people at once points to a company-wide setting rather than your PC.', [
    ['yes', 'Yes'],
    ['no', 'No'],
    ['not-sure', 'Not sure'],
  ]),
};

/** Narrows an untrusted string to a question id. */
export function isQuestionId(value: unknown): value is QuestionId {
  return typeof value === 'string' && (QUESTION_IDS as readonly string[]).includes(value);
}

/** True when `answer` is one of the question's answer ids. */
export function isAnswerFor(questionId: QuestionId, answer: unknown): answer is string {
  return typeof answer === 'string' && QUESTIONS[questionId].answers.some((a) => a.id === answer);
}

/** The button label for an answer id, for transcripts and tickets. */
export function answerLabel(questionId: QuestionId, answer: string): string {
  return QUESTIONS[questionId].answers.find((a) => a.id === answer)?.label ?? answer;
}
