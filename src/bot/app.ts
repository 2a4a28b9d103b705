import { Application, TeamsAdapter, type AdaptiveCard as TeamsAiCard } from '@microsoft/teams-ai';
import { ActivityTypes, type Storage, type TurnContext } from 'botbuilder';
import { Verbs, type AdaptiveCard } from '../cards';
import { sendNotice } from '../dialogs';
import { readActivity } from './activity-input';
import { AGENT_VERBS, type AgentDesk } from './agent-desk';
import { HelpdeskBot } from './helpdesk-bot';
import { createTurnState, type HelpdeskTurnState } from './turn-state';

/** Logger shape the bot edge uses (pino fits). */
export interface BotLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Builds the teams-ai Application and wires its routes to the help desk bot. */
export function createBotApplication(deps: { adapter: TeamsAdapter; storage: Storage; bot: HelpdeskBot; agentDesk: AgentDesk; botAppId?: string; log: BotLogger }): Application<HelpdeskTurnState> {
  const app = new Application<HelpdeskTurnState>({
    adapter: deps.adapter,
    botAppId: deps.botAppId,
    storage: deps.storage,
    removeRecipientMention: true,
    startTypingTimer: true,
    longRunningMessages: false,
    turnStateFactory: createTurnState,
  });

  // Teams and the Playground may announce the bot and the user separately: welcome once per chat.
  app.conversationUpdate('membersAdded', async (context, state) => {
    const personal = (context.activity.conversation?.conversationType ?? 'personal') === 'personal';
    if (!personal || state.conversation.welcomed) return;
    state.conversation.welcomed = true;
    await deps.bot.welcome(context);
  });

  /** Employees in 1:1 chats go to the bot; agents' verbs and team channels go to the agent desk. */
  const route = async (context: TurnContext, state: HelpdeskTurnState): Promise<AdaptiveCard | string | undefined> => {
    const input = readActivity(context.activity);
    if (input.kind === 'action' && AGENT_VERBS.has(input.action.verb)) {
      const reply = await deps.agentDesk.handleAction(context, input.action);
      return reply.card ?? reply.message;
    }
    const conversationType = context.activity.conversation?.conversationType ?? 'personal';
    if (conversationType !== 'personal') {
      if (input.kind === 'action' && input.action.verb === Verbs.ticketRefresh) {
        const reply = await deps.agentDesk.refresh(context, input.action.ticketId);
        return reply.card ?? reply.message;
      }
      if (input.kind === 'text') await deps.agentDesk.handleChannelMessage(context, input.text);
      else if (input.kind === 'invalid-action') await sendNotice(context, "I can't use that", input.problem, 'attention');
      else if (input.kind === 'action') await sendNotice(context, 'That works in a personal chat', 'Open a personal chat with me for your own OneDrive problem.');
      return undefined;
    }
    return deps.bot.handle(context, state, input);
  };

  app.activity(ActivityTypes.Message, async (context, state) => {
    await route(context, state);
  });

  // Action.Execute (Universal Actions): same handling; the invoke response refreshes the card when one is returned.
  app.adaptiveCards.actionExecute<Record<string, unknown>>(/.*/, async (context, state) => {
    const result = await route(context, state);
    // A returned card replaces the one that was pressed, which needs its id (replyToId); without it, answer with text.
    if (typeof result === 'object' && context.activity.replyToId) return result as unknown as TeamsAiCard;
    return typeof result === 'string' ? result : 'Done.';
  });

  /**
   * Last resort for a failed turn. A proactive turn (an outbox delivery, a roster read) gets no
   * notice: the error is thrown back to whoever started it, so the outbox retries instead of
   * counting it delivered. Only an employee's own message or button press in a personal chat is
   * answered; a channel never gets a notice (agents see failures as dead-letter notices).
   */
  deps.adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const activity = context.activity;
    const proactive = activity.type === ActivityTypes.Event && (activity.name === 'ContinueConversation' || activity.name === 'CreateConversation');
    deps.log.error({ err: error?.message, stack: proactive ? undefined : error?.stack, activityType: activity.type, proactive }, 'turn failed');
    if (proactive) throw error;
    const personal = (activity.conversation?.conversationType ?? 'personal') === 'personal';
    const inbound = activity.type === ActivityTypes.Message || activity.type === ActivityTypes.Invoke;
    if (!personal || !inbound) return;
    if (/eTag conflict/i.test(error?.message ?? '')) {
      // Another instance handled a turn of this conversation at the same moment; its answer stands.
      deps.log.warn({ conversation: activity.conversation?.id }, 'concurrent turn lost the state race');
      await sendNotice(context, 'I was still busy with your previous message', 'Please use the newest card, or say it again.').catch(() => undefined);
      return;
    }
    const storageProblem = /SQLITE_FULL|SQLITE_IOERR|SQLITE_READONLY|ENOSPC|disk|storage/i.test(error?.message ?? '');
    try {
      await sendNotice(
        context,
        storageProblem ? "I couldn't save our conversation" : 'Something went wrong on my side',
        storageProblem
          ? 'The help desk storage is full or unavailable right now, so your last step may not have been kept. Please try again in a few minutes; if it keeps failing, contact the help desk directly.'
          : 'Sorry about that. Please try again; if it keeps happening, type "start over" or contact the help desk directly.',
        'attention',
      );
    } catch (sendError) {
      deps.log.error({ err: (sendError as Error).message }, 'could not tell the user about the failure');
    }
  };
  return app;
}
