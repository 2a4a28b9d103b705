/**
 * The directory read from Microsoft Graph (the production DirectoryPort).
 *
 * Two ways to read one employee's evidence:
 *
 *  - Per user (quiet times): ONE round trip, a beta JSON batch holding the user, licences,
 *    owned and registered devices, and the first page of interactive and non-interactive
 *    sign-ins (non-interactive sign-ins only exist in beta, and a batch cannot mix versions).
 *    A second batch follows only when there is more to read: further sign-in pages (up to
 *    `maxPages` per stream) and the Conditional Access policies that failed a sign-in.
 *    It costs 2 of the reports API's ~5 requests per 10 s per tenant.
 *  - From the tenant-wide sign-in feed (busy times, see tenant-signin-feed.ts): the sign-ins
 *    come from a shared, recently refreshed read of everyone's OneDrive and Office sign-ins,
 *    and the lookup itself is one v1.0 batch (user, licences, devices, failing policies) that
 *    never touches the reports API.
 *
 * A lookup reads per user when the reports limiter can take its 2 requests and still leave
 * room for one feed refresh; otherwise (a burst) it joins the feed. A feed snapshot that is
 * fresh and covers the whole window serves every lookup, quiet or not, since it holds the
 * same OneDrive and Office events a per-user read would.
 */
import type { TokenCredential } from '@azure/identity';
import type {
  ConditionalAccessPolicy,
  DirectoryDevice,
  DirectoryPort,
  DirectoryUser,
  EvidenceSnapshot,
  LicenseDetail,
  LookupFailure,
  LookupResult,
  SignInEvent,
} from '../domain/directory';
import { CLOUD_HINT, GraphHttp, GraphLookupError, NETWORK_ERROR_STATUS, graphError, type BatchItem, type GraphLogger, type GraphResponse, type RequestContext } from './graph-http';
import { EVENT_TYPE, STREAMS, failingPolicyIds, nextLinkOf, normaliseSignIn, odataString, relativeBetaUrl, stripOData, valueOf, type SignInStream } from './graph-shapes';
import { SlidingWindowLimiter } from './rate-limiter';
import { FeedNotUsableError, TenantSignInFeed, type FeedSnapshot, type TenantFeedOptions } from './tenant-signin-feed';

export { GraphLookupError, type GraphLogger } from './graph-http';
export type { TenantFeedOptions } from './tenant-signin-feed';

export interface GraphDirectoryOptions {
  credential: TokenCredential;
  /** Graph root for the cloud in use; default https://graph.microsoft.com. */
  baseUrl?: string;
  /** Hours of sign-ins to read; default 48. */
  windowHours?: number;
  /** Pages per sign-in stream (interactive, non-interactive); default 5. */
  maxPages?: number;
  /** Page size asked for ($top); default 100. */
  pageSize?: number;
  /** Whole-lookup budget, retries and limiter waits included; default 8000 ms. */
  timeBudgetMs?: number;
  /** How long a user's evidence is reused; default 60 000 ms (0 disables the cache). */
  cacheTtlMs?: number;
  /** Token scope; default `${baseUrl}/.default`. */
  scope?: string;
  /** Read failing Conditional Access policies (needs Policy.Read.All); default true. */
  readPolicies?: boolean;
  fetch?: typeof fetch;
  clock?: () => Date;
  logger?: GraphLogger;
  /**
   * The tenant's reports-API limiter. Share one instance between every GraphDirectory of
   * the same tenant; default: a new one of 5 requests per 10 s (or `reportsRateLimit`).
   */
  reportsLimiter?: SlidingWindowLimiter;
  reportsRateLimit?: { maxRequests: number; windowMs: number; marginMs?: number };
  /** Retries per request after the first attempt; default 4. */
  maxRetries?: number;
  /** First backoff step when Graph sends no Retry-After; default 250 ms. */
  backoffBaseMs?: number;
  /**
   * The tenant-wide sign-in feed used in bursts (see tenant-signin-feed.ts); `false` turns it
   * off, so every lookup reads its own sign-ins (and waits on the limiter in a burst).
   */
  tenantFeed?: TenantFeedOptions | false;
  /** How long Conditional Access policy details are reused across lookups; default 600 000 ms. */
  policyCacheTtlMs?: number;
}

