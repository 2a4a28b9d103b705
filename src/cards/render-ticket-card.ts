import { messages } from '../content/knowledge';
import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/ticket.json';
import { CARD_BUDGET_BYTES, fitToBudget, throughLevels, turnOff, type Shrinker } from './card-budget';
import { latestHistory, part, stars, stepLines, type Fact } from './card-parts';
import { plainLine, plainText, TEXT_LIMITS } from './plain-text';
import type { TicketCardModel } from './view-models';

/** How many history entries the card shows (newest first), when they fit. */
export const TICKET_HISTORY_SHOWN = 5;

/** What the employee's ticket card shows; lowered until the card fits. */
interface Limits {
  summaryLength: number;
  historyShown: number;
  historyLength: number;
  stepsTried: boolean;
  history: boolean;
}

const FULL: Limits = { summaryLength: TEXT_LIMITS.note, historyShown: TICKET_HISTORY_SHOWN, historyLength: TEXT_LIMITS.note, stepsTried: true, history: true };

/** Each level a little less: the employee's own note and long updates are cut first, then fewer updates. */
const LEVELS: readonly Limits[] = [
  FULL,
  ...(
    [
      [1500, 5, 1000],
      [1000, 5, 500],
      [600, 4, 300],
      [400, 3, 200],
      [250, 2, 150],
      [150, 1, 120],
    ] as const
  ).map(([summaryLength, historyShown, historyLength]) => ({ ...FULL, summaryLength, historyShown, historyLength })),
];

const SHRINKERS: ReadonlyArray<Shrinker<Limits>> = [throughLevels(LEVELS), turnOff('stepsTried'), turnOff('history')];

function render(model: TicketCardModel, limits: Limits): AdaptiveCard {
  // The FactSet holds only the bot's own words (Teams renders Markdown in facts); the
  // assignee's name, which Teams supplies, is a plain fact line under it.
  const m = messages(model.locale);
  const facts: Fact[] = [
    { title: m.text('cards.ticket.status'), value: model.statusLabel },
    { title: m.text('cards.ticket.cause'), value: plainLine(model.causeTitle, TEXT_LIMITS.title) },
    { title: m.text('cards.ticket.opened'), value: model.createdAt },
    { title: m.text('cards.ticket.updated'), value: model.updatedAt },
  ];
  if (typeof model.rating === 'number' && Number.isFinite(model.rating)) {
    facts.push({ title: m.text('cards.ticket.rating'), value: stars(model.rating) });
  }
  return renderTemplate(template, {
    ticketId: model.ticketId,
    facts,
    ...part('assignee', plainLine(model.assignee, TEXT_LIMITS.name)),
    ...part('summary', plainText(model.summary, limits.summaryLength)),
    ...part('stepsTried', limits.stepsTried ? stepLines(model.stepsTried) : []),
    ...part('history', limits.history ? latestHistory(model.history, limits.historyShown, limits.historyLength) : []),
    historyHeading: m.text(model.history.length > limits.historyShown ? 'cards.ticket.history-latest' : 'cards.ticket.history'),
    canWithdraw: model.canWithdraw,
    canAddDetails: model.canAddDetails ?? true,
  });
}

/**
 * The employee's view of a ticket. Every action carries `ticketId`: "Refresh status"
 * (`ticket.status`), "Add details" (a ShowCard whose "Send" is `ticket.details` with input
 * `text`) and, when allowed, "Withdraw" (`ticket.withdraw`). `history` must hold only what the
 * employee may see (presentTicket leaves internal entries out). Untrusted text is plain and
 * the card stays within `maxBytes` (shorter notes, fewer updates).
 */
export function renderTicketCard(model: TicketCardModel, maxBytes: number = CARD_BUDGET_BYTES): AdaptiveCard {
  return fitToBudget(FULL, (limits) => render(model, limits), SHRINKERS, maxBytes);
}
