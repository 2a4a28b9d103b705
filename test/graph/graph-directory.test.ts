import { maxInWindow, useFakeGraph } from './graph-test-kit';
import assert from 'node:assert/strict';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { diagnose } from '../../src/domain/diagnosis';
import type { LookupResult } from '../../src/domain/directory';
import { analyzeEvidence } from '../../src/domain/evidence-analysis';
import { GraphDirectory, POLICY_GAP, type GraphDirectoryOptions } from '../../src/graph/graph-directory';
import { TenantBuilder, e3Licence, type DemoTenant } from '../../src/graph/tenant-builder';
import { DemoTenantDirectory } from '../../src/graph/demo-tenant-directory';
import { SlidingWindowLimiter } from '../../src/graph/rate-limiter';
import { SCENARIOS, buildScenarioTenant } from '../fixtures/scenario-tenant';
import { FakeGraphServer } from '../support/fake-graph-server';

const NOW = new Date('2026-03-10T12:34:56.789Z');
const TOKEN = 'fake-token-Zq9';

/** A TokenCredential double: counts calls, never touches the network. */
function tokenDouble(options: { token?: string; lifetimeMs?: number; fail?: Error } = {}): TokenCredential & { calls: number; scopes: string[] } {
  const double = {
    calls: 0,
    scopes: [] as string[],
    async getToken(scopes: string | string[]): Promise<AccessToken | null> {
      double.calls += 1;
      double.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
      if (options.fail) throw options.fail;
      return { token: options.token ?? TOKEN, expiresOnTimestamp: Date.now() + (options.lifetimeMs ?? 3600e3) };
    },
  };
  return double;
}

function graphOver(server: FakeGraphServer, overrides: Partial<GraphDirectoryOptions> = {}) {
  const credential = (overrides.credential as ReturnType<typeof tokenDouble> | undefined) ?? tokenDouble();
  const directory = new GraphDirectory({
    baseUrl: server.url,
    timeBudgetMs: 5000,
    reportsRateLimit: { maxRequests: 1000, windowMs: 1000, marginMs: 0 },
    ...overrides,
    credential,
  });
  return { directory, credential };
}

function failureOf(result: LookupResult) {
  assert.equal(result.ok, false, 'expected a failure');
  return (result as Extract<LookupResult, { ok: false }>).failure;
}

function evidenceOf(result: LookupResult) {
  assert.equal(result.ok, true, `expected evidence, got ${JSON.stringify(!result.ok && result.failure)}`);
  return (result as Extract<LookupResult, { ok: true }>).evidence;
}

/** One user with `count` non-interactive OneDrive sign-ins, one per hour. */
function pagingTenant(count: number): DemoTenant {
  const b = new TenantBuilder(NOW, 'abcdef01');
  b.addUser({
    id: 'pager',
    displayName: 'Page Turner',
    userPrincipalName: 'page.turner@contoso.test',
    createdHoursAgo: 3000,
    passwordChangedHoursAgo: 900,
    licenseDetails: e3Licence(),
    spot: { ipAddress: '203.0.113.9', city: 'Chicago', state: 'Illinois', countryOrRegion: 'US' },
  });
  for (let h = 1; h <= count; h++) b.signIn('pager', { app: 'oneDriveSync', hoursAgo: h });
  return b.build();
}

