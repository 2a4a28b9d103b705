import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/diagnosis.json';
import type { DiagnosisCardModel, DiagnosisEventModel } from './view-models';

function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, Math.round(value))) : 0;
}

function eventFacts(event: DiagnosisEventModel): Array<{ title: string; value: string }> {
  const facts: Array<[string, string | undefined]> = [
    ['When', event.when],
    ['App', event.app],
    ['Result', event.outcome],
    ['Reason', event.reason],
    ['Policy', event.policy],
    ['Device', event.device],
    ['Location', event.place],
  ];
  return facts
    .filter((fact): fact is [string, string] => typeof fact[1] === 'string' && fact[1].trim().length > 0)
    .map(([title, value]) => ({ title, value }));
}

/**
 * The diagnosis: cause, confidence, explanation, the evidence for and against, the sign-in
 * events that matter, and an "Open a ticket" button (`ticket.create` with `causeId`). The first
 * fix step is sent as its own card right after this one.
 */
export function renderDiagnosisCard(model: DiagnosisCardModel): AdaptiveCard {
  const lookupNote = model.lookupNote?.trim() ?? '';
  const eventsSummary = model.eventsSummary.trim();
  const alternatives = model.alternatives.map((alt) => `${alt.title} (${clampPercent(alt.confidencePercent)}%)`);
  const nextText =
    model.stepCount > 0
      ? `Next I'll walk you through the fix, one step at a time (${model.stepCount} ${model.stepCount === 1 ? 'step' : 'steps'} at most).`
      : "This one needs the help desk: open a ticket and they'll take it from here.";
  return renderTemplate(template, {
    causeId: model.causeId,
    title: model.title,
    confidenceText: `Confidence: ${model.confidenceLabel} (${clampPercent(model.confidencePercent)}%)`,
    explanation: model.explanation,
    hasFindings: model.findings.length > 0,
    findings: model.findings.map((finding) => ({ line: `${finding.supports ? '✔' : '✖'} ${finding.text}` })),
    hasEvents: model.events.length > 0,
    events: model.events.map((event) => ({ facts: eventFacts(event) })),
    hasEventsSummary: eventsSummary.length > 0,
    eventsSummary,
    hasLookupNote: lookupNote.length > 0,
    lookupNote,
    warnings: model.warnings.map((text) => ({ text })),
    hasAlternatives: alternatives.length > 0,
    alternativesText: `Other possibilities: ${alternatives.join(', ')}`,
    nextText,
  });
}
