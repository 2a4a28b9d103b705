import type { ConversationReference, Storage, TurnContext } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Clock } from '../domain/clock';
import { EmployeeTurn } from '../dialogs/employee-turn';
import type { Logger } from '../logger';
import { isTrustedServiceUrl, type ServiceUrlPolicy } from './service-url-policy';
import { createTurnState } from './turn-state';

/** Runs `work` later, in the employee's chat, with the conversation's saved state loaded and saved again. */
export type ContinueLater = (reference: Partial<ConversationReference>, work: (turn: EmployeeTurn) => Promise<void>) => Promise<void>;

/**
 * A proactive turn over the employee's conversation state, for work that finishes after the
 * turn that started it (a slow sign-in log read). The state is loaded and saved with its eTag,
 * so a message the employee sent meanwhile is never overwritten: a lost race is retried on the
 * fresh state. Errors are logged, never thrown into the adapter's turn-error handler.
 */
export function createContinueLater(deps: {
  adapter: TeamsAdapter;
  storage: Storage;
  botAppId?: string;
  clock: Clock;
  log: Logger;
  serviceUrlPolicy: ServiceUrlPolicy;
}): ContinueLater {
  return async (reference, work) => {
    if (!isTrustedServiceUrl(reference.serviceUrl, deps.serviceUrlPolicy)) {
      deps.log.warn({ conversation: reference.conversation?.id }, 'background continuation refused: untrusted service URL');
      return;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      let failure: unknown;
      await deps.adapter.continueConversationAsync(deps.botAppId ?? '', reference, async (context: TurnContext) => {
        try {
          const state = createTurnState();
          await state.load(context, deps.storage);
          await work(new EmployeeTurn(context, state.conversation, deps.clock));
          await state.save(context, deps.storage);
        } catch (error) {
          failure = error;
        }
      });
      if (!failure) return;
      if (/eTag conflict/i.test((failure as Error).message) && attempt < 2) continue;
      deps.log.error({ err: (failure as Error).message, conversation: reference.conversation?.id }, 'background continuation failed');
      return;
    }
  };
}
