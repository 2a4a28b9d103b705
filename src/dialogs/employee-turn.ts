import type { TurnContext } from 'botbuilder';
import { isActionExecute } from '../bot/activity-input';
import { sendCard, noticeCard, type NoticeTone } from '../bot/send';
import type { AdaptiveCard } from '../cards';
import { newCaseFile, recordLine, type CaseFile } from '../domain/case-file';
import type { CauseId } from '../domain/causes';
import type { Clock } from '../domain/clock';
import type { DirectoryPort } from '../domain/directory';
import type { FixResultValue } from '../domain/fix-walkthrough';
import type { QuestionId } from '../domain/questions';
import type { TicketEvents } from '../domain/ticket-events';
import type { Person, TicketRepository } from '../domain/tickets';
import type { TicketCreationHooks } from '../delivery/ticket-notifier';
import { messages } from '../content/knowledge';
import type { MessageArgs, MessageKey } from '../content/message-keys';
import type { Logger } from '../logger';
import { migrateConversation, type ConversationData } from './conversation-state';

/** What the employee did this turn, already parsed and validated by the routes. */
export type FlowInput =
  | { kind: 'text'; text: string }
  | { kind: 'answer'; questionId: QuestionId; answer: string }
  | { kind: 'fix-result'; causeId: string; stepId: string; result: FixResultValue }
  | { kind: 'none' };

/** What the triage reports when it concludes (for incident detection). */
export interface DiagnosisReport {
  at: string;
  causeId: CauseId;
  /** The failing policy names, if any. */
  failedPolicies: string[];
  /** The newest meaningful OneDrive failure code, if any. */
  latestCode?: number;
  requesterId?: string;
  requesterName?: string;
}

/** What the employee side needs; built once in src/index.ts. */
export interface EmployeeDeps {
  directory: DirectoryPort;
  tickets: TicketRepository;
  log: Logger;
  clock?: Clock;
  events?: TicketEvents;
  /** A new ticket's first deliveries, written with it; without this, `events` hears `created` after the reply. */
  creation?: TicketCreationHooks;
  /** How long a directory lookup may take in all; it goes on in the background after `lookupWaitMs`. */
  lookupBudgetMs?: number;
  /** How long the employee's turn waits for the lookup before it says the logs are being read and carries on. */
  lookupWaitMs?: number;
  /** Runs work later in the employee's chat with its saved state (a slow lookup's result); without it the turn waits the whole budget. */
  continueLater?: (reference: Partial<import('botbuilder').ConversationReference>, work: (turn: EmployeeTurn) => Promise<void>) => Promise<void>;
  onDiagnosis?: (report: DiagnosisReport) => Promise<void>;
}

/**
 * One turn of the employee's 1:1 chat: the conversation's saved state (migrated and with a case
 * file), the turn's facts, and the two ways to answer. Everything said here is also written to
 * the case transcript, which the ticket carries to the help desk.
 */
export class EmployeeTurn {
  readonly now: Date;
  /** IANA time zone of the employee's Teams client, when it says. */
  readonly timeZone?: string;
  /** The authenticated `from.aadObjectId`; the only id lookups ever use. */
  readonly userId?: string;
  readonly userName?: string;
  /** The Teams client's locale, for content in the employee's language. */
  readonly locale?: string;

  constructor(
    readonly context: TurnContext,
    readonly conversation: ConversationData,
    clock: Clock,
  ) {
    migrateConversation(conversation);
    this.now = clock();
    conversation.caseFile ??= newCaseFile(this.now);
    const a = context.activity;
    this.userId = typeof a.from?.aadObjectId === 'string' && a.from.aadObjectId.trim() ? a.from.aadObjectId.trim() : undefined;
    this.userName = a.from?.name;
    this.timeZone = a.localTimezone || undefined;
    this.locale = a.locale || undefined;
  }

  /** The current case (replaced when a triage starts over). */
  get caseFile(): CaseFile {
    return this.conversation.caseFile!;
  }

  /** The employee as a ticket's requester. */
  get requester(): Person {
    return { aadObjectId: this.userId ?? `teams:${this.context.activity.from?.id ?? 'unknown'}`, name: this.context.activity.from?.name || 'Employee' };
  }

  /** A message in the employee's language (content/<locale>/messages.yaml). */
  text<K extends MessageKey>(key: K, ...args: MessageArgs<K>): string {
    return messages(this.locale).text(key, ...args);
  }

  /** Sends a card and writes its summary to the transcript. */
  async say(card: AdaptiveCard, summary: string): Promise<void> {
    await sendCard(this.context, card, summary);
    recordLine(this.caseFile, 'bot', summary, this.now);
  }

  /** Sends a short notice card (errors, confirmations). */
  async notice(title: string, text: string, tone: NoticeTone = 'default'): Promise<void> {
    const notice = noticeCard(title, text, tone);
    await this.say(notice.card, notice.summary);
  }

  /** The card that takes the pressed card's place (Action.Execute), once an action has set one. */
  replacement?: AdaptiveCard;

  /**
   * True when the employee pressed an `Action.Execute` on a card Teams can replace (it sent the
   * card's id). An `Action.Submit` leaves its card as it was.
   */
  get canReplace(): boolean {
    return isActionExecute(this.context.activity) && Boolean(this.context.activity.replyToId);
  }

  /** Shows the pressed card's outcome in its place: a short card with no buttons, so it cannot be pressed again. */
  replacePressed(title: string, text: string): void {
    if (this.canReplace) this.replacement = noticeCard(title, text, 'good').card;
  }

  /**
   * Answers a card whose step is already done (pressed twice, or left over from an earlier case):
   * it is replaced by "this step is done" when it can be, otherwise the same words come as a notice.
   * Nothing else happens.
   */
  async stepAlreadyDone(): Promise<void> {
    recordLine(this.caseFile, 'bot', '(a card that was already answered was pressed again)', this.now);
    if (this.canReplace) this.replacement = noticeCard(this.text('actions.step-done.title'), this.text('actions.step-done.text')).card;
    else await this.notice(this.text('actions.step-done.title'), this.text('actions.step-done.text'));
  }
}
