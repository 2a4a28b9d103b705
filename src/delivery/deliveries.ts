import { systemClock, type Clock } from '../domain/clock';
import { createHmac, randomUUID } from 'node:crypto';
import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import { activityForCard } from '../bot/send';
import { messages } from '../content/knowledge';
import type { ConnectorClient } from 'botframework-connector';
import { renderAgentTicketCard, renderFixStartCard, renderIncidentCard, renderMessageCard, renderTicketResolvedCard, type AdaptiveCard, type IncidentCardModel } from '../cards';
import { CARD_BUDGET_BYTES, cardBytes, shrinkCard } from '../cards/card-budget';
import { presentAgentTicket } from '../desk/present-agent';
import { sharedWhen } from '../desk/shared-time';
import { DeliveryNotReadyError, PermanentDeliveryError, type DeadLetterNoticePayload, type OutboxItem, type OutboxKind, type SettingsStore } from '../domain/outbox';
import { retryOnConflict } from '../domain/retry-on-conflict';
import type { Ticket, TicketRepository } from '../domain/tickets';
import type { Agent } from '../desk/agent-roster';
import type { Logger } from '../logger';
import type { HelpdeskChannel, HelpdeskChannelRegistry } from '../desk/helpdesk-channel';
import { channelAddressOf, channelPostMarkerKey, isReference, withRepostedNotice, type ChannelAddress } from './channel-address';
import { CardTooLargeError, classify, definitelyNotPosted, isTooLarge } from './connector-errors';
import { isTrustedServiceUrl, UntrustedServiceUrlError, type ServiceUrlPolicy } from '../bot/service-url-policy';

export { REPOSTED_NOTICE, channelAddressOf, type ChannelAddress } from './channel-address';

/** Outbox payloads, by kind. */
export type NotifyEmployeePayload = { ticketId: string; title: string; text: string; card?: 'resolved' | 'fix'; causeId?: string; note?: string; agentName?: string };

/** Everything deliveries need. */
export interface DeliveryDeps {
  adapter: CloudAdapter;
  /** The bot's Microsoft App ID (BOT_ID); undefined when running unauthenticated. */
  botAppId?: string;
  /** Tenant for channel posts when the channel record has none (BOT_TENANT_ID, else the first allowed tenant). */
  tenantId?: string;
  tickets: TicketRepository;
  channels: HelpdeskChannelRegistry;
  roster: { agents(): Promise<Agent[]> };
  /** Where the in-flight marker of a channel post is kept (key `channel-post:<ticketId>`). */
  settings: SettingsStore;
  /** Which Bot Connector URLs may receive the bot's token: checked before every proactive send. */
  serviceUrlPolicy: ServiceUrlPolicy;
  webhook?: { url: string; secret?: string };
  fetch?: typeof fetch;
  log?: Logger;
  /** Fits a rendered card into `maxBytes` (after a 413 from the connector); defaults to the cards' own. */
  shrink?: (card: AdaptiveCard, maxBytes: number) => AdaptiveCard;
  /** The most bytes a card may take before it is sent (default CARD_BUDGET_BYTES). */
  cardBudgetBytes?: number;
  clock?: Clock;
  /** HELPDESK_TIME_ZONE: the zone of the absolute times on the channel's cards (UTC when absent). */
  timeZone?: string;
}

interface PostMarker {
  token: string;
  at: string;
}

/** A card that still does not fit after this many smaller re-renders fails the attempt (it is retried, never dropped). */
const SHRINK_STEPS = 4;
/** Each re-render after a 413 gets this share of the previous size. */
const SHRINK_FACTOR = 0.7;
/** Room kept for the re-posted notice when a card is fitted before the notice goes on top. */
const REPOSTED_NOTICE_BYTES = 400;
/** Plain text sent into a thread is bounded (Teams refuses messages over about 28 KB). */
const MAX_THREAD_TEXT = 8000;
const WEBHOOK_TIMEOUT_MS = 10_000;

function boundText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const DEAD_KIND_WORDS: Record<OutboxKind, string> = {
  'channel-card': "the ticket's card in this channel",
  'channel-reply': "a message for the ticket's thread",
  'notify-agent': "a message for the ticket's thread",
  'notify-employee': 'a message to the employee',
  webhook: 'the webhook notification',
  'incident-card': 'a possible-incident card',
  'dead-letter-notice': 'a dead-letter notice',
};

/** The plain-text notice agents get for a dead item. */
export function deadLetterNoticeText(notice: DeadLetterNoticePayload): string {
  const what = DEAD_KIND_WORDS[notice.deadKind] ?? `a ${String(notice.deadKind)} delivery`;
  const forTicket = notice.ticketId ? ` for ${notice.ticketId}` : '';
  return boundText(
    `A delivery failed and was set aside: ${what}${forTicket} (outbox item ${notice.deadItemId}, ${notice.attempts} attempt${notice.attempts === 1 ? '' : 's'}). ` +
      `Last error: ${notice.error}. It is not retried on its own: once the cause is fixed, mention me with "retry deliveries". /readyz reports "degraded" while set-aside deliveries exist.`,
    MAX_THREAD_TEXT,
  );
}