/** How lookups were served, for logs, tests and the burst benchmark. */
export interface GraphDirectoryStats {
  /** Lookups that read their own sign-ins. */
  perUser: number;
  /** Lookups served from the tenant-wide feed. */
  fromFeed: number;
  /** Lookups routed to the feed that read per user after all (feed refused or too short). */
  feedFallbacks: number;
  /** Lookups answered from the evidence cache. */
  cached: number;
}

const HOUR = 3_600_000;
const SOURCE = 'Microsoft Graph';
const MAX_CACHED_USERS = 500;
const MAX_POLICY_READS = 10;

const USER_SELECT = 'id,displayName,userPrincipalName,mail,accountEnabled,createdDateTime,lastPasswordChangeDateTime,onPremisesSyncEnabled';
const LICENCE_SELECT = 'skuPartNumber,servicePlans';
const DEVICE_SELECT = 'id,deviceId,displayName,operatingSystem,isCompliant,isManaged,trustType,approximateLastSignInDateTime';

export const POLICY_GAP = 'Conditional Access policy details (needs Policy.Read.All)';

type Stream = SignInStream;

export class GraphDirectory implements DirectoryPort {
  private readonly http: GraphHttp;
  private readonly baseUrl: string;
  private readonly scope: string;
  private readonly windowHours: number;
  private readonly maxPages: number;
  private readonly pageSize: number;
  private readonly timeBudgetMs: number;
  private readonly cacheTtlMs: number;
  private readonly readPolicies: boolean;
  private readonly clock: () => Date;
  private readonly logger?: GraphLogger;
  private readonly cache = new Map<string, { expiresAt: number; evidence: EvidenceSnapshot }>();
  private readonly inFlight = new Map<string, Promise<LookupResult>>();
  /** A configuration problem found up front (scope and Graph in different clouds). */
  private readonly configProblem?: LookupFailure;
  private readonly limiter: SlidingWindowLimiter;
  private readonly feed?: TenantSignInFeed;
  /** Per-user reads that have been routed but have not had their first answer yet. */
  private perUserPending = 0;
  private readonly policyCacheTtlMs: number;
  private readonly policyCache = new Map<string, { policy: ConditionalAccessPolicy; expiresAt: number }>();
  /** Policy.Read.All was refused: skip policy reads (and report the gap) until then. */
  private policiesDeniedUntil = 0;
  readonly stats: GraphDirectoryStats = { perUser: 0, fromFeed: 0, feedFallbacks: 0, cached: 0 };

