import type { CaseFile } from '../domain/case-file';
import { isCauseId } from '../domain/causes';
import type { WalkthroughState } from '../domain/fix-walkthrough';
import { isQuestionId, type QuestionId } from '../domain/questions';

/** Triage in progress: the question on screen, if one is. */
export interface TriageFlow {
  kind: 'triage';
  pending?: QuestionId;
}

/** A fix walkthrough in progress, and whether it waits for the local-admin answer before the next step. */
export interface FixFlow extends WalkthroughState {
  kind: 'fix';
  awaitingAdminRights: boolean;
}

/** The employee flow a conversation is in; none between flows. */
export type Flow = TriageFlow | FixFlow;

/** Version 1 kept the flow as a botbuilder-dialogs stack; read only to migrate it. */
interface LegacyDialogState {
  dialogStack?: Array<{ id?: unknown; state?: Record<string, unknown> }>;
}

/** What the bot keeps per conversation (teams-ai `state.conversation`). */
export interface ConversationData {
  /** 2 since flows replaced botbuilder-dialogs; absent on conversations saved before. */
  version?: 2;
  welcomed?: boolean;
  caseFile?: CaseFile;
  flow?: Flow;
  /** Version 1 only; removed by `migrateConversation`. */
  dialogState?: LegacyDialogState;
}

/** The current conversation-state version. */
export const CONVERSATION_VERSION = 2;

/**
 * Brings a conversation saved in an older shape up to date, in place, when it is read. Version 1
 * kept the active dialog on top of `dialogState.dialogStack`: 'triage' (state.pending) or
 * 'fix-walkthrough' (the walkthrough state and awaitingAdminRights). Anything unreadable there is
 * dropped (the employee sees "start over" work as before) rather than failing the turn.
 */
export function migrateConversation(data: ConversationData): void {
  if (data.version === CONVERSATION_VERSION) return;
  const top = data.dialogState?.dialogStack?.[0];
  delete data.dialogState;
  data.version = CONVERSATION_VERSION;
  if (data.flow || !top) return;
  const state = top.state ?? {};
  if (top.id === 'triage') {
    data.flow = { kind: 'triage', pending: isQuestionId(state.pending) ? state.pending : undefined };
  } else if (top.id === 'fix-walkthrough' && isCauseId(state.causeId)) {
    const index = typeof state.index === 'number' && Number.isInteger(state.index) && state.index >= 0 ? state.index : 0;
    const results = Array.isArray(state.results) ? (state.results as FixFlow['results']).filter((r) => typeof r?.stepId === 'string' && typeof r?.result === 'string') : [];
    data.flow = { kind: 'fix', causeId: state.causeId, index, results, awaitingAdminRights: state.awaitingAdminRights === true };
  }
}
