/** The shape of bench/results.json. */
import type { CardRenderReport } from './card-render';
import type { DomainCheck } from './domain-checks';
import type { AzurePhaseResult } from './load/azure-phase';
import type { GraphPhaseResult } from './load/graph-phase';
import type { MemoryFigures } from './load/measured-process';
import type { ProfileSummary } from './load/profile-summary';
import type { LatencySummary, SideSummary } from './load/stats';

/** The command-line options of bench/run.ts, after defaults. */
export interface BenchOptions {
  levels: number[];
  sliceMs: number;
  slices: number;
  conversations: number;
  memoryConcurrency: number;
  memoryCapS: number;
  graph: boolean;
  azure: boolean;
  azureConversations: number;
  graphLatencyMs: number;
  graphSequential: number;
  graphBurst: number;
  profile: boolean;
  profileMs: number;
  build: boolean;
  startups: number;
  replayEmployees: number;
  replaySpeed: number;
  replayThinkS: number;
  replayMinutes: number;
}

/** An incident replayed open loop (bench --replay). */
export interface ReplaySummary {
  employees: number;
  /** Time compression: arrivals and think times run this many times faster than real. */
  speed: number;
  triages: number;
  completed: number;
  turns: number;
  turnsPerSecond: number;
  /** The same turn rate at the real pace of the incident. */
  realTurnsPerSecond: number;
  latency: LatencySummary;
  maxInFlight: number;
  /** Share of one core the bot used during the replay, and the model's prediction (turn rate × CPU per turn at 10 concurrent). */
  cpuBusy?: number;
  predictedCpuBusy?: number;
  errors: number;
}

/** One concurrency level, bot against floor. */
export interface LevelResult {
  concurrency: number;
  floor: SideSummary;
  bot: SideSummary;
  /** Bot ÷ floor: throughput, latency percentiles and, when known, CPU time per turn. */
  ratios: { throughput: number; p50: number; p95: number; p99: number; cpuPerTurn?: number };
}

export interface MemoryPoint {
  label: string;
  conversations: number;
  figures: MemoryFigures;
}

export interface TargetCheck {
  name: string;
  value: string;
  target: string;
  met: boolean;
}

export interface BenchResults {
  generatedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  options: BenchOptions;
  notes: string[];
  durationS: number;
  buildMs?: number;
  domain: DomainCheck[];
  cardRender: CardRenderReport;
  startup: { readyMs: number[]; medianReadyMs: number; idle: MemoryFigures; loadBotReadyMs: number; floorReadyMs: number };
  floorCards: { bytes: number[] };
  levels: LevelResult[];
  memory: { bot: MemoryPoint[]; floor: MemoryPoint[] };
  graph?: GraphPhaseResult;
  azure?: AzurePhaseResult;
  replay?: ReplaySummary;
  profile?: ProfileSummary & { concurrency: number; turns: number; turnsPerSecond: number };
  targets: TargetCheck[];
}
