import type { AdaptiveCard } from '../cards';
import { recordLine } from '../domain/case-file';
import type { CauseId } from '../domain/causes';
import type { FixResultValue } from '../domain/fix-walkthrough';
import { addDetails, rateTicket, reopenTicket, withdrawTicket } from '../domain/handoff';
import { answerLabel, getQuestion, type QuestionId } from '../domain/questions';
import { runCommand } from './employee-chat';
import { changeOwnTicket, createTicket, showTicket } from './employee-tickets';
import type { EmployeeDeps, EmployeeTurn } from './employee-turn';
import { beginFix, beginTriage, continueFlow, inFlow } from './flows';

/**
 * The employee's card actions, one function per verb (the routes in src/bot/routes.ts call them
 * with validated data). Each returns the card that replaces the pressed one, when there is one.
 */
export type EmployeeAction<T> = (turn: EmployeeTurn, deps: EmployeeDeps, data: T) => Promise<AdaptiveCard | undefined>;

/** Writes the button press to the transcript (the ticket shows it to the help desk). */
export function recordPress(turn: EmployeeTurn, what: string): void {
  recordLine(turn.caseFile, 'employee', what, turn.now);
}

/** `triage.start` / `triage.restart`: a fresh triage. */
export const startOver: EmployeeAction<object> = async (turn, deps) => {
  await beginTriage(turn, deps, {});
  return undefined;
};

/** `help.show`. */
export const showHelp: EmployeeAction<object> = async (turn, deps) => {
  await runCommand(turn, deps, 'help');
  return undefined;
};

/** A card action's `case`: the case its card was shown in (absent on cards built by hand). */
type CaseRef = { case?: string };

/** True when the card belongs to another case than the current one ("start over" or a new problem came since). */
function fromAnotherCase(turn: EmployeeTurn, data: CaseRef): boolean {
  return data.case !== undefined && data.case !== turn.caseFile.startedAt;
}

/**
 * A question card pressed too late: its case is over, or its question already has a card answer
 * and is not the one on screen. (An answer only read from the employee's words may be confirmed.)
 */
function answerIsStale(turn: EmployeeTurn, data: { questionId: QuestionId } & CaseRef): boolean {
  if (fromAnotherCase(turn, data)) return true;
  const flow = turn.conversation.flow;
  if (flow?.kind === 'triage' && flow.pending === data.questionId) return false;
  if (flow?.kind === 'fix' && flow.awaitingAdminRights && data.questionId === 'admin-rights') return false;
  const file = turn.caseFile;
  return file.answers[data.questionId] !== undefined && !(file.textFacts ?? []).includes(data.questionId);
}

/** A step card pressed too late: its case is over, or this step's outcome is already recorded. */
function resultIsStale(turn: EmployeeTurn, data: { causeId: string; stepId: string } & CaseRef): boolean {
  if (fromAnotherCase(turn, data)) return true;
  const flow = turn.conversation.flow;
  if (flow?.kind === 'fix') return flow.causeId === data.causeId && flow.results.some((r) => r.stepId === data.stepId);
  return turn.caseFile.steps.some((s) => s.causeId === data.causeId && s.stepId === data.stepId);
}

const RESULT_LABELS = { fixed: 'actions.result.fixed', 'not-fixed': 'actions.result.not-fixed', 'cannot-do': 'actions.result.cannot-do' } as const;

/**
 * `triage.answer`: the flow in progress takes it; without one, it starts a triage with it. A card
 * already answered (or from an earlier case) says "this step is done" and changes nothing; an
 * answer taken replaces the pressed card with the answer given.
 */
export const answerQuestion: EmployeeAction<{ questionId: QuestionId; answer: string } & CaseRef> = async (turn, deps, data) => {
  if (answerIsStale(turn, data)) {
    await turn.stepAlreadyDone();
    return turn.replacement;
  }
  if (inFlow(turn)) await continueFlow(turn, deps, { kind: 'answer', questionId: data.questionId, answer: data.answer });
  else await beginTriage(turn, deps, { answer: { questionId: data.questionId, answer: data.answer } });
  if (turn.caseFile.answers[data.questionId] === data.answer) {
    turn.replacePressed(getQuestion(data.questionId, turn.locale).text, turn.text('actions.answered', { answer: answerLabel(data.questionId, data.answer, turn.locale) }));
  }
  return turn.replacement;
};