/**
 * A card that knows how to fit a budget by its own rules (the agent card cuts its content and the
 * number of refresh users before anything else), for a first send and for re-sends after a 413.
 */
type CardAt = (maxBytes: number) => AdaptiveCard;

/**
 * Builds the function that carries out each outbox item against the Bot Connector (or the
 * webhook). Every proactive send is checked against the service URL policy first, and its
 * errors are caught inside the turn and thrown to the outbox (left to the adapter they would
 * reach onTurnError, be swallowed, and the item would count as delivered).
 */
export function createDeliverer(deps: DeliveryDeps): (item: OutboxItem, signal?: AbortSignal) => Promise<void> {
  const appId = deps.botAppId ?? '';
  const budget = deps.cardBudgetBytes ?? CARD_BUDGET_BYTES;
  const shrink = deps.shrink ?? shrinkCard;
  const now = (): number => (deps.clock ?? systemClock)().getTime();

  /** Runs `logic` in a proactive turn; whatever it throws is thrown here, after the turn. */
  async function inConversation(reference: unknown, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    if (!isReference(reference)) throw new PermanentDeliveryError('the stored conversation address is unusable (no service URL or conversation id)');
    if (!isTrustedServiceUrl(reference.serviceUrl, deps.serviceUrlPolicy)) throw new UntrustedServiceUrlError(reference.serviceUrl);
    let failure: { error: unknown } | undefined;
    let ran = false;
    await deps.adapter.continueConversationAsync(appId, reference, async (context) => {
      ran = true;
      try {
        await logic(context);
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw classify(failure.error);
    // The adapter's middleware failed before the logic ran, and onTurnError took the error.
    if (!ran) throw new Error('the proactive turn did not run');
  }

  /**
   * Sends a card through `send`; when the connector refuses it for its size, re-renders it with a
   * smaller budget and sends again (by the card's own rules when it is a `CardAt`, else
   * `shrink`). A card is never dropped: if even the smallest fails, the attempt fails and the
   * outbox retries (and finally dead-letters it, with a notice).
   */
  async function sendCard(source: AdaptiveCard | CardAt, send: (card: AdaptiveCard) => Promise<void>): Promise<void> {
    const fit: CardAt = typeof source === 'function' ? source : (maxBytes) => (cardBytes(source) > maxBytes ? shrink(source, maxBytes) : source);
    let limit = budget;
    let current = fit(limit);
    for (let step = 0; ; step++) {
      try {
        await send(current);
        return;
      } catch (error) {
        if (!isTooLarge(error)) throw error;
        const size = cardBytes(current);
        if (step >= SHRINK_STEPS) throw new CardTooLargeError(size);
        limit = Math.floor(Math.min(limit, size) * SHRINK_FACTOR);
        deps.log?.warn({ bytes: size, retryWithin: limit }, 'card too large for Teams; re-rendering it smaller');
        current = fit(limit);
      }
    }
  }

  async function loadTicket(ticketId: unknown): Promise<Ticket> {
    const ticket = typeof ticketId === 'string' ? await deps.tickets.get(ticketId) : undefined;
    if (!ticket) throw new PermanentDeliveryError(`ticket ${String(ticketId).slice(0, 40)} not found`);
    return ticket;
  }

  async function helpdeskChannel(): Promise<HelpdeskChannel> {
    const channel = await deps.channels.get();
    if (!channel) throw new DeliveryNotReadyError('No help desk channel yet: an agent must say "use this channel for tickets" in a team channel.');
    return channel;
  }

  /** The channel's address for a new post: the bot as Teams knows it (28:<app id>) and the channel's tenant. */
  function channelTarget(channel: HelpdeskChannel): { reference: Partial<ConversationReference>; botId?: string; tenantId?: string } {
    const botId = deps.botAppId ? `28:${deps.botAppId}` : channel.botId;
    const tenantId = channel.tenantId ?? deps.tenantId;
    const reference: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: channel.serviceUrl,
      bot: { id: botId ?? '', name: 'Help desk' },
      conversation: { id: channel.channelId, isGroup: true, conversationType: 'channel', tenantId, name: '' },
    };
    return { reference, botId, tenantId };
  }

  /** Starts a new thread in the help desk channel with `activity` (a card through `sendCard`); returns its address. */
  async function postThread(content: { card: AdaptiveCard | CardAt; summary: string } | { text: string }): Promise<ChannelAddress> {
    const channel = await helpdeskChannel();
    const target = channelTarget(channel);
    let address: ChannelAddress | undefined;
    await inConversation(target.reference, async (context) => {
      const client = context.turnState.get<ConnectorClient>(deps.adapter.ConnectorClientKey);
      const create = async (activity: Partial<Activity>): Promise<void> => {
        const created = await client.conversations.createConversation({
          isGroup: true,
          bot: target.botId ? { id: target.botId, name: 'Help desk' } : undefined,
          channelData: { channel: { id: channel.channelId }, tenant: target.tenantId ? { id: target.tenantId } : undefined },
          activity,
          tenantId: target.tenantId,
        } as never);
        const reference = { ...target.reference, conversation: { ...target.reference.conversation!, id: created.id } };
        address = { reference, activityId: created.activityId ?? created.id };
      };
      if ('card' in content) {
        await sendCard(content.card, async (card) => {
          await create(activityForCard(card, content.summary, 200));
        });
      } else {
        await create({ type: 'message', text: content.text, textFormat: 'plain' });
      }
    });
    if (!address) throw new Error('the connector created no conversation');
    return address;
  }

  async function updateCard(address: ChannelAddress, card: CardAt): Promise<void> {
    await inConversation(address.reference, async (context) => {
      await sendCard(address.reposted ? reposted(card) : card, async (fitted) => {
        await context.updateActivity({ ...activityForCard(fitted), id: address.activityId });
      });
    });
  }

  /**
   * Records where the card went, first writer wins: a late copy (an abandoned attempt that got
   * through after all) does not move the ticket's card, it is only logged.
   */
  async function recordAddress(ticketId: string, address: ChannelAddress): Promise<void> {
    const outcome = await retryOnConflict(21, async () => {
      const ticket = await loadTicket(ticketId);
      const recorded = channelAddressOf(ticket);
      if (recorded) {
        if (recorded.activityId !== address.activityId)
          deps.log?.warn({ ticketId, kept: recorded.activityId, extra: address.activityId }, 'a ticket card was posted twice; the first copy stays the ticket card');
        return;
      }
      await deps.tickets.update({ ...ticket, channelAddress: address });
    });
    if (!outcome.done) throw outcome.error;
  }

  async function clearMarker(key: string, token: string): Promise<void> {
    const marker = await deps.settings.get<PostMarker | null>(key);
    if (marker?.token === token) await deps.settings.set(key, null);
  }

  /**
   * The ticket's card: updated in place when its address is recorded, otherwise posted as a new
   * thread. An in-flight marker is written before posting; finding one on a retry means an
   * earlier post may have arrived (no Bot Connector API can tell), so the new card says so.
   */
  async function channelCard(payload: Record<string, unknown>): Promise<void> {
    const first = await loadTicket(payload.ticketId);
    const agents = await deps.roster.agents();
    // Relative times count from this delivery; absolute ones are in the help desk's zone, as on every agent's refresh.
    const render = (ticket: Ticket): CardAt => {
      const model = presentAgentTicket(ticket, agents, deps.timeZone, new Date(now()));
      return (maxBytes) => renderAgentTicketCard(model, maxBytes);
    };
    const existing = channelAddressOf(first);
    if (existing) return updateCard(existing, render(first));
    await helpdeskChannel();
    // Re-read right before posting: a peer, or an earlier attempt, may have posted it meanwhile.
    const ticket = await loadTicket(first.id);
    const recorded = channelAddressOf(ticket);
    if (recorded) return updateCard(recorded, render(ticket));

    const key = channelPostMarkerKey(ticket.id);
    const interrupted = Boolean(await deps.settings.get<PostMarker | null>(key));
    if (interrupted) deps.log?.warn({ ticketId: ticket.id }, 'an earlier post of this ticket card was interrupted; posting again with a notice that a copy may exist');
    const token = randomUUID();
    await deps.settings.set<PostMarker>(key, { token, at: new Date(now()).toISOString() });
    const card = interrupted ? reposted(render(ticket)) : render(ticket);
    let address: ChannelAddress;
    try {
      address = await postThread({ card, summary: `Ticket ${ticket.id}: ${ticket.requester.name} · ${ticket.causeTitle}` });
    } catch (error) {
      if (definitelyNotPosted(error)) await clearMarker(key, token).catch(() => undefined);
      throw error;
    }
    if (interrupted) address.reposted = true;
    await recordAddress(ticket.id, address);
    await clearMarker(key, token);
    await deps.channels.linkThread(address.reference.conversation!.id, ticket.id);
  }

  /** The card with the re-posted notice on top, fitted with room for it. */
  function reposted(card: CardAt): CardAt {
    return (maxBytes) => withRepostedNotice(card(Math.max(0, maxBytes - REPOSTED_NOTICE_BYTES)));
  }

  async function channelReply(payload: Record<string, unknown>): Promise<void> {
    const ticket = await loadTicket(payload.ticketId);
    const address = channelAddressOf(ticket);
    if (!address) throw new Error(`ticket ${ticket.id} has no channel card yet`);
    // Plain text: the employee's words must not render as Markdown (links) in the channel.
    const text = boundText(typeof payload.text === 'string' ? payload.text : '', MAX_THREAD_TEXT);
    await inConversation(address.reference, async (context) => {
      await context.sendActivity({ type: 'message', text, textFormat: 'plain' });
    });
  }

  async function notifyEmployee(payload: NotifyEmployeePayload): Promise<void> {
    const ticket = await loadTicket(payload.ticketId);
    const reference = ticket.requesterAddress;
    if (!reference) throw new PermanentDeliveryError(`ticket ${ticket.id} has no address for the employee`);
    let card: AdaptiveCard;
    if (payload.card === 'resolved') {
      const locale = (reference as { locale?: unknown }).locale;
      const employeeLocale = typeof locale === 'string' && locale.length <= 35 ? locale : undefined;
      card = renderTicketResolvedCard({
        ticketId: ticket.id,
        agentName: payload.agentName ?? messages(employeeLocale).text('notify.default-agent-name'),
        note: payload.note,
        causeTitle: ticket.causeTitle,
        locale: employeeLocale,
      });
    } else {
      card = renderMessageCard({ title: String(payload.title ?? ''), text: String(payload.text ?? ''), tone: 'default' });
    }
    await inConversation(reference, async (context) => {
      await sendCard(card, async (fitted) => {
        await context.sendActivity(activityForCard(fitted, `${payload.title}: ${payload.text}`, 200));
      });
      if (payload.card === 'fix' && typeof payload.causeId === 'string') {
        await context.sendActivity(activityForCard(renderFixStartCard({ causeId: payload.causeId })));
      }
    });
  }

  async function incidentCard(payload: Record<string, unknown>): Promise<void> {
    const incident = payload.incident as IncidentCardModel;
    // Word "when" from the moment the card is posted (the item may have waited for a channel).
    const at = new Date(now());
    const tickets = Array.isArray(incident?.tickets)
      ? incident.tickets.map((t) => (typeof t?.at === 'string' && Number.isFinite(Date.parse(t.at)) ? { ...t, when: sharedWhen(t.at, at, deps.timeZone) } : t))
      : incident?.tickets;
    await postThread({ card: renderIncidentCard({ ...incident, tickets }), summary: 'Possible tenant-wide problem' });
  }

  async function deadLetterNotice(payload: Record<string, unknown>): Promise<void> {
    await postThread({ text: deadLetterNoticeText(payload as unknown as DeadLetterNoticePayload) });
  }

  async function webhook(payload: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
    if (!deps.webhook) return;
    let url: URL;
    try {
      url = new URL(deps.webhook.url);
    } catch {
      throw new PermanentDeliveryError('the webhook URL is not a valid URL');
    }
    if (url.protocol !== 'https:' && (url.protocol !== 'http:' || deps.serviceUrlPolicy.enforced)) {
      throw new PermanentDeliveryError('the webhook must use https:// when the bot runs with credentials');
    }
    const ticket = await loadTicket(payload.ticketId);
    const { requesterAddress: _r, channelAddress: _c, ...shareable } = ticket;
    const body = JSON.stringify({ event: payload.event, at: payload.at, ticket: shareable });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-helpdesk-event': String(payload.event) };
    if (deps.webhook.secret) headers['x-helpdesk-signature'] = `sha256=${createHmac('sha256', deps.webhook.secret).update(body).digest('hex')}`;
    const timeout = AbortSignal.timeout(WEBHOOK_TIMEOUT_MS);
    // Never follow a redirect: it would re-post the ticket and its signature to wherever it points.
    const response = await (deps.fetch ?? fetch)(url, { method: 'POST', headers, body, redirect: 'manual', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 300 && response.status < 400) throw new Error(`webhook answered ${response.status} (a redirect; redirects are not followed)`);
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  }

  return async (item: OutboxItem, signal?: AbortSignal): Promise<void> => {
    switch (item.kind) {
      case 'channel-card':
        return channelCard(item.payload);
      case 'channel-reply':
      case 'notify-agent':
        return channelReply(item.payload);
      case 'notify-employee':
        return notifyEmployee(item.payload as NotifyEmployeePayload);
      case 'incident-card':
        return incidentCard(item.payload);
      case 'webhook':
        return webhook(item.payload, signal);
      case 'dead-letter-notice':
        return deadLetterNotice(item.payload);
      default:
        throw new PermanentDeliveryError(`unknown outbox item kind ${String((item as { kind: unknown }).kind).slice(0, 40)}`);
    }
  };
}
