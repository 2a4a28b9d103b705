import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/lookup-result.json';
import { clampPercent, eventFactSets, findingLines, part, trimmed, type EventField } from './card-parts';
import type { LookupResultCardModel } from './view-models';

/** The lookup card's sign-in facts: no device or place. */
const LOOKUP_EVENT_FIELDS: readonly EventField[] = ['when', 'app', 'outcome', 'reason', 'policy'];

/**
 * An agent's `lookup <UPN>`: the likely cause with its confidence and cause id, the findings
 * for and against, the sign-in events that matter, and the audit note, subtle, at the bottom.
 * Read-only: no actions.
 */
export function renderLookupResultCard(model: LookupResultCardModel): AdaptiveCard {
  const displayName = trimmed(model.displayName);
  const events = eventFactSets(model.events, LOOKUP_EVENT_FIELDS).filter((event) => event.facts.length > 0);
  return renderTemplate(template, {
    heading: `Lookup: ${displayName || model.upn}`,
    hasDisplayName: displayName.length > 0,
    upn: model.upn,
    causeTitle: model.causeTitle,
    confidenceText: `Confidence ${clampPercent(model.confidencePercent)}% · cause id ${model.causeId}`,
    ...part('lookupNote', trimmed(model.lookupNote)),
    ...part('findings', findingLines(model.findings)),
    ...part('events', events),
    ...part('eventsSummary', model.eventsSummary.trim()),
    ...part('auditNote', model.auditNote.trim()),
  });
}
