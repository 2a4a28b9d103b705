/**
 * The directory read from Microsoft Graph (the production DirectoryPort).
 *
 * Two ways to read one employee's evidence:
 *
 *  - Per user (quiet times): ONE beta JSON batch holding the user, licences, owned and
 *    registered devices, the tenant's domains (when not cached) and the first page of the
 *    user's sign-ins (interactive and non-interactive under one filter, 1,000 per page). A
 *    follow-up batch only when there is more to read: further pages, the devices the sign-ins
 *    came from (`deviceDetail.deviceId`) and, one at a time, the Conditional Access policies
 *    they failed. It costs 1 reports request per page of the reports API's ~5 per 10 s.
 *  - From the tenant-wide sign-in feed (busy times, see tenant-signin-feed.ts): the sign-ins
 *    come from a shared, recently refreshed read of everyone's OneDrive and Office sign-ins,
 *    and the lookup itself is one v1.0 batch that never touches the reports API.
 *
 * A lookup reads per user when the reports limiter can take its request and still leave room
 * for one feed refresh; otherwise (a burst) it joins the feed. The limiter is this process's
 * own, or (SharedReportsLimiter) one budget for every instance of the deployment.
 *
 * Anything Graph answers outside its documented JSON (a proxy's HTML page) is "no evidence",
 * never "empty evidence"; parts that cannot be read become named gaps on the evidence.
 */
import type { TokenCredential } from '@azure/identity';
import type { DirectoryPort, EvidenceSnapshot, LookupFailure, LookupOptions, LookupResult } from '../domain/directory';
import { DomainCache } from './auth-method';
import { readFromFeed } from './feed-read';
import { GraphLookupError, directoryFailure, scopeMismatch, type DirectoryArea } from './graph-failures';
import { GraphHttp } from './graph-http';
import { isNotGraph, notGraphResponse, type GraphLogger, type GraphResponse, type RequestContext } from './graph-request';
import { GRAPH_SOURCE, MAX_SIGN_IN_PAGE, STREAMS, isJsonObject } from './graph-shapes';
import { readPerUser, type PerUserReadDeps } from './per-user-read';
import { PolicyCache } from './policy-cache';
import { SlidingWindowLimiter, type ReportsLimiter } from './rate-limiter';
import { FeedNotUsableError, TenantSignInFeed, type TenantFeedOptions } from './tenant-signin-feed';

export { GraphLookupError } from './graph-failures';
export type { GraphLogger } from './graph-request';
export { POLICY_GAP } from './policy-cache';
export type { TenantFeedOptions } from './tenant-signin-feed';

