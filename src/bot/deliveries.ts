import { createHmac } from 'node:crypto';
import { CardFactory, MessageFactory, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { renderAgentTicketCard, renderIncidentCard, renderMessageCard, renderTicketResolvedCard, type AdaptiveCard, type IncidentCardModel } from '../cards';
import { presentAgentTicket } from '../dialogs/present-agent';
import type { OutboxItem } from '../domain/outbox';
import { TicketConflictError, type Ticket, type TicketRepository } from '../domain/tickets';
import type { AgentRoster } from './agent-roster';
import { channelReference, type HelpdeskChannelRegistry } from './helpdesk-channel';

/** Where a ticket's card lives in the help desk channel. */
export interface ChannelAddress {
  reference: Partial<ConversationReference>;
  activityId: string;
}

/** Outbox payloads, by kind. */
export type NotifyEmployeePayload = { ticketId: string; title: string; text: string; card?: 'resolved' | 'fix'; causeId?: string; note?: string; agentName?: string };

/** Thrown when a delivery cannot happen yet (no channel, card not posted yet): the outbox retries it. */
export class NotReadyError extends Error {}

/** Everything deliveries need. */
export interface DeliveryDeps {
  adapter: CloudAdapter;
  botAppId?: string;
  tickets: TicketRepository;
  channels: HelpdeskChannelRegistry;
  roster: AgentRoster;
  webhook?: { url: string; secret?: string };
  fetch?: typeof fetch;
}

/** Builds the function that carries out each outbox item against the Bot Connector (or the webhook). */
export function createDeliverer(deps: DeliveryDeps): (item: OutboxItem) => Promise<void> {
  const appId = deps.botAppId ?? '';

  async function inConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    await deps.adapter.continueConversationAsync(appId, reference, logic);
  }

  async function loadTicket(ticketId: unknown): Promise<Ticket> {
    const ticket = await deps.tickets.get(String(ticketId));
    if (!ticket) throw new Error(`ticket ${String(ticketId)} not found`);
    return ticket;
  }

  /** Starts a new thread in the help desk channel with `card`; returns its address. */
  async function postThread(card: AdaptiveCard, summary: string): Promise<ChannelAddress> {
    const channel = await deps.channels.get();
    if (!channel) throw new NotReadyError('No help desk channel yet: an agent must say "use this channel for tickets" in a team channel.');
    let address: ChannelAddress | undefined;
    await inConversation(channelReference(channel), async (context) => {
      const client = context.turnState.get<ConnectorClient>(deps.adapter.ConnectorClientKey);
      const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
      activity.summary = summary;
      const created = await client.conversations.createConversation({
        isGroup: true,
        bot: { id: channel.botId ?? 'helpdesk-bot', name: 'Help desk' },
        channelData: { channel: { id: channel.channelId }, tenant: channel.tenantId ? { id: channel.tenantId } : undefined },
        activity,
        tenantId: channel.tenantId,
      } as never);
      const reference = { ...channelReference(channel), conversation: { ...channelReference(channel).conversation!, id: created.id } };
      address = { reference, activityId: created.activityId ?? created.id };
    });
    return address!;
  }

  async function channelCard(payload: Record<string, unknown>): Promise<void> {
    let ticket = await loadTicket(payload.ticketId);
    const agents = await deps.roster.agents();
    const card = renderAgentTicketCard(presentAgentTicket(ticket, agents));
    const existing = ticket.channelAddress as ChannelAddress | undefined;
    if (existing) {
      await inConversation(existing.reference, async (context) => {
        const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
        activity.id = existing.activityId;
        await context.updateActivity(activity);
      });
      return;
    }
    const address = await postThread(card, `Ticket ${ticket.id}: ${ticket.requester.name} · ${ticket.causeTitle}`);
    await deps.channels.linkThread(address.reference.conversation!.id, ticket.id);
    // Record where the card is, so a retry updates it instead of posting a second one.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        ticket.channelAddress = address;
        await deps.tickets.update(ticket);
        return;
      } catch (error) {
        if (!(error instanceof TicketConflictError)) throw error;
        ticket = await loadTicket(ticket.id);
      }
    }
  }

  async function channelReply(payload: Record<string, unknown>): Promise<void> {
    const ticket = await loadTicket(payload.ticketId);
    const address = ticket.channelAddress as ChannelAddress | undefined;
    if (!address) throw new NotReadyError(`ticket ${ticket.id} has no channel card yet`);
    await inConversation(address.reference, async (context) => {
      await context.sendActivity(MessageFactory.text(String(payload.text)));
    });
  }

  async function notifyEmployee(payload: NotifyEmployeePayload): Promise<void> {
    const ticket = await loadTicket(payload.ticketId);
    const reference = ticket.requesterAddress as Partial<ConversationReference> | undefined;
    if (!reference) throw new Error(`ticket ${ticket.id} has no address for the employee`);
    let card: AdaptiveCard;
    if (payload.card === 'resolved') {
      card = renderTicketResolvedCard({ ticketId: ticket.id, agentName: payload.agentName ?? 'The help desk', note: payload.note, causeTitle: ticket.causeTitle });
    } else {
      card = renderMessageCard({ title: payload.title, text: payload.text, tone: 'default' });
    }
    await inConversation(reference, async (context) => {
      const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
      activity.summary = `${payload.title}: ${payload.text}`.slice(0, 200);
      await context.sendActivity(activity);
      if (payload.card === 'fix' && payload.causeId) {
        const start = {
          type: 'AdaptiveCard',
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          version: '1.5',
          body: [{ type: 'TextBlock', text: 'Ready when you are.', wrap: true }],
          actions: [{ type: 'Action.Submit', title: 'Start the steps', data: { verb: 'fix.start', causeId: payload.causeId } }],
        };
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(start)));
      }
    });
  }

  async function incidentCard(payload: Record<string, unknown>): Promise<void> {
    await postThread(renderIncidentCard(payload.incident as IncidentCardModel), 'Possible tenant-wide problem');
  }

  async function webhook(payload: Record<string, unknown>): Promise<void> {
    if (!deps.webhook) return;
    const ticket = await loadTicket(payload.ticketId);
    const { requesterAddress: _r, channelAddress: _c, ...shareable } = ticket;
    const body = JSON.stringify({ event: payload.event, at: payload.at, ticket: shareable });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-helpdesk-event': String(payload.event) };
    if (deps.webhook.secret) headers['x-helpdesk-signature'] = `sha256=${createHmac('sha256', deps.webhook.secret).update(body).digest('hex')}`;
    const response = await (deps.fetch ?? fetch)(deps.webhook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  }

  return async (item: OutboxItem): Promise<void> => {
    switch (item.kind) {
      case 'channel-card':
        return channelCard(item.payload);
      case 'channel-reply':
        return channelReply(item.payload);
      case 'notify-employee':
        return notifyEmployee(item.payload as NotifyEmployeePayload);
      case 'incident-card':
        return incidentCard(item.payload);
      case 'webhook':
        return webhook(item.payload);
      case 'notify-agent':
        return channelReply(item.payload);
    }
  };
}
