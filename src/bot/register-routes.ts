import type { AdaptiveCard as TeamsAiCard, Application } from '@microsoft/teams-ai';
import { ActivityTypes, type TurnContext } from 'botbuilder';
import { isVerb, Verbs, type AdaptiveCard } from '../cards';
import { messages } from '../content/knowledge';
import type { Messages } from '../content/messages';
import { recordPress } from '../dialogs/employee-actions';
import { onEmpty, onInvalidAction, onText } from '../dialogs/employee-chat';
import { EmployeeTurn } from '../dialogs/employee-turn';
import { systemClock } from '../domain/clock';
import type { Command } from '../domain/message-parser';
import type { z } from 'zod';
import { cardVerb, invokeData, isActionExecute, isPersonal, readActivity, submitData } from './activity-input';
import { CARD_ROUTES, COMMAND_ROUTES, type CardRoute, type CommandRoute, type RouteServices } from './routes';
import { answerInvokeWithCard, sendNotice } from './send';
import type { HelpdeskTurnState } from './turn-state';

/** What a card action answers with: a card (Action.Execute replaces the pressed one with it), a line, or nothing. */
type CardResult = AdaptiveCard | string | undefined;

/** The messages in the language of the activity's sender. */
function localeMessages(context: TurnContext): Messages {
  return messages(context.activity.locale || undefined);
}

/** Explains a zod failure in one line for the employee. */
function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ');
}

/** The employee's turn in their 1:1 chat: the saved conversation, migrated, with a case file. */
function employeeTurn(s: RouteServices, context: TurnContext, state: HelpdeskTurnState): EmployeeTurn {
  const turn = new EmployeeTurn(context, state.conversation, s.employee.clock ?? systemClock);
  if (!turn.userId) s.employee.log.warn({ conversation: context.activity.conversation?.id }, 'activity without from.aadObjectId');
  return turn;
}

/** How the transcript tells a button press. */
function describePress(verb: string, data: Record<string, unknown>): string {
  if (verb === Verbs.triageAnswer) return `answered ${String(data.questionId)}: ${String(data.answer)}`;
  if (verb === Verbs.fixResult) return `step ${String(data.stepId)}: ${String(data.result)}`;
  return `pressed ${verb}`;
}

async function refuseInvalid(s: RouteServices, context: TurnContext, state: HelpdeskTurnState, verb: string | undefined, problem: string): Promise<CardResult> {
  if (isPersonal(context)) await onInvalidAction(employeeTurn(s, context, state), s.employee, verb, problem, verb === Verbs.triageAnswer);
  else await sendNotice(context, localeMessages(context).text('bot.invalid.title'), problem, 'attention');
  return undefined;
}

/**
 * Runs one card action through its row: the verb must be known, the data must pass the row's
 * check and schema, the place must fit (an employee verb in a channel is pointed to the personal
 * chat), and an agent verb needs an agent before anything is read.
 */
export async function runCardAction(s: RouteServices, context: TurnContext, state: HelpdeskTurnState, data: Record<string, unknown>): Promise<CardResult> {
  const verb = data.verb;
  const m = localeMessages(context);
  if (typeof verb !== 'string' || verb.length === 0) return refuseInvalid(s, context, state, undefined, m.text('bot.invalid.no-verb'));
  if (!isVerb(verb)) return refuseInvalid(s, context, state, verb.slice(0, 64), m.text('bot.invalid.unknown-verb', { verb: verb.slice(0, 64) }));
  const rows = CARD_ROUTES.filter((r) => r.verb === verb);
  const first = rows[0]!;
  const problem = first.check?.(data, context.activity.locale || undefined);
  if (problem) return refuseInvalid(s, context, state, verb, problem);
  const parsed = first.schema.safeParse(data);
  if (!parsed.success) return refuseInvalid(s, context, state, verb, m.text('bot.invalid.bad-data', { problem: describe(parsed.error) }));

  const personal = isPersonal(context);
  const row = rows.find((r) => r.where === 'any' || r.where === (personal ? 'personal' : 'channel'));
  if (!row) {
    await sendNotice(context, m.text('bot.personal-only.title'), m.text('bot.personal-only.text'));
    return undefined;
  }
  if (row.who === 'agent') {
    const agent = await s.desk.requireAgent(context, verb, row.notifyRefusal?.(context) ?? true);
    if (!agent) return m.text('desk.agents-only.answer');
    const reply = await row.handle(s, context, agent, parsed.data as never);
    if (reply.viewOnly && reply.card && isActionExecute(context.activity)) {
      await answerInvokeWithCard(context, reply.card);
      return undefined;
    }
    return reply.card ?? reply.message;
  }
  const turn = employeeTurn(s, context, state);
  recordPress(turn, describePress(verb, parsed.data as Record<string, unknown>));
  return row.handle(turn, s, parsed.data as never);
}

