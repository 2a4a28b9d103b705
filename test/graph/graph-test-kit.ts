/**
 * Shared by the Graph tests, the Graph e2e test and bench/graph-burst.ts: a TokenCredential
 * double, fake (unsigned) access tokens, a generated Graph-shaped tenant of N employees,
 * and the burst runner (N employees asking within a time span, against the fake Graph server
 * that enforces the reports-API limit).
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { diagnose } from '../../src/domain/diagnosis';
import type { EvidenceSnapshot, LookupResult } from '../../src/domain/directory';
import { analyzeEvidence } from '../../src/domain/evidence-analysis';
import { GraphDirectory, type GraphDirectoryStats, type TenantFeedOptions } from '../../src/graph/graph-directory';
import { TenantBuilder, e3Licence, exchangeOnlyLicence, type DemoTenant, type NetworkSpot, type UserSpec } from '../../src/graph/tenant-builder';
import { DemoTenantDirectory } from '../../src/graph/demo-tenant-directory';
import { FakeGraphServer } from '../support/fake-graph-server';

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

/** An unsigned JWT (header.payload.) carrying `claims`: enough for code that only decodes it. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

export type TokenDouble = TokenCredential & { calls: number; scopes: string[] };

/** A TokenCredential double: counts getToken calls and never touches the network. */
export function tokenDouble(options: { token?: string; lifetimeMs?: number; fail?: Error } = {}): TokenDouble {
  const double: TokenDouble = {
    calls: 0,
    scopes: [],
    async getToken(scopes: string | string[]): Promise<AccessToken | null> {
      double.calls += 1;
      double.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
      if (options.fail) throw options.fail;
      return { token: options.token ?? 'fake-graph-token', expiresOnTimestamp: Date.now() + (options.lifetimeMs ?? 3600e3) };
    },
  };
  return double;
}

// ---------------------------------------------------------------------------
// A generated tenant
// ---------------------------------------------------------------------------

const D = 24;
const OFFICE: NetworkSpot = { ipAddress: '203.0.113.80', city: 'Chicago', state: 'Illinois', countryOrRegion: 'US' };
const HOME: NetworkSpot = { ipAddress: '198.51.100.47', city: 'Evanston', state: 'Illinois', countryOrRegion: 'US' };

/** The kinds of employee the burst tenant cycles through (one OneDrive story each). */
export const BURST_PROFILES = [
  'stale-credentials',
  'conditional-access-block',
  'device-not-compliant',
  'mfa-required',
  'account-locked',
  'account-disabled',
  'password-expired',
  'license-missing',
  'no-events',
  'account-mismatch',
  'onedrive-silent',
  'session-expired',
] as const;
export type BurstProfile = (typeof BURST_PROFILES)[number];

/**
 * `employees` users (ids `burst-0001`…), cycling through BURST_PROFILES, with about 8 sign-ins
 * each in the last 47 hours (OneDrive sync, Office, Outlook and Teams only) and a few older
 * ones outside the 48-hour window. Users of the `no-events` profile have no sign-ins at all.
 */
