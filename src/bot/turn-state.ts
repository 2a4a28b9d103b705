import { TurnState, type DefaultConversationState, type DefaultUserState, type DefaultTempState } from '@microsoft/teams-ai';
import type { DialogState } from 'botbuilder-dialogs';
import type { CaseFile } from '../domain/case-file';

/** What the bot keeps per conversation. */
export interface ConversationData extends DefaultConversationState {
  dialogState?: DialogState;
  caseFile?: CaseFile;
  welcomed?: boolean;
}

/** The bot's turn state (teams-ai), typed. */
export type HelpdeskTurnState = TurnState<ConversationData, DefaultUserState, DefaultTempState>;

/** Builds a fresh turn state for teams-ai. */
export function createTurnState(): HelpdeskTurnState {
  return new TurnState<ConversationData, DefaultUserState, DefaultTempState>();
}
