import type { Activity } from 'botbuilder';
import { z } from 'zod';
import { FIX_RESULTS, isVerb, Verbs, type Verb } from '../cards';
import { isCauseId } from '../domain/causes';
import { MAX_MESSAGE_LENGTH } from '../domain/message-parser';
import { isAnswerFor, isQuestionId, QUESTIONS } from '../domain/questions';

/** A parsed card action, validated against the contract's data shapes. */
export type CardAction =
  | { verb: typeof Verbs.triageAnswer; questionId: keyof typeof QUESTIONS; answer: string }
  | { verb: typeof Verbs.fixResult; causeId: string; stepId: string; result: (typeof FIX_RESULTS)[number] }
  | { verb: typeof Verbs.ticketCreate; causeId?: string; details?: string }
  | { verb: typeof Verbs.ticketStatus | typeof Verbs.ticketWithdraw | typeof Verbs.ticketNotFixed | typeof Verbs.ticketClaim | typeof Verbs.ticketReopen | typeof Verbs.ticketRefresh | typeof Verbs.ticketHandBack; ticketId: string }
  | { verb: typeof Verbs.ticketRate; ticketId: string; rating: number; comment?: string }
  | { verb: typeof Verbs.ticketAddDetails; ticketId: string; text: string }
  | { verb: typeof Verbs.ticketTransfer; ticketId: string; toAgent: string; note?: string }
  | { verb: typeof Verbs.ticketReply | typeof Verbs.ticketAskInfo; ticketId: string; text: string }
  | { verb: typeof Verbs.ticketResolve; ticketId: string; note?: string }
  | { verb: typeof Verbs.ticketSendFix; ticketId: string; causeId: string; stepId?: string }
  | { verb: typeof Verbs.triageStart | typeof Verbs.triageRestart | typeof Verbs.helpShow }
  | { verb: typeof Verbs.triageRate; causeId?: string; rating: number }
  | { verb: typeof Verbs.fixStart; causeId: import('../domain/causes').CauseId };

/** What one activity asks of the bot. */
export type BotInput =
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'action'; action: CardAction }
  | { kind: 'invalid-action'; verb?: string; problem: string }
  | { kind: 'empty' };

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));
const rating = z.coerce.number().int().min(1).max(5);
const ticketId = z.string().trim().regex(/^HD-\d{1,9}$/i, 'must look like HD-000042').transform((v) => v.toUpperCase());

const schemas: Partial<Record<Verb, z.ZodTypeAny>> = {
  [Verbs.fixResult]: z.object({ causeId: text(64), stepId: text(64), result: z.enum(FIX_RESULTS) }),
  [Verbs.ticketCreate]: z.object({ causeId: optionalText(64), details: optionalText(2000) }),
  [Verbs.ticketStatus]: z.object({ ticketId }),
  [Verbs.ticketWithdraw]: z.object({ ticketId }),
  [Verbs.ticketNotFixed]: z.object({ ticketId }),
  [Verbs.ticketRefresh]: z.object({ ticketId }),
  [Verbs.ticketClaim]: z.object({ ticketId }),
  [Verbs.ticketReopen]: z.object({ ticketId }),
  [Verbs.ticketHandBack]: z.object({ ticketId }),
  [Verbs.ticketRate]: z.object({ ticketId, rating, comment: optionalText(1000) }),
  [Verbs.ticketAddDetails]: z.object({ ticketId, text: text(2000) }),
  [Verbs.ticketTransfer]: z.object({ ticketId, toAgent: text(128), note: optionalText(1000) }),
  [Verbs.ticketReply]: z.object({ ticketId, text: text(4000) }),
  [Verbs.ticketAskInfo]: z.object({ ticketId, text: text(4000) }),
  [Verbs.ticketResolve]: z.object({ ticketId, note: optionalText(2000) }),
  [Verbs.ticketSendFix]: z.object({ ticketId, causeId: text(64), stepId: optionalText(64) }),
  [Verbs.triageRate]: z.object({ causeId: optionalText(64), rating }),
  [Verbs.fixStart]: z.object({ causeId: z.string().refine(isCauseId, 'is not a cause I know') }),
};

/** Explains a zod failure in one line for the employee. */
function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
}

/** Validates card action data against its verb's contract shape. */
export function parseCardAction(data: Record<string, unknown>): BotInput {
  const verb = data.verb;
  if (typeof verb !== 'string' || verb.length === 0) return { kind: 'invalid-action', problem: 'The button carried no action.' };
  if (!isVerb(verb)) return { kind: 'invalid-action', verb: verb.slice(0, 64), problem: `I don't know the action "${verb.slice(0, 64)}".` };

  if (verb === Verbs.triageAnswer) {
    const questionId = data.questionId;
    if (!isQuestionId(questionId)) return { kind: 'invalid-action', verb, problem: `"${String(questionId).slice(0, 64)}" is not one of my questions.` };
    const answer = typeof data.answer === 'string' ? data.answer.trim() : data.answer;
    if (!isAnswerFor(questionId, answer)) {
      return { kind: 'invalid-action', verb, problem: answer === undefined || answer === '' ? 'Please pick an answer first.' : `"${String(answer).slice(0, 64)}" is not one of the answers to "${QUESTIONS[questionId].text}"` };
    }
    return { kind: 'action', action: { verb, questionId, answer } };
  }
  if (verb === Verbs.fixResult && !isCauseId(data.causeId)) return { kind: 'invalid-action', verb, problem: `"${String(data.causeId).slice(0, 64)}" is not a cause I know.` };
  if (verb === Verbs.ticketCreate && data.causeId !== undefined && data.causeId !== '' && !isCauseId(data.causeId)) {
    return { kind: 'invalid-action', verb, problem: `"${String(data.causeId).slice(0, 64)}" is not a cause I know.` };
  }
  const schema = schemas[verb];
  if (!schema) return { kind: 'action', action: { verb } as CardAction };
  const parsed = schema.safeParse(data);
  if (!parsed.success) return { kind: 'invalid-action', verb, problem: `That action's data is not valid: ${describe(parsed.error)}.` };
  return { kind: 'action', action: { verb, ...parsed.data } as CardAction };
}

/** Reads an activity: typed text, Action.Submit data (message with value) or Action.Execute (invoke). */
export function readActivity(activity: Partial<Activity>): BotInput {
  if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
    const action = (activity.value as { action?: { verb?: string; data?: Record<string, unknown> } } | undefined)?.action;
    const data = { ...(action?.data ?? {}) };
    if (data.verb === undefined && action?.verb) data.verb = action.verb;
    return parseCardAction(data);
  }
  if (activity.type === 'message') {
    if (activity.value && typeof activity.value === 'object' && !Array.isArray(activity.value)) return parseCardAction(activity.value as Record<string, unknown>);
    const raw = typeof activity.text === 'string' ? activity.text : '';
    if (!raw.trim()) return { kind: 'empty' };
    const truncated = raw.length > MAX_MESSAGE_LENGTH;
    return { kind: 'text', text: truncated ? raw.slice(0, MAX_MESSAGE_LENGTH) : raw, truncated };
  }
  return { kind: 'empty' };
}
