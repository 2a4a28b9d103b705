import { ActivityTypes, CardFactory, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import { renderMessageCard, type AdaptiveCard } from '../cards';

/**
 * The one way a card becomes an activity: turn replies, proactive deliveries and the agent desk
 * all build their card messages here. `summary` is the notification / transcript text.
 */
export function activityForCard(card: AdaptiveCard, summary?: string, maxSummary?: number): Partial<Activity> {
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
  if (summary !== undefined) activity.summary = maxSummary === undefined || summary.length <= maxSummary ? summary : `${summary.slice(0, maxSummary - 1)}…`;
  return activity;
}

/** Sends one Adaptive Card in this turn. */
export async function sendCard(context: TurnContext, card: AdaptiveCard, summary?: string): Promise<void> {
  await context.sendActivity(activityForCard(card, summary));
}

/** The tone of a notice card. */
export type NoticeTone = 'default' | 'attention' | 'good';

/** A short notice card (errors, confirmations): a title and a plain sentence. */
export function noticeCard(title: string, text: string, tone: NoticeTone = 'default'): { card: AdaptiveCard; summary: string } {
  return { card: renderMessageCard({ title, text, tone }), summary: `${title}: ${text}` };
}

/** Sends a short notice card in this turn. */
export async function sendNotice(context: TurnContext, title: string, text: string, tone: NoticeTone = 'default'): Promise<void> {
  const notice = noticeCard(title, text, tone);
  await sendCard(context, notice.card, notice.summary);
}

/**
 * Answers an adaptiveCard/action invoke with `card` for the person who pressed only: the invoke
 * response, and no message is sent or updated. teams-ai 1.7 turns a returned card that has a
 * `refresh` into "replace for all" (an update of the shared message); a response already sent
 * here leaves it nothing to do.
 */
export async function answerInvokeWithCard(context: TurnContext, card: AdaptiveCard): Promise<void> {
  await context.sendActivity({
    type: ActivityTypes.InvokeResponse,
    value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
  });
}
