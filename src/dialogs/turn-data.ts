import type { TurnContext } from 'botbuilder';
import type { CaseFile } from '../domain/case-file';
import type { FixResultValue } from '../domain/fix-walkthrough';
import type { QuestionId } from '../domain/questions';

/** What the employee did this turn, already parsed and validated by the bot layer. */
export type DialogInput =
  | { kind: 'text'; text: string }
  | { kind: 'answer'; questionId: QuestionId; answer: string }
  | { kind: 'fix-result'; causeId: string; stepId: string; result: FixResultValue }
  | { kind: 'none' };

/** Per-turn facts the bot layer hands to the dialogs. */
export interface TurnData {
  input: DialogInput;
  caseFile: CaseFile;
  now: Date;
  /** IANA time zone of the employee's Teams client, when it says. */
  timeZone?: string;
  /** The authenticated `from.aadObjectId`; the only id lookups ever use. */
  userId?: string;
  userName?: string;
}

const KEY = Symbol.for('helpdesk.turnData');

/** Attaches this turn's data to the context (the bot layer calls this before running dialogs). */
export function setTurnData(context: TurnContext, data: TurnData): void {
  context.turnState.set(KEY, data);
}

/** Reads this turn's data; dialogs run only after the bot layer set it. */
export function getTurnData(context: TurnContext): TurnData {
  const data = context.turnState.get(KEY) as TurnData | undefined;
  if (!data) throw new Error('Turn data missing: the bot layer must call setTurnData before running dialogs.');
  return data;
}