  constructor(options: GraphDirectoryOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
    this.scope = options.scope ?? `${this.baseUrl}/.default`;
    this.windowHours = options.windowHours ?? 48;
    this.maxPages = Math.max(1, options.maxPages ?? 5);
    this.pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 100));
    this.timeBudgetMs = options.timeBudgetMs ?? 8000;
    this.cacheTtlMs = options.cacheTtlMs ?? 60_000;
    this.readPolicies = options.readPolicies ?? true;
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger;
    const limiter = (this.limiter =
      options.reportsLimiter ??
      new SlidingWindowLimiter({
        maxRequests: options.reportsRateLimit?.maxRequests ?? 5,
        windowMs: options.reportsRateLimit?.windowMs ?? 10_000,
        marginMs: options.reportsRateLimit?.marginMs ?? 250,
      }));
    this.http = new GraphHttp({
      credential: options.credential,
      baseUrl: this.baseUrl,
      scope: this.scope,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      clock: this.clock,
      logger: options.logger,
      reportsLimiter: limiter,
      maxRetries: options.maxRetries,
      backoffBaseMs: options.backoffBaseMs,
    });
    this.configProblem = scopeMismatch(this.baseUrl, this.scope);
    this.policyCacheTtlMs = options.policyCacheTtlMs ?? 600_000;
    if (options.tenantFeed !== false) {
      this.feed = new TenantSignInFeed(
        {
          http: this.http,
          limiter,
          baseUrl: this.baseUrl,
          clock: this.clock,
          logger: this.logger,
          timeBudgetMs: this.timeBudgetMs,
          windowHours: this.windowHours,
          failureFor: (response) => this.failureFor('signIns', response),
        },
        options.tenantFeed ?? {},
      );
    }
  }

  /** The tenant-wide feed, when enabled (for tests and the burst benchmark). */
  get tenantFeed(): TenantSignInFeed | undefined {
    return this.feed;
  }

  async lookup(userId: string, options: { now?: Date; signal?: AbortSignal } = {}): Promise<LookupResult> {
    if (this.configProblem) return { ok: false, failure: this.configProblem };
    const cached = this.cache.get(userId);
    if (cached && cached.expiresAt > this.clock().getTime()) {
      this.stats.cached += 1;
      this.logger?.debug?.({ source: SOURCE, cached: true }, 'directory lookup served from cache');
      return { ok: true, evidence: cached.evidence };
    }
    const running = this.inFlight.get(userId);
    if (running) return running;
    const promise = this.lookupUncached(userId, options).finally(() => this.inFlight.delete(userId));
    this.inFlight.set(userId, promise);
    return promise;
  }

  async findUserIdByUpn(upn: string): Promise<string | undefined> {
    if (this.configProblem) throw new GraphLookupError(this.configProblem);
    const { ctx, dispose } = this.http.context(this.timeBudgetMs);
    try {
      const response = await this.http.get(ctx, `${this.baseUrl}/v1.0/users/${encodeURIComponent(upn.trim())}?$select=id`);
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw new GraphLookupError(this.failureFor('user', response));
      const id = (response.body as { id?: unknown } | undefined)?.id;
      return typeof id === 'string' ? id : undefined;
    } finally {
      dispose();
    }
  }

  /**
   * Where this lookup's sign-ins come from: a fresh feed snapshot covering the whole window
   * always serves; otherwise per user when the reports limiter can take 2 more requests and
   * still leave room for one feed refresh (counting per-user reads already on their way), else
   * the feed (a burst).
   */
  private route(now: Date): 'feed' | 'per-user' {
    const feed = this.feed;
    if (!feed || !feed.available) return 'per-user';
    // The feed holds the sign-ins up to the clock's now; a lookup about another moment reads its own.
    if (Math.abs(now.getTime() - this.clock().getTime()) > feed.maxAgeMs + 60_000) return 'per-user';
    if (feed.freshComplete()) return 'feed';
    const needed = this.limiter.inUse() + STREAMS.length * (this.perUserPending + 1) + feed.refreshCost;
    return needed <= this.limiter.maxRequests ? 'per-user' : 'feed';
  }

  private async readPerUser(ctx: RequestContext, userId: string, now: Date): Promise<EvidenceSnapshot> {
    this.perUserPending += 1;
    let pending = true;
    const answered = (): void => {
      if (pending) this.perUserPending -= 1;
      pending = false;
    };
    try {
      const evidence = await this.read(ctx, userId, now, answered);
      this.stats.perUser += 1;
      return evidence;
    } finally {
      answered();
    }
  }

  private async lookupUncached(userId: string, options: { now?: Date; signal?: AbortSignal }): Promise<LookupResult> {
    const now = options.now ?? this.clock();
    const started = Date.now();
    const { ctx, dispose } = this.http.context(this.timeBudgetMs, options.signal);
    let path = this.route(now);
    try {
      let evidence: EvidenceSnapshot;
      if (path === 'feed') {
        try {
          evidence = await this.readViaFeed(ctx, userId, now);
          this.stats.fromFeed += 1;
        } catch (error) {
          if (!(error instanceof FeedNotUsableError)) throw error;
          this.stats.feedFallbacks += 1;
          this.logger?.debug?.({ source: SOURCE, reason: error.message }, 'tenant sign-in feed not usable; reading per user');
          path = 'per-user';
          evidence = await this.readPerUser(ctx, userId, now);
        }
      } else {
        evidence = await this.readPerUser(ctx, userId, now);
      }
      if (this.cacheTtlMs > 0) {
        if (this.cache.size >= MAX_CACHED_USERS) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(userId, { expiresAt: this.clock().getTime() + this.cacheTtlMs, evidence });
      }
      this.logger?.info(
        { source: SOURCE, path, signIns: evidence.signIns.length, devices: evidence.devices.length, policies: evidence.conditionalAccessPolicies.length, gaps: evidence.gaps.length, roundTrips: ctx.roundTrips, ms: Date.now() - started },
        'directory lookup done',
      );
      return { ok: true, evidence };
    } catch (error) {
      const failure =
        error instanceof GraphLookupError
          ? error.failure
          : ctx.signal.aborted
            ? this.http.timeoutFailure(ctx)
            : { kind: 'unavailable' as const, message: 'the directory could not be reached.', adminDetail: `Unexpected error reading Microsoft Graph: ${(error as Error)?.message ?? String(error)}` };
      this.logger?.warn({ source: SOURCE, path, kind: failure.kind, detail: failure.adminDetail, roundTrips: ctx.roundTrips, ms: Date.now() - started }, 'directory lookup failed');
      return { ok: false, failure };
    } finally {
      dispose();
    }
  }

  private signInsUrl(userId: string, from: string, stream: Stream): string {
    const filter = `userId eq ${odataString(userId)} and createdDateTime ge ${from} and signInEventTypes/any(t: t eq '${EVENT_TYPE[stream]}')`;
    return `/auditLogs/signIns?$filter=${encodeURIComponent(filter)}&$top=${this.pageSize}`;
  }

  /** The user, licence and device reads of one lookup (batch items; never reports requests). */
  private userItems(userId: string): BatchItem[] {
    const uid = encodeURIComponent(userId);
    return [
      { id: 'user', url: `/users/${uid}?$select=${USER_SELECT}` },
      { id: 'licenceDetails', url: `/users/${uid}/licenseDetails?$select=${LICENCE_SELECT}` },
      { id: 'ownedDevices', url: `/users/${uid}/ownedDevices?$select=${DEVICE_SELECT}` },
      { id: 'registeredDevices', url: `/users/${uid}/registeredDevices?$select=${DEVICE_SELECT}` },
    ];
  }

  /** Reads the user, licences and devices from a batch's answers; throws the failure that explains a refusal. */
  private userParts(userId: string, response: (id: string) => GraphResponse, signInStreams: readonly string[], gaps: string[]): { user: DirectoryUser; devices: DirectoryDevice[] } {
    // The user first: a missing user explains everything else failing too.
    const userResponse = response('user');
    if (userResponse.status === 404) {
      throw new GraphLookupError({
        kind: 'user-not-found',
        message: "I couldn't find your account in the directory, so I can't read your sign-in logs.",
        adminDetail: `Microsoft Graph has no user with id ${userId} (404).`,
      });
    }
    if (userResponse.status !== 200) throw new GraphLookupError(this.failureFor('user', userResponse));
    for (const s of signInStreams) if (response(s).status !== 200) throw new GraphLookupError(this.failureFor('signIns', response(s)));
    for (const id of ['licenceDetails', 'ownedDevices', 'registeredDevices']) {
      if (response(id).status !== 200) throw new GraphLookupError(this.failureFor(id === 'licenceDetails' ? 'user' : 'devices', response(id)));
    }

    const user = pick(userResponse.body, USER_SELECT) as unknown as DirectoryUser;
    user.id ??= userId;
    user.licenseDetails = valueOf<LicenseDetail>(response('licenceDetails').body).map((l) => pick(l, LICENCE_SELECT) as LicenseDetail);
    if (nextLinkOf(response('licenceDetails').body)) gaps.push('Some licence details (more than one page)');

    const devices = new Map<string, DirectoryDevice>();
    for (const id of ['ownedDevices', 'registeredDevices']) {
      for (const raw of valueOf<DirectoryDevice>(response(id).body)) {
        const type = (raw as { '@odata.type'?: string })['@odata.type'];
        if (type && type !== '#microsoft.graph.device') continue;
        const device = pick(raw, DEVICE_SELECT) as DirectoryDevice;
        const key = device.id ?? device.deviceId ?? `device-${devices.size}`;
        if (!devices.has(key)) devices.set(key, device);
      }
    }
    return { user, devices: [...devices.values()] };
  }

  /** Policies already known (cached) go to `policies`; returns the ids still to read (none while Policy.Read.All is refused). */
  private policiesToRead(ids: string[], policies: Map<string, ConditionalAccessPolicy>, tried: Set<string>, gaps: string[]): string[] {
    const nowMs = Date.now();
    const out: string[] = [];
    for (const id of ids) {
      if (tried.has(id)) continue;
      const hit = this.policyCache.get(id);
      if (hit && hit.expiresAt > nowMs) {
        policies.set(id, hit.policy);
        tried.add(id);
        continue;
      }
      if (this.policiesDeniedUntil > nowMs) {
        if (!gaps.includes(POLICY_GAP)) gaps.push(POLICY_GAP);
        continue;
      }
      if (tried.size >= MAX_POLICY_READS) break;
      tried.add(id);
      out.push(id);
    }
    return out;
  }

  /** Takes the answers to `policy-<id>` batch items into `policies` and `gaps`; false once Policy.Read.All was refused. */
  private takePolicies(results: Map<string, GraphResponse>, policies: Map<string, ConditionalAccessPolicy>, gaps: string[]): boolean {
    let denied = false;
    for (const [id, res] of results) {
      if (!id.startsWith('policy-')) continue;
      if (res.status === 200) {
        const policy = res.body as ConditionalAccessPolicy;
        if (policy?.id) {
          const clean = stripOData(policy);
          policies.set(policy.id, clean);
          if (this.policyCacheTtlMs > 0) this.policyCache.set(policy.id, { policy: clean, expiresAt: Date.now() + this.policyCacheTtlMs });
        }
      } else if (res.status === 403 || res.status === 401) {
        denied = true;
        if (this.policyCacheTtlMs > 0) this.policiesDeniedUntil = Date.now() + this.policyCacheTtlMs;
        if (!gaps.includes(POLICY_GAP)) gaps.push(POLICY_GAP);
      } else if (res.status !== 404 && !gaps.includes('Conditional Access policy details (Graph did not answer)')) {
        gaps.push('Conditional Access policy details (Graph did not answer)');
      }
    }
    if (this.policyCache.size > 200) for (const [id, hit] of this.policyCache) if (hit.expiresAt <= Date.now()) this.policyCache.delete(id);
    return !denied;
  }

  /**
   * Evidence from the tenant-wide feed: the user's sign-ins from a fresh snapshot, then ONE
   * v1.0 batch for the user, licences, devices and the policies their sign-ins failed.
   */
  private async readViaFeed(ctx: RequestContext, userId: string, now: Date): Promise<EvidenceSnapshot> {
    const snapshot: FeedSnapshot = await this.feed!.snapshot(ctx);
    if (Math.abs(now.getTime() - snapshot.takenAt) > this.feed!.maxAgeMs + 60_000 || now.getTime() < snapshot.coveredFrom) {
      throw new FeedNotUsableError('the lookup asks about another moment than the feed holds');
    }
    const signIns = this.feed!.eventsFor(snapshot, userId, now);
    const gaps: string[] = [];
    const policies = new Map<string, ConditionalAccessPolicy>();
    const toRead = this.readPolicies ? this.policiesToRead(failingPolicyIds(signIns), policies, new Set(), gaps) : [];
    const results = await this.http.batch(ctx, 'v1.0', [...this.userItems(userId), ...toRead.map((id) => ({ id: `policy-${id}`, url: `/identity/conditionalAccess/policies/${encodeURIComponent(id)}` }))]);
    const response = (id: string): GraphResponse => results.get(id) ?? { status: 502, headers: {}, body: undefined };
    const { user, devices } = this.userParts(userId, response, [], gaps);
    this.takePolicies(results, policies, gaps);

    const windowStart = Math.max(snapshot.coveredFrom, now.getTime() - this.windowHours * HOUR);
    if (!snapshot.complete) {
      const hours = Math.max(1, Math.round((snapshot.takenAt - snapshot.coveredFrom) / HOUR));
      gaps.push(`Sign-ins from more than ${hours} hour${hours === 1 ? '' : 's'} ago (it was busy, so I read everyone's recent OneDrive and Office sign-ins at once, and that read reached back ${hours} hour${hours === 1 ? '' : 's'})`);
    }
    return {
      user,
      signIns,
      devices,
      conditionalAccessPolicies: [...policies.values()],
      window: { from: new Date(windowStart).toISOString(), to: new Date(Math.min(snapshot.takenAt, now.getTime())).toISOString() },
      source: SOURCE,
      gaps,
    };
  }

  private async read(ctx: RequestContext, userId: string, now: Date, onFirstAnswer?: () => void): Promise<EvidenceSnapshot> {
    const from = new Date(now.getTime() - this.windowHours * HOUR).toISOString();
    const first = await this.http.batch(ctx, 'beta', [...this.userItems(userId), ...STREAMS.map((s): BatchItem => ({ id: s, url: this.signInsUrl(userId, from, s), reports: true }))]);
    onFirstAnswer?.();
    const response = (id: string): GraphResponse => first.get(id) ?? { status: 502, headers: {}, body: undefined };

    const gaps: string[] = [];
    const { user, devices } = this.userParts(userId, response, STREAMS, gaps);

    // Sign-ins: merge both streams by id, following next links (batched) up to maxPages each.
    const signIns = new Map<string, SignInEvent>();
    const pages: Record<Stream, number> = { interactive: 1, nonInteractive: 1 };
    const next: Partial<Record<Stream, string>> = {};
    const addPage = (stream: Stream, body: unknown): void => {
      for (const event of valueOf<SignInEvent>(body)) {
        if (!event?.id || signIns.has(event.id)) continue;
        // No IP addresses in evidence: nothing shows them, and evidence is kept in conversation state.
        const { ipAddress: _ip, ...clean } = normaliseSignIn(event, stream);
        signIns.set(event.id, clean);
      }
      const link = nextLinkOf(body);
      if (link) next[stream] = link;
      else delete next[stream];
    };
    for (const s of STREAMS) addPage(s, response(s).body);

    const policies = new Map<string, ConditionalAccessPolicy>();
    const policiesTried = new Set<string>();
    let policiesDenied = !this.readPolicies;
    const truncated: Stream[] = [];
    const olderPagesFailed: string[] = [];

    for (;;) {
      const items: BatchItem[] = [];
      const direct: Array<{ stream: Stream; url: string }> = [];
      for (const s of STREAMS) {
        const link = next[s];
        if (!link) continue;
        if (pages[s] >= this.maxPages) {
          truncated.push(s);
          delete next[s];
          continue;
        }
        const relative = this.relativeBetaUrl(link);
        if (relative) items.push({ id: `page-${s}`, url: relative, reports: true });
        else direct.push({ stream: s, url: link });
      }
      if (!policiesDenied) {
        for (const id of this.policiesToRead(failingPolicyIds(signIns.values()), policies, policiesTried, gaps)) {
          items.push({ id: `policy-${id}`, url: `/identity/conditionalAccess/policies/${encodeURIComponent(id)}` });
        }
      }
      if (items.length === 0 && direct.length === 0) break;

      const results = items.length > 0 ? await this.http.batch(ctx, 'beta', items) : new Map<string, GraphResponse>();
      for (const d of direct) results.set(`page-${d.stream}`, await this.http.get(ctx, d.url, { reports: true }));
      for (const s of STREAMS) {
        const page = results.get(`page-${s}`);
        if (!page) continue;
        if (page.status === 200) {
          pages[s] += 1;
          addPage(s, page.body);
        } else {
          // The newest events are already in; say that older ones are missing and carry on.
          delete next[s];
          olderPagesFailed.push(`${page.status}`);
        }
      }
      if (!this.takePolicies(results, policies, gaps)) policiesDenied = true;
    }
    if (truncated.length > 0) {
      gaps.push(`Older sign-ins in the last ${this.windowHours} hours (only the newest ${this.maxPages} pages of ${truncated.map((s) => (s === 'interactive' ? 'interactive' : 'non-interactive')).join(' and ')} sign-ins were read)`);
    }
    if (olderPagesFailed.length > 0) gaps.push(`Older sign-ins (Graph did not return the later pages: ${olderPagesFailed.join(', ')})`);

    const events = [...signIns.values()].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
    return {
      user,
      signIns: events,
      devices,
      conditionalAccessPolicies: [...policies.values()],
      window: { from, to: now.toISOString() },
      source: SOURCE,
      gaps,
    };
  }

  /** A next link as a batch-relative URL, when it points at this Graph's beta root. */
  private relativeBetaUrl(link: string): string | undefined {
    return relativeBetaUrl(this.baseUrl, link);
  }

  /** Maps a failed Graph response to plain words and an admin detail naming the permission. */
  private failureFor(area: 'user' | 'devices' | 'signIns', response: GraphResponse): LookupFailure {
    const { code, message } = graphError(response.body);
    const what = area === 'signIns' ? '/auditLogs/signIns' : area === 'devices' ? "the user's devices" : 'the user and licences';
    const graphSaid = `Graph ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
    const status = response.status;
    if (status === 403 || (status === 400 && /premium|B2C/i.test(`${code} ${message}`))) {
      if (area === 'signIns' && /NonPremium|premium|B2C/i.test(`${code} ${message}`)) {
        return {
          kind: 'licence-required',
          message: "your organisation's Microsoft Entra plan doesn't include sign-in logs, so I can't read them.",
          adminDetail: `${graphSaid} on ${what}. Reading sign-in logs through Graph needs a Microsoft Entra ID P1 or P2 licence in the tenant.`,
        };
      }
      const permission =
        area === 'signIns'
          ? 'AuditLog.Read.All (application permission, with admin consent; Directory.Read.All is also needed to read sign-ins)'
          : area === 'devices'
            ? 'Directory.Read.All (application permission, with admin consent)'
            : 'Directory.Read.All or User.Read.All (application permission, with admin consent)';
      return {
        kind: 'permission-missing',
        message: "the help desk bot hasn't been given permission to read that part of the directory yet.",
        adminDetail: `${graphSaid} reading ${what}. Grant the bot's app registration ${permission}.`,
      };
    }
    if (status === 401) {
      const audience = /audience|aud\b/i.test(message);
      return {
        kind: 'misconfigured',
        message: "the help desk bot couldn't sign in to the directory (it's a setup problem on our side).",
        adminDetail: audience
          ? `${graphSaid}. The token's audience doesn't match ${this.baseUrl}: the scope (${this.scope}) and the Graph base URL look like different clouds; ${CLOUD_HINT}.`
          : `${graphSaid}. Graph rejected the bot's token for ${this.baseUrl}; check the tenant, the app registration and that ${CLOUD_HINT}.`,
      };
    }
    if (status === 429) {
      return {
        kind: 'throttled',
        message: 'the sign-in log service is busy right now.',
        adminDetail: `${graphSaid} reading ${what}; still throttled after retrying within the ${this.timeBudgetMs} ms budget.`,
      };
    }
    if (status === NETWORK_ERROR_STATUS) {
      return { kind: 'unavailable', message: 'the directory could not be reached.', adminDetail: `No response from ${this.baseUrl} reading ${what} (${message || 'network error'}).` };
    }
    return {
      kind: 'unavailable',
      message: "the directory isn't answering right now.",
      adminDetail: `${graphSaid} reading ${what}${status >= 500 ? `; still failing after retrying within the ${this.timeBudgetMs} ms budget` : ''}.`,
    };
  }
}

/** Scope and Graph base URL on different hosts means tokens Graph will refuse. */
function scopeMismatch(baseUrl: string, scope: string): LookupFailure | undefined {
  let graphHost: string;
  let scopeHost: string;
  try {
    graphHost = new URL(baseUrl).host;
    scopeHost = new URL(scope).host;
  } catch {
    return undefined; // e.g. a bare resource id: let Graph decide
  }
  if (graphHost === scopeHost) return undefined;
  return {
    kind: 'misconfigured',
    message: "the help desk bot couldn't sign in to the directory (it's a setup problem on our side).",
    adminDetail: `Token scope ${scope} is for ${scopeHost} but Graph requests go to ${graphHost}: a sovereign cloud mismatch; ${CLOUD_HINT}.`,
  };
}

/** Keeps only the selected properties (Graph may add @odata annotations). */
function pick(source: unknown, select: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!source || typeof source !== 'object') return out;
  for (const key of select.split(',')) {
    if (key in source) out[key] = (source as Record<string, unknown>)[key];
  }
  return out;
}

