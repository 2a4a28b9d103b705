import { Application, TeamsAdapter } from './teams-ai';
import { ActivityTypes, type Storage, type TurnContext } from 'botbuilder';
import { messages } from '../content/knowledge';
import { welcome } from '../dialogs/employee-chat';
import type { Logger } from '../logger';
import { isPersonal } from './activity-input';
import { registerRoutes } from './register-routes';
import type { RouteServices } from './routes';
import { sendNotice } from './send';
import { createTurnState, type HelpdeskTurnState } from './turn-state';

/** Builds the teams-ai Application and registers every route of src/bot/routes.ts. */
export function createBotApplication(deps: { adapter: TeamsAdapter; storage: Storage; services: RouteServices; botAppId?: string; log: Logger }): Application<HelpdeskTurnState> {
  const app = new Application<HelpdeskTurnState>({
    adapter: deps.adapter,
    botAppId: deps.botAppId,
    storage: deps.storage,
    removeRecipientMention: true,
    // teams-ai's typing timer is one slot for the whole process; each turn gets its own (typing-indicator.ts).
    startTypingTimer: false,
    longRunningMessages: false,
    turnStateFactory: createTurnState,
  });

  // Teams and the Playground may announce the bot and the user separately: welcome once per chat.
  app.conversationUpdate('membersAdded', async (context, state) => {
    if (!isPersonal(context) || state.conversation.welcomed) return;
    state.conversation.welcomed = true;
    await welcome(context);
  });

  registerRoutes(app, deps.services);

  /**
   * Last resort for a failed turn. A proactive turn (an outbox delivery, a roster read) gets no
   * notice: the error is thrown back to whoever started it, so the outbox retries instead of
   * counting it delivered. Only an employee's own message or button press in a personal chat is
   * answered; a channel never gets a notice (agents see failures as dead-letter notices).
   */
  deps.adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const activity = context.activity;
    const type = String(activity.type);
    const proactive = type === String(ActivityTypes.Event) && (activity.name === 'ContinueConversation' || activity.name === 'CreateConversation');
    deps.log.error({ err: error?.message, stack: proactive ? undefined : error?.stack, activityType: activity.type, proactive }, 'turn failed');
    if (proactive) throw error;
    const personal = (activity.conversation?.conversationType ?? 'personal') === 'personal';
    const inbound = type === String(ActivityTypes.Message) || type === String(ActivityTypes.Invoke);
    if (!personal || !inbound) return;
    const m = messages(activity.locale || undefined);
    if (/eTag conflict/i.test(error?.message ?? '')) {
      // Another instance handled a turn of this conversation at the same moment; its answer stands.
      deps.log.warn({ conversation: activity.conversation?.id }, 'concurrent turn lost the state race');
      await sendNotice(context, m.text('bot.busy.title'), m.text('bot.busy.text')).catch(() => undefined);
      return;
    }
    const storageProblem = /SQLITE_FULL|SQLITE_IOERR|SQLITE_READONLY|ENOSPC|disk|storage/i.test(error?.message ?? '');
    try {
      await sendNotice(
        context,
        m.text(storageProblem ? 'bot.storage-failed.title' : 'bot.turn-failed.title'),
        m.text(storageProblem ? 'bot.storage-failed.text' : 'bot.turn-failed.text'),
        'attention',
      );
    } catch (sendError) {
      deps.log.error({ err: (sendError as Error).message }, 'could not tell the user about the failure');
    }
  };
  return app;
}
