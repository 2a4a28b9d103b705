import { messages } from '../content/knowledge';
import { renderTemplate, type AdaptiveCard } from './adaptive-card';
import template from './templates/diagnosis.json';
import { CARD_BUDGET_BYTES, fitToBudget, stepDown, turnOff, type Shrinker } from './card-budget';
import { clampPercent, eventFactSets, findingLines, moreText, part } from './card-parts';
import { plainText, TEXT_LIMITS } from './plain-text';
import type { DiagnosisCardModel } from './view-models';

/** How many findings and sign-ins the diagnosis card lists, when they fit. */
export const DIAGNOSIS_LIST_SHOWN = 10;

interface Limits {
  findingsShown: number;
  eventsShown: number;
  textLength: number;
  events: boolean;
}

const FULL: Limits = { findingsShown: DIAGNOSIS_LIST_SHOWN, eventsShown: DIAGNOSIS_LIST_SHOWN, textLength: TEXT_LIMITS.line, events: true };

const SHRINKERS: ReadonlyArray<Shrinker<Limits>> = [
  stepDown('textLength', [300, 200, 120]),
  stepDown('eventsShown', [5, 3, 1]),
  stepDown('findingsShown', [5, 3, 1]),
  turnOff('events'),
];

function render(model: DiagnosisCardModel, limits: Limits): AdaptiveCard {
  const m = messages(model.locale);
  const alternatives = model.alternatives.map((alt) => m.text('cards.diagnosis.alternative', { title: alt.title, percent: clampPercent(alt.confidencePercent) }));
  const nextText =
    model.stepCount > 0
      ? m.text(model.stepCount === 1 ? 'cards.diagnosis.next-steps-one' : 'cards.diagnosis.next-steps-other', { count: model.stepCount })
      : m.text('cards.diagnosis.needs-help-desk');
  const basis = model.basis ? m.text('cards.diagnosis.basis', { basis: model.basis }) : '';
  const confidence = m.text('cards.diagnosis.confidence', { label: model.confidenceLabel, percent: clampPercent(model.confidencePercent) });
  const allEvents = eventFactSets(model.events, undefined, limits.textLength);
  const events = limits.events ? allEvents.slice(0, limits.eventsShown) : [];
  return renderTemplate(template, {
    causeId: model.causeId,
    title: model.title,
    ...part('confidenceText', model.showConfidence === false ? '' : `${confidence}${basis}`),
    explanation: model.explanation,
    ...part('findings', findingLines(model.findings.slice(0, limits.findingsShown), limits.textLength)),
    ...part('events', events),
    ...part('moreEvents', limits.events ? moreText(allEvents.length - events.length, m.text('cards.diagnosis.more-events')) : ''),
    ...part('eventsSummary', plainText(model.eventsSummary, TEXT_LIMITS.line)),
    ...part('lookupNote', plainText(model.lookupNote, TEXT_LIMITS.line)),
    warnings: model.warnings.map((text) => ({ text })),
    hasAlternatives: alternatives.length > 0 || Boolean(model.closeTo),
    alternativesText: model.closeTo ? m.text('cards.diagnosis.close-to', { title: model.closeTo }) : m.text('cards.diagnosis.alternatives', { list: alternatives.join(', ') }),
    nextText,
    ...part('escalateWhen', model.escalateWhen ?? ''),
  });
}

/**
 * The diagnosis: cause, confidence, explanation, the evidence for and against, the sign-in
 * events that matter, and an "Open a ticket" button (`ticket.create` with `causeId`). The first
 * fix step is sent as its own card right after this one. The title, explanation, warnings and
 * alternatives are the playbook's words; findings, events and notes quote Graph and are plain
 * text. Stays within `maxBytes`.
 */
export function renderDiagnosisCard(model: DiagnosisCardModel, maxBytes: number = CARD_BUDGET_BYTES): AdaptiveCard {
  return fitToBudget(FULL, (limits) => render(model, limits), SHRINKERS, maxBytes);
}
