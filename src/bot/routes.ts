import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { messages } from '../content/knowledge';
import { FIX_RESULTS, Verbs, type Verb } from '../cards';
import type { AgentDesk, AgentReply } from '../desk/agent-desk';
import {
  channelText,
  isChannelHelp,
  isRegistrationCommand,
  isRetryDeliveriesCommand,
  isTicketsCommand,
  lookupTarget,
  mentionsBot,
  type ChannelCommands,
} from '../desk/channel-commands';
import * as employee from '../dialogs/employee-actions';
import { onCommand, type TypedText } from '../dialogs/employee-chat';
import type { EmployeeDeps, EmployeeTurn } from '../dialogs/employee-turn';
import { isCauseId, type CauseId } from '../domain/causes';
import { classifyMessage, type Command } from '../domain/message-parser';
import { getQuestion, isAnswerFor, isQuestionId, type QuestionId } from '../domain/questions';
import type { Person } from '../domain/tickets';

/**
 * THE table of everything the bot understands: every card verb (src/cards/verbs.ts) and every
 * typed command, with who may use it and where. src/bot/register-routes.ts registers each row with
 * teams-ai and applies the schema and the agent check in that one place.
 *
 * - who: 'employee' (anyone, about their own case) · 'agent' (checked against the roster before
 *   anything is read, so a refusal never tells whether a ticket exists) · 'anyone'.
 * - where: 'personal' (the 1:1 chat) · 'channel' (any team channel or group chat) · 'any'.
 */

/** The parts the handlers call. */
export interface RouteServices {
  employee: EmployeeDeps;
  desk: AgentDesk;
  channel: ChannelCommands;
}

/** One card verb's row. `check` returns a friendly problem for data the schema alone would word badly. */
export type CardRoute = {
  verb: Verb;
  schema: z.ZodTypeAny;
  check?: (data: Record<string, unknown>, locale?: string) => string | undefined;
} & (
  | { who: 'employee'; where: 'personal'; handle: (turn: EmployeeTurn, s: RouteServices, data: never) => ReturnType<employee.EmployeeAction<unknown>> }
  | {
      who: 'agent';
      where: 'any' | 'channel';
      notifyRefusal?: (context: TurnContext) => boolean;
      handle: (s: RouteServices, context: TurnContext, agent: Person, data: never) => Promise<AgentReply>;
    }
);

/** One typed command's row (`command` also names it in the audit log); `match` returns what the command names (its argument), or undefined. */
export type CommandRoute = { command: string } & (
  | {
      who: 'employee';
      where: 'personal';
      match: (text: string, context: TurnContext) => Command | undefined;
      handle: (turn: EmployeeTurn, s: RouteServices, input: TypedText, command: Command) => Promise<void>;
    }
  | {
      who: 'agent';
      where: 'channel';
      match: (text: string, context: TurnContext, s: RouteServices) => Promise<string | undefined> | string | undefined;
      handle: (s: RouteServices, context: TurnContext, agent: Person, arg: string, text: string) => Promise<void>;
    }
  | { who: 'anyone'; where: 'channel'; match: (text: string, context: TurnContext) => string | undefined; handle: (s: RouteServices, context: TurnContext) => Promise<void> }
);

// Contract data shapes (docs/contract.md §3), bounded: card data is untrusted.
const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));
const rating = z.coerce.number().int().min(1).max(5);
const ticketId = z
  .string()
  .trim()
  .regex(/^HD-\d{1,9}$/i, 'must look like HD-000042')
  .transform((v) => v.toUpperCase());
const ticketOnly = z.object({ ticketId });
/** ticket.refresh, in both places (one verb, one schema): `as: "reply"` asks for the card as a new reply in the thread (agents' "Open" buttons). */
const refreshData = z.object({ ticketId, as: optionalText(16) });
/** The case a triage card was shown in (this bot's addition to the contract data; absent on hand-built data). */
const caseRef = optionalText(64);
const none = z.object({});

const unknownCause = (value: unknown, locale?: string): string => messages(locale).text('bot.invalid.unknown-cause', { causeId: String(value).slice(0, 64) });

