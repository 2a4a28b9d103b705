// Not re-exported from the package root in 1.7.
import { TurnStateProperty } from '@microsoft/teams-ai/lib/TurnStateProperty';
import { TurnContext, type ConversationReference } from 'botbuilder';
import type { DialogContext, DialogSet, DialogState } from 'botbuilder-dialogs';
import { renderHelpCard, renderTicketCard, renderWelcomeCard, Verbs, type AdaptiveCard } from '../cards';
import {
  caseEvidence,
  createDialogSet,
  eventLines,
  FIX_WALKTHROUGH_DIALOG,
  presentTicket,
  sendCard,
  sendNotice,
  setTurnData,
  TRIAGE_DIALOG,
  type DialogInput,
  type DialogLogger,
  type TurnData,
  type TriageOptions,
  type DiagnosisReport,
} from '../dialogs';
import { newCaseFile, recordLine, type CaseFile } from '../domain/case-file';
import { isCauseId, type CauseId } from '../domain/causes';
import type { DirectoryPort } from '../domain/directory';
import { incidentSignature } from '../domain/incidents';
import { classifyMessage, type Command } from '../domain/message-parser';
import { getPlaybook } from '../domain/playbooks';
import { addDetails, employeeMessage, isLiveHandoff, rateTicket, reopenTicket, withdrawTicket, type Transition } from '../domain/handoff';
import type { TicketChange, TicketEvents } from '../domain/ticket-events';
import { draftTicket, isOpen, OpenTicketExistsError, TicketConflictError, type Person, type Ticket, type TicketRepository } from '../domain/tickets';
import { readActivity, type BotInput, type CardAction } from './activity-input';
import type { TicketCreationHooks } from './ticket-notifier';
import type { HelpdeskTurnState } from './turn-state';

/** What the bot needs; built once in src/index.ts. */
export interface HelpdeskBotDeps {
  directory: DirectoryPort;
  tickets: TicketRepository;
  log: DialogLogger & { error(obj: object, msg?: string): void };
  clock?: () => Date;
  events?: TicketEvents;
  /** A new ticket's first deliveries, written with it; without this, `events` hears `created` after the reply. */
  creation?: TicketCreationHooks;
  lookupBudgetMs?: number;
  onDiagnosis?: (report: DiagnosisReport) => Promise<void>;
}

const HELP_COMMANDS: Array<{ command: string; description: string }> = [
  { command: 'Describe the problem', description: 'e.g. "OneDrive says 0x8004de40 since I changed my password". I read your sign-in logs and ask only what I still need.' },
  { command: 'start over', description: 'Forget this conversation and begin again.' },
  { command: 'my tickets', description: 'See the help desk tickets you opened and their status.' },
  { command: 'help', description: 'Show this list.' },
];

const EXAMPLES = ['OneDrive says 0x8004de40 since I reset my password', "OneDrive won't sign in and I'm on the VPN", 'OneDrive shows error 0x8004de4a'];

/**
 * The employee side of the bot: parses each activity, runs the triage and fix dialogs,
 * and handles the employee's ticket actions. Handlers stay thin; the domain decides.
 */
export class HelpdeskBot {
  private readonly clock: () => Date;

