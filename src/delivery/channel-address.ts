import type { ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from '../cards';
import type { Ticket } from '../domain/tickets';

export { channelPostMarkerKey } from '../domain/tickets';

/** Where a ticket's card lives in the help desk channel. */
export interface ChannelAddress {
  reference: Partial<ConversationReference>;
  activityId: string;
  /** Set when the card was posted again after an interrupted post, so it keeps saying so. */
  reposted?: boolean;
}

/** Shown on a channel card posted again after an interrupted post (Teams cannot be asked whether the first arrived). */
export const REPOSTED_NOTICE = 'Re-posted after an interruption; an earlier copy of this card may exist in the channel.';

export function isReference(value: unknown): value is Partial<ConversationReference> & { serviceUrl: string; conversation: { id: string } } {
  const r = value as { serviceUrl?: unknown; conversation?: { id?: unknown } } | undefined;
  return typeof r === 'object' && r !== null && typeof r.serviceUrl === 'string' && typeof r.conversation?.id === 'string';
}

/** The recorded channel address of a ticket, if it has a usable one. */
export function channelAddressOf(ticket: Ticket): ChannelAddress | undefined {
  const address = ticket.channelAddress as ChannelAddress | undefined;
  if (!address || typeof address !== 'object' || typeof address.activityId !== 'string' || !isReference(address.reference)) return undefined;
  return address;
}

/** The card with the re-posted notice on top. */
export function withRepostedNotice(card: AdaptiveCard): AdaptiveCard {
  const body: unknown[] = Array.isArray(card.body) ? (card.body as unknown[]) : [];
  return { ...card, body: [{ type: 'TextBlock', text: REPOSTED_NOTICE, wrap: true, isSubtle: true, color: 'Attention', size: 'Small' }, ...body] };
}
