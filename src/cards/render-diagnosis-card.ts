import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/diagnosis.json';
import { clampPercent, eventFactSets, findingLines, part, trimmed } from './card-parts';
import type { DiagnosisCardModel } from './view-models';

/**
 * The diagnosis: cause, confidence, explanation, the evidence for and against, the sign-in
 * events that matter, and an "Open a ticket" button (`ticket.create` with `causeId`). The first
 * fix step is sent as its own card right after this one.
 */
export function renderDiagnosisCard(model: DiagnosisCardModel): AdaptiveCard {
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
    ...part('findings', findingLines(model.findings)),
    ...part('events', eventFactSets(model.events)),
    ...part('eventsSummary', model.eventsSummary.trim()),
    ...part('lookupNote', trimmed(model.lookupNote)),
    warnings: model.warnings.map((text) => ({ text })),
    hasAlternatives: alternatives.length > 0,
    alternativesText: `Other possibilities: ${alternatives.join(', ')}`,
    nextText,
  });
}
