import assert from 'node:assert/strict';
import { ONEDRIVE_APP_IDS, OFFICE_APP_IDS } from '../../src/domain/apps';
import type { LookupResult, SignInEvent } from '../../src/domain/directory';
import { GraphDirectory, type GraphDirectoryOptions } from '../../src/graph/graph-directory';
import { GraphHttp, GraphLookupError } from '../../src/graph/graph-http';
import type { DemoTenant } from '../../src/graph/demo-tenant-data';
import { DemoTenantDirectory } from '../../src/graph/demo-tenant-directory';
import { SlidingWindowLimiter } from '../../src/graph/rate-limiter';
import { FeedNotUsableError, TenantSignInFeed, type TenantFeedOptions } from '../../src/graph/tenant-signin-feed';
import { SCENARIOS, buildScenarioTenant } from '../fixtures/scenario-tenant';
import { FakeGraphServer } from '../support/fake-graph-server';
import { diagnosisOf, tokenDouble, useFakeGraph } from './graph-test-kit';

const NOW = new Date('2026-03-10T12:34:56.789Z');
const HOUR = 3_600_000;
const TOKEN = 'feed-token';
const APP_IDS = [...ONEDRIVE_APP_IDS, ...OFFICE_APP_IDS];

function evidenceOf(result: LookupResult) {
  assert.equal(result.ok, true, `expected evidence, got ${JSON.stringify(!result.ok && result.failure)}`);
  return (result as Extract<LookupResult, { ok: true }>).evidence;
}

function failureOf(result: LookupResult) {
  assert.equal(result.ok, false, 'expected a failure');
  return (result as Extract<LookupResult, { ok: false }>).failure;
}

/** The $filter of every feed request the server saw (tenant-wide: no userId clause). */
function feedFilters(server: FakeGraphServer): string[] {
  return server.routed
    .filter((r) => r.url.includes('/auditLogs/signIns') && !decodeURIComponent(r.url).includes('userId eq'))
    .map((r) => new URL(r.url, 'http://x').searchParams.get('$filter') ?? '');
}