export function buildBurstTenant(now: Date, employees: number): { tenant: DemoTenant; users: Array<{ id: string; profile: BurstProfile }> } {
  const b = new TenantBuilder(now, 'b0257000');
  const block = b.addPolicy({ displayName: 'Block unmanaged sync', grantControls: { operator: 'OR', builtInControls: ['block'] } });
  const compliant = b.addPolicy({ displayName: 'Require compliant device for OneDrive', grantControls: { operator: 'OR', builtInControls: ['compliantDevice'] } });
  const frequency = b.addPolicy({
    displayName: 'Sign-in frequency 4 hours',
    grantControls: null,
    sessionControls: { signInFrequency: { value: 4, type: 'hours', isEnabled: true } },
  });
  const users: Array<{ id: string; profile: BurstProfile }> = [];

  for (let i = 0; i < employees; i++) {
    const profile = BURST_PROFILES[i % BURST_PROFILES.length]!;
    const id = `burst-${String(i + 1).padStart(4, '0')}`;
    const jitter = (i % 7) * 0.05; // spread timestamps a little between users
    const spec: UserSpec = {
      id,
      displayName: `Burst Employee ${i + 1}`,
      userPrincipalName: `burst.employee.${i + 1}@contoso.test`,
      createdHoursAgo: 300 * D,
      passwordChangedHoursAgo: 100 * D,
      onPremisesSyncEnabled: false,
      licenseDetails: profile === 'license-missing' ? exchangeOnlyLicence() : e3Licence(),
      spot: i % 3 === 0 ? HOME : OFFICE,
      accountEnabled: profile !== 'account-disabled',
    };
    if (profile === 'stale-credentials') spec.passwordChangedHoursAgo = 1 * D;
    if (profile === 'password-expired') spec.passwordChangedHoursAgo = 91 * D;
    b.addUser(spec);
    b.addDevice(id, {
      displayName: `CONTOSO-B${String(i + 1).padStart(4, '0')}`,
      isCompliant: profile !== 'device-not-compliant',
      isManaged: true,
      trustType: 'AzureAd',
      lastSignInHoursAgo: 1,
    });
    users.push({ id, profile });

    const otherAppsWork = (): void => {
      b.signIn(id, { app: 'outlook', hoursAgo: 6 + jitter, interactive: true });
      b.signIn(id, { app: 'outlook', hoursAgo: 3 + jitter });
      b.signIn(id, { app: 'teams', hoursAgo: 2 + jitter });
    };
    const at = (hours: number[]): number[] => hours.map((h) => h + jitter);
    switch (profile) {
      case 'stale-credentials':
        b.series(id, at([40, 30]), { app: 'oneDriveSync' });
        b.series(id, at([20, 10, 2]), { app: 'oneDriveSync', errorCode: 50126 });
        otherAppsWork();
        break;
      case 'conditional-access-block':
        b.series(id, at([26, 14, 5, 1]), { app: 'oneDriveSync', errorCode: 53003, policies: [b.applied(block, 'failure', ['Block'])] });
        otherAppsWork();
        break;
      case 'device-not-compliant':
        b.series(id, at([20, 8, 2]), { app: 'oneDriveSync', errorCode: 530003, policies: [b.applied(compliant, 'failure', ['RequireCompliantDevice'])] });
        otherAppsWork();
        break;
      case 'mfa-required':
        b.series(id, at([22, 12, 4, 1]), { app: 'oneDriveSync', errorCode: 50076 });
        b.signIn(id, { app: 'office', hoursAgo: 7 + jitter, errorCode: 50058 });
        otherAppsWork();
        break;
      case 'account-locked':
        b.series(id, at([40, 30]), { app: 'oneDriveSync' });
        b.series(id, at([4, 2, 0.5]), { app: 'oneDriveSync', errorCode: 50053 });
        b.signIn(id, { app: 'outlook', hoursAgo: 1.5 + jitter, errorCode: 50053, interactive: true });
        b.signIn(id, { app: 'teams', hoursAgo: 1 + jitter, errorCode: 50053, interactive: true });
        break;
      case 'account-disabled':
        b.series(id, at([10, 3]), { app: 'oneDriveSync', errorCode: 50057 });
        b.signIn(id, { app: 'outlook', hoursAgo: 2 + jitter, errorCode: 50057, interactive: true });
        b.signIn(id, { app: 'teams', hoursAgo: 1 + jitter, errorCode: 50057, interactive: true });
        break;
      case 'password-expired':
        b.series(id, at([8, 2]), { app: 'oneDriveSync', errorCode: 50055, interactive: true });
        b.signIn(id, { app: 'outlook', hoursAgo: 3 + jitter, errorCode: 50055, interactive: true });
        b.signIn(id, { app: 'teams', hoursAgo: 1 + jitter, errorCode: 50055, interactive: true });
        break;
      case 'license-missing':
        b.series(id, at([5, 1]), { app: 'oneDriveSync' });
        otherAppsWork();
        break;
      case 'no-events':
        break; // absent from every read: "no OneDrive attempts" must still be true through the feed
      case 'account-mismatch':
        b.series(id, at([30, 12, 3, 0.5]), { app: 'oneDriveSync' });
        b.signIn(id, { app: 'office', hoursAgo: 8 + jitter, errorCode: 50058 });
        otherAppsWork();
        break;
      case 'onedrive-silent':
        b.series(id, at([100, 96]), { app: 'oneDriveSync', spot: HOME }); // outside the window
        otherAppsWork();
        break;
      case 'session-expired': {
        const freq = [b.applied(frequency, 'success', [], ['SignInFrequency'])];
        b.series(id, at([15, 5]), { app: 'oneDriveSync', errorCode: 70043, policies: freq });
        b.signIn(id, { app: 'oneDriveSync', hoursAgo: 1 + jitter, errorCode: 700082 });
        b.signIn(id, { app: 'outlook', hoursAgo: 3 + jitter, interactive: true, policies: freq });
        break;
      }
    }
  }
  return { tenant: b.build(), users };
}