/** An employee verb: typed data in, the employee action out. */
function forEmployee<S extends z.ZodTypeAny>(verb: Verb, schema: S, handle: employee.EmployeeAction<z.output<S>>, check?: CardRoute['check']): CardRoute {
  return { verb, schema, check, who: 'employee', where: 'personal', handle: (turn, s, data: z.output<S>) => handle(turn, s.employee, data) };
}

/** An agent verb on a ticket, handled by the agent desk. */
function forAgent<S extends z.ZodTypeAny>(
  verb: Verb,
  schema: S,
  where: 'any' | 'channel',
  handle: (s: RouteServices, context: TurnContext, agent: Person, data: z.output<S>) => Promise<AgentReply>,
): CardRoute {
  return { verb, schema, who: 'agent', where, handle };
}

const deskAction =
  (verb: Verb) =>
  (s: RouteServices, context: TurnContext, agent: Person, data: Record<string, unknown>): Promise<AgentReply> =>
    s.desk.handleAction(context, agent, { verb, ...data } as Parameters<AgentDesk['handleAction']>[2]);

/** Every card verb. A verb may have one row per place (ticket.refresh: the employee's card and the agents' card). */
export const CARD_ROUTES: readonly CardRoute[] = [
  // Employee, in the 1:1 chat (contract verbs first, then this bot's additions).
  forEmployee(
    Verbs.triageAnswer,
    z.object({ questionId: z.custom<QuestionId>(isQuestionId), answer: z.string().trim(), case: caseRef }),
    employee.answerQuestion,
    (data, locale) => {
      const questionId = data.questionId;
      const m = messages(locale);
      if (!isQuestionId(questionId)) return m.text('bot.invalid.unknown-question', { questionId: String(questionId).slice(0, 64) });
      const answer = typeof data.answer === 'string' ? data.answer.trim() : data.answer;
      if (isAnswerFor(questionId, answer)) return undefined;
      return answer === undefined || answer === ''
        ? m.text('bot.invalid.no-answer')
        : m.text('bot.invalid.unknown-answer', {
            answer: (typeof answer === 'string' || typeof answer === 'number' ? String(answer) : JSON.stringify(answer)).slice(0, 64),
            question: getQuestion(questionId, locale).text,
          });
    },
  ),
  forEmployee(Verbs.fixResult, z.object({ causeId: text(64), stepId: text(64), result: z.enum(FIX_RESULTS), case: caseRef }), employee.stepResult, (data, locale) =>
    isCauseId(data.causeId) ? undefined : unknownCause(data.causeId, locale),
  ),
  forEmployee(Verbs.ticketCreate, z.object({ causeId: optionalText(64), details: optionalText(2000) }), employee.openTicket, (data, locale) =>
    data.causeId !== undefined && data.causeId !== '' && !isCauseId(data.causeId) ? unknownCause(data.causeId, locale) : undefined,
  ),
  forEmployee(Verbs.ticketStatus, ticketOnly, employee.ticketStatus),
  forEmployee(Verbs.ticketRate, z.object({ ticketId, rating, comment: optionalText(1000) }), employee.rateOwnTicket),
  forEmployee(Verbs.triageStart, none, employee.startOver),
  forEmployee(Verbs.triageRestart, none, employee.startOver),
  forEmployee(Verbs.triageRate, z.object({ causeId: optionalText(64), rating }), employee.rateHelp),
  forEmployee(Verbs.fixStart, z.object({ causeId: z.string().refine(isCauseId, 'is not a cause I know') as unknown as z.ZodType<CauseId> }), employee.startSentFix),
  forEmployee(Verbs.helpShow, none, employee.showHelp),
  forEmployee(Verbs.ticketWithdraw, ticketOnly, employee.withdrawOwnTicket),
  forEmployee(Verbs.ticketNotFixed, ticketOnly, employee.notFixed),
  forEmployee(Verbs.ticketAddDetails, z.object({ ticketId, text: text(2000) }), employee.addTicketDetails),
  forEmployee(Verbs.ticketRefresh, refreshData, employee.ticketStatus),

  // Agents: from the ticket card in the channel, or from an agent anywhere.
  forAgent(Verbs.ticketClaim, ticketOnly, 'any', deskAction(Verbs.ticketClaim)),
  forAgent(Verbs.ticketTransfer, z.object({ ticketId, toAgent: text(128), note: optionalText(1000) }), 'any', deskAction(Verbs.ticketTransfer)),
  forAgent(Verbs.ticketReply, z.object({ ticketId, text: text(4000) }), 'any', deskAction(Verbs.ticketReply)),
  forAgent(Verbs.ticketResolve, z.object({ ticketId, note: optionalText(2000) }), 'any', deskAction(Verbs.ticketResolve)),
  forAgent(Verbs.ticketReopen, ticketOnly, 'any', deskAction(Verbs.ticketReopen)),
  forAgent(Verbs.ticketSendFix, z.object({ ticketId, causeId: text(64), stepId: optionalText(64) }), 'any', deskAction(Verbs.ticketSendFix)),
  forAgent(Verbs.ticketAskInfo, z.object({ ticketId, text: text(4000) }), 'any', deskAction(Verbs.ticketAskInfo)),
  forAgent(Verbs.ticketHandBack, ticketOnly, 'any', deskAction(Verbs.ticketHandBack)),
  // The live agent card (Universal Actions refresh). Teams' automatic refresh invokes from non-agents get no refusal card.
  {
    // `as: "reply"`: the ticket list's and incident card's "Open" buttons post the card in the thread instead.
    ...forAgent(Verbs.ticketRefresh, refreshData, 'channel', (s, context, _agent, data) => s.desk.refresh(context, data.ticketId, data.as === 'reply')),
    notifyRefusal: (context: TurnContext) => context.activity.type === 'message',
  } as CardRoute,
];

