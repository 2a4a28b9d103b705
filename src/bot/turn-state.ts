import { TurnState, type DefaultConversationState, type DefaultTempState, type DefaultUserState } from './teams-ai';
import type { ConversationData } from '../dialogs/conversation-state';

/** What the bot keeps per conversation (the employee flows' typed state, src/dialogs/conversation-state.ts). */
export type HelpdeskConversation = ConversationData & DefaultConversationState;

/** The bot's turn state (teams-ai), typed. */
export type HelpdeskTurnState = TurnState<HelpdeskConversation, DefaultUserState, DefaultTempState>;

/** Builds a fresh turn state for teams-ai. */
export function createTurnState(): HelpdeskTurnState {
  return new TurnState<HelpdeskConversation, DefaultUserState, DefaultTempState>();
}
