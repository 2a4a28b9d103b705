import { CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import { plainLine, renderAgentTicketCard, renderLookupResultCard, renderTicketListCard, TEXT_LIMITS, Verbs, type AdaptiveCard } from '../cards';
import { caseEvidence, formatWhen, presentDiagnosis, sendNotice } from '../dialogs';
import { presentAgentTicket, presentTicketList } from '../dialogs/present-agent';
import { newCaseFile } from '../domain/case-file';
import { isCauseId } from '../domain/causes';
import type { DirectoryPort } from '../domain/directory';
import type { OutboxStore } from '../domain/outbox';
import { claimTicket, reopenTicket, replyOnTicket, resolveTicket, sendFix, transferTicket, type Transition } from '../domain/handoff';
import { normaliseText } from '../domain/message-parser';
import { getPlaybook } from '../domain/playbooks';
import { selectNextQuestion } from '../domain/question-selector';
import type { TicketChange, TicketEvents } from '../domain/ticket-events';
import { TicketConflictError, type Person, type Ticket, type TicketRepository } from '../domain/tickets';
import type { CardAction } from './activity-input';
import type { AgentRoster, RegistrationDecision } from './agent-roster';
import type { BotLogger } from './app';
import { channelOf, inHelpdeskChannel, type ChannelSender, type HelpdeskChannel, type HelpdeskChannelRegistry } from './helpdesk-channel';
import { isTrustedServiceUrl } from './service-url-policy';

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

/** What a non-agent hears for any agent verb, whether or not the ticket exists. */
export const AGENT_ONLY_ANSWER = 'Only help desk agents can do that.';

/**
 * The channel command (docs/contract.md §3a): after the bot's mention is removed, exactly these
 * words, any case, with an optional full stop or exclamation mark. A sentence that merely
 * contains them ("please don't use this channel for tickets") is not the command.
 */
export function isRegistrationCommand(text: string): boolean {
  return /^use this channel for tickets\s*[.!]?$/i.test(normaliseText(text));
}

/** True when the activity @mentions the bot itself (not just someone else). */
export function mentionsBot(activity: TurnContext['activity']): boolean {
  const botId = activity.recipient?.id;
  return Boolean(botId) && TurnContext.getMentions(activity).some((m) => m.mentioned?.id === botId);
}

/** Why a registration was refused, in words for the person who asked (contract §3a). */
export function registrationRefusal(reason: Exclude<RegistrationDecision, { ok: true }>['reason']): { title: string; text: string } {
  switch (reason) {
    case 'not-configured':
      return {
        title: 'No help desk agents are configured',
        text: "Nobody can make a channel the ticket queue until agents are configured: set HELPDESK_AGENTS (comma-separated aadObjectIds of the agents) or HELPDESK_AGENTS_GROUP_ID (an Entra security group, read through Microsoft Graph) in the bot's settings, restart it, and have one of those agents say this again. Nothing was changed.",
      };
    case 'other-tenant':
      return { title: 'Only help desk agents can do that', text: "This channel is in a different Microsoft 365 tenant from the help desk queue, so it can't take the queue. Nothing was changed." };
    case 'not-agent':
      return {
        title: 'Only help desk agents can do that',
        text: 'Only an existing help desk agent can make a channel the ticket queue, so nothing was changed. If you need help, describe your problem to me in a personal chat.',
      };
  }
}

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
      /** For the proactive notice in the old channel when the queue moves, and the service URL check. */
      sender: ChannelSender;
      /** Set-aside deliveries, for the agents' "retry deliveries" command. */
      deliveries?: { outbox: Pick<OutboxStore, 'requeueDeadLetters'>; kick: () => void };
      clock?: () => Date;
    },
  ) {}

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }

  private caller(context: TurnContext): Person {
    const from = context.activity.from;
    const id = typeof from?.aadObjectId === 'string' ? from.aadObjectId.slice(0, 128) : '';
    return { aadObjectId: id, name: (typeof from?.name === 'string' && from.name.trim().slice(0, 120)) || 'Agent' };
  }

  /**
   * The caller, when they are an agent (allow-list, group or the registered team's roster; never
   * the activity's own team id). Otherwise logs the refusal and, unless `notify` is false, says so.
   * Checked before the ticket is read, so a refusal never tells whether a ticket exists.
   */
  private async requireAgent(context: TurnContext, what: string, notify = true): Promise<Person | undefined> {
    const me = this.caller(context);
    if (await this.deps.roster.isAgent(me.aadObjectId)) return me;
    this.deps.log.warn({ user: me.aadObjectId || String(context.activity.from?.id ?? '').slice(0, 128), action: what, conversationType: context.activity.conversation?.conversationType }, 'agent action refused: caller is not a help desk agent');
    if (notify) await sendNotice(context, 'Only help desk agents can do that', 'This action is for the help desk agents. If you need help, describe your problem to me in a personal chat.', 'attention');
    return undefined;
  }

  /** Handles an agent verb from a card (in the channel, or from an agent anywhere). */
  async handleAction(context: TurnContext, action: CardAction): Promise<AgentReply> {
    const agent = await this.requireAgent(context, action.verb);
    if (!agent) return { message: AGENT_ONLY_ANSWER };
    if (!('ticketId' in action)) return { message: 'That action needs a ticket.' };
    const now = this.now();
    let change: TicketChange | undefined;
    const apply = async (ticket: Ticket): Promise<Transition> => {
      switch (action.verb) {
        case Verbs.ticketClaim:
          change = { kind: 'claimed', actor: agent };
          return claimTicket(ticket, agent, now);
        case Verbs.ticketTransfer: {
          const agents = await this.deps.roster.agents();
          // Group members are checked, not listed: someone outside the list may still be an agent.
          const to = agents.find((a) => a.aadObjectId === action.toAgent) ?? ((await this.deps.roster.isAgent(action.toAgent)) ? { aadObjectId: action.toAgent, name: action.toAgent } : undefined);
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
    return renderAgentTicketCard(presentAgentTicket(ticket, await this.deps.roster.agents(), context.activity.localTimezone || undefined));
  }

  /**
   * `ticket.refresh` in the channel: the live agent card (Universal Actions refresh). A non-agent
   * gets the same answer whether or not the ticket exists; Teams' automatic refresh invokes get no
   * notice card (one per viewer would flood the channel), a pressed button does.
   */
  async refresh(context: TurnContext, ticketId: string): Promise<AgentReply> {
    const agent = await this.requireAgent(context, Verbs.ticketRefresh, context.activity.type === 'message');
    if (!agent) return { message: AGENT_ONLY_ANSWER };
    const ticket = await this.deps.tickets.get(ticketId);
    if (!ticket) return { message: `I can't find ticket ${ticketId}.` };
    const card = await this.cardFor(ticket, context);
    if (context.activity.type === 'message') await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
    return { card, message: `Ticket ${ticket.id}` };
  }

  /** A message in a team channel or group chat (the bot only sees it when mentioned). */
  async handleChannelMessage(context: TurnContext, text: string): Promise<void> {
    const clean = normaliseText(text);
    const lower = clean.toLowerCase();
    const conversationId = context.activity.conversation?.id ?? '';

    if (isRegistrationCommand(clean) && mentionsBot(context.activity)) {
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
    if (/^retry (failed )?deliveries[.!]?$/.test(lower)) {
      await this.retryDeliveries(context);
      return;
    }
    const lookup = /^lookup\s+(\S+)$/i.exec(clean);
    if (lookup) {
      await this.lookup(context, lookup[1]!);
      return;
    }
    if (/^(help|\?)$/.test(lower)) {
      await sendNotice(context, 'Help desk commands', 'Mention me with: "use this channel for tickets" (agents only: make this channel the ticket queue; announced and audited) · "tickets" (open tickets by age) · "lookup name@company.com" (someone\'s sign-in evidence; audited) · "retry deliveries" (try again the deliveries that were set aside after failing) · or reply in a ticket\'s thread to write to the employee.');
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

  /**
   * Makes this channel the ticket queue (contract §3a): only in a team channel, only for an
   * existing agent, never from another tenant than the current queue's, never while no agent is
   * configured. Every outcome is audited; a move is announced in the new channel and the old one.
   */
  /** Puts every set-aside (dead-lettered) delivery back in the queue; agents only, audited. */
  private async retryDeliveries(context: TurnContext): Promise<void> {
    const agent = await this.requireAgent(context, 'retry deliveries');
    if (!agent || !this.deps.deliveries) return;
    const count = await this.deps.deliveries.outbox.requeueDeadLetters(this.now().getTime());
    this.deps.deliveries.kick();
    this.deps.log.info({ audit: true, action: 'retry-deliveries', agent: agent.aadObjectId, count }, 'agent requeued set-aside deliveries');
    await sendNotice(
      context,
      count === 0 ? 'Nothing to retry' : `${count} ${count === 1 ? 'delivery is' : 'deliveries are'} queued again`,
      count === 0 ? 'No delivery is set aside right now.' : 'Each one gets its attempts back. If one fails again, it is set aside again and you will see a new notice here.',
      count === 0 ? 'default' : 'good',
    );
  }

  private async register(context: TurnContext): Promise<void> {
    const a = context.activity;
    const me = this.caller(context);
    const teamId = typeof a.channelData?.team?.id === 'string' ? a.channelData.team.id.slice(0, 256) : undefined;
    const rawChannel = typeof a.channelData?.channel?.id === 'string' ? a.channelData.channel.id : a.conversation?.id;
    const channelId = a.conversation?.conversationType === 'channel' && typeof rawChannel === 'string' && rawChannel ? channelOf(rawChannel).slice(0, 256) : undefined;
    const rawTenant = a.channelData?.tenant?.id ?? a.conversation?.tenantId;
    const tenantId = typeof rawTenant === 'string' && rawTenant ? rawTenant.slice(0, 128) : undefined;
    const audit = { audit: true, action: 'register-help-desk-channel', by: me.aadObjectId || undefined, byName: me.name, tenantId, channelId, teamId };
    if (!channelId || !teamId) {
      await sendNotice(context, 'That works in a team channel', 'Mention me with "use this channel for tickets" in the team channel you want tickets in.', 'attention');
      return;
    }
    const decision = await this.deps.roster.mayRegister({ aadObjectId: me.aadObjectId, tenantId });
    if (!decision.ok) {
      this.deps.log.warn({ ...audit, outcome: 'refused', reason: decision.reason, current: decision.current?.channelId }, 'help desk channel registration refused');
      const refusal = registrationRefusal(decision.reason);
      await sendNotice(context, refusal.title, refusal.text, 'attention');
      return;
    }
    if (this.deps.sender.serviceUrlPolicy && !isTrustedServiceUrl(a.serviceUrl, this.deps.sender.serviceUrlPolicy)) {
      this.deps.log.warn({ ...audit, outcome: 'refused', reason: 'untrusted-service-url' }, 'help desk channel registration refused');
      await sendNotice(context, "I can't use this channel for tickets", 'This conversation does not come through a Teams service I can post to. Nothing was changed.', 'attention');
      return;
    }
    const old = decision.current;
    const next: HelpdeskChannel = { serviceUrl: a.serviceUrl, channelId, teamId, tenantId, botId: a.recipient?.id, registeredBy: me.aadObjectId || undefined, at: this.now().toISOString() };
    await this.deps.channels.set(next);
    this.deps.roster.invalidate();
    const moved = old !== undefined && old.channelId !== channelId;
    this.deps.log.info(
      { ...audit, outcome: 'registered', via: decision.via, from: old ? { channelId: old.channelId, teamId: old.teamId, tenantId: old.tenantId } : null, to: { channelId, teamId, tenantId }, at: next.at },
      'help desk channel registered',
    );
    // Notices render their text as plain TextRuns (src/cards/plain-text.ts); this only bounds it to one line.
    const who = plainLine(me.name, TEXT_LIMITS.name) || 'An agent';
    await sendNotice(
      context,
      'This channel is now the help desk queue',
      `${who} made this channel the ticket queue${moved ? ' (it moved here from another channel, which has been told)' : ''}. New tickets will appear here as cards. Members of this team are agents, along with the people in HELPDESK_AGENTS and the agents group when those are set: claim, reply, transfer, send fix steps and resolve from the cards.`,
      'good',
    );
    if (moved) await this.announceMove(old, who, plainLine(a.channelData?.team?.name, TEXT_LIMITS.name));
  }

  /** Tells the old queue where tickets go now. A failure is logged; the move stands. */
  private async announceMove(old: HelpdeskChannel, who: string, teamName: string): Promise<void> {
    try {
      await inHelpdeskChannel(this.deps.sender, old, async (context) => {
        await sendNotice(
          context,
          'The help desk queue has moved',
          `${who} made another channel${teamName ? ` (in the team ${teamName})` : ''} the ticket queue. New tickets are posted there. Members of this team act as agents only if they are in HELPDESK_AGENTS, the agents group or the new queue's team.`,
          'attention',
        );
      });
    } catch (error) {
      this.deps.log.warn({ err: (error as Error).message.slice(0, 300), channelId: old.channelId }, 'could not tell the old help desk channel that the queue moved');
    }
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
