import type { TurnContext } from 'botbuilder';
import { sendCard, sendNotice } from '../bot/send';
import { messages } from '../content/knowledge';
import { renderAgentTicketCard, Verbs, type AdaptiveCard } from '../cards';
import { isCauseId } from '../domain/causes';
import { systemClock, type Clock } from '../domain/clock';
import type { DirectoryPort } from '../domain/directory';
import type { OutboxStore } from '../domain/outbox';
import { claimTicket, reopenTicket, replyOnTicket, resolveTicket, sendFix, transferTicket, type Transition } from '../domain/handoff';
import { getPlaybook } from '../domain/playbooks';
import { retryOnConflict } from '../domain/retry-on-conflict';
import type { TicketChange, TicketEvents } from '../domain/ticket-events';
import type { Person, Ticket, TicketRepository } from '../domain/tickets';
import type { Logger } from '../logger';
import type { AgentRoster } from './agent-roster';
import type { ChannelSender, HelpdeskChannelRegistry } from './helpdesk-channel';
import { presentAgentTicket } from './present-agent';

/** An agent's card action on a ticket, validated by the routes (src/bot/routes.ts). */
export type AgentAction =
  | { verb: typeof Verbs.ticketClaim | typeof Verbs.ticketReopen | typeof Verbs.ticketHandBack; ticketId: string }
  | { verb: typeof Verbs.ticketTransfer; ticketId: string; toAgent: string; note?: string }
  | { verb: typeof Verbs.ticketReply | typeof Verbs.ticketAskInfo; ticketId: string; text: string }
  | { verb: typeof Verbs.ticketResolve; ticketId: string; note?: string }
  | { verb: typeof Verbs.ticketSendFix; ticketId: string; causeId: string; stepId?: string };

/** What the agent desk needs; built once in src/index.ts. */
export interface AgentDeskDeps {
  tickets: TicketRepository;
  roster: AgentRoster;
  channels: HelpdeskChannelRegistry;
  directory: DirectoryPort;
  events: TicketEvents;
  log: Logger;
  /** For the proactive notice in the old channel when the queue moves, and the service URL check. */
  sender: ChannelSender;
  /** Set-aside deliveries, for the agents' "retry deliveries" command. */
  deliveries?: { outbox: Pick<OutboxStore, 'requeueDeadLetters'>; kick: () => void };
  clock?: Clock;
  /** HELPDESK_TIME_ZONE: the zone of the absolute times on shared cards (UTC when absent). */
  timeZone?: string;
}

/** What an agent action answers with: the refreshed card for Action.Execute, or a short message. */
export interface AgentReply {
  card?: AdaptiveCard;
  message: string;
  /** The card is a view for the person who pressed only (an invoke response); it never replaces the shared message. */
  viewOnly?: boolean;
}

/**
 * The help desk side: agents' card actions on tickets, the live agent card, and the one place
 * that decides who is an agent for a turn. The channel's typed commands are in ./channel-commands.
 */
export class AgentDesk {
  constructor(readonly deps: AgentDeskDeps) {}

  now(): Date {
    return (this.deps.clock ?? systemClock)();
  }

  caller(context: TurnContext): Person {
    const from = context.activity.from;
    const id = typeof from?.aadObjectId === 'string' ? from.aadObjectId.slice(0, 128) : '';
    return { aadObjectId: id, name: (typeof from?.name === 'string' && from.name.trim().slice(0, 120)) || 'Agent' };
  }

  /**
   * The caller, when they are an agent (allow-list, group or the registered team's roster; never
   * the activity's own team id). Otherwise logs the refusal and, unless `notify` is false, says so.
   * Checked before the ticket is read, so a refusal never tells whether a ticket exists.
   */
  async requireAgent(context: TurnContext, what: string, notify = true): Promise<Person | undefined> {
    const me = this.caller(context);
    if (await this.deps.roster.isAgent(me.aadObjectId)) return me;
    this.deps.log.warn(
      { user: me.aadObjectId || String(context.activity.from?.id ?? '').slice(0, 128), action: what, conversationType: context.activity.conversation?.conversationType },
      'agent action refused: caller is not a help desk agent',
    );
    if (notify) {
      const m = messages(context.activity.locale || undefined);
      await sendNotice(context, m.text('desk.agents-only.title'), m.text('desk.agents-only.text'), 'attention');
    }
    return undefined;
  }