// ---------------------------------------------------------------------------
// The burst
// ---------------------------------------------------------------------------

export interface BurstOptions {
  employees?: number;
  /**
   * Time compression: 1 is real time (5 reports requests per 10 s, arrivals over 60 s);
   * 10 shrinks every rate window, the arrival span and the feed's refresh timings tenfold
   * (5 per 1 s, over 6 s), on the server and in the client alike.
   */
  scale?: number;
  /** The lookup time budget (not scaled: it is what an employee waits at most); default 8000 ms. */
  timeBudgetMs?: number;
  /** Client-side spacing margin of the limiter; default 250 ms / scale, at least 100 ms. */
  marginMs?: number;
  /** Extra feed options (after the scaled defaults). */
  feed?: TenantFeedOptions;
  now?: Date;
}

export interface BurstLookup {
  userId: string;
  profile: BurstProfile;
  result: LookupResult;
  latencyMs: number;
  /** Arrival offset from the burst start (ms). */
  arrivedAtMs: number;
}

export interface BurstReport {
  lookups: BurstLookup[];
  tenant: DemoTenant;
  now: Date;
  windowMs: number;
  maxPerWindow: number;
  /** Reports-API requests the server saw, by arrival (ms since the burst start). */
  reportsArrivals: number[];
  /** Most reports requests in any sliding window, counted from the server's arrivals. */
  maxReportsInAnyWindow: number;
  serverBreaches: number;
  serverMaxReportsInWindow: number;
  httpRequests: number;
  tokenCalls: number;
  stats: GraphDirectoryStats;
  feedStats?: Record<string, number>;
  elapsedMs: number;
}

/** The most timestamps in any window of `windowMs`. */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Runs `employees` lookups for distinct users of a generated tenant, arriving over one (scaled)
 * minute, front-loaded like a Monday morning (half of them in the first quarter), against the
 * fake Graph server that answers 429 beyond 5 reports requests per (scaled) 10 s.
 */
