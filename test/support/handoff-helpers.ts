import { cardsOf, type ActivityPoster, type Chat } from './bot-harness';
import { actionData, cardsIn, cardText, type Json } from './cards';
import type { ConnectorCall } from './loopback-connector';
import { driveTriage } from './triage-driver';

export const TEAM_ID = '19:team-helpdesk@thread.tacv2';
export const CHANNEL_ID = '19:helpdesk-queue@thread.tacv2';
export const AGENT_A = { id: '29:agent-a', name: 'Kari Nordmann', aadObjectId: 'agent-a-aad' };
export const AGENT_B = { id: '29:agent-b', name: 'Ola Hansen', aadObjectId: 'agent-b-aad' };
/**
 * Bot settings that make agent A an agent (contract §3a: only an existing agent may register the
 * channel). Agent B and anyone else in the team's roster become agents once A has registered it.
 */
export const AGENT_A_ENV = { HELPDESK_AGENTS: AGENT_A.aadObjectId } as const;

let seq = 0;

/** Posts an activity as `from` in the help desk channel (or one of its threads). */
export async function inChannel(h: ActivityPoster, from: typeof AGENT_A, extra: Json, conversationId = CHANNEL_ID): Promise<{ status: number; body: unknown }> {
  seq += 1;
  return h.post({
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    id: `ch-${seq}`,
    timestamp: new Date().toISOString(),
    conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
    from,
    recipient: { id: '28:bot', name: 'Helpdesk' },
    channelData: { team: { id: TEAM_ID }, channel: { id: CHANNEL_ID }, tenant: { id: 'tenant-1' } },
    ...extra,
  });
}

/** An agent mentions the bot with text in the channel (or a thread). */
export function mention(h: ActivityPoster, from: typeof AGENT_A, text: string, conversationId = CHANNEL_ID): Promise<{ status: number; body: unknown }> {
  return inChannel(
    h,
    from,
    { type: 'message', text: `<at>Helpdesk</at> ${text}`, entities: [{ type: 'mention', text: '<at>Helpdesk</at>', mentioned: { id: '28:bot', name: 'Helpdesk' } }] },
    conversationId,
  );
}

/** An agent presses an Action.Execute button on a card. */
export function agentExecute(h: ActivityPoster, from: typeof AGENT_A, data: Json, conversationId = CHANNEL_ID): Promise<{ status: number; body: unknown }> {
  // Teams sets replyToId to the card's message; for a thread's root card that is the id after ";messageid=".
  const replyToId = /;messageid=(.+)$/.exec(conversationId)?.[1];
  return inChannel(h, from, { type: 'invoke', name: 'adaptiveCard/action', replyToId, value: { action: { type: 'Action.Execute', verb: data.verb, data } } }, conversationId);
}

/** Drives a triage to a ticket: "I can't do this" on every step, then "Open a ticket". Returns the ticket id. */
export async function openTicket(chat: Chat, firstMessage: string, answers: Record<string, string | undefined>): Promise<string> {
  const run = await driveTriage(chat, firstMessage, answers);
  let replies = run.replies;
  for (let i = 0; i < 12; i++) {
    const create = replies
      .flatMap(cardsIn)
      .flatMap(actionData)
      .find((d) => d.verb === 'ticket.create' && replies.flatMap(cardsIn).some((c) => cardText(c).includes('Open a ticket')));
    const step = replies
      .flatMap(cardsIn)
      .flatMap(actionData)
      .find((d) => d.verb === 'fix.result' && d.result === 'cannot-do');
    const admin = replies
      .flatMap(cardsIn)
      .flatMap(actionData)
      .find((d) => d.verb === 'triage.answer' && d.questionId === 'admin-rights');
    if (admin) replies = await chat.submit({ verb: 'triage.answer', questionId: 'admin-rights', answer: 'no' });
    else if (step) replies = await chat.submit(step);
    else if (create) break;
    else throw new Error('walkthrough stalled');
  }
  const create = replies
    .flatMap(cardsIn)
    .flatMap(actionData)
    .find((d) => d.verb === 'ticket.create');
  if (!create) throw new Error('no ticket.create offered');
  const ticketReplies = await chat.submit({ ...create, details: 'Tried everything the bot suggested.' });
  const ticketId = ticketReplies
    .flatMap(cardsIn)
    .flatMap(actionData)
    .find((d) => typeof d.ticketId === 'string')?.ticketId;
  if (typeof ticketId !== 'string') throw new Error('no ticket card');
  return ticketId;
}

/** A new thread in the channel (a card post), not a reply in one. */
export const NEW_THREAD = /\/v3\/conversations\/?$/;

/** The calls that opened a thread in the help desk channel with `ticketId`'s card (new threads only, not replies inside one). */
export function channelCardPosts(calls: readonly ConnectorCall[], ticketId: string): ConnectorCall[] {
  return calls.filter(
    (c) =>
      c.method === 'POST' &&
      NEW_THREAD.test(c.path) &&
      c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) &&
      cardsIn(c.body).some((card) => cardText(card).includes(ticketId)),
  );
}

/** The ticket ids the actions of these replies carry. */
export function ticketIdsIn(replies: Json[]): string[] {
  return [
    ...new Set(
      cardsOf(replies)
        .flatMap(actionData)
        .map((d) => d.ticketId)
        .filter((id): id is string => typeof id === 'string'),
    ),
  ];
}
