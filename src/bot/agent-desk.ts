import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { renderAgentTicketCard, renderLookupResultCard, renderTicketListCard, Verbs, type AdaptiveCard } from '../cards';
import { caseEvidence, formatWhen, presentDiagnosis, sendNotice } from '../dialogs';
import { presentAgentTicket, presentTicketList } from '../dialogs/present-agent';
import { newCaseFile } from '../domain/case-file';
import { isCauseId } from '../domain/causes';
import type { DirectoryPort } from '../domain/directory';
import { claimTicket, reopenTicket, replyOnTicket, resolveTicket, sendFix, transferTicket, type Transition } from '../domain/handoff';
import { normaliseText } from '../domain/message-parser';
import { getPlaybook } from '../domain/playbooks';
import { selectNextQuestion } from '../domain/question-selector';
import type { TicketChange, TicketEvents } from '../domain/ticket-events';
import { TicketConflictError, type Person, type Ticket, type TicketRepository } from '../domain/tickets';
import type { CardAction } from './activity-input';
import type { AgentRoster } from './agent-roster';
import type { BotLogger } from './app';
import { channelOf, type HelpdeskChannelRegistry } from './helpdesk-channel';

/** Verbs only agents may use (contract §3, plus this bot's agent additions). */
export const AGENT_VERBS: ReadonlySet<string> = new Set([
  Verbs.ticketClaim,
  Verbs.ticketTransfer,
  Verbs.ticketReply,
  Verbs.ticketResolve,
  Verbs.ticketReopen,
  Verbs.ticketSendFix,
  Verbs.ticketAskInfo,
  Verbs.ticketHandBack,
]);

/** What an agent action answers with: the refreshed card for Action.Execute, or a short message. */
export interface AgentReply {
  card?: AdaptiveCard;
  message: string;
}

/**
 * The help desk side: the channel commands (use this channel, tickets, lookup), agents' card
 * actions and agents' replies in a ticket's thread. Every agent action checks the roster first.
 */