describe('TenantSignInFeed (the shared tenant-wide sign-in read)', () => {
  let server: FakeGraphServer;
  let clockMs: number;
  useFakeGraph(
    () => buildScenarioTenant(NOW),
    TOKEN,
    (s) => (server = s),
    { freshTenantEachTest: true },
  );
  beforeEach(() => {
    clockMs = NOW.getTime();
  });

  function feedOver(options: TenantFeedOptions = {}, limiter = new SlidingWindowLimiter({ maxRequests: 1000, windowMs: 1000 })) {
    const clock = (): Date => new Date(clockMs);
    const http = new GraphHttp({
      credential: tokenDouble({ token: TOKEN }),
      baseUrl: server.url,
      scope: `${server.url}/.default`,
      fetch: (i, init) => globalThis.fetch(i, init),
      clock,
      reportsLimiter: limiter,
    });
    const feed = new TenantSignInFeed(
      {
        http,
        limiter,
        baseUrl: server.url,
        clock,
        timeBudgetMs: 5000,
        windowHours: 48,
        failureFor: (res) => ({ kind: res.status === 403 ? 'permission-missing' : 'unavailable', message: 'plain words', adminDetail: `status ${res.status}` }),
      },
      { maxAgeMs: 0, minRefreshIntervalMs: 0, ...options },
    );
    const snapshot = async () => {
      const { ctx, dispose } = http.context(5000);
      try {
        return await feed.snapshot(ctx);
      } finally {
        dispose();
      }
    };
    return { feed, snapshot };
  }

  /** What a per-user read of the 48-hour window holds for `userId` (OneDrive and Office apps only). */
  function expectedIds(userId: string, from = NOW.getTime() - 48 * HOUR): string[] {
    return server.tenant.signIns
      .filter((s) => s.userId === userId && APP_IDS.includes(s.appId ?? '') && Date.parse(s.createdDateTime) >= from)
      .map((s) => s.id)
      .sort();
  }

  it('when the feed is read, then one beta request asks for interactive and non-interactive sign-ins of the OneDrive and Office app ids since the window start, 1000 per page', async () => {
    const { snapshot } = feedOver();
    await snapshot();
    assert.deepEqual(
      server.httpRequests.map((r) => r.url),
      ['/beta/$batch'],
      'one round trip',
    );
    const filters = feedFilters(server);
    assert.equal(filters.length, 1, 'one reports request: both event types in one filter');
    for (const f of filters) {
      assert.ok(f.includes(`createdDateTime ge ${new Date(NOW.getTime() - 48 * HOUR).toISOString()}`), f);
      for (const id of APP_IDS) assert.ok(f.includes(`appId eq '${id}'`), `${id} in ${f}`);
      assert.ok(!f.includes('userId'), 'tenant-wide');
    }
    assert.ok(filters[0]!.includes("signInEventTypes/any(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser')"), 'both event types');
    assert.ok(
      server.routed.filter((r) => r.url.includes('auditLogs')).every((r) => r.url.includes('$top=1000')),
      '$top=1000',
    );
  });

  it('when the read completes, then every user gets exactly their in-window OneDrive and Office sign-ins, trimmed of IP addresses and policies that did not apply', async () => {
    const { feed, snapshot } = feedOver();
    const snap = await snapshot();
    assert.equal(snap.complete, true, 'complete');
    assert.equal(snap.coveredFrom, NOW.getTime() - 48 * HOUR, 'covers the whole window');
    for (const s of SCENARIOS) {
      const events = feed.eventsFor(snap, s.userId, NOW);
      assert.deepEqual(events.map((e) => e.id).sort(), expectedIds(s.userId), s.userId);
      assert.ok(
        events.every((e) => e.ipAddress === undefined),
        'no IP addresses',
      );
      assert.ok(
        events.every((e) => (e.appliedConditionalAccessPolicies ?? []).every((p) => p.result !== 'notApplied')),
        'no notApplied policies',
      );
    }
    assert.deepEqual(feed.eventsFor(snap, 'scn-no-internet', NOW), [], 'a user absent from a complete read had no sign-ins');
    assert.deepEqual(feed.eventsFor(snap, 'SCN-ACCOUNT-LOCKED', NOW).length, expectedIds('scn-account-locked').length, 'user ids match case-insensitively');
  });

  it('when 20 lookups wait at once, then they share one refresh', async () => {
    const { feed, snapshot } = feedOver({ maxAgeMs: 10_000 });
    const snaps = await Promise.all(Array.from({ length: 20 }, () => snapshot()));
    assert.ok(
      snaps.every((s) => s === snaps[0]),
      'the same snapshot',
    );
    assert.equal(server.count(/auditLogs\/signIns/), 1, 'one reports request in all');
    assert.equal(feed.stats.refreshes, 1, 'one refresh');
  });

  it('when the tenant has more sign-ins than one refresh may read, then the snapshot covers only back to the oldest event read, and later refreshes backfill until complete', async () => {
    server.pageSize = 10;
    const { feed, snapshot } = feedOver({ maxPagesPerRefresh: 2, minCoverageMs: 0 });
    const first = await snapshot();
    assert.equal(first.complete, false, 'incomplete');
    assert.ok(first.coveredFrom > first.windowFrom, 'coverage shorter than the window');
    const all = server.tenant.signIns.filter((s) => APP_IDS.includes(s.appId ?? ''));
    for (const s of SCENARIOS) {
      const served = feed.eventsFor(first, s.userId, NOW);
      assert.ok(
        served.every((e) => Date.parse(e.createdDateTime) >= first.coveredFrom),
        'nothing older than the coverage is served',
      );
      // Inside the coverage the read is complete: every event there is served.
      const inside = all
        .filter((e) => e.userId === s.userId && Date.parse(e.createdDateTime) >= first.coveredFrom)
        .map((e) => e.id)
        .sort();
      assert.deepEqual(served.map((e) => e.id).sort(), inside, `${s.userId}: complete inside the coverage`);
    }
    let coveredFrom = first.coveredFrom;
    let snap = first;
    for (let i = 0; i < 30 && !snap.complete; i++) {
      clockMs += 1000;
      snap = await snapshot();
      assert.ok(snap.coveredFrom <= coveredFrom, 'coverage only grows');
      coveredFrom = snap.coveredFrom;
    }
    assert.equal(snap.complete, true, 'complete after backfilling');
    for (const s of SCENARIOS)
      assert.deepEqual(
        feed
          .eventsFor(snap, s.userId, new Date(clockMs))
          .map((e) => e.id)
          .sort(),
        expectedIds(s.userId, snap.windowFrom),
        s.userId,
      );
    assert.equal(feed.stats.rebuilds, 1, 'one full read, then increments');
  });

  it('when it refreshes again, then it reads only what is new (with an overlap for late events) and merges it', async () => {
    const { feed, snapshot } = feedOver({ overlapMs: 5 * 60_000 });
    const first = await snapshot();
    clockMs += 30_000;
    const late: SignInEvent = {
      ...server.tenant.signIns.find((s) => s.userId === 'scn-account-mismatch')!,
      id: 'new-event-1',
      createdDateTime: new Date(clockMs - 10_000).toISOString(),
    };
    server.tenant.signIns.unshift(late);
    server.routed.length = 0;
    const second = await snapshot();
    const filters = feedFilters(server);
    assert.equal(filters.length, 1, 'one page');
    assert.ok(
      filters.every((f) => f.includes(`createdDateTime ge ${new Date(first.takenAt - 5 * 60_000).toISOString()}`)),
      filters.join('\n'),
    );
    assert.ok(
      feed.eventsFor(second, 'scn-account-mismatch', new Date(clockMs)).some((e) => e.id === 'new-event-1'),
      'the new event is in',
    );
    assert.equal(second.complete, true, 'still complete');
    const inWindow = server.tenant.signIns.filter((e) => APP_IDS.includes(e.appId ?? '') && Date.parse(e.createdDateTime) >= second.windowFrom);
    assert.equal(second.eventCount, inWindow.length, 'merged by id, and events that left the window dropped');
    assert.ok(second.eventCount <= first.eventCount + 1, 'no duplicates');
    assert.equal(feed.stats.rebuilds, 1, 'no second full read');
  });

  it('when more sign-ins arrive than maxEvents, then the oldest are dropped and the coverage shrinks with them', async () => {
    const { feed, snapshot } = feedOver({ maxEvents: 40 });
    const snap = await snapshot();
    assert.equal(snap.eventCount, 40, 'bounded');
    assert.equal(snap.complete, false, 'no longer complete');
    for (const s of SCENARIOS) {
      const served = feed.eventsFor(snap, s.userId, NOW);
      assert.ok(
        served.every((e) => Date.parse(e.createdDateTime) >= snap.coveredFrom),
        'inside the coverage',
      );
      assert.deepEqual(served.map((e) => e.id).sort(), expectedIds(s.userId, snap.coveredFrom), s.userId);
    }
  });

  it('when Graph refuses the feed query with 400, then the feed reports itself not usable and stays off', async () => {
    server.failNext(/auditLogs\/signIns/, 2, { status: 400, body: { error: { code: 'BadRequest', message: 'Invalid filter clause' } } });
    const { feed, snapshot } = feedOver();
    await assert.rejects(snapshot(), FeedNotUsableError);
    assert.equal(feed.available, false, 'off');
    await assert.rejects(snapshot(), FeedNotUsableError);
    assert.equal(server.count(/auditLogs/), 1, 'not asked again');
  });

  it('when Graph denies the feed (403), then waiters get the mapped failure, and lookups right after fail at once without asking again', async () => {
    server.denyNext(/auditLogs\/signIns/, 2);
    const { snapshot } = feedOver({ minRefreshIntervalMs: 60_000 });
    await assert.rejects(snapshot(), (e: unknown) => e instanceof GraphLookupError && e.failure.kind === 'permission-missing');
    await assert.rejects(snapshot(), (e: unknown) => e instanceof GraphLookupError && e.failure.kind === 'permission-missing');
    assert.equal(server.count(/auditLogs/), 1, 'one refused read only');
  });

  it('when a refresh fails transiently, then the previous snapshot still serves', async () => {
    const { feed, snapshot } = feedOver({ staleFallbackMs: 60_000, refreshBudgetMs: 600 });
    const first = await snapshot();
    server.unavailableNext(/\/\$batch$/);
    const second = await snapshot();
    assert.equal(second, first, 'the previous snapshot');
    assert.equal(feed.stats.servedStale, 1, 'counted');
  });
});