export interface GraphDirectoryOptions {
  credential: TokenCredential;
  /** Graph root for the cloud in use; default https://graph.microsoft.com. */
  baseUrl?: string;
  /** Hours of sign-ins to read; default 48. */
  windowHours?: number;
  /** Pages of the user's sign-ins read at most; default 5. */
  maxPages?: number;
  /** Page size asked for ($top); default 1000 (Graph's maximum). */
  pageSize?: number;
  /** Whole-lookup budget, retries and limiter waits included; default 8000 ms. */
  timeBudgetMs?: number;
  /** How long a user's evidence is reused; default 60 000 ms (0 disables the cache). */
  cacheTtlMs?: number;
  /** Token scope; default `${baseUrl}/.default`. */
  scope?: string;
  /** Read failing Conditional Access policies (needs Policy.Read.All); default true. */
  readPolicies?: boolean;
  /** How long the tenant's domain list (each domain's authenticationType) is reused; default 3 600 000 ms. */
  domainCacheTtlMs?: number;
  fetch?: typeof fetch;
  clock?: () => Date;
  logger?: GraphLogger;
  /**
   * The tenant's reports-API limiter. Share one between every GraphDirectory of the same tenant,
   * or pass a SharedReportsLimiter to share it with every instance of the deployment; default: a
   * new in-process one of 5 requests per 10 s (or `reportsRateLimit`).
   */
  reportsLimiter?: ReportsLimiter;
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

const MAX_CACHED_USERS = 500;
/** Clock skew tolerated between a lookup's moment and the feed's. */
const SKEW_MS = 60_000;

export class GraphDirectory implements DirectoryPort {
  private readonly http: GraphHttp;
  private readonly baseUrl: string;
  private readonly scope: string;
  private readonly timeBudgetMs: number;
  private readonly cacheTtlMs: number;
  private readonly clock: () => Date;
  private readonly logger?: GraphLogger;
  private readonly cache = new Map<string, { expiresAt: number; evidence: EvidenceSnapshot }>();
  private readonly inFlight = new Map<string, Promise<LookupResult>>();
  /** A configuration problem found up front (scope and Graph in different clouds). */
  private readonly configProblem?: LookupFailure;
  private readonly limiter: ReportsLimiter;
  private readonly feed?: TenantSignInFeed;
  /** What the per-user and feed reads share (feed-read.ts takes the same object). */
  private readonly reads: PerUserReadDeps;
  /** Per-user reads that have been routed but have not had their first answer yet. */
  private perUserPending = 0;
  readonly stats: GraphDirectoryStats = { perUser: 0, fromFeed: 0, feedFallbacks: 0, cached: 0 };

