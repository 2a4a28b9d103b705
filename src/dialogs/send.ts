import { CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import type { AdaptiveCard } from '../cards';
import { renderMessageCard } from '../cards';
import { recordLine } from '../domain/case-file';
import { getTurnData } from './turn-data';

/**
 * Sends one Adaptive Card, with `summary` as the notification / transcript text.
 * Every bot output goes through here or `sendNotice`, so the case transcript is complete.
 */
export async function sendCard(context: TurnContext, card: AdaptiveCard, summary: string): Promise<void> {
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
  activity.summary = summary;
  await context.sendActivity(activity);
  record(context, summary);
}

/** Sends a short notice card (errors, confirmations). */
export async function sendNotice(context: TurnContext, title: string, text: string, tone: 'default' | 'attention' | 'good' = 'default'): Promise<void> {
  await sendCard(context, renderMessageCard({ title, text, tone }), `${title}: ${text}`);
}

function record(context: TurnContext, text: string): void {
  const data = context.turnState.get(Symbol.for('helpdesk.turnData')) ? getTurnData(context) : undefined;
  if (data) recordLine(data.caseFile, 'bot', text, data.now);
}
