/** Percentiles and per-run summaries for the load benchmark. */
import { TURN_KINDS, type LoadResult, type TurnKind } from './driver';

/** Nearest-rank percentile of `values` (ms); 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface LatencySummary {
  turns: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  return { turns: values.length, p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: values.length ? Math.max(...values) : 0 };
}

/** One side (bot or floor) of a concurrency level, its slices merged. */
export interface SideSummary {
  turns: number;
  elapsedMs: number;
  throughput: number;
  all: LatencySummary;
  byKind: Record<TurnKind, LatencySummary>;
  conversations: number;
  errors: number;
  unexpected: number;
  firstProblem?: string;
  /** Message activities per turn, and typing indicators per turn. */
  messagesPerTurn: number;
  typingPerTurn: number;
  /** The server's CPU time per turn (ms), when known: the cost of a turn, little moved by other work on the machine. */
  cpuMsPerTurn?: number;
  /** The runs' opening bursts (every conversation's first message at once, new connections, after idle), when measured apart. */
  coldStart?: LatencySummary;
}

/** Merges the slices of one side: throughput over the summed time, latencies over every turn. */
export function mergeSlices(slices: readonly LoadResult[]): SideSummary {
  const byKindValues: Record<TurnKind, number[]> = { first: [], answer: [], fix: [], ticket: [] };
  let turns = 0;
  let elapsedMs = 0;
  let conversations = 0;
  let errors = 0;
  let unexpected = 0;
  let messages = 0;
  let typing = 0;
  let cpuMs: number | undefined = 0;
  let firstProblem: string | undefined;
  const coldStart: number[] = [];
  for (const s of slices) {
    coldStart.push(...(s.coldStart ?? []));
    for (const k of TURN_KINDS) byKindValues[k].push(...s.latencies[k]);
    turns += s.turns;
    elapsedMs += s.elapsedMs;
    conversations += s.conversationsStarted;
    errors += s.errors;
    unexpected += s.unexpected;
    messages += s.messages;
    typing += s.typing;
    cpuMs = cpuMs === undefined || s.cpuMs === undefined ? undefined : cpuMs + s.cpuMs;
    firstProblem ??= s.firstProblem;
  }
  const all = TURN_KINDS.flatMap((k) => byKindValues[k]);
  const byKind = Object.fromEntries(TURN_KINDS.map((k) => [k, summarize(byKindValues[k])])) as Record<TurnKind, LatencySummary>;
  return {
    turns,
    elapsedMs,
    throughput: elapsedMs > 0 ? (turns * 1000) / elapsedMs : 0,
    all: summarize(all),
    byKind,
    conversations,
    errors,
    unexpected,
    firstProblem,
    messagesPerTurn: turns ? messages / turns : 0,
    typingPerTurn: turns ? typing / turns : 0,
    cpuMsPerTurn: cpuMs !== undefined && turns ? cpuMs / turns : undefined,
    coldStart: coldStart.length ? summarize(coldStart) : undefined,
  };
}