export class AgentDesk {
  constructor(
    private readonly deps: {
      tickets: TicketRepository;
      roster: AgentRoster;
      channels: HelpdeskChannelRegistry;
      directory: DirectoryPort;
      events: TicketEvents;
      log: BotLogger;
      clock?: () => Date;
    },
  ) {}

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }

  private caller(context: TurnContext): Person {
    const from = context.activity.from;
    return { aadObjectId: from?.aadObjectId ?? '', name: from?.name || 'Agent' };
  }

  private async requireAgent(context: TurnContext, what: string): Promise<Person | undefined> {
    const me = this.caller(context);
    if (await this.deps.roster.isAgent(me.aadObjectId, context)) return me;
    this.deps.log.warn({ user: me.aadObjectId || context.activity.from?.id, action: what }, 'agent action refused: caller is not a help desk agent');
    await sendNotice(context, 'Only help desk agents can do that', 'This action is for members of the help desk team. If you need help, describe your problem to me in a personal chat.', 'attention');
    return undefined;
  }

  /** Handles an agent verb from a card (in the channel, or from an allow-listed agent anywhere). */
  async handleAction(context: TurnContext, action: CardAction): Promise<AgentReply> {
    const agent = await this.requireAgent(context, action.verb);
    if (!agent) return { message: 'Only help desk agents can do that.' };
    if (!('ticketId' in action)) return { message: 'That action needs a ticket.' };
    const now = this.now();
    let change: TicketChange | undefined;
    const apply = async (ticket: Ticket): Promise<Transition> => {
      switch (action.verb) {
        case Verbs.ticketClaim:
          change = { kind: 'claimed', actor: agent };
          return claimTicket(ticket, agent, now);
        case Verbs.ticketTransfer: {
          const agents = await this.deps.roster.agents(context);
          const to = agents.find((a) => a.aadObjectId === action.toAgent);
          if (!to) return { ok: false, reason: 'That person is not a help desk agent, so the ticket stays where it is.' };
          change = { kind: 'transferred', actor: agent, to, note: action.note };
          return transferTicket(ticket, agent, to, action.note, now);
        }
        case Verbs.ticketReply:
          change = { kind: 'agent-replied', actor: agent, text: action.text };
          return replyOnTicket(ticket, agent, action.text, now);
        case Verbs.ticketAskInfo:
          change = { kind: 'asked-info', actor: agent, text: action.text };
          return replyOnTicket(ticket, agent, action.text, now, true);
        case Verbs.ticketResolve:
          change = { kind: 'resolved', actor: agent, note: action.note };
          return resolveTicket(ticket, agent, action.note, now);
        case Verbs.ticketReopen:
          change = { kind: 'reopened', actor: agent, byEmployee: false };
          return reopenTicket(ticket, agent, now);
        case Verbs.ticketSendFix: {
          if (!isCauseId(action.causeId)) return { ok: false, reason: `"${action.causeId}" is not a cause I know.` };
          change = { kind: 'fix-sent', actor: agent, causeId: action.causeId };
          return sendFix(ticket, agent, action.causeId, getPlaybook(action.causeId).title, now);
        }
        case Verbs.ticketHandBack: {
          const causeId = ticket.causeId;
          change = { kind: 'fix-sent', actor: agent, causeId };
          return sendFix(ticket, agent, causeId, getPlaybook(causeId).title, now);
        }
        default:
          return { ok: false, reason: `I can't do "${action.verb}" on a ticket.` };
      }
    };
    return this.change(context, action.ticketId, apply, () => change);
  }

  /** Loads, applies and saves with the version check; a lost race is re-tried on the fresh copy, which then sees who won. */
  private async change(context: TurnContext, ticketId: string, apply: (t: Ticket) => Promise<Transition>, describe: () => TicketChange | undefined): Promise<AgentReply> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const ticket = await this.deps.tickets.get(ticketId);
      if (!ticket) {
        await sendNotice(context, `I can't find ticket ${ticketId}`, 'Check the number, or type "tickets" to list the open ones.', 'attention');
        return { message: `I can't find ticket ${ticketId}.` };
      }
      const result = await apply(ticket);
      if (!result.ok) {
        await sendNotice(context, `Ticket ${ticket.id}`, result.reason, 'attention');
        return { card: await this.cardFor(ticket, context), message: result.reason };
      }
      try {
        const saved = await this.deps.tickets.update(result.ticket);
        const change = describe();
        if (change) await this.deps.events.ticketChanged(saved, change);
        this.deps.log.info({ ticketId: saved.id, change: change?.kind, agent: this.caller(context).aadObjectId }, 'agent changed ticket');
        await sendNotice(context, `Ticket ${saved.id}`, result.summary, 'good');
        return { card: await this.cardFor(saved, context), message: result.summary };
      } catch (error) {
        if (error instanceof TicketConflictError) continue;
        throw error;
      }
    }
    await sendNotice(context, 'The ticket is busy', 'Someone else is changing it right now; try again.', 'attention');
    return { message: 'The ticket is busy; try again.' };
  }

  private async cardFor(ticket: Ticket, context: TurnContext): Promise<AdaptiveCard> {
    return renderAgentTicketCard(presentAgentTicket(ticket, await this.deps.roster.agents(context), context.activity.localTimezone || undefined));
  }

  /** `ticket.refresh` in the channel: the live agent card (Universal Actions refresh). */
  async refresh(context: TurnContext, ticketId: string): Promise<AgentReply> {
    const me = this.caller(context);
    const ticket = await this.deps.tickets.get(ticketId);
    if (!ticket) return { message: `I can't find ticket ${ticketId}.` };
    if (!(await this.deps.roster.isAgent(me.aadObjectId, context))) return { message: 'Only help desk agents can see this ticket.' };
    const card = await this.cardFor(ticket, context);
    if (context.activity.type === 'message') await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
    return { card, message: `Ticket ${ticket.id}` };
  }

  /** A message in a team channel or group chat (the bot only sees it when mentioned). */
  async handleChannelMessage(context: TurnContext, text: string): Promise<void> {
    const clean = normaliseText(text);
    const lower = clean.toLowerCase();
    const conversationId = context.activity.conversation?.id ?? '';

    if (lower.includes('use this channel for tickets')) {
      await this.register(context);
      return;
    }
    if (/^(tickets|open tickets|queue)$/.test(lower)) {
      if (!(await this.requireAgent(context, 'tickets'))) return;
      const open = await this.deps.tickets.listOpen();
      const card = renderTicketListCard(presentTicketList(open, this.now()));
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      return;
    }
    const lookup = /^lookup\s+(\S+)$/i.exec(clean);
    if (lookup) {
      await this.lookup(context, lookup[1]!);
      return;
    }
    if (/^(help|\?)$/.test(lower)) {
      await sendNotice(context, 'Help desk commands', 'Mention me with: "use this channel for tickets" (make this channel the ticket queue) · "tickets" (open tickets by age) · "lookup name@company.com" (someone\'s sign-in evidence; audited) · or reply in a ticket\'s thread to write to the employee.');
      return;
    }
    if (conversationId.includes(';messageid=')) {
      const ticketId = await this.deps.channels.ticketForThread(conversationId);
      if (ticketId) {
        if (!(await this.requireAgent(context, 'thread reply'))) return;
        const agent = this.caller(context);
        await this.change(context, ticketId, async (t) => replyOnTicket(t, agent, clean, this.now()), () => ({ kind: 'agent-replied', actor: agent, text: clean }));
        return;
      }
    }
    await sendNotice(context, 'I help the help desk here', 'Say "help" to see the channel commands. Employees talk to me in a personal chat.');
  }

  private async register(context: TurnContext): Promise<void> {
    const a = context.activity;
    const channelId = a.channelData?.channel?.id ?? (a.conversation?.conversationType === 'channel' ? channelOf(a.conversation.id) : undefined);
    if (!channelId) {
      await sendNotice(context, 'That works in a team channel', 'Run it in the team channel you want tickets in.', 'attention');
      return;
    }
    await this.deps.channels.set({
      serviceUrl: a.serviceUrl,
      channelId: channelOf(channelId),
      teamId: a.channelData?.team?.id,
      tenantId: a.channelData?.tenant?.id ?? a.conversation?.tenantId,
      botId: a.recipient?.id,
      registeredBy: a.from?.aadObjectId,
      at: this.now().toISOString(),
    });
    this.deps.roster.invalidate();
    this.deps.log.info({ channelId, teamId: a.channelData?.team?.id, by: a.from?.aadObjectId }, 'help desk channel registered');
    await sendNotice(context, 'This channel is now the help desk queue', 'New tickets will appear here as cards. Members of this team are agents: claim, reply, transfer, send fix steps and resolve from the cards.', 'good');
  }

  private async lookup(context: TurnContext, upn: string): Promise<void> {
    const agent = await this.requireAgent(context, 'lookup');
    if (!agent) return;
    const now = this.now();
    this.deps.log.info({ audit: true, action: 'lookup', agent: agent.aadObjectId, agentName: agent.name, target: upn, at: now.toISOString() }, 'agent lookup');
    const userId = await this.deps.directory.findUserIdByUpn?.(upn).catch(() => undefined);
    if (!userId) {
      await sendNotice(context, `No one found for ${upn}`, 'Check the address (user principal name).', 'attention');
      return;
    }
    const result = await this.deps.directory.lookup(userId, { now });
    const file = newCaseFile(now);
    file.lookup = result;
    const evidence = caseEvidence(file, now);
    const diagnosis = selectNextQuestion({ answers: {}, evidence }, []).diagnosis;
    const model = presentDiagnosis(diagnosis, file, evidence, context.activity.localTimezone || undefined);
    const card = renderLookupResultCard({
      upn,
      displayName: result.ok ? result.evidence.user.displayName : undefined,
      causeTitle: model.title,
      causeId: model.causeId,
      confidencePercent: model.confidencePercent,
      findings: model.findings,
      events: model.events.map((e) => ({ when: e.when, app: e.app, outcome: e.outcome, reason: e.reason, policy: e.policy })),
      eventsSummary: model.eventsSummary,
      lookupNote: model.lookupNote,
      auditNote: `Looked up by ${agent.name} at ${formatWhen(now, context.activity.localTimezone || undefined)}; recorded in the audit log.`,
    });
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  }
}