  constructor(options: GraphDirectoryOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
    this.scope = options.scope ?? `${this.baseUrl}/.default`;
    const windowHours = options.windowHours ?? 48;
    this.timeBudgetMs = options.timeBudgetMs ?? 8000;
    this.cacheTtlMs = options.cacheTtlMs ?? 60_000;
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
    this.reads = {
      http: this.http,
      baseUrl: this.baseUrl,
      windowHours,
      maxPages: Math.max(1, options.maxPages ?? 5),
      pageSize: Math.min(MAX_SIGN_IN_PAGE, Math.max(1, options.pageSize ?? MAX_SIGN_IN_PAGE)),
      readPolicies: options.readPolicies ?? true,
      policies: new PolicyCache(options.policyCacheTtlMs ?? 600_000),
      domains: new DomainCache(options.domainCacheTtlMs ?? 3_600_000),
      failureFor: (area, response) => this.failureFor(area, response),
    };
    if (options.tenantFeed !== false) {
      this.feed = new TenantSignInFeed(
        {
          http: this.http,
          limiter,
          baseUrl: this.baseUrl,
          clock: this.clock,
          logger: this.logger,
          timeBudgetMs: this.timeBudgetMs,
          windowHours,
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

  /**
   * One employee's evidence. `budgetMs` overrides the time budget for this lookup (a caller that
   * wants an answer within a few seconds but lets the lookup finish in the background starts it
   * with the long budget and races it with its own short timer); a lookup of the same user that
   * is already running is shared, whatever its budget.
   */
  async lookup(userId: string, options: LookupOptions = {}): Promise<LookupResult> {
    if (this.configProblem) return { ok: false, failure: this.configProblem };
    const cached = this.cache.get(userId);
    if (cached && cached.expiresAt > this.clock().getTime()) {
      this.stats.cached += 1;
      this.logger?.debug?.({ source: GRAPH_SOURCE, cached: true }, 'directory lookup served from cache');
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
      if (response.status === 404 && !isNotGraph(response)) return undefined;
      if (response.status !== 200) throw new GraphLookupError(this.failureFor('user', response));
      const id = isJsonObject(response.body) ? response.body.id : undefined;
      if (typeof id !== 'string') throw new GraphLookupError(this.failureFor('user', notGraphResponse('a user without an id')));
      return id;
    } finally {
      dispose();
    }
  }

  /**
   * Where this lookup's sign-ins come from: a fresh feed snapshot covering the whole window
   * always serves; otherwise per user when the reports limiter can take its request and
   * still leave room for one feed refresh (counting per-user reads already on their way), else
   * the feed (a burst).
   */
  private route(now: Date): 'feed' | 'per-user' {
    const feed = this.feed;
    if (!feed || !feed.available) return 'per-user';
    // The feed holds the sign-ins up to the clock's now; a lookup about another moment reads its own.
    if (Math.abs(now.getTime() - this.clock().getTime()) > feed.maxAgeMs + SKEW_MS) return 'per-user';
    if (feed.freshComplete()) return 'feed';
    const needed = this.limiter.inUse() + STREAMS.length * (this.perUserPending + 1) + feed.refreshCost;
    return needed <= this.limiter.maxRequests ? 'per-user' : 'feed';
  }

  private async readPerUserCounted(ctx: RequestContext, userId: string, now: Date): Promise<EvidenceSnapshot> {
    this.perUserPending += 1;
    let pending = true;
    const answered = (): void => {
      if (pending) this.perUserPending -= 1;
      pending = false;
    };
    try {
      const evidence = await readPerUser(this.reads, ctx, userId, now, answered);
      this.stats.perUser += 1;
      return evidence;
    } finally {
      answered();
    }
  }

  private async lookupUncached(userId: string, options: LookupOptions): Promise<LookupResult> {
    const now = options.now ?? this.clock();
    const started = Date.now();
    const budgetMs = options.budgetMs !== undefined && options.budgetMs > 0 ? Math.min(options.budgetMs, 300_000) : this.timeBudgetMs;
    const { ctx, dispose } = this.http.context(budgetMs, options.signal);
    let path = this.route(now);
    try {
      let evidence: EvidenceSnapshot;
      if (path === 'feed') {
        try {
          evidence = await readFromFeed(this.reads, this.feed!, ctx, userId, now);
          this.stats.fromFeed += 1;
        } catch (error) {
          if (!(error instanceof FeedNotUsableError)) throw error;
          this.stats.feedFallbacks += 1;
          this.logger?.debug?.({ source: GRAPH_SOURCE, reason: error.message }, 'tenant sign-in feed not usable; reading per user');
          path = 'per-user';
          evidence = await this.readPerUserCounted(ctx, userId, now);
        }
      } else {
        evidence = await this.readPerUserCounted(ctx, userId, now);
      }
      if (this.cacheTtlMs > 0) {
        if (this.cache.size >= MAX_CACHED_USERS) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(userId, { expiresAt: this.clock().getTime() + this.cacheTtlMs, evidence });
      }
      this.logger?.info(
        {
          source: GRAPH_SOURCE,
          path,
          signIns: evidence.signIns.length,
          devices: evidence.devices.length,
          policies: evidence.conditionalAccessPolicies.length,
          gaps: evidence.gaps.length,
          roundTrips: ctx.roundTrips,
          ms: Date.now() - started,
        },
        'directory lookup done',
      );
      return { ok: true, evidence };
    } catch (error) {
      const failure =
        error instanceof GraphLookupError
          ? error.failure
          : ctx.signal.aborted
            ? this.http.timeoutFailure(ctx)
            : {
                kind: 'unavailable' as const,
                message: 'the directory could not be reached.',
                adminDetail: `Unexpected error reading Microsoft Graph: ${(error as Error)?.message ?? String(error)}`,
              };
      this.logger?.warn(
        { source: GRAPH_SOURCE, path, kind: failure.kind, detail: failure.adminDetail, roundTrips: ctx.roundTrips, ms: Date.now() - started },
        'directory lookup failed',
      );
      return { ok: false, failure };
    } finally {
      dispose();
    }
  }

  /** Maps a failed Graph response to plain words and an admin detail naming the permission. */
  private failureFor(area: DirectoryArea, response: GraphResponse): LookupFailure {
    return directoryFailure(area, response, { baseUrl: this.baseUrl, scope: this.scope, timeBudgetMs: this.timeBudgetMs });
  }
}