describe('GraphDirectory over a fake Microsoft Graph', () => {
  let server: FakeGraphServer;
  let tenant: DemoTenant;
  useFakeGraph(
    () => buildScenarioTenant(NOW),
    TOKEN,
    (s, t) => ((server = s), (tenant = t)),
  );

  describe('parity with the demo tenant directory', () => {
    for (const scenario of SCENARIOS) {
      it(`when ${scenario.userId} is looked up through Graph, then the leading cause and the sign-in ids match the demo directory`, async () => {
        const demo = new DemoTenantDirectory(tenant, { windowHours: 48, source: 'demo tenant' });
        const { directory } = graphOver(server);
        const expected = evidenceOf(await demo.lookup(scenario.userId, { now: NOW }));
        const actual = evidenceOf(await directory.lookup(scenario.userId, { now: NOW }));

        assert.equal(actual.source, 'Microsoft Graph');
        assert.deepEqual(actual.window, expected.window);
        const ids = actual.signIns.map((s) => s.id);
        assert.equal(new Set(ids).size, ids.length, 'sign-ins are de-duplicated');
        assert.deepEqual([...ids].sort(), expected.signIns.map((s) => s.id).sort());
        assert.deepEqual(actual.devices.map((d) => d.id).sort(), expected.devices.map((d) => d.id).sort());
        assert.deepEqual(actual.user.licenseDetails, expected.user.licenseDetails);

        const leading = (ev: typeof actual) => diagnose({ answers: scenario.answers, evidence: analyzeEvidence(ev, NOW) }).leading;
        assert.equal(leading(actual), leading(expected));
      });
    }
  });

  describe('round trips and tokens', () => {
    it('when several users are looked up, then each lookup takes at most 2 HTTP requests and getToken is called once', async () => {
      const { directory, credential } = graphOver(server);
      const perLookup: number[] = [];
      for (const scenario of SCENARIOS) {
        const before = server.httpRequests.length;
        evidenceOf(await directory.lookup(scenario.userId, { now: NOW }));
        perLookup.push(server.httpRequests.length - before);
      }
      assert.ok(
        perLookup.every((n) => n >= 1 && n <= 2),
        `round trips per lookup: ${perLookup.join(',')}`,
      );
      assert.equal(credential.calls, 1);
      assert.deepEqual(credential.scopes, [`${server.url}/.default`]);
    });

    it('when sign-ins failed a Conditional Access policy, then the policy is read in the second (and last) round trip', async () => {
      const { directory } = graphOver(server);
      const evidence = evidenceOf(await directory.lookup('scn-conditional-access-block', { now: NOW }));
      assert.equal(server.httpRequests.length, 2);
      assert.deepEqual(
        server.httpRequests.map((r) => r.url),
        ['/beta/$batch', '/beta/$batch'],
      );
      assert.deepEqual(
        evidence.conditionalAccessPolicies.map((p) => p.displayName),
        ['Block unmanaged sync'],
      );
      assert.deepEqual(evidence.gaps, []);
    });

    it('when no policy failed and one page suffices, then the lookup is one round trip', async () => {
      const { directory } = graphOver(server);
      evidenceOf(await directory.lookup('scn-account-locked', { now: NOW }));
      assert.equal(server.httpRequests.length, 1);
      assert.equal(server.count(/auditLogs\/signIns/), 1, 'interactive and non-interactive sign-ins in one request');
      const read = decodeURIComponent(server.routed.find((r) => /auditLogs\/signIns/.test(r.url))!.url);
      assert.match(read, /signInEventTypes\/any\(t: t eq 'interactiveUser' or t eq 'nonInteractiveUser'\)/);
      assert.match(read, /\$top=1000/);
    });

    it('when lookups run concurrently, then the token is fetched once', async () => {
      const { directory, credential } = graphOver(server);
      const results = await Promise.all(SCENARIOS.slice(0, 6).map((s) => directory.lookup(s.userId, { now: NOW })));
      assert.ok(results.every((r) => r.ok));
      assert.equal(credential.calls, 1);
    });

    it('when the token expires within 5 minutes, then the next lookup gets a fresh one', async () => {
      const credential = tokenDouble({ lifetimeMs: 4 * 60_000 });
      const { directory } = graphOver(server, { credential, cacheTtlMs: 0 });
      evidenceOf(await directory.lookup('scn-unknown', { now: NOW }));
      evidenceOf(await directory.lookup('scn-unknown', { now: NOW }));
      assert.equal(credential.calls, 2);
    });

    it('when the same user is looked up again within the TTL, then no request is made; after the TTL it reads again', async () => {
      let clock = NOW.getTime();
      const { directory } = graphOver(server, { cacheTtlMs: 60_000, clock: () => new Date(clock) });
      const first = evidenceOf(await directory.lookup('scn-mfa-required', { now: NOW }));
      const requests = server.httpRequests.length;
      const second = evidenceOf(await directory.lookup('scn-mfa-required', { now: NOW }));
      assert.equal(server.httpRequests.length, requests);
      assert.deepEqual(second, first);
      clock += 61_000;
      evidenceOf(await directory.lookup('scn-mfa-required', { now: NOW }));
      assert.ok(server.httpRequests.length > requests);
    });
  });

  describe('paging', () => {
    it('when 7 events come 2 per page, then all 7 arrive', async () => {
      server.tenant = pagingTenant(7);
      server.pageSize = 2;
      const { directory } = graphOver(server);
      const evidence = evidenceOf(await directory.lookup('pager', { now: NOW }));
      assert.equal(evidence.signIns.length, 7);
      assert.equal(new Set(evidence.signIns.map((s) => s.id)).size, 7);
      assert.ok(evidence.signIns.every((s) => s.isInteractive === false));
      assert.deepEqual(evidence.gaps, []);
      assert.equal(server.count(/auditLogs\/signIns/), 4, '4 pages of one stream');
    });

    it('when there are more pages than maxPages, then reading stops there and the gap says so', async () => {
      server.tenant = pagingTenant(7);
      server.pageSize = 2;
      const { directory } = graphOver(server, { maxPages: 2 });
      const evidence = evidenceOf(await directory.lookup('pager', { now: NOW }));
      assert.equal(evidence.signIns.length, 4);
      assert.equal(server.count(/auditLogs\/signIns/), 2);
      assert.equal(evidence.gaps.length, 1);
      assert.match(evidence.gaps[0]!, /newest 2 pages/);
    });
  });

  describe('throttling, outages and the time budget', () => {
    it('when the sign-ins are throttled once with Retry-After: 1, then the lookup waits and succeeds', async () => {
      server.throttleNext(/auditLogs\/signIns/, 1, 1);
      const { directory } = graphOver(server);
      const started = Date.now();
      const evidence = evidenceOf(await directory.lookup('scn-account-disabled', { now: NOW }));
      assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
      assert.ok(evidence.signIns.length > 0);
      assert.equal(server.httpRequests.length, 2);
    });

    it('when the batch is throttled without Retry-After, then the lookup backs off and succeeds', async () => {
      server.throttleNext(/\/\$batch$/, 2);
      const { directory } = graphOver(server);
      evidenceOf(await directory.lookup('scn-account-disabled', { now: NOW }));
      assert.equal(server.httpRequests.length, 3);
    });

    it('when Retry-After does not fit the budget, then the failure is throttled', async () => {
      server.throttleNext(/auditLogs\/signIns/, 10, 30);
      const { directory } = graphOver(server, { timeBudgetMs: 2000 });
      const started = Date.now();
      const failure = failureOf(await directory.lookup('scn-account-disabled', { now: NOW }));
      assert.equal(failure.kind, 'throttled');
      assert.ok(Date.now() - started < 1000);
    });

    it('when Graph keeps answering 503, then the failure is unavailable within the budget', async () => {
      server.unavailableNext(/\/\$batch$/);
      const { directory } = graphOver(server, { timeBudgetMs: 1500 });
      const started = Date.now();
      const failure = failureOf(await directory.lookup('scn-account-disabled', { now: NOW }));
      assert.equal(failure.kind, 'unavailable');
      assert.match(failure.adminDetail ?? '', /503/);
      assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
      assert.ok(server.httpRequests.length >= 2, 'retried');
    });

    it('when the server is slower than the budget, then the failure is timeout', async () => {
      server.delayMs = 3000;
      const { directory } = graphOver(server, { timeBudgetMs: 300 });
      const started = Date.now();
      const failure = failureOf(await directory.lookup('scn-account-disabled', { now: NOW }));
      assert.equal(failure.kind, 'timeout');
      assert.ok(Date.now() - started < 1000);
    });

    it('when the caller aborts, then the failure is timeout', async () => {
      server.delayMs = 3000;
      const { directory } = graphOver(server);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const failure = failureOf(await directory.lookup('scn-account-disabled', { now: NOW, signal: controller.signal }));
      assert.equal(failure.kind, 'timeout');
      assert.match(failure.adminDetail ?? '', /cancelled/);
    });
  });

  describe('permissions, licences and missing users', () => {
    it('when sign-ins answer 403 Authorization_RequestDenied, then the failure is permission-missing naming AuditLog.Read.All', async () => {
      server.denyNext(/auditLogs\/signIns/);
      const { directory } = graphOver(server);
      const failure = failureOf(await directory.lookup('scn-account-locked', { now: NOW }));
      assert.equal(failure.kind, 'permission-missing');
      assert.match(failure.adminDetail ?? '', /AuditLog\.Read\.All/);
      assert.doesNotMatch(failure.message, /AuditLog/, 'the employee gets plain words');
    });

    it('when the user read answers 403, then the failure is permission-missing naming Directory.Read.All', async () => {
      server.denyNext(/\/users\/[^/?]+\?/);
      const { directory } = graphOver(server);
      const failure = failureOf(await directory.lookup('scn-account-locked', { now: NOW }));
      assert.equal(failure.kind, 'permission-missing');
      assert.match(failure.adminDetail ?? '', /Directory\.Read\.All/);
    });

    it('when sign-ins answer 403 for a tenant without premium, then the failure is licence-required', async () => {
      server.denyNext(/auditLogs\/signIns/, Infinity, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license");
      const { directory } = graphOver(server);
      const failure = failureOf(await directory.lookup('scn-account-locked', { now: NOW }));
      assert.equal(failure.kind, 'licence-required');
      assert.match(failure.adminDetail ?? '', /P1 or P2/);
    });

    it('when the user does not exist, then the failure is user-not-found', async () => {
      const { directory } = graphOver(server);
      const failure = failureOf(await directory.lookup('no-such-user', { now: NOW }));
      assert.equal(failure.kind, 'user-not-found');
    });

    it('when the policy read answers 403, then the gap is recorded and the lookup still succeeds', async () => {
      server.denyNext(/conditionalAccess\/policies/);
      const { directory } = graphOver(server);
      const evidence = evidenceOf(await directory.lookup('scn-conditional-access-block', { now: NOW }));
      assert.deepEqual(evidence.gaps, [POLICY_GAP]);
      assert.deepEqual(evidence.conditionalAccessPolicies, []);
      assert.ok(evidence.signIns.length > 0);
    });
  });

  describe('misconfiguration', () => {
    it('when the credential cannot get a token for the tenant, then the failure is misconfigured and names the authority or cloud', async () => {
      const credential = tokenDouble({
        fail: Object.assign(new Error("AADSTS90002: Tenant 'contoso.us' not found. Check that you are signing into the correct cloud."), { name: 'AuthenticationError' }),
      });
      const { directory } = graphOver(server, { credential });
      const failure = failureOf(await directory.lookup('scn-account-locked', { now: NOW }));
      assert.equal(failure.kind, 'misconfigured');
      assert.match(failure.adminDetail ?? '', /authority or a sovereign cloud mismatch/);
      assert.equal(server.httpRequests.length, 0);
    });

    it('when the scope is for another cloud than the Graph base URL, then the failure is misconfigured without a request', async () => {
      const { directory, credential } = graphOver(server, { scope: 'https://graph.microsoft.us/.default' });
      const failure = failureOf(await directory.lookup('scn-account-locked', { now: NOW }));
      assert.equal(failure.kind, 'misconfigured');
      assert.match(failure.adminDetail ?? '', /sovereign cloud mismatch/);
      assert.equal(credential.calls, 0);
    });

    it('when Graph refuses the token, then it is refreshed once and the failure is misconfigured', async () => {
      const credential = tokenDouble({ token: 'wrong-token' });
      const { directory } = graphOver(server, { credential });
      const failure = failureOf(await directory.lookup('scn-account-locked', { now: NOW }));
      assert.equal(failure.kind, 'misconfigured');
      assert.equal(credential.calls, 2);
      assert.doesNotMatch(JSON.stringify(failure), /wrong-token/);
    });
  });

  describe('findUserIdByUpn', () => {
    it('when the UPN exists, then its id comes back; when it does not, then undefined', async () => {
      const { directory } = graphOver(server);
      assert.equal(await directory.findUserIdByUpn('Avery.Lindqvist@contoso.test'), 'scn-stale-credentials');
      assert.equal(await directory.findUserIdByUpn('nobody@contoso.test'), undefined);
      assert.ok(server.httpRequests.every((r) => r.url.startsWith('/v1.0/users/') && r.url.endsWith('?$select=id')));
      assert.ok(
        server.httpRequests.some((r) => r.url.includes('%40')),
        'the UPN is URL-encoded',
      );
    });
  });

  describe('logging', () => {
    it('when lookups succeed and fail, then the logs hold neither the token nor sign-in records', async () => {
      const lines: string[] = [];
      const sink = (obj: object, msg?: string) => lines.push(JSON.stringify({ ...obj, msg }));
      const logger = { debug: sink, info: sink, warn: sink };
      server.throttleNext(/auditLogs\/signIns/, 1);
      const { directory } = graphOver(server, { logger });
      evidenceOf(await directory.lookup('scn-conditional-access-block', { now: NOW }));
      failureOf(await directory.lookup('no-such-user', { now: NOW }));
      const log = lines.join('\n');
      assert.ok(lines.length >= 3);
      assert.doesNotMatch(log, new RegExp(TOKEN));
      for (const s of tenant.signIns) assert.ok(!log.includes(s.id), 'no sign-in ids in logs');
      assert.doesNotMatch(log, /203\.0\.113|failureReason|appliedConditionalAccessPolicies/);
    });
  });

  describe('reports API limiter', () => {
    it('when 12 users are looked up in a burst, then the server never sees more than 5 reports requests in a window', async () => {
      const windowMs = 600;
      server.reportsLimit = { max: 5, windowMs };
      // Per-user reads only (the tenant-wide feed has its own tests in tenant-signin-feed.test.ts).
      const { directory } = graphOver(server, { timeBudgetMs: 15_000, reportsRateLimit: { maxRequests: 5, windowMs, marginMs: 60 }, tenantFeed: false });
      const users = SCENARIOS.slice(0, 12).map((s) => s.userId);
      const results = await Promise.all(users.map((u) => directory.lookup(u, { now: NOW })));
      assert.ok(
        results.every((r) => r.ok),
        JSON.stringify(results.filter((r) => !r.ok)),
      );
      assert.equal(server.breaches, 0);
      assert.ok(server.maxReportsInWindow <= 5, `max ${server.maxReportsInWindow}`);
      const reportTimes = server.routed.filter((r) => /auditLogs/.test(r.url)).map((r) => r.at);
      assert.ok(reportTimes.length >= 12, `${reportTimes.length} reports requests`);
      assert.ok(maxInWindow(reportTimes, windowMs) <= 5);
    });

    it('when the limiter cannot give a slot within the budget, then the failure is throttled', async () => {
      const limiter = new SlidingWindowLimiter({ maxRequests: 2, windowMs: 60_000 });
      assert.ok(limiter.tryAcquire(2));
      const { directory } = graphOver(server, { reportsLimiter: limiter, timeBudgetMs: 500 });
      const failure = failureOf(await directory.lookup('scn-account-locked', { now: NOW }));
      assert.equal(failure.kind, 'throttled');
      assert.equal(server.httpRequests.length, 0);
    });
  });
});
