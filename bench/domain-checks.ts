/**
 * The per-turn domain work, in process (formerly all of bench/run.ts): evidence analysis and
 * question selection must stay cheap so a turn answers well inside Teams' time limits.
 */
import { performance } from 'node:perf_hooks';
import { analyzeEvidence } from '../src/domain/evidence-analysis';
import { selectNextQuestion } from '../src/domain/question-selector';
import { DemoTenantDirectory } from '../src/graph/demo-tenant-directory';
import { buildScenarioTenant, SCENARIOS } from '../test/fixtures/scenario-tenant';

/** One timed operation and its target. */
export interface DomainCheck {
  name: string;
  perOpMs: number;
  targetMs: number;
}

export async function runDomainChecks(rounds = 200): Promise<DomainCheck[]> {
  const now = new Date();
  const directory = new DemoTenantDirectory(buildScenarioTenant(now), { windowHours: 48, source: 'bench' });
  const snapshots = [];
  for (const s of SCENARIOS) {
    const r = await directory.lookup(s.userId, { now });
    if (r.ok) snapshots.push(r.evidence);
  }
  const results: DomainCheck[] = [];
  let start = performance.now();
  for (let i = 0; i < rounds; i++) for (const snapshot of snapshots) analyzeEvidence(snapshot, now);
  results.push({ name: 'analyzeEvidence (one employee)', perOpMs: (performance.now() - start) / (rounds * snapshots.length), targetMs: 1 });

  start = performance.now();
  for (let i = 0; i < rounds; i++) {
    for (const snapshot of snapshots) selectNextQuestion({ answers: {}, evidence: analyzeEvidence(snapshot, now) }, []);
  }
  results.push({ name: 'selectNextQuestion, no answers yet (worst case)', perOpMs: (performance.now() - start) / (rounds * snapshots.length), targetMs: 5 });
  return results;
}