export async function runBurst(options: BurstOptions = {}): Promise<BurstReport> {
  const employees = options.employees ?? 300;
  const scale = options.scale ?? 1;
  const now = options.now ?? new Date('2026-03-10T12:34:56.789Z');
  const windowMs = 10_000 / scale;
  const spanMs = 60_000 / scale;
  const maxPerWindow = 5;
  const { tenant, users } = buildBurstTenant(now, employees);
  const token = 'burst-token';
  const server = await FakeGraphServer.start(tenant, { requireToken: token, reportsLimit: { max: maxPerWindow, windowMs } });
  const credential = tokenDouble({ token });
  const started = Date.now();
  const clock = (): Date => new Date(now.getTime() + (Date.now() - started));
  const directory = new GraphDirectory({
    credential,
    baseUrl: server.url,
    clock,
    timeBudgetMs: options.timeBudgetMs ?? 8000,
    reportsRateLimit: { maxRequests: maxPerWindow, windowMs, marginMs: options.marginMs ?? Math.max(100, 250 / scale) },
    tenantFeed: { maxAgeMs: 10_000 / scale, minRefreshIntervalMs: 5_000 / scale, morePagesWaitMs: 1_000 / scale, ...options.feed },
  });
  try {
    const lookups = await Promise.all(
      users.map(async ({ id, profile }, i) => {
        const arriveAt = spanMs * (i / employees) ** 2;
        await new Promise((resolve) => setTimeout(resolve, arriveAt));
        const t0 = Date.now();
        const result = await directory.lookup(id);
        return { userId: id, profile, result, latencyMs: Date.now() - t0, arrivedAtMs: t0 - started };
      }),
    );
    const arrivals = server.reportsArrivals().map((t) => t - started);
    return {
      lookups,
      tenant,
      now,
      windowMs,
      maxPerWindow,
      reportsArrivals: arrivals,
      maxReportsInAnyWindow: maxInWindow(arrivals, windowMs),
      serverBreaches: server.breaches,
      serverMaxReportsInWindow: server.maxReportsInWindow,
      httpRequests: server.httpRequests.length,
      tokenCalls: credential.calls,
      stats: { ...directory.stats },
      feedStats: directory.tenantFeed ? { ...directory.tenantFeed.stats } : undefined,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await server.close();
  }
}

/** The diagnosis (no answers yet) that evidence leads to, in comparable form. */
export function diagnosisOf(evidence: EvidenceSnapshot, now: Date): { leading: string; confidence: number; clear: boolean; ranked: string[]; oneDriveAttempts: boolean } {
  const analysis = analyzeEvidence(evidence, now);
  const d = diagnose({ answers: {}, evidence: analysis });
  return { leading: d.leading, confidence: d.confidence, clear: d.clear, ranked: d.ranked.map((r) => `${r.causeId}:${r.confidence}`), oneDriveAttempts: analysis.oneDriveAttempts };
}

/** Checks each burst lookup against the per-user demo directory; returns the mismatches in words. */
export async function compareWithDemo(report: BurstReport): Promise<string[]> {
  const demo = new DemoTenantDirectory(report.tenant, { windowHours: 48, source: 'demo tenant' });
  const problems: string[] = [];
  for (const l of report.lookups) {
    if (!l.result.ok) {
      problems.push(`${l.userId} (${l.profile}): lookup failed: ${l.result.failure.kind} ${l.result.failure.adminDetail ?? ''}`);
      continue;
    }
    const expected = await demo.lookup(l.userId, { now: report.now });
    if (!expected.ok) {
      problems.push(`${l.userId}: the demo directory failed`);
      continue;
    }
    const got = diagnosisOf(l.result.evidence, report.now);
    const want = diagnosisOf(expected.evidence, report.now);
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${l.userId} (${l.profile}): graph ${JSON.stringify(got)} vs demo ${JSON.stringify(want)}`);
    const ids = (e: EvidenceSnapshot): string =>
      e.signIns
        .map((s) => s.id)
        .sort()
        .join(',');
    if (ids(l.result.evidence) !== ids(expected.evidence)) problems.push(`${l.userId} (${l.profile}): sign-in ids differ`);
  }
  return problems;
}

/**
 * Mocha hooks for a suite that runs against one fake Graph server: started once, reset before
 * each test (faults, counters, page size 1000, no reports limit, and the tenant). `use` receives the server and the
 * tenant each time they change.
 */
export function useFakeGraph(
  tenantOf: () => DemoTenant,
  token: string,
  use: (server: FakeGraphServer, tenant: DemoTenant) => void,
  options: { freshTenantEachTest?: boolean } = {},
): void {
  let server: FakeGraphServer;
  let tenant: DemoTenant;
  before(async () => {
    tenant = tenantOf();
    server = await FakeGraphServer.start(tenant, { requireToken: token, reportsLimit: false });
    use(server, tenant);
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    server.tenant = options.freshTenantEachTest ? tenantOf() : tenant;
    server.pageSize = 1000;
    server.reportsLimit = false;
  });
}
