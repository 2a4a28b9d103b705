import assert from 'node:assert/strict';
import { confidenceLabel, diagnose } from '../../src/domain/diagnosis';
import type { EvidenceSnapshot, LookupResult } from '../../src/domain/directory';
import { analyzeEvidence } from '../../src/domain/evidence-analysis';
import { GraphDirectory, GraphLookupError, type GraphDirectoryOptions } from '../../src/graph/graph-directory';
import { SlidingWindowLimiter } from '../../src/graph/rate-limiter';
import { FakeGraphServer } from '../support/fake-graph-server';
import { tokenDouble } from './graph-test-kit';
import { buildRealTenant } from './real-tenant-fixture';

const NOW = new Date('2026-03-10T12:34:56.789Z');
const TOKEN = 'real-tenant-token';

function evidenceOf(result: LookupResult): EvidenceSnapshot {
  assert.equal(result.ok, true, `expected evidence, got ${JSON.stringify(!result.ok && result.failure)}`);
  return (result as Extract<LookupResult, { ok: true }>).evidence;
}

function failureOf(result: LookupResult) {
  assert.equal(result.ok, false, 'expected a failure');
  return (result as Extract<LookupResult, { ok: false }>).failure;
}

/**
 * What a real tenant does that the happy path does not: a company proxy answering for Graph,
 * an app without a Conditional Access permission, parts of a lookup failing, hybrid PCs without
 * an owner, pass-through and federated users, slow sign-in queries, and Conditional Access
 * policy reads limited to about one per second.
 */