  /** Handles an agent verb from a card (in the channel, or from an agent anywhere); the routes checked the agent. */
  async handleAction(context: TurnContext, agent: Person, action: AgentAction): Promise<AgentReply> {
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
          const to =
            agents.find((a) => a.aadObjectId === action.toAgent) ??
            ((await this.deps.roster.isAgent(action.toAgent)) ? { aadObjectId: action.toAgent, name: action.toAgent } : undefined);
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
      }
    };
    return this.changeTicket(context, action.ticketId, apply, () => change);
  }

  /** Loads, applies and saves with the version check; a lost race is re-tried on the fresh copy, which then sees who won. */
  async changeTicket(context: TurnContext, ticketId: string, apply: (t: Ticket) => Promise<Transition>, describe: () => TicketChange | undefined): Promise<AgentReply> {
    const outcome = await retryOnConflict(3, async (): Promise<AgentReply> => {
      const ticket = await this.deps.tickets.get(ticketId);
      if (!ticket) {
        await sendNotice(context, `I can't find ticket ${ticketId}`, 'Check the number, or type "tickets" to list the open ones.', 'attention');
        return { message: `I can't find ticket ${ticketId}.` };
      }
      const result = await apply(ticket);
      if (!result.ok) {
        await sendNotice(context, `Ticket ${ticket.id}`, result.reason, 'attention');
        return { card: await this.cardFor(ticket), message: result.reason };
      }
      const saved = await this.deps.tickets.update(result.ticket);
      const change = describe();
      if (change) await this.deps.events.ticketChanged(saved, change);
      this.deps.log.info({ ticketId: saved.id, change: change?.kind, agent: this.caller(context).aadObjectId }, 'agent changed ticket');
      await sendNotice(context, `Ticket ${saved.id}`, result.summary, 'good');
      return { card: await this.cardFor(saved), message: result.summary };
    });
    if (outcome.done) return outcome.value;
    await sendNotice(context, 'The ticket is busy', 'Someone else is changing it right now; try again.', 'attention');
    return { message: 'The ticket is busy; try again.' };
  }

  /**
   * The agent card as the channel shares it: times relative to the desk's clock and absolute in
   * HELPDESK_TIME_ZONE, never the viewer's own zone, so whoever views it (or triggers its refresh)
   * at the same instant gets the same card.
   */
  async cardFor(ticket: Ticket): Promise<AdaptiveCard> {
    return renderAgentTicketCard(presentAgentTicket(ticket, await this.deps.roster.agents(), this.deps.timeZone, this.now()));
  }

  /**
   * `ticket.refresh` in the channel. The routes checked the agent first, so a non-agent gets the
   * same answer whether or not the ticket exists; Teams' automatic refresh invokes get no refusal
   * card (one per viewer would flood the channel).
   *
   * - The agent card's own Universal Actions refresh (an invoke): the card is a view for that
   *   viewer only (`viewOnly`): the shared message is never rewritten by a viewer; the outbox
   *   alone updates it when the ticket changes.
   * - `asReply` (the "Open HD-…" buttons of the ticket list and the incident card): the ticket's
   *   card is posted as a new reply in that thread and the press is answered with a line, never a
   *   card, which Teams would put in place of the shared list or incident card.
   * - Action.Submit (a message) has no invoke response: the card is posted as a reply.
   */
  async refresh(context: TurnContext, ticketId: string, asReply = false): Promise<AgentReply> {
    const ticket = await this.deps.tickets.get(ticketId);
    if (!ticket) return { message: `I can't find ticket ${ticketId}.` };
    const card = await this.cardFor(ticket);
    if (context.activity.type === 'message') {
      await sendCard(context, card, `Ticket ${ticket.id}`);
      return { card, message: `Ticket ${ticket.id}` };
    }
    if (asReply) {
      await sendCard(context, card, `Ticket ${ticket.id}`);
      return { message: `Ticket ${ticket.id} is posted in this thread.` };
    }
    return { card, message: `Ticket ${ticket.id}`, viewOnly: true };
  }
}
