import { Application, TeamsAdapter, type AdaptiveCard as TeamsAiCard } from '@microsoft/teams-ai';
import { ActivityTypes, type Storage, type TurnContext } from 'botbuilder';
import { sendNotice } from '../dialogs';
import { HelpdeskBot } from './helpdesk-bot';
import { createTurnState, type HelpdeskTurnState } from './turn-state';

/** Logger shape the bot edge uses (pino fits). */
export interface BotLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Builds the teams-ai Application and wires its routes to the help desk bot. */
export function createBotApplication(deps: { adapter: TeamsAdapter; storage: Storage; bot: HelpdeskBot; botAppId?: string; log: BotLogger }): Application<HelpdeskTurnState> {
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

  app.activity(ActivityTypes.Message, async (context, state) => {
    await deps.bot.handle(context, state);
  });

  // Action.Execute (Universal Actions): same handling; the invoke response refreshes the card when one is returned.
  app.adaptiveCards.actionExecute<Record<string, unknown>>(/.*/, async (context, state) => {
    const card = await deps.bot.handle(context, state);
    return card ? (card as unknown as TeamsAiCard) : 'Done.';
  });

  deps.adapter.onTurnError = async (context: TurnContext, error: Error) => {
    deps.log.error({ err: error.message, stack: error.stack, activityType: context.activity.type }, 'turn failed');
    if (/eTag conflict/i.test(error.message)) {
      // Another instance handled a turn of this conversation at the same moment; its answer stands.
      deps.log.warn({ conversation: context.activity.conversation?.id }, 'concurrent turn lost the state race');
      await sendNotice(context, 'I was still busy with your previous message', 'Please use the newest card, or say it again.').catch(() => undefined);
      return;
    }
    const storageProblem = /SQLITE_FULL|SQLITE_IOERR|SQLITE_READONLY|ENOSPC|disk|storage/i.test(error.message);
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
