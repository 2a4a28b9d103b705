import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/lookup-result.json';
import { CARD_BUDGET_BYTES, fitToBudget, stepDown, turnOff, type Shrinker } from './card-budget';
import { clampPercent, eventFactSets, findingLines, moreText, part, type EventField } from './card-parts';
import { plainLine, plainText, TEXT_LIMITS } from './plain-text';
import type { LookupResultCardModel } from './view-models';

/** The lookup card's sign-in facts: no device or place. */
const LOOKUP_EVENT_FIELDS: readonly EventField[] = ['when', 'app', 'outcome', 'reason', 'policy'];

/** How many findings and sign-ins the lookup card lists, when they fit. */
export const LOOKUP_LIST_SHOWN = 10;

interface Limits {
  findingsShown: number;
  eventsShown: number;
  textLength: number;
  events: boolean;
}

const FULL: Limits = { findingsShown: LOOKUP_LIST_SHOWN, eventsShown: LOOKUP_LIST_SHOWN, textLength: TEXT_LIMITS.line, events: true };

const SHRINKERS: ReadonlyArray<Shrinker<Limits>> = [
  stepDown('textLength', [300, 200, 120]),
  stepDown('eventsShown', [5, 3, 1]),
  stepDown('findingsShown', [5, 3, 1]),
  turnOff('events'),
];

function render(model: LookupResultCardModel, limits: Limits): AdaptiveCard {
  const upn = plainLine(model.upn, TEXT_LIMITS.name);
  const displayName = plainLine(model.displayName, TEXT_LIMITS.name);
  const allEvents = eventFactSets(model.events, LOOKUP_EVENT_FIELDS, limits.textLength).filter((event) => event.facts.length > 0);
  const events = limits.events ? allEvents.slice(0, limits.eventsShown) : [];
  const findings = findingLines(model.findings.slice(0, limits.findingsShown), limits.textLength);
  return renderTemplate(template, {
    heading: `Lookup: ${displayName || upn}`,
    hasDisplayName: displayName.length > 0,
    upn,
    causeTitle: plainLine(model.causeTitle, TEXT_LIMITS.title),
    confidenceText: `Confidence ${clampPercent(model.confidencePercent)}% · cause id ${model.causeId}`,
    ...part('lookupNote', plainText(model.lookupNote, TEXT_LIMITS.line)),
    ...part('findings', findings),
    ...part('events', events),
    ...part('moreEvents', limits.events ? moreText(allEvents.length - events.length, 'more sign-ins') : ''),
    ...part('eventsSummary', plainText(model.eventsSummary, TEXT_LIMITS.line)),
    ...part('auditNote', plainText(model.auditNote, TEXT_LIMITS.line)),
  });
}

/**
 * An agent's `lookup <UPN>`: the likely cause with its confidence and cause id, the findings
 * for and against, the sign-in events that matter (plain fact lines: app, policy and device
 * names come from Graph), and the audit note, subtle, at the bottom. Read-only: no actions.
 * Stays within `maxBytes` (shorter lines, fewer events).
 */
export function renderLookupResultCard(model: LookupResultCardModel, maxBytes: number = CARD_BUDGET_BYTES): AdaptiveCard {
  return fitToBudget(FULL, (limits) => render(model, limits), SHRINKERS, maxBytes);
}