/**
 * `fix.result`: the flow judges it (the walkthrough applies it, triage says the card is from an
 * earlier diagnosis). A step already reported says "this step is done"; a result taken replaces
 * the pressed card with the step and the result given.
 */
export const stepResult: EmployeeAction<{ causeId: string; stepId: string; result: FixResultValue } & CaseRef> = async (turn, deps, data) => {
  if (resultIsStale(turn, data)) {
    await turn.stepAlreadyDone();
    return turn.replacement;
  }
  if (!inFlow(turn)) {
    await turn.notice(turn.text('actions.walkthrough-ended.title'), turn.text('actions.walkthrough-ended.text'));
    return undefined;
  }
  const before = turn.caseFile.steps.length;
  await continueFlow(turn, deps, { kind: 'fix-result', causeId: data.causeId, stepId: data.stepId, result: data.result });
  const taken = turn.caseFile.steps.slice(before).find((s) => s.causeId === data.causeId && s.stepId === data.stepId && s.result === data.result);
  if (taken) turn.replacePressed(taken.title, turn.text('actions.step-reported', { result: turn.text(RESULT_LABELS[data.result]) }));
  return turn.replacement;
};

/** `triage.rate`: the self-service rating; the rated card keeps its heading and shows the rating instead of the stars to press. */
export const rateHelp: EmployeeAction<{ causeId?: string; rating: number }> = async (turn, deps, data) => {
  recordLine(turn.caseFile, 'employee', `rated the help ${data.rating}/5`, turn.now);
  deps.log.info({ rating: data.rating, causeId: data.causeId }, 'self-service rating');
  await turn.notice(turn.text('actions.rating.title'), turn.text(data.rating >= 4 ? 'actions.rating.good' : 'actions.rating.poor'), 'good');
  turn.replacePressed(turn.text('cards.resolved.heading'), turn.text('actions.rated', { rating: data.rating }));
  return turn.replacement;
};

/** `ticket.create`. */
export const openTicket: EmployeeAction<{ causeId?: string; details?: string }> = async (turn, deps, data) => {
  await createTicket(turn, deps, data.causeId, data.details);
  return undefined;
};

/** `ticket.status` and, in the employee's chat, `ticket.refresh`. */
export const ticketStatus: EmployeeAction<{ ticketId: string }> = (turn, deps, data) => showTicket(turn, deps, data.ticketId);

/** `ticket.rate`. */
export const rateOwnTicket: EmployeeAction<{ ticketId: string; rating: number; comment?: string }> = (turn, deps, data) =>
  changeOwnTicket(
    turn,
    deps,
    data.ticketId,
    (t, me) => rateTicket(t, me, data.rating, data.comment, turn.now),
    (me) => ({ kind: 'rated', actor: me, rating: data.rating, comment: data.comment }),
  );

/** `ticket.withdraw`. */
export const withdrawOwnTicket: EmployeeAction<{ ticketId: string }> = (turn, deps, data) =>
  changeOwnTicket(
    turn,
    deps,
    data.ticketId,
    (t, me) => withdrawTicket(t, me, turn.now),
    (me) => ({ kind: 'withdrawn', actor: me }),
  );

/** `ticket.details`. */
export const addTicketDetails: EmployeeAction<{ ticketId: string; text: string }> = (turn, deps, data) =>
  changeOwnTicket(
    turn,
    deps,
    data.ticketId,
    (t, me) => addDetails(t, me, data.text, turn.now),
    (me) => ({ kind: 'details-added', actor: me, text: data.text }),
  );

/** `ticket.not-fixed`: the employee's "It's not fixed" on the resolution card; agents reopen with ticket.reopen. */
export const notFixed: EmployeeAction<{ ticketId: string }> = (turn, deps, data) =>
  changeOwnTicket(
    turn,
    deps,
    data.ticketId,
    (t, me) => reopenTicket(t, me, turn.now, turn.text('actions.not-fixed-note')),
    (me) => ({ kind: 'reopened', actor: me, byEmployee: true }),
  );

/** `fix.start`: the walkthrough an agent sent. */
export const startSentFix: EmployeeAction<{ causeId: CauseId }> = async (turn, _deps, data) => {
  await beginFix(turn, data.causeId);
  return undefined;
};
