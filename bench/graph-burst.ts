/**
 * The Monday-morning burst, measured: 300 employees ask within one minute, each looked up
 * through GraphDirectory against the Graph-shaped fake server, which answers 429 beyond
 * 5 reports-API requests per 10 s (as Microsoft Graph does per tenant). Prints lookup latency
 * (p50 / p95 / max), reports-API requests per 10 s, how lookups were served, and PASS / FAIL
 * against the targets. Exits 1 when a target is missed.
 *
 *   npx tsx bench/graph-burst.ts                 real time: about 60 s
 *   npx tsx bench/graph-burst.ts --scale=10      10× faster: 5 per 1 s, arrivals over 6 s
 *   npx tsx bench/graph-burst.ts --employees=600
 */
import { compareWithDemo, percentile, runBurst } from '../test/graph/graph-test-kit';

function arg(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? process.env[`BURST_${name.toUpperCase()}`];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

async function main(): Promise<void> {
  const employees = Math.round(arg('employees', 300));
  const scale = arg('scale', 1);
  const timeBudgetMs = arg('budget', 8000);
  const windowMs = 10_000 / scale;
  console.log(
    `Burst: ${employees} employees over ${(60 / scale).toFixed(1)} s (front-loaded), reports API limited to 5 per ${(windowMs / 1000).toFixed(1)} s` +
      `${scale === 1 ? '' : ` (time scaled 1:${scale})`}, lookup budget ${timeBudgetMs} ms.`,
  );

  const report = await runBurst({ employees, scale, timeBudgetMs });
  const latencies = report.lookups.map((l) => l.latencyMs);
  const ok = report.lookups.filter((l) => l.result.ok).length;
  const problems = await compareWithDemo(report);

  // Reports requests per consecutive (scaled) 10 s, by server arrival.
  const buckets: number[] = [];
  for (const t of report.reportsArrivals) buckets[Math.floor(t / windowMs)] = (buckets[Math.floor(t / windowMs)] ?? 0) + 1;
  const perWindow = Array.from({ length: buckets.length }, (_, i) => buckets[i] ?? 0);

  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  console.log('');
  console.log(
    `Lookups: ${ok}/${employees} with evidence; ${report.stats.perUser} read per user, ${report.stats.fromFeed} from the tenant-wide feed, ${report.stats.feedFallbacks} feed fallbacks.`,
  );
  console.log(`Latency: p50 ${p50} ms, p95 ${p95} ms, max ${Math.max(...latencies)} ms.`);
  console.log(
    `Reports-API requests: ${report.reportsArrivals.length} in all; per ${(windowMs / 1000).toFixed(1)} s: [${perWindow.join(', ')}]; most in any sliding window: ${report.maxReportsInAnyWindow}.`,
  );
  if (report.feedStats)
    console.log(`Feed: ${report.feedStats.refreshes} refreshes (${report.feedStats.rebuilds} full), ${report.feedStats.pages} pages, ${report.feedStats.failures} failures.`);
  console.log(`Graph HTTP requests: ${report.httpRequests}; token requests: ${report.tokenCalls}; run took ${(report.elapsedMs / 1000).toFixed(1)} s.`);
  console.log('');

  const targets: Array<[boolean, string]> = [
    [ok === employees, `every employee diagnosed from evidence (${ok}/${employees})`],
    [problems.length === 0, `diagnoses equal the per-user demo directory's (${problems.length} differ)`],
    [report.serverBreaches === 0, `no reports-API breach at the server (${report.serverBreaches} refused with 429)`],
    [report.maxReportsInAnyWindow <= 5, `at most 5 reports requests in any ${(windowMs / 1000).toFixed(1)} s (${report.maxReportsInAnyWindow})`],
    [p95 < timeBudgetMs, `p95 lookup latency under the ${timeBudgetMs} ms budget (${p95} ms)`],
    [report.tokenCalls === 1, `one token request (${report.tokenCalls})`],
  ];
  let failed = false;
  for (const [pass, text] of targets) {
    failed ||= !pass;
    console.log(`${pass ? 'PASS' : 'FAIL'}  ${text}`);
  }
  for (const p of problems.slice(0, 5)) console.log(`      ${p}`);
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
