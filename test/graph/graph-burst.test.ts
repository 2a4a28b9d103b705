import assert from 'node:assert/strict';
import { BURST_PROFILES, compareWithDemo, percentile, runBurst, type BurstReport } from './graph-test-kit';

/**
 * The Monday-morning burst at the GraphDirectory level, against the Graph-shaped fake server
 * that answers 429 beyond 5 reports requests per window. Time runs 10× faster than real life so
 * the test takes about 6 s: the server's enforcement window and the client's limiter window are
 * both 1 s (instead of 10 s), the 300 arrivals span 6 s (instead of a minute), and the feed's
 * refresh timings are divided by 10 as well. `npx tsx bench/graph-burst.ts` runs it in real time.
 */
describe('burst: 300 employees against the reports-API limit (time scaled 1:10: 5 reports requests per 1 s, 300 employees over 6 s)', () => {
  let report: BurstReport;

  before(async function () {
    this.timeout(60_000);
    report = await runBurst({ employees: 300, scale: 10 });
  });

  it('when 300 distinct employees ask within the (scaled) minute, then every one gets evidence from Microsoft Graph', () => {
    const failed = report.lookups.filter((l) => !l.result.ok);
    assert.equal(report.lookups.length, 300, 'all asked');
    assert.deepEqual(
      failed.map((l) => `${l.userId}: ${!l.result.ok && l.result.failure.kind}`),
      [],
      'no failures',
    );
    assert.ok(
      report.lookups.every((l) => l.result.ok && l.result.evidence.source === 'Microsoft Graph'),
      'evidence from Graph',
    );
    assert.deepEqual(new Set(report.lookups.map((l) => l.profile)).size, BURST_PROFILES.length, 'every profile present');
  });

  it('when the burst is over, then each diagnosis and its sign-ins equal what the per-user demo directory gives for that employee', async () => {
    const problems = await compareWithDemo(report);
    assert.deepEqual(problems, [], problems.slice(0, 5).join('\n'));
  });

  it('when employees with no sign-ins at all are served from the tenant-wide read, then their evidence says no OneDrive attempts over the full 48 hours', () => {
    const silent = report.lookups.filter((l) => l.profile === 'no-events');
    assert.ok(silent.length >= 20, `${silent.length} silent employees`);
    for (const l of silent) {
      assert.ok(l.result.ok, l.userId);
      const ev = l.result.evidence;
      assert.deepEqual(ev.signIns, [], `${l.userId} has no sign-ins`);
      assert.deepEqual(ev.gaps, [], `${l.userId} has no gaps`);
      const hours = (Date.parse(ev.window.to) - Date.parse(ev.window.from)) / 3_600_000;
      assert.ok(hours >= 47.99, `${l.userId} window ${hours} h`);
    }
  });

  it('when the server counted the reports requests, then it recorded no breach and never more than 5 in any window', () => {
    assert.equal(report.serverBreaches, 0, 'no 429 from the reports limit');
    assert.ok(report.serverMaxReportsInWindow <= 5, `server max ${report.serverMaxReportsInWindow}`);
    assert.ok(report.maxReportsInAnyWindow <= 5, `max in any window ${report.maxReportsInAnyWindow}`);
    assert.ok(report.reportsArrivals.length < 40, `${report.reportsArrivals.length} reports requests for 300 employees`);
  });

  it('when the burst ran, then most employees were served from the shared feed, one token was requested, and p95 latency stayed well inside the budget', () => {
    // A per-user read costs one reports request, so quiet moments of the burst still read a few employees on their own.
    assert.ok(report.stats.fromFeed >= 270, `from feed: ${report.stats.fromFeed}, per user: ${report.stats.perUser}`);
    assert.equal(report.tokenCalls, 1, 'one token request');
    const p95 = percentile(
      report.lookups.map((l) => l.latencyMs),
      95,
    );
    assert.ok(p95 < 4000, `p95 ${p95} ms`);
  });
});
