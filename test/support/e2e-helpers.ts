/** Small helpers the e2e tests share: the scenario bot, scenarios by cause, and reading what the bot posted. */
import { buildScenarioTenant, SCENARIOS, type Scenario } from '../fixtures/scenario-tenant';
import { BotHarness, cardsOf } from './bot-harness';
import { actionData, cardText, type Json } from './cards';

/** A BotHarness on the scenario tenant, started before the suite's tests and stopped after them. */
export function useScenarioBot(): BotHarness {
  const h = new BotHarness();
  before(() => h.start({}, buildScenarioTenant(new Date())));
  after(() => h.stop());
  return h;
}

/** The scenario whose employee has `causeId`. */
export function scenario(causeId: string): Scenario {
  return SCENARIOS.find((s) => s.causeId === causeId)!;
}

/** The text of every card among the replies, card by card. */
export function allText(replies: Json[]): string {
  return cardsOf(replies).map(cardText).join('\n---\n');
}

/** The messages the bot posted to `conversationId` since the connector had `callsBefore` calls. */
export function messagesSince(h: BotHarness, conversationId: string, callsBefore: number): Json[] {
  return h.connector.calls
    .slice(callsBefore)
    .filter((c) => c.conversationId === conversationId && c.body.type === 'message')
    .map((c) => c.body);
}

/** Every fix.result action among the replies. */
export function fixActions(replies: Json[]): Json[] {
  return cardsOf(replies)
    .flatMap(actionData)
    .filter((d) => d.verb === 'fix.result');
}

/** The step id on the fix-step card among the replies. */
export function stepIdIn(replies: Json[]): string | undefined {
  return fixActions(replies)[0]?.stepId as string | undefined;
}