  constructor(private readonly deps: HelpdeskBotDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Welcome card for a new 1:1 chat. */
  async welcome(context: TurnContext): Promise<void> {
    await sendCard(context, renderWelcomeCard({ userName: firstName(context.activity.from?.name), examples: EXAMPLES }), 'Hi! I help when OneDrive will not sign in.');
  }

  /** Handles one message or card action in a 1:1 chat. Returns a card for Action.Execute responses. */
  async handle(context: TurnContext, state: HelpdeskTurnState, parsed?: BotInput): Promise<AdaptiveCard | undefined> {
    const conversation = state.conversation;
    // teams-ai's TurnStateProperty ignores the default value DialogSet passes, so initialise it here.
    conversation.dialogState ??= { dialogStack: [] };
    conversation.caseFile ??= newCaseFile(this.clock());
    const input = parsed ?? readActivity(context.activity);
    const turn = this.turnData(context, conversation.caseFile, { kind: 'none' });
    setTurnData(context, turn);
    const dialogs = createDialogSet(new TurnStateProperty<DialogState>(state, 'conversation', 'dialogState'), this.deps);
    const dc = await dialogs.createContext(context);

    if (!turn.userId) {
      this.deps.log.warn({ conversation: context.activity.conversation?.id }, 'activity without from.aadObjectId');
    }

    switch (input.kind) {
      case 'empty':
        await sendNotice(context, 'Nothing to read', 'That message was empty. Tell me what OneDrive shows, or type "help".');
        return undefined;
      case 'invalid-action':
        this.deps.log.warn({ verb: input.verb, problem: input.problem }, 'invalid card action');
        await sendNotice(context, "I can't use that", `${input.problem} If the card is old, type "start over" to begin again.`, 'attention');
        if (dc.activeDialog && input.verb === Verbs.triageAnswer) await this.continueDialogs(dc, turn, { kind: 'none' });
        return undefined;
      case 'text':
        return this.handleText(dc, turn, input, state);
      case 'action':
        recordLine(turn.caseFile, 'employee', describeAction(input.action), turn.now);
        return this.handleAction(dc, turn, input.action, state);
    }
  }

  private turnData(context: TurnContext, caseFile: CaseFile, input: DialogInput): TurnData {
    const a = context.activity;
    const aad = typeof a.from?.aadObjectId === 'string' && a.from.aadObjectId.trim() ? a.from.aadObjectId.trim() : undefined;
    return { input, caseFile, now: this.clock(), timeZone: a.localTimezone || undefined, userId: aad, userName: a.from?.name };
  }

  private async handleText(dc: DialogContext, turn: TurnData, input: Extract<BotInput, { kind: 'text' }>, state: HelpdeskTurnState): Promise<undefined> {
    const context = dc.context;
    recordLine(turn.caseFile, 'employee', input.text, turn.now);
    if (input.truncated) {
      await sendNotice(context, 'That was a long message', `I read the first ${input.text.length.toLocaleString('en-US')} characters. If something important came later, send it as a shorter message.`);
    }
    const intent = classifyMessage(input.text);
    if (intent.kind !== 'command' && (await this.relayToAgent(context, turn, input.text))) return undefined;
    switch (intent.kind) {
      case 'problem':
        await this.startTriage(dc, turn, state, { text: input.text });
        return undefined;
      case 'command':
        await this.runCommand(dc, turn, intent.command, state);
        return undefined;
      case 'greeting':
        if (dc.activeDialog) {
          await sendNotice(context, 'Hi again', "We're in the middle of sorting out your OneDrive sign-in. Carry on with the card above, or type \"start over\".");
        } else await this.welcome(context);
        return undefined;
      case 'unclear':
        if (intent.suggestion) {
          const how = intent.suggestion === 'help' ? 'Type "help" to see everything I can do.' : `Type "${intent.suggestion}" to run it, or "help" to see everything I can do.`;
          await sendNotice(context, `Did you mean "${intent.suggestion}"?`, how);
          // Show the open question again, so the employee can carry on where they were.
          if (dc.activeDialog) await this.continueDialogs(dc, turn, { kind: 'none' });
          return undefined;
        }
        if (dc.activeDialog) break;
        await sendNotice(context, 'I help with OneDrive sign-in problems', 'Describe what OneDrive shows (for example its error code), or type "help".');
        return undefined;
      case 'other':
        break;
    }
    if (dc.activeDialog) {
      await this.continueDialogs(dc, turn, { kind: 'text', text: input.text });
      return undefined;
    }
    await sendNotice(context, 'I help with OneDrive sign-in problems', 'Tell me what OneDrive shows when it fails to sign in (the error code helps most), or type "help" to see what I can do.');
    return undefined;
  }

  private async runCommand(dc: DialogContext, turn: TurnData, command: Command, state: HelpdeskTurnState): Promise<void> {
    const context = dc.context;
    switch (command) {
      case 'start over':
        await dc.cancelAllDialogs();
        await sendNotice(context, "Let's start again", 'I forgot the earlier answers.');
        await this.startTriage(dc, turn, state, {});
        return;
      case 'help':
        await sendCard(context, renderHelpCard({ commands: HELP_COMMANDS }), 'Here is what I can do.');
        // Mid-triage, show the open question again so the answers so far are not lost behind the help card.
        if (dc.activeDialog) await this.continueDialogs(dc, turn, { kind: 'none' });
        return;
      case 'my tickets':
      case 'tickets':
        await this.showMyTickets(context, turn);
        return;
      case 'use this channel for tickets':
      case 'lookup':
        await sendNotice(context, 'That works in the help desk channel', 'Agents use that command in the help desk team channel, not in a personal chat.');
        return;
    }
  }

  private async startTriage(dc: DialogContext, turn: TurnData, state: HelpdeskTurnState, options: TriageOptions): Promise<void> {
    await dc.cancelAllDialogs();
    const transcript = turn.caseFile.transcript;
    const fresh = newCaseFile(turn.now);
    fresh.transcript = transcript.slice(-20); // keep the message that started this triage
    // Keep the link to the employee's ticket: their messages still reach its agent, and "Open a ticket" shows it.
    fresh.ticketId = turn.caseFile.ticketId;
    state.conversation.caseFile = fresh;
    turn.caseFile = fresh;
    await dc.beginDialog(TRIAGE_DIALOG, options);
  }

  private async continueDialogs(dc: DialogContext, turn: TurnData, input: DialogInput): Promise<void> {
    turn.input = input;
    await dc.continueDialog();
  }

  private async handleAction(dc: DialogContext, turn: TurnData, action: CardAction, state: HelpdeskTurnState): Promise<AdaptiveCard | undefined> {
    const context = dc.context;
    switch (action.verb) {
      case Verbs.triageStart:
      case Verbs.triageRestart:
        await this.startTriage(dc, turn, state, {});
        return undefined;
      case Verbs.helpShow:
        await this.runCommand(dc, turn, 'help', state);
        return undefined;
      case Verbs.triageAnswer:
        if (dc.activeDialog) await this.continueDialogs(dc, turn, { kind: 'answer', questionId: action.questionId, answer: action.answer });
        else await this.startTriage(dc, turn, state, { answer: { questionId: action.questionId, answer: action.answer } });
        return undefined;
      case Verbs.fixResult:
        // The active dialog judges it: the walkthrough applies it, triage says the card is from an earlier diagnosis.
        if (dc.activeDialog) {
          await this.continueDialogs(dc, turn, { kind: 'fix-result', causeId: action.causeId, stepId: action.stepId, result: action.result });
        } else {
          await sendNotice(context, 'That walkthrough has ended', 'Describe the problem again to start a new one, or press "Open a ticket" on the last card to reach the help desk.');
        }
        return undefined;
      case Verbs.triageRate:
        recordLine(turn.caseFile, 'employee', `rated the help ${action.rating}/5`, turn.now);
        this.deps.log.info({ rating: action.rating, causeId: action.causeId }, 'self-service rating');
        await sendNotice(context, 'Thanks for the rating', action.rating >= 4 ? 'Glad I could help.' : "Sorry it wasn't smoother. Your rating helps the help desk improve these steps.", 'good');
        return undefined;
      case Verbs.ticketCreate:
        await this.createTicket(dc, turn, action.causeId, action.details, state);
        return undefined;
      case Verbs.ticketStatus:
      case Verbs.ticketRefresh:
        return this.showTicket(context, turn, action.ticketId);
      case Verbs.ticketRate:
        return this.changeOwnTicket(context, turn, action.ticketId, (t, me) => rateTicket(t, me, action.rating, action.comment, turn.now), (me) => ({ kind: 'rated', actor: me, rating: action.rating, comment: action.comment }));
      case Verbs.ticketWithdraw:
        return this.changeOwnTicket(context, turn, action.ticketId, (t, me) => withdrawTicket(t, me, turn.now), (me) => ({ kind: 'withdrawn', actor: me }));
      case Verbs.ticketAddDetails:
        return this.changeOwnTicket(context, turn, action.ticketId, (t, me) => addDetails(t, me, action.text, turn.now), (me) => ({ kind: 'details-added', actor: me, text: action.text }));
      case Verbs.ticketNotFixed:
        // The employee's "It's not fixed" on the resolution card; agents reopen with ticket.reopen.
        return this.changeOwnTicket(context, turn, action.ticketId, (t, me) => reopenTicket(t, me, turn.now, 'The employee says it is not fixed.'), (me) => ({ kind: 'reopened', actor: me, byEmployee: true }));
      case Verbs.fixStart:
        await dc.cancelAllDialogs();
        await dc.beginDialog(FIX_WALKTHROUGH_DIALOG, { causeId: action.causeId });
        return undefined;
      default:
        // Agents' verbs never reach here (the agent desk takes them); anything else is not for employees.
        await sendNotice(context, 'Only help desk agents can do that', 'That action is for the help desk team, in their channel.', 'attention');
        this.deps.log.warn({ verb: action.verb, user: turn.userId }, 'action refused in a personal chat');
        return undefined;
    }
  }

  private requester(context: TurnContext, turn: TurnData): Person {
    return { aadObjectId: turn.userId ?? `teams:${context.activity.from?.id ?? 'unknown'}`, name: context.activity.from?.name || 'Employee' };
  }

  private async createTicket(dc: DialogContext, turn: TurnData, requestedCause: string | undefined, details: string | undefined, state: HelpdeskTurnState): Promise<void> {
    const context = dc.context;
    const file = turn.caseFile;
    const requester = this.requester(context, turn);
    // One open ticket per employee: this case's, or one opened before "start over" or from an older card.
    let existing: Ticket | undefined;
    try {
      existing = await this.openTicketOf(file, requester);
    } catch (error) {
      this.deps.log.error({ err: (error as Error).message }, 'ticket read failed');
      await sendNotice(context, "I couldn't open the ticket just now", 'Reading your tickets failed on our side. Everything you told me is still here: press "Open a ticket" again in a minute.', 'attention');
      return;
    }
    if (existing) {
      await this.showExistingTicket(context, turn, existing, details);
      return;
    }
    const causeId: CauseId = isCauseId(requestedCause) ? requestedCause : file.diagnosis?.leading ?? 'unknown';
    const analysis = caseEvidence(file, turn.now);
    if (file.lookup?.ok) requester.upn = file.lookup.evidence.user.userPrincipalName ?? undefined;
    const draft = draftTicket({
      caseFile: file,
      requester,
      causeId,
      causeTitle: getPlaybook(causeId).title,
      evidence: file.diagnosis?.findings ?? [],
      keyEvents: eventLines(analysis, turn.timeZone),
      details,
      lookupNote: file.lookup && !file.lookup.ok ? `${file.lookup.failure.message} (${file.lookup.failure.adminDetail ?? file.lookup.failure.kind})` : undefined,
      requesterAddress: TurnContext.getConversationReference(context.activity),
      incidentSignature: analysis ? incidentSignature(analysis.failedPolicies, analysis.oneDriveFailures[0]?.code) : undefined,
      now: turn.now,
    });
    const creation = this.deps.creation;
    let ticket: Ticket;
    try {
      // The ticket and its channel card (and webhook item) are stored before any reply, so a
      // failed reply or a crash from here on cannot leave a ticket the help desk never sees.
      ticket = await this.deps.tickets.create(draft, { deliveries: creation && ((t) => creation.deliveriesForNew(t)) });
    } catch (error) {
      if (error instanceof OpenTicketExistsError) {
        // Another turn (another instance, another card) opened one a moment ago.
        await this.showExistingTicket(context, turn, error.existing, details);
        return;
      }
      this.deps.log.error({ err: (error as Error).message }, 'ticket could not be saved');
      await sendNotice(context, "I couldn't open the ticket just now", 'Saving it failed on our side. Everything you told me is still here: press "Open a ticket" again in a minute. If it keeps failing, contact the help desk directly.', 'attention');
      return;
    }
    file.ticketId = ticket.id;
    await dc.cancelAllDialogs();
    this.deps.log.info({ ticketId: ticket.id, causeId }, 'ticket created');
    if (creation) {
      await creation.ticketCreated(ticket).catch((error: Error) => this.deps.log.error({ err: error.message, ticketId: ticket.id }, 'ticket created hook failed'));
    } else {
      await this.emit(ticket, { kind: 'created' });
    }
    try {
      await sendCard(context, renderTicketCard(presentTicket(ticket, turn.timeZone)), `Ticket ${ticket.id} is open. A person from the help desk will pick it up and reply here.`);
    } catch (error) {
      // The ticket is saved and queued for the channel; pressing "Open a ticket" again shows it.
      this.deps.log.warn({ err: (error as Error).message, ticketId: ticket.id }, 'the ticket card could not be sent to the employee');
    }
    void state;
  }

  /** The employee's open ticket: the one this case opened, else any open one of theirs. */
  private async openTicketOf(file: CaseFile, requester: Person): Promise<Ticket | undefined> {
    if (file.ticketId) {
      const linked = await this.deps.tickets.get(file.ticketId);
      if (linked && isOpen(linked) && linked.requester.aadObjectId === requester.aadObjectId) return linked;
    }
    return this.deps.tickets.findOpenByRequester(requester.aadObjectId);
  }

  /**
   * "Open a ticket" while one is open shows that one. New details typed on the card are added
   * to it rather than dropped (the same text twice, from a double press, is added once).
   */
  private async showExistingTicket(context: TurnContext, turn: TurnData, existing: Ticket, details: string | undefined): Promise<void> {
    turn.caseFile.ticketId = existing.id;
    let ticket = existing;
    let added = false;
    const text = details?.trim();
    if (text && existing.details?.trim() !== text && !existing.history.some((e) => e.note?.trim() === text)) {
      const me = this.requester(context, turn);
      for (let attempt = 0; attempt < 3 && !added; attempt++) {
        const current = attempt === 0 ? existing : await this.deps.tickets.get(existing.id);
        if (!current || !isOpen(current)) break;
        // A copy: the transition changes the ticket it is given, and a failed save must not show unsaved details.
        const result = addDetails(structuredClone(current), me, text, turn.now);
        if (!result.ok) break;
        try {
          ticket = await this.deps.tickets.update(result.ticket);
          added = true;
          await this.emit(ticket, { kind: 'details-added', actor: me, text });
        } catch (error) {
          if (!(error instanceof TicketConflictError)) {
            this.deps.log.error({ err: (error as Error).message, ticketId: existing.id }, 'details could not be added');
            break;
          }
        }
      }
    }
    await sendNotice(
      context,
      'You already have a ticket open',
      added ? `Ticket ${ticket.id} is still open, so I added what you wrote to it. Here is where it stands.` : `Ticket ${ticket.id} is open; here is where it stands.`,
    );
    await sendCard(context, renderTicketCard(presentTicket(ticket, turn.timeZone)), `Ticket ${ticket.id}: ${ticket.status}`);
  }

  private async loadOwnTicket(context: TurnContext, turn: TurnData, ticketId: string): Promise<Ticket | undefined> {
    let ticket: Ticket | undefined;
    try {
      ticket = await this.deps.tickets.get(ticketId);
    } catch (error) {
      this.deps.log.error({ err: (error as Error).message }, 'ticket read failed');
      await sendNotice(context, "I couldn't read the ticket just now", 'Please try again in a minute.', 'attention');
      return undefined;
    }
    const me = this.requester(context, turn);
    if (!ticket || ticket.requester.aadObjectId !== me.aadObjectId) {
      await sendNotice(context, `I can't find ticket ${ticketId}`, 'Check the number, or type "my tickets" to see yours.', 'attention');
      return undefined;
    }
    return ticket;
  }

  private async showTicket(context: TurnContext, turn: TurnData, ticketId: string): Promise<AdaptiveCard | undefined> {
    const ticket = await this.loadOwnTicket(context, turn, ticketId);
    if (!ticket) return undefined;
    const card = renderTicketCard(presentTicket(ticket, turn.timeZone));
    await sendCard(context, card, `Ticket ${ticket.id}: ${ticket.status}`);
    return card;
  }

  private async changeOwnTicket(
    context: TurnContext,
    turn: TurnData,
    ticketId: string,
    change: (t: Ticket, me: Person) => Transition,
    describe: (me: Person) => TicketChange,
  ): Promise<AdaptiveCard | undefined> {
    const me = this.requester(context, turn);
    for (let attempt = 0; attempt < 3; attempt++) {
      const ticket = await this.loadOwnTicket(context, turn, ticketId);
      if (!ticket) return undefined;
      const result = change(ticket, me);
      if (!result.ok) {
        await sendNotice(context, `Ticket ${ticket.id}`, result.reason);
        return undefined;
      }
      try {
        const saved = await this.deps.tickets.update(result.ticket);
        const card = renderTicketCard(presentTicket(saved, turn.timeZone));
        await sendCard(context, card, `Ticket ${saved.id} updated.`);
        await this.emit(saved, describe(me));
        return card;
      } catch (error) {
        if (error instanceof TicketConflictError) continue;
        this.deps.log.error({ err: (error as Error).message }, 'ticket update failed');
        await sendNotice(context, "I couldn't save that just now", 'Nothing was lost; please try again in a minute.', 'attention');
        return undefined;
      }
    }
    await sendNotice(context, 'The ticket is busy', 'Someone else is updating it right now; please try again.', 'attention');
    return undefined;
  }

  /** Tells the hand-off side about a saved change; a failure there is logged, never shown as the employee's problem. */
  private async emit(ticket: Ticket, change: TicketChange): Promise<void> {
    await this.deps.events?.ticketChanged(ticket, change).catch((error: Error) => this.deps.log.error({ err: error.message, ticketId: ticket.id, change: change.kind }, 'ticket event hook failed'));
  }

  /**
   * While a person has the employee's ticket, their messages go to that person, not to triage.
   * Returns true when the message was relayed.
   */
  private async relayToAgent(context: TurnContext, turn: TurnData, text: string): Promise<boolean> {
    const ticketId = turn.caseFile.ticketId;
    if (!ticketId) return false;
    const ticket = await this.deps.tickets.get(ticketId).catch(() => undefined);
    if (!ticket || !isLiveHandoff(ticket)) return false;
    const me = this.requester(context, turn);
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = attempt === 0 ? ticket : await this.deps.tickets.get(ticketId);
      if (!current) return false;
      const result = employeeMessage(current, me, text, turn.now);
      if (!result.ok) return false;
      try {
        const saved = await this.deps.tickets.update(result.ticket);
        await this.emit(saved, { kind: 'employee-replied', actor: me, text });
        await sendNotice(context, `Sent to ${saved.assignee?.name ?? 'the help desk'}`, `Your message was added to ticket ${saved.id}. You'll see the reply here.`);
        return true;
      } catch (error) {
        if (error instanceof TicketConflictError) continue;
        throw error;
      }
    }
    return false;
  }

