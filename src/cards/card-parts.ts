/**
 * View-model preparation shared by several render functions: the same percentages, ratings,
 * findings, sign-in event facts, step lines and history slices, worked out in one place.
 */
import type { DiagnosisEventModel } from './view-models';

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

/** An optional text, trimmed; '' when missing. */
export function trimmed(text: string | undefined): string {
  return text?.trim() ?? '';
}

/**
 * `{ key: value, hasKey: value.length > 0 }`: an optional part of a template (a list or a
 * trimmed text) with the flag its `$when` tests.
 */
export function part<K extends string, V extends { length: number }>(key: K, value: V): Record<K, V> & Record<`has${Capitalize<K>}`, boolean> {
  const flag = `has${key.charAt(0).toUpperCase()}${key.slice(1)}`;
  return { [key]: value, [flag]: value.length > 0 } as Record<K, V> & Record<`has${Capitalize<K>}`, boolean>;
}

/** Findings for and against as "✔ …" / "✖ …" lines. */
export function findingLines(findings: ReadonlyArray<{ text: string; supports: boolean }>): Array<{ line: string }> {
  return findings.map((finding) => ({ line: `${finding.supports ? '✔' : '✖'} ${finding.text}` }));
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

/** One sign-in event as facts (only `fields`, all by default), leaving out those without a value. */
export function eventFacts(event: DiagnosisEventModel, fields: readonly EventField[] = ALL_EVENT_FIELDS): Fact[] {
  return fields
    .map((field): [string, string | undefined] => [EVENT_FACT_TITLES[field], event[field]])
    .filter((fact): fact is [string, string] => typeof fact[1] === 'string' && fact[1].trim().length > 0)
    .map(([title, value]) => ({ title, value }));
}

/** Sign-in events as one FactSet each. */
export function eventFactSets(events: readonly DiagnosisEventModel[], fields?: readonly EventField[]): Array<{ facts: Fact[] }> {
  return events.map((event) => ({ facts: eventFacts(event, fields) }));
}

/** Steps the employee tried as "title: outcome" lines. */
export function stepLines(steps: ReadonlyArray<{ title: string; outcome: string }>): Array<{ line: string }> {
  return steps.map((step) => ({ line: `${step.title}: ${step.outcome}` }));
}

/** The latest `shown` history entries, newest first. */
export function latestHistory(history: ReadonlyArray<{ when: string; text: string }>, shown: number): Array<{ when: string; text: string }> {
  return history
    .slice(-shown)
    .reverse()
    .map(({ when, text }) => ({ when, text }));
}