describe('GraphDirectory in a real tenant', () => {
  let server: FakeGraphServer;
  before(async () => {
    server = await FakeGraphServer.start(buildRealTenant(NOW), { requireToken: TOKEN, reportsLimit: false });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  function graph(overrides: Partial<GraphDirectoryOptions> = {}): GraphDirectory {
    return new GraphDirectory({
      credential: tokenDouble({ token: TOKEN }),
      baseUrl: server.url,
      timeBudgetMs: 5000,
      reportsRateLimit: { maxRequests: 1000, windowMs: 1000, marginMs: 0 },
      tenantFeed: false,
      ...overrides,
    });
  }

  describe('answers that are not Graph JSON', () => {
    it('when a company proxy answers every call with a 200 HTML page, then the lookup has no evidence (unavailable, naming the proxy) instead of empty evidence', async () => {
      server.htmlProxy = {};
      const failure = failureOf(await graph().lookup('rt-cloud', { now: NOW }));
      assert.equal(failure.kind, 'unavailable');
      assert.match(failure.adminDetail ?? '', /text\/html.*proxy|proxy.*text\/html/s);
      assert.doesNotMatch(failure.message, /proxy|html|Graph/i, 'plain words for the employee');
      // Without evidence the diagnosis says so and is never high: the words alone cannot settle it.
      const d = diagnose({ answers: { 'error-code': '0x8004de40' } });
      assert.equal(d.evidenceBacked, false);
      assert.notEqual(confidenceLabel(d.confidence), 'high');
    });

    it('when the proxy blocks with a 403 HTML page, then it is still "unavailable", not a missing permission', async () => {
      server.htmlProxy = { status: 403 };
      const failure = failureOf(await graph().lookup('rt-cloud', { now: NOW }));
      assert.equal(failure.kind, 'unavailable');
      await assert.rejects(graph().findUserIdByUpn('ada.brook@contoso.test'), (e: unknown) => e instanceof GraphLookupError && e.failure.kind === 'unavailable');
    });

    it('when something answers $batch with JSON that is not a batch answer, then nothing in it is taken as evidence', async () => {
      server.failNext(/\/\$batch$/, 1, { status: 200, body: { status: 'ok', message: 'Welcome' } });
      const failure = failureOf(await graph().lookup('rt-cloud', { now: NOW }));
      assert.equal(failure.kind, 'unavailable');
      assert.match(failure.adminDetail ?? '', /not Microsoft Graph's/);
    });

    it('when only the licence answer is not Graph JSON, then the licences are unknown (a named gap), never "no licence"', async () => {
      server.failNext(/licenseDetails/, 1, { status: 200, body: '<html>Blocked</html>' });
      const evidence = evidenceOf(await graph().lookup('rt-cloud', { now: NOW }));
      assert.equal(evidence.user.licenseDetails, undefined);
      assert.deepEqual(
        evidence.gapDetails?.map((g) => [g.part, g.reason]),
        [['licences', 'unavailable']],
      );
      assert.match(evidence.gaps[0]!, /^Your licences \(the answer was not from Microsoft Graph\)$/);
      const analysis = analyzeEvidence(evidence, NOW);
      assert.equal(analysis.licence, 'unknown');
      assert.ok(
        !diagnose({ answers: {}, evidence: analysis })
          .ranked.find((r) => r.causeId === 'license-missing')!
          .findings.some((f) => f.weight > 0),
        'no licence finding',
      );
    });
  });

  describe('without a Conditional Access permission', () => {
    it('when sign-ins come without appliedConditionalAccessPolicies, then the gap names the policy permissions Microsoft documents, and 53003 still points to Conditional Access', async () => {
      server.policyPermission = false;
      const evidence = evidenceOf(await graph().lookup('rt-cloud', { now: NOW }));
      const gap = evidence.gapDetails?.find((g) => g.part === 'policy-results');
      assert.deepEqual(gap, {
        part: 'policy-results',
        what: 'Which Conditional Access policies applied to your sign-ins (needs Policy.Read.All, Policy.Read.ConditionalAccess or Policy.ReadWrite.ConditionalAccess)',
        reason: 'permission',
        permissions: ['Policy.Read.All', 'Policy.Read.ConditionalAccess', 'Policy.ReadWrite.ConditionalAccess'],
      });
      assert.ok(
        evidence.signIns.every((e) => e.appliedConditionalAccessPolicies === undefined),
        'as Graph sends them',
      );
      assert.equal(server.count(/conditionalAccess\/policies/), 0, 'no policy to read');
      const analysis = analyzeEvidence(evidence, NOW);
      assert.equal(analysis.policyResultsMissing, true);
      assert.equal(diagnose({ answers: {}, evidence: analysis }).leading, 'conditional-access-block');
    });
  });

  describe('a part of the lookup failing', () => {
    it('when the device reads are refused, then the devices are a named gap with the permission, and the sign-ins and licences are kept', async () => {
      server.denyNext(/ownedDevices|registeredDevices/);
      const evidence = evidenceOf(await graph().lookup('rt-cloud', { now: NOW }));
      assert.ok(evidence.signIns.length > 0 && evidence.user.licenseDetails!.length > 0, 'the rest is kept');
      assert.deepEqual(
        evidence.gapDetails?.find((g) => g.part === 'devices'),
        {
          part: 'devices',
          what: 'Your registered devices (needs Device.Read.All or Directory.Read.All)',
          reason: 'permission',
          permissions: ['Device.Read.All', 'Directory.Read.All'],
        },
      );
    });

    it('when the licence read keeps failing with 503, then the licences are a gap and the lookup still succeeds within the budget', async () => {
      server.unavailableNext(/licenseDetails/);
      const evidence = evidenceOf(await graph({ timeBudgetMs: 2000 }).lookup('rt-cloud', { now: NOW }));
      assert.equal(evidence.gapDetails?.[0]?.part, 'licences');
      assert.equal(evidence.gapDetails?.[0]?.reason, 'unavailable');
      assert.ok(evidence.signIns.length > 0);
    });

    it('when the failing policy cannot be read (503), then the policy is a gap and the sign-in log still names it', async () => {
      server.unavailableNext(/conditionalAccess\/policies/);
      const evidence = evidenceOf(await graph({ timeBudgetMs: 2500 }).lookup('rt-cloud', { now: NOW }));
      assert.deepEqual(evidence.conditionalAccessPolicies, []);
      assert.equal(evidence.gapDetails?.find((g) => g.part === 'policy-details')?.reason, 'unavailable');
      assert.deepEqual(analyzeEvidence(evidence, NOW).failedPolicies, ['Block unmanaged sync']);
    });

    it('when a busy lookup is served from the tenant feed and its licence read fails, then the gap is named there too', async () => {
      const limiter = new SlidingWindowLimiter({ maxRequests: 5, windowMs: 60_000 });
      for (let i = 0; i < 4; i++) limiter.tryAcquire();
      server.denyNext(/licenseDetails/);
      const directory = graph({ reportsLimiter: limiter, tenantFeed: {}, clock: () => NOW });
      const evidence = evidenceOf(await directory.lookup('rt-cloud', { now: NOW }));
      assert.equal(directory.stats.fromFeed, 1, 'from the feed');
      assert.deepEqual(
        evidence.gapDetails?.map((g) => g.part),
        ['licences'],
      );
      assert.deepEqual(evidence.gapDetails?.[0]?.permissions, ['User.Read.All', 'Directory.Read.All']);
    });
  });

  describe('devices found by the sign-ins (hybrid PCs without an owner)', () => {
    it('when the PC has no registered owner, then it is found by deviceDetail.deviceId and the device-trust finding is made', async () => {
      const evidence = evidenceOf(await graph().lookup('rt-hybrid-pc', { now: NOW }));
      const pc = evidence.devices.find((d) => d.displayName === 'CONTOSO-DE01');
      assert.ok(pc, 'the hybrid PC is in the evidence');
      assert.equal(pc.foundBy, 'sign-in');
      assert.equal(pc.trustType, 'ServerAd');
      const lookups = server.routed.filter((r) => r.url.includes('/devices?')).map((r) => decodeURIComponent(r.url));
      assert.equal(lookups.length, 1, 'one device read');
      assert.match(lookups[0]!, new RegExp(`\\$filter=deviceId eq '${pc.deviceId}'`));
      const analysis = analyzeEvidence(evidence, NOW);
      assert.equal(analysis.ownsCompanyDevice, false, 'no device is registered to the user');
      assert.equal(analysis.usesCompanyDevice, true);
      assert.equal(analysis.deviceTrustMissing, true);
      const d = diagnose({ answers: {}, evidence: analysis });
      assert.equal(d.leading, 'device-trust-broken');
      assert.ok(
        d.ranked[0]!.findings.some((f) => /carried no device identity/.test(f.text)),
        'the device-trust finding',
      );
    });

    it('when the PC is disabled in Entra, then the evidence says so and 135011 points to the device', async () => {
      const evidence = evidenceOf(await graph().lookup('rt-disabled-pc', { now: NOW }));
      const analysis = analyzeEvidence(evidence, NOW);
      assert.equal(analysis.deviceDisabled, true);
      assert.equal(diagnose({ answers: {}, evidence: analysis }).leading, 'device-trust-broken');
    });

    it('when the device read is refused, then the sign-in devices are a named gap', async () => {
      server.denyNext(/\/devices\?/);
      const evidence = evidenceOf(await graph().lookup('rt-hybrid-pc', { now: NOW }));
      assert.deepEqual(evidence.gapDetails?.find((g) => g.part === 'sign-in-devices')?.permissions, ['Device.Read.All', 'Directory.Read.All']);
    });
  });

  describe('password hash sync, pass-through and federation', () => {
    const verdict = async (userId: string) => {
      const evidence = evidenceOf(await graph().lookup(userId, { now: NOW }));
      const analysis = analyzeEvidence(evidence, NOW);
      const d = diagnose({ answers: { 'password-changed': 'yes' }, evidence: analysis });
      return { evidence, analysis, d };
    };

    it('when a synced user signs in through password hash sync and changed the password, then a sync delay is suggested', async () => {
      const { evidence, analysis, d } = await verdict('rt-phs');
      assert.deepEqual(evidence.authentication, { method: 'password-hash-sync', domain: 'contoso.test', source: 'sign-ins' });
      assert.equal(analysis.passwordSyncPossible, true);
      assert.equal(d.leading, 'password-sync-delay');
    });

    it('when a synced user signs in through pass-through authentication, then no sync delay is suggested', async () => {
      const { evidence, analysis, d } = await verdict('rt-pta');
      assert.deepEqual(evidence.authentication, { method: 'pass-through', domain: 'pta.contoso.test', source: 'sign-ins' });
      assert.equal(analysis.passwordSyncPossible, false);
      assert.notEqual(d.leading, 'password-sync-delay');
      assert.ok(d.ranked.find((r) => r.causeId === 'password-sync-delay')!.score < 0, 'argued against');
    });

    it('when the user domain is federated, then the method is federation (from the domain) and no sync delay is suggested', async () => {
      const { evidence, d } = await verdict('rt-fed');
      assert.deepEqual(evidence.authentication, { method: 'federated', domain: 'fed.contoso.test', source: 'domain' });
      assert.notEqual(d.leading, 'password-sync-delay');
      assert.equal(server.count(/\/domains/), 1, 'the domains were read');
    });

    it('when the domains were read once, then later lookups reuse them', async () => {
      const directory = graph();
      evidenceOf(await directory.lookup('rt-phs', { now: NOW }));
      evidenceOf(await directory.lookup('rt-fed', { now: NOW }));
      assert.equal(server.count(/\/domains/), 1);
    });
  });

  describe('slow sign-in queries', () => {
    it('when the sign-in query is slower than the budget, then the lookup times out; with a longer budget for the call, the evidence arrives', async () => {
      server.slowReportsMs = 1200;
      const directory = graph({ timeBudgetMs: 600 });
      assert.equal(failureOf(await directory.lookup('rt-cloud', { now: NOW })).kind, 'timeout');
      const evidence = evidenceOf(await directory.lookup('rt-cloud', { now: NOW, budgetMs: 10_000 }));
      assert.ok(evidence.signIns.length > 0);
    });

    it('when a second lookup of the same user starts while a long one runs, then it shares that read', async () => {
      server.slowReportsMs = 800;
      const directory = graph({ timeBudgetMs: 300 });
      const long = directory.lookup('rt-mfa', { now: NOW, budgetMs: 10_000 });
      const short = directory.lookup('rt-mfa', { now: NOW });
      const [a, b] = await Promise.all([long, short]);
      assert.deepEqual(evidenceOf(a), evidenceOf(b));
      assert.equal(server.count(/auditLogs\/signIns/), 1, 'one sign-in read');
    });
  });

  describe('Conditional Access policies: one at a time, within their own budget', () => {
    it('when three lookups fail three policies at once, then each policy is read on its own about a second apart, and only failing policies are read, once', async () => {
      const directory = graph({ timeBudgetMs: 8000, cacheTtlMs: 0 });
      const users = ['rt-cloud', 'rt-noncompliant', 'rt-mfa'];
      const results = await Promise.all(users.map((u) => directory.lookup(u, { now: NOW })));
      for (const r of results) assert.equal(evidenceOf(r).conditionalAccessPolicies.length, 1, 'its policy details');
      const reads = server.routed
        .filter((r) => /conditionalAccess\/policies\//.test(r.url))
        .map((r) => r.at)
        .sort((a, b) => a - b);
      assert.equal(reads.length, 3, 'only the three failing policies');
      for (let i = 1; i < reads.length; i++) assert.ok(reads[i]! - reads[i - 1]! >= 900, `reads ${reads[i]! - reads[i - 1]!} ms apart`);
      await Promise.all(users.map((u) => directory.lookup(u, { now: NOW })));
      assert.equal(server.routed.filter((r) => /conditionalAccess\/policies\//.test(r.url)).length, 3, 'cached afterwards');
    });
  });
});