  private async showMyTickets(context: TurnContext, turn: TurnData): Promise<void> {
    const mine = await this.deps.tickets.listByRequester(this.requester(context, turn).aadObjectId);
    if (mine.length === 0) {
      await sendNotice(context, 'No tickets yet', "You haven't opened any help desk tickets. Describe your OneDrive problem and I'll try to fix it first.");
      return;
    }
    // The open ticket first (a reopened one may be older than closed ones), then the newest closed ones.
    const shown = [...mine.filter(isOpen), ...mine.filter((t) => !isOpen(t))].slice(0, 5);
    for (const ticket of shown) await sendCard(context, renderTicketCard(presentTicket(ticket, turn.timeZone)), `Ticket ${ticket.id}: ${ticket.status}`);
  }
}

function firstName(name: string | undefined): string | undefined {
  return name?.trim().split(/\s+/)[0] || undefined;
}

function describeAction(action: CardAction): string {
  switch (action.verb) {
    case Verbs.triageAnswer:
      return `answered ${action.questionId}: ${action.answer}`;
    case Verbs.fixResult:
      return `step ${action.stepId}: ${action.result}`;
    default:
      return `pressed ${action.verb}`;
  }
}

/** The address of this conversation, for proactive messages later. */
export function addressOf(context: TurnContext): Partial<ConversationReference> {
  return TurnContext.getConversationReference(context.activity);
}
