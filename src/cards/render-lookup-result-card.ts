import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/lookup-result.json';
import type { LookupResultCardModel } from './view-models';

function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, Math.round(value))) : 0;
}

function eventFacts(event: LookupResultCardModel['events'][number]): Array<{ title: string; value: string }> {
  const facts: Array<[string, string | undefined]> = [
    ['When', event.when],
    ['App', event.app],
    ['Result', event.outcome],
    ['Reason', event.reason],
    ['Policy', event.policy],
  ];
  return facts
    .filter((fact): fact is [string, string] => typeof fact[1] === 'string' && fact[1].trim().length > 0)
    .map(([title, value]) => ({ title, value }));
}

/**
 * An agent's `lookup <UPN>`: the likely cause with its confidence and cause id, the findings
 * for and against, the sign-in events that matter, and the audit note, subtle, at the bottom.
 * Read-only: no actions.
 */
export function renderLookupResultCard(model: LookupResultCardModel): AdaptiveCard {
  const displayName = model.displayName?.trim() ?? '';
  const lookupNote = model.lookupNote?.trim() ?? '';
  const eventsSummary = model.eventsSummary.trim();
  const auditNote = model.auditNote.trim();
  const events = model.events.map((event) => ({ facts: eventFacts(event) })).filter((event) => event.facts.length > 0);
  return renderTemplate(template, {
    heading: `Lookup: ${displayName || model.upn}`,
    hasDisplayName: displayName.length > 0,
    upn: model.upn,
    causeTitle: model.causeTitle,
    confidenceText: `Confidence ${clampPercent(model.confidencePercent)}% · cause id ${model.causeId}`,
    hasLookupNote: lookupNote.length > 0,
    lookupNote,
    hasFindings: model.findings.length > 0,
    findings: model.findings.map((finding) => ({ line: `${finding.supports ? '✔' : '✖'} ${finding.text}` })),
    hasEvents: events.length > 0,
    events,
    hasEventsSummary: eventsSummary.length > 0,
    eventsSummary,
    hasAuditNote: auditNote.length > 0,
    auditNote,
  });
}