describe('GraphDirectory with the tenant sign-in feed', () => {
  let server: FakeGraphServer;
  let tenant: DemoTenant;
  useFakeGraph(
    () => buildScenarioTenant(NOW),
    TOKEN,
    (s, t) => ((server = s), (tenant = t)),
  );

  /**
   * A directory whose clock is NOW, and a limiter (`maxRequests` per window) with `taken` slots
   * already used: by default 4 of 5, so a per-user read (1) and a feed refresh (1) do not both fit: busy.
   */
  function directoryOver(overrides: Partial<GraphDirectoryOptions> = {}, taken = 4, windowMs = 60_000, maxRequests = 5) {
    const limiter = new SlidingWindowLimiter({ maxRequests, windowMs });
    for (let i = 0; i < taken; i++) assert.ok(limiter.tryAcquire(), 'slot');
    const directory = new GraphDirectory({
      credential: tokenDouble({ token: TOKEN }),
      baseUrl: server.url,
      clock: () => NOW,
      timeBudgetMs: 5000,
      reportsLimiter: limiter,
      ...overrides,
    });
    return { directory, limiter };
  }

  it('when the reports limiter is busy, then every scenario is served from the feed with the same sign-ins, window and diagnosis as the per-user demo directory', async () => {
    const { directory } = directoryOver();
    const demo = new DemoTenantDirectory(tenant, { windowHours: 48, source: 'demo' });
    const trips: number[] = [];
    for (const s of SCENARIOS) {
      const before = server.httpRequests.length;
      const got = evidenceOf(await directory.lookup(s.userId, { now: NOW }));
      trips.push(server.httpRequests.length - before);
      const want = evidenceOf(await demo.lookup(s.userId, { now: NOW }));
      assert.deepEqual(got.signIns.map((e) => e.id).sort(), want.signIns.map((e) => e.id).sort(), s.userId);
      assert.deepEqual(got.window, want.window, `${s.userId} window`);
      assert.deepEqual(got.gaps, [], `${s.userId} gaps`);
      assert.deepEqual(got.devices.map((d) => d.id).sort(), want.devices.map((d) => d.id).sort(), `${s.userId} devices`);
      assert.deepEqual(diagnosisOf(got, NOW), diagnosisOf(want, NOW), s.userId);
    }
    assert.deepEqual(directory.stats, { perUser: 0, fromFeed: SCENARIOS.length, feedFallbacks: 0, cached: 0 });
    assert.equal(trips[0], 2, 'the first: the feed read and the user batch');
    // One round trip each: a failing policy waits for its own budget (1 read per second) and rides in the same batch.
    assert.ok(
      trips.slice(1).every((n) => n === 1),
      `then one round trip each: ${trips.join(',')}`,
    );
    assert.equal(server.count(/auditLogs/), 1, 'one reports request for all 18 lookups');
    assert.ok(
      server.httpRequests.slice(1).every((r) => r.url === '/v1.0/$batch'),
      'user reads are v1.0 batches',
    );
  });

  it('when two lookups start together on a quiet limiter, then the first reads per user and the second joins the feed', async () => {
    // Two slots: the first read (1) and a refresh (1) fit; with the first on its way, the second does not.
    const { directory } = directoryOver({}, 0, 60_000, 2);
    const [a, b] = await Promise.all([directory.lookup('scn-account-locked', { now: NOW }), directory.lookup('scn-mfa-required', { now: NOW })]);
    evidenceOf(a);
    evidenceOf(b);
    assert.deepEqual(directory.stats, { perUser: 1, fromFeed: 1, feedFallbacks: 0, cached: 0 });
  });

  it('when a fresh complete snapshot exists, then even a quiet lookup is served from it without a reports request', async () => {
    const { directory, limiter } = directoryOver({}, 4, 300);
    evidenceOf(await directory.lookup('scn-account-locked', { now: NOW }));
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(limiter.inUse(), 0, 'quiet again');
    const reports = server.count(/auditLogs/);
    evidenceOf(await directory.lookup('scn-mfa-required', { now: NOW }));
    assert.equal(server.count(/auditLogs/), reports, 'no reports request');
    assert.equal(directory.stats.fromFeed, 2, 'both from the feed');
  });

  it('when the feed could read only part of the window, then the evidence window says so and a gap explains it in plain words', async () => {
    server.pageSize = 20;
    const { directory } = directoryOver({ tenantFeed: { maxPagesPerRefresh: 1, minCoverageMs: 0 } });
    const evidence = evidenceOf(await directory.lookup('scn-account-locked', { now: NOW }));
    const from = Date.parse(evidence.window.from);
    assert.ok(from > NOW.getTime() - 48 * HOUR, 'shorter than 48 hours');
    assert.ok(
      evidence.signIns.every((e) => Date.parse(e.createdDateTime) >= from),
      'nothing older than the window',
    );
    assert.equal(evidence.gaps.length, 1, 'one gap');
    assert.match(evidence.gaps[0]!, /^Sign-ins from more than \d+ hours? ago \(it was busy/);
  });

  it('when the feed covers less than minCoverage, then the lookup reads per user instead', async () => {
    server.pageSize = 20;
    const { directory } = directoryOver({ tenantFeed: { maxPagesPerRefresh: 1, minCoverageMs: 47 * HOUR } }, 4, 300);
    const evidence = evidenceOf(await directory.lookup('scn-account-locked', { now: NOW }));
    assert.deepEqual(evidence.gaps, [], 'full evidence');
    assert.deepEqual(directory.stats, { perUser: 1, fromFeed: 0, feedFallbacks: 1, cached: 0 });
  });

  it('when the feed is denied (403), then a busy lookup fails as permission-missing in plain words', async () => {
    server.denyNext(/auditLogs\/signIns/);
    const { directory } = directoryOver();
    const failure = failureOf(await directory.lookup('scn-account-locked', { now: NOW }));
    assert.equal(failure.kind, 'permission-missing');
    assert.match(failure.adminDetail ?? '', /AuditLog\.Read\.All/);
    assert.doesNotMatch(failure.message, /AuditLog/, 'plain words for the employee');
  });

  it('when Graph refuses the feed query (400), then lookups read per user', async () => {
    server.failNext(/auditLogs\/signIns\?.*appId/, 2, { status: 400, body: { error: { code: 'BadRequest', message: 'Invalid filter clause' } } });
    const { directory } = directoryOver({}, 4, 300);
    evidenceOf(await directory.lookup('scn-account-locked', { now: NOW }));
    assert.deepEqual(directory.stats, { perUser: 1, fromFeed: 0, feedFallbacks: 1, cached: 0 });
    assert.equal(directory.tenantFeed?.available, false, 'the feed is off for a while');
  });

  it('when a lookup asks about another moment than the clock, then it reads per user', async () => {
    const { directory } = directoryOver({ clock: () => new Date(NOW.getTime() + 2 * HOUR) }, 2, 300);
    evidenceOf(await directory.lookup('scn-account-locked', { now: NOW }));
    assert.deepEqual(directory.stats, { perUser: 1, fromFeed: 0, feedFallbacks: 0, cached: 0 });
  });

  it('when the feed is turned off, then a busy lookup waits for the limiter and reads per user', async () => {
    const { directory } = directoryOver({ tenantFeed: false }, 2, 300);
    evidenceOf(await directory.lookup('scn-account-locked', { now: NOW }));
    assert.deepEqual(directory.stats, { perUser: 1, fromFeed: 0, feedFallbacks: 0, cached: 0 });
  });

  it('when several feed lookups failed the same Conditional Access policy, then the policy is read once', async () => {
    const { directory } = directoryOver({ cacheTtlMs: 0 });
    evidenceOf(await directory.lookup('scn-conditional-access-block', { now: NOW }));
    const again = evidenceOf(await directory.lookup('scn-conditional-access-block', { now: NOW }));
    assert.deepEqual(
      again.conditionalAccessPolicies.map((p) => p.displayName),
      ['Block unmanaged sync'],
    );
    assert.equal(server.count(/conditionalAccess\/policies/), 1, 'read once');
  });
});

describe('GraphDirectory evidence and IP addresses', () => {
  it('when a quiet lookup reads its own sign-ins, then the evidence carries no IP addresses (nothing shows them, and evidence is kept in conversation state)', async () => {
    const tenant = buildScenarioTenant(NOW);
    const server = await FakeGraphServer.start(tenant, { reportsLimit: false });
    try {
      const directory = new GraphDirectory({ credential: tokenDouble(), baseUrl: server.url, timeBudgetMs: 5000, reportsRateLimit: { maxRequests: 1000, windowMs: 1000 } });
      const evidence = evidenceOf(await directory.lookup('scn-stale-credentials', { now: NOW }));
      assert.equal(directory.stats.perUser, 1, 'read per user');
      assert.ok(evidence.signIns.length > 0, 'sign-ins read');
      assert.ok(
        evidence.signIns.every((e) => e.ipAddress === undefined),
        'no IP addresses',
      );
      assert.ok(
        tenant.signIns.some((e) => e.userId === 'scn-stale-credentials' && e.ipAddress),
        'the tenant has them',
      );
    } finally {
      await server.close();
    }
  });
});
