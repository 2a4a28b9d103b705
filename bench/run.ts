/**
 * Benchmarks with targets (never timed tests): the per-turn domain work must stay cheap so a
 * turn answers well inside Teams' time limits. Run with `npm run bench`; exits 1 if a target is missed.
 */
import { performance } from 'node:perf_hooks';
import { analyzeEvidence } from '../src/domain/evidence-analysis';
import { selectNextQuestion } from '../src/domain/question-selector';
import { DemoTenantDirectory } from '../src/graph/demo-tenant-directory';
import { buildScenarioTenant, SCENARIOS } from '../test/fixtures/scenario-tenant';

interface Result {
  name: string;
  perOpMs: number;
  targetMs: number;
}

async function main(): Promise<void> {
  const now = new Date();
  const directory = new DemoTenantDirectory(buildScenarioTenant(now), { windowHours: 48, source: 'bench' });
  const snapshots = [];
  for (const s of SCENARIOS) {
    const r = await directory.lookup(s.userId, { now });
    if (r.ok) snapshots.push({ scenario: s, snapshot: r.evidence });
  }
  const results: Result[] = [];

  const rounds = 200;
  let start = performance.now();
  for (let i = 0; i < rounds; i++) for (const { snapshot } of snapshots) analyzeEvidence(snapshot, now);
  results.push({ name: 'analyzeEvidence (one employee)', perOpMs: (performance.now() - start) / (rounds * snapshots.length), targetMs: 1 });

  start = performance.now();
  for (let i = 0; i < rounds; i++) {
    for (const { snapshot } of snapshots) selectNextQuestion({ answers: {}, evidence: analyzeEvidence(snapshot, now) }, []);
  }
  results.push({ name: 'selectNextQuestion, no answers yet (worst case)', perOpMs: (performance.now() - start) / (rounds * snapshots.length), targetMs: 5 });

  const heapMb = process.memoryUsage().heapUsed / 1_048_576;
  let failed = false;
  for (const r of results) {
    const ok = r.perOpMs <= r.targetMs;
    failed ||= !ok;
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${r.name}: ${r.perOpMs.toFixed(3)} ms/op (target ≤ ${r.targetMs} ms)`);
  }
  const heapOk = heapMb <= 200;
  failed ||= !heapOk;
  console.log(`${heapOk ? 'PASS' : 'FAIL'}  heap after benchmarks: ${heapMb.toFixed(1)} MiB (target ≤ 200 MiB)`);
  process.exit(failed ? 1 : 0);
}

void main();