/** The command's argument when the activity is typed text in the row's place and says that command. */
async function matchCommand(s: RouteServices, route: CommandRoute, context: TurnContext): Promise<{ arg: string; text: string; truncated: boolean } | undefined> {
  const input = readActivity(context.activity);
  if (input.kind !== 'text' || route.where !== (isPersonal(context) ? 'personal' : 'channel')) return undefined;
  const arg = await route.match(input.text, context, s);
  return arg === undefined ? undefined : { arg, text: input.text, truncated: input.truncated };
}

async function runCommand(s: RouteServices, route: CommandRoute, context: TurnContext, state: HelpdeskTurnState): Promise<void> {
  const found = await matchCommand(s, route, context);
  // Matched a moment ago; re-read in case it no longer does (a thread unlinked meanwhile).
  if (!found) {
    await catchAll(s, context, state);
    return;
  }
  switch (route.who) {
    case 'employee':
      return route.handle(employeeTurn(s, context, state), s, { text: found.text, truncated: found.truncated }, found.arg as Command);
    case 'agent': {
      const agent = await s.desk.requireAgent(context, route.command);
      if (!agent) return;
      return route.handle(s, context, agent, found.arg, found.text);
    }
    case 'anyone':
      return route.handle(s, context);
  }
}

/** Anything no row took: typed text goes to triage (personal) or the channel's pointer to "help". */
async function catchAll(s: RouteServices, context: TurnContext, state: HelpdeskTurnState): Promise<CardResult> {
  const input = readActivity(context.activity);
  if (input.kind === 'card') return runCardAction(s, context, state, input.data);
  if (!isPersonal(context)) {
    if (input.kind === 'text') await s.channel.fallback(context);
    return undefined;
  }
  const turn = employeeTurn(s, context, state);
  if (input.kind === 'empty') await onEmpty(turn);
  else await onText(turn, s.employee, { text: input.text, truncated: input.truncated });
  return undefined;
}

/** Action.Execute answers with the refreshed card when there is one and the pressed card can be replaced (its id is known). */
function executeAnswer(context: TurnContext, result: CardResult): TeamsAiCard | string {
  if (typeof result === 'object' && context.activity.replyToId) return result as unknown as TeamsAiCard;
  return typeof result === 'string' ? result : localeMessages(context).text('bot.done');
}

/**
 * Registers every row of src/bot/routes.ts with teams-ai, in this order: each card verb as
 * Action.Submit and Action.Execute, the typed commands, then one catch-all per activity kind
 * (unknown verbs and invalid data get a friendly notice there).
 */
export function registerRoutes(app: Application<HelpdeskTurnState>, s: RouteServices): void {
  const verbs = [...new Set(CARD_ROUTES.map((r: CardRoute) => r.verb))];
  for (const verb of verbs) {
    // Own selectors: the verb may be in the data or on the Action.Execute, and a null value must not throw.
    app.adaptiveCards.actionSubmit(
      async (context) => !context.activity.text && submitData(context.activity)?.verb === verb,
      async (context, state) => {
        await runCardAction(s, context, state, submitData(context.activity)!);
      },
    );
    app.adaptiveCards.actionExecute(
      async (context) =>
        isActionExecute(context.activity) && typeof (context.activity.value as { action?: { verb?: unknown } }).action?.verb === 'string' && cardVerb(context) === verb,
      async (context, state) => executeAnswer(context, await runCardAction(s, context, state, invokeData(context.activity))),
    );
  }
  for (const route of COMMAND_ROUTES) {
    app.message(
      async (context) => (await matchCommand(s, route, context)) !== undefined,
      (context, state) => runCommand(s, route, context, state),
    );
  }
  app.activity(ActivityTypes.Message, async (context, state) => {
    await catchAll(s, context, state);
  });
  app.adaptiveCards.actionExecute(/.*/, async (context, state) => executeAnswer(context, await catchAll(s, context, state)));
}
