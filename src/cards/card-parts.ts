/**
 * View-model preparation shared by several render functions: the same percentages, ratings,
 * findings, sign-in event facts, step lines and history slices, worked out in one place.
 */
import { plainLine, plainText, TEXT_LIMITS } from './plain-text';
import type { DiagnosisEventModel } from './view-models';

/**
 * A fact: a title in the bot's words and a value that may quote untrusted text. Facts with
 * untrusted values are shown as fact lines (a RichTextBlock: the title as a bold TextRun, the
 * value as a plain one), not in a FactSet, whose values Teams renders as Markdown.
 */
export interface Fact {
  title: string;
  value: string;
}

/** A percentage for display: rounded and kept within 0–100 (0 when it is not a number). */
export function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, Math.round(value))) : 0;
}

/** A 1–5 rating as stars, e.g. "★★★★☆ (4 of 5)". */
export function stars(rating: number): string {
  const value = Math.min(5, Math.max(1, Math.round(rating)));
  return `${'★'.repeat(value)}${'☆'.repeat(5 - value)} (${value} of 5)`;
}

/**
 * `{ key: value, hasKey: value.length > 0 }`: an optional part of a template (a list or a
 * trimmed text) with the flag its `$when` tests.
 */
export function part<K extends string, V extends { length: number }>(key: K, value: V): Record<K, V> & Record<`has${Capitalize<K>}`, boolean> {
  const flag = `has${key.charAt(0).toUpperCase()}${key.slice(1)}`;
  return { [key]: value, [flag]: value.length > 0 } as Record<K, V> & Record<`has${Capitalize<K>}`, boolean>;
}

/** Findings for and against as "✔ …" / "✖ …" lines (plain text: they quote Graph's names). */
export function findingLines(findings: ReadonlyArray<{ text: string; supports: boolean }>, maxLength: number = TEXT_LIMITS.line): Array<{ line: string }> {
  return findings.map((finding) => ({ line: `${finding.supports ? '✔' : '✖'} ${plainLine(finding.text, maxLength)}` }));
}

/** A sign-in event's fields, each with its fact title, in the order the facts are shown. */
const EVENT_FACT_TITLES = {
  when: 'When',
  app: 'App',
  outcome: 'Result',
  reason: 'Reason',
  policy: 'Policy',
  device: 'Device',
  place: 'Location',
} as const;

export type EventField = keyof typeof EVENT_FACT_TITLES;

const ALL_EVENT_FIELDS = Object.keys(EVENT_FACT_TITLES) as EventField[];

/**
 * One sign-in event as facts (only `fields`, all by default), leaving out those without a
 * value. The values are plain text (app, device and policy names come from Graph), each at
 * most `maxLength` characters; the templates show them as fact lines (see `Fact`).
 */
export function eventFacts(event: DiagnosisEventModel, fields: readonly EventField[] = ALL_EVENT_FIELDS, maxLength: number = TEXT_LIMITS.title): Fact[] {
  return fields
    .map((field): [string, string] => [EVENT_FACT_TITLES[field], plainLine(event[field], maxLength)])
    .filter(([, value]) => value.length > 0)
    .map(([title, value]) => ({ title, value }));
}

/** Sign-in events as one group of fact lines each. */
export function eventFactSets(events: readonly DiagnosisEventModel[], fields?: readonly EventField[], maxLength?: number): Array<{ facts: Fact[] }> {
  return events.map((event) => ({ facts: eventFacts(event, fields, maxLength) }));
}

/** Steps the employee tried as "title: outcome" lines. */
export function stepLines(steps: ReadonlyArray<{ title: string; outcome: string }>, maxLength: number = TEXT_LIMITS.line): Array<{ line: string }> {
  return steps.map((step) => ({ line: plainLine(`${step.title}: ${step.outcome}`, maxLength) }));
}

/** One history entry as a card shows it: when (the bot's words) and what, as plain text. */
export interface HistoryLine {
  when: string;
  text: string;
}

/** The latest `shown` history entries, newest first, each text plain and at most `maxLength` characters. */
export function latestHistory(history: ReadonlyArray<{ when: string; text: string }>, shown: number, maxLength: number = TEXT_LIMITS.note): HistoryLine[] {
  return history
    .slice(Math.max(0, history.length - Math.max(0, shown)))
    .reverse()
    .map(({ when, text }) => ({ when: plainLine(when, TEXT_LIMITS.name), text: plainText(text, maxLength) }));
}

/** "…and 3 more." for a list cut to what fits; '' when nothing was left out. */
export function moreText(hidden: number, noun = 'more'): string {
  return hidden > 0 ? `…and ${hidden} ${noun}.` : '';
}

/**
 * Leaves `case` out of the card's top-level actions when there is none to carry: the template
 * always writes it, and a card rendered without a case (a preview, a benchmark) keeps the
 * contract's data exactly.
 */
export function withoutEmptyCase(card: Record<string, unknown>): Record<string, unknown> {
  const actions = Array.isArray(card.actions) ? (card.actions as Array<{ data?: Record<string, unknown> }>) : [];
  for (const action of actions) if (action.data?.case === '') delete action.data.case;
  return card;
}