/** An employee command, as the message reader classifies it. */
const employeeCommand =
  (...commands: Command[]) =>
  (text: string, context: TurnContext): Command | undefined => {
    const intent = classifyMessage(text, context.activity.locale || undefined);
    return intent.kind === 'command' && commands.includes(intent.command) ? intent.command : undefined;
  };

const runEmployeeCommand = (turn: EmployeeTurn, s: RouteServices, input: TypedText, command: Command): Promise<void> => onCommand(turn, s.employee, input, command);

/** Every typed command, in the order they are tried; anything else goes to the catch-all (triage, or the channel's pointer to "help"). */
export const COMMAND_ROUTES: readonly CommandRoute[] = [
  // Employee, in the 1:1 chat.
  { command: 'start over', who: 'employee', where: 'personal', match: employeeCommand('start over'), handle: runEmployeeCommand },
  { command: 'help', who: 'employee', where: 'personal', match: employeeCommand('help'), handle: runEmployeeCommand },
  { command: 'my tickets', who: 'employee', where: 'personal', match: employeeCommand('my tickets', 'tickets'), handle: runEmployeeCommand },
  // Agents' commands typed in a personal chat get a pointer to the channel.
  {
    command: 'use this channel for tickets / lookup',
    who: 'employee',
    where: 'personal',
    match: employeeCommand('use this channel for tickets', 'lookup'),
    handle: runEmployeeCommand,
  },

  // The help desk channel (the bot sees a message there only when mentioned).
  // Registration applies contract §3a's own rule (an existing agent, the same tenant), audited.
  {
    command: 'use this channel for tickets',
    who: 'anyone',
    where: 'channel',
    match: (t, context) => (isRegistrationCommand(t) && mentionsBot(context.activity) ? t : undefined),
    handle: (s, context) => s.channel.register(context),
  },
  { command: 'tickets', who: 'agent', where: 'channel', match: (t) => (isTicketsCommand(channelText(t)) ? t : undefined), handle: (s, context) => s.channel.listTickets(context) },
  {
    command: 'retry deliveries',
    who: 'agent',
    where: 'channel',
    match: (t) => (isRetryDeliveriesCommand(channelText(t)) ? t : undefined),
    handle: (s, context, agent) => s.channel.retryDeliveries(context, agent),
  },
  { command: 'lookup', who: 'agent', where: 'channel', match: (t) => lookupTarget(channelText(t)), handle: (s, context, agent, upn) => s.channel.lookup(context, agent, upn) },
  { command: 'help', who: 'anyone', where: 'channel', match: (t) => (isChannelHelp(channelText(t)) ? t : undefined), handle: (s, context) => s.channel.help(context) },
  {
    command: 'thread reply',
    who: 'agent',
    where: 'channel',
    match: (_t, context, s) => s.channel.threadTicket(context),
    handle: (s, context, agent, ticket, t) => s.channel.threadReply(context, agent, ticket, t),
  },
];
