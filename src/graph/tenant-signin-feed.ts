/**
 * A shared, tenant-wide read of recent OneDrive and Office sign-ins.
 *
 * Microsoft Graph's reports API (/auditLogs/signIns) allows about 5 requests per 10 s per
 * tenant, and a per-user lookup costs at least 1 of them (one page of the user's sign-ins).
 * When many employees ask at once (a Monday-morning incident), GraphDirectory stops asking
 * per user and serves everyone from this feed instead:
 *
 *  - One read of `/beta/auditLogs/signIns`, filtered by `appId` (the OneDrive sync client and
 *    the Office apps of src/domain/apps.ts), `createdDateTime ge <window start>` and both event
 *    types (interactive and non-interactive) in one clause, newest first, 1000 per page: one
 *    reports request per page.
 *  - Lookups that arrive while the snapshot is younger than `maxAgeMs` are served from it at
 *    once; the others wait for the next refresh, which they all share. Refreshes never start
 *    less than `minRefreshIntervalMs` apart.
 *  - After the first (full) read, a refresh only reads what is new: `createdDateTime ge
 *    <previous read − overlapMs>` (the overlap catches events Entra ingests late), merged by
 *    id. Every `rebuildMs` the window is read again from the top.
 *  - A big tenant may not fit in the pages one refresh can read. Then the snapshot covers only
 *    the newest part of the window (from its oldest event read to now); later refreshes
 *    continue down the page chain with free limiter slots ("backfill").
 *
 * Coverage is what keeps "no OneDrive attempts" honest: a stream's read is complete from
 * `coveredFrom` up to the moment it started, so a user with no event there truly had none.
 * Evidence served from the feed uses exactly that window (`window.from` = coverage start), and
 * the directory (feed-read.ts) adds a gap when it is shorter than the configured window.
 *
 * The feed keeps only the fields the diagnosis uses (no IP addresses, and only the
 * Conditional Access policies that did apply), bounded by `maxEvents`, and logs only counts.
 */
import type { LookupFailure, SignInEvent } from '../domain/directory';
import { GraphLookupError, graphError } from './graph-failures';
import type { GraphHttp } from './graph-http';
import { notGraphResponse, raceAbort, type GraphLogger, type GraphResponse, type RequestContext } from './graph-request';
import { EVENT_TYPE_FILTER, HOUR_MS, STREAMS, collectionOf, type SignInStream } from './graph-shapes';
import { abortableSleep, type ReportsLimiter } from './rate-limiter';
import { DEFAULT_FEED_APP_IDS, FeedPages, absorb, appFilter, type Chain } from './tenant-feed-pages';
import { applyBackfill, backfillChains, boundWindow, eventsFor, indexByUser, streamsAfterTop, type FeedSnapshot, type FeedState } from './tenant-feed-window';

export type { FeedSnapshot } from './tenant-feed-window';

const SOURCE = 'Microsoft Graph tenant sign-in feed';

export interface TenantFeedOptions {
  /** Hours the feed reads back; default: the directory's window (48). */
  windowHours?: number;
  /** A snapshot this young serves a lookup without waiting; default 10 000 ms. */
  maxAgeMs?: number;
  /** Refreshes start at least this far apart; default 5 000 ms. */
  minRefreshIntervalMs?: number;
  /** $top for the feed's pages; default 1000 (Graph's maximum). */
  pageSize?: number;
  /** Pages read per stream in one refresh (top and backfill together); default 5. */
  maxPagesPerRefresh?: number;
  /** How long a refresh may wait for a limiter slot for a further page before serving what it has; default 1 000 ms. */
  morePagesWaitMs?: number;
  /** Re-read the whole window this often; default 600 000 ms (10 min). */
  rebuildMs?: number;
  /** How far back an incremental refresh re-reads, for late-ingested events; default 300 000 ms (5 min). */
  overlapMs?: number;
  /** Sign-ins held at most (oldest dropped first, and coverage shrinks with them); default 50 000. */
  maxEvents?: number;
  /** A snapshot covering less than this (and not the whole window) is not used: lookups read per user; default 1 h. */
  minCoverageMs?: number;
  /** When a refresh fails transiently, a snapshot up to this old still serves; default 120 000 ms. */
  staleFallbackMs?: number;
  /** Budget of one refresh; default: the directory's time budget minus 1.5 s (at least 500 ms). */
  refreshBudgetMs?: number;
  /** App ids read; default: OneDrive sync client and the Office apps (src/domain/apps.ts). */
  appIds?: readonly string[];
  /** How long to stop using the feed after Graph refused its query (400); default 3 600 000 ms. */
  unsupportedRetryMs?: number;
}

export interface FeedDeps {
  http: GraphHttp;
  limiter: ReportsLimiter;
  baseUrl: string;
  clock: () => Date;
  logger?: GraphLogger;
  /** The directory's time budget per lookup (for the default refresh budget). */
  timeBudgetMs: number;
  /** The directory's window in hours (for the default feed window). */
  windowHours: number;
  /** Maps a refused sign-ins read to the lookup failure waiters get. */
  failureFor: (response: GraphResponse) => LookupFailure;
}

/**
 * The feed could not serve this lookup (Graph refused its query, or the coverage is too short):
 * GraphDirectory reads the user's sign-ins directly instead.
 */
export class FeedNotUsableError extends Error {
  override readonly name = 'FeedNotUsableError';
}

export class TenantSignInFeed {
  /** Reports requests one refresh needs at least (one page per stream). */
  readonly refreshCost = STREAMS.length;
  readonly windowMs: number;
  readonly maxAgeMs: number;
  readonly stats = { refreshes: 0, rebuilds: 0, pages: 0, failures: 0, servedStale: 0 };

  private readonly minRefreshIntervalMs: number;
  private readonly morePagesWaitMs: number;
  private readonly rebuildMs: number;
  private readonly overlapMs: number;
  private readonly maxEvents: number;
  private readonly minCoverageMs: number;
  private readonly staleFallbackMs: number;
  private readonly refreshBudgetMs: number;
  private readonly unsupportedRetryMs: number;
  private readonly pages: FeedPages;

  private state?: FeedState;
  private refreshing?: Promise<FeedState>;
  private lastStartMono = Number.NEGATIVE_INFINITY;
  private unsupportedUntil = 0;
  /** A refusal (permission, licence, setup) is answered at once until the next refresh may start. */
  private lastRefusal?: { error: GraphLookupError; atMono: number };

  constructor(
    private readonly deps: FeedDeps,
    options: TenantFeedOptions = {},
  ) {
    this.windowMs = (options.windowHours ?? deps.windowHours) * HOUR_MS;
    this.maxAgeMs = options.maxAgeMs ?? 10_000;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 5_000;
    this.morePagesWaitMs = options.morePagesWaitMs ?? 1_000;
    this.rebuildMs = options.rebuildMs ?? 600_000;
    this.overlapMs = options.overlapMs ?? 300_000;
    this.maxEvents = Math.max(1, options.maxEvents ?? 50_000);
    this.minCoverageMs = options.minCoverageMs ?? HOUR_MS;
    this.staleFallbackMs = options.staleFallbackMs ?? 120_000;
    this.refreshBudgetMs = options.refreshBudgetMs ?? Math.max(500, deps.timeBudgetMs - 1_500);
    this.unsupportedRetryMs = options.unsupportedRetryMs ?? HOUR_MS;
    this.pages = new FeedPages({
      http: deps.http,
      limiter: deps.limiter,
      baseUrl: deps.baseUrl,
      pageSize: Math.min(1000, Math.max(1, options.pageSize ?? 1000)),
      maxPages: Math.max(1, options.maxPagesPerRefresh ?? 5),
      appIds: options.appIds ?? DEFAULT_FEED_APP_IDS,
      stats: this.stats,
    });
  }

  /** False for a while after Graph refused the feed's query: lookups read per user meanwhile. */
  get available(): boolean {
    return Date.now() >= this.unsupportedUntil;
  }

  /** The current snapshot when it is young enough and covers the whole window, else undefined. */
  freshComplete(): FeedSnapshot | undefined {
    const s = this.state;
    return s && s.complete && Date.now() - s.startedMono <= this.maxAgeMs ? s : undefined;
  }

  /** The latest snapshot, whatever its age (for tests and logs). */
  current(): FeedSnapshot | undefined {
    return this.state;
  }

  /**
   * A snapshot no older than `maxAgeMs`, waiting for the shared refresh when needed.
   * Throws GraphLookupError (refused, throttled, timed out) or FeedNotUsableError.
   */
  async snapshot(ctx: RequestContext): Promise<FeedSnapshot> {
    if (!this.available) throw new FeedNotUsableError('the tenant sign-in feed is switched off after Graph refused its query');
    let state = this.state;
    if (!state || Date.now() - state.startedMono > this.maxAgeMs) {
      const refusal = this.lastRefusal;
      if (!this.refreshing && refusal && Date.now() - refusal.atMono < this.minRefreshIntervalMs) throw refusal.error;
      if (!this.refreshing) {
        this.refreshing = this.runRefresh().finally(() => {
          this.refreshing = undefined;
        });
      }
      state = await raceAbort(this.refreshing, ctx.signal).catch((error: unknown) => {
        if (ctx.signal.aborted && !(error instanceof GraphLookupError) && !(error instanceof FeedNotUsableError)) {
          const cancelled = ctx.callerSignal?.aborted === true;
          throw new GraphLookupError({
            kind: 'timeout',
            message: 'the directory took too long to answer.',
            adminDetail: cancelled
              ? 'Microsoft Graph lookup cancelled by the caller while it waited for the tenant sign-in feed.'
              : `Microsoft Graph lookup exceeded its ${ctx.budgetMs} ms time budget waiting for the tenant sign-in feed.`,
          });
        }
        throw error;
      });
    }
    if (!state.complete && state.takenAt - state.coveredFrom < this.minCoverageMs) {
      throw new FeedNotUsableError(`the tenant sign-in feed covers only ${Math.round((state.takenAt - state.coveredFrom) / 60_000)} minutes`);
    }
    return state;
  }

  /** One user's sign-ins from a snapshot: inside its coverage, not after `now` (+1 min of clock skew), newest first. */
  eventsFor(snapshot: FeedSnapshot, userId: string, now: Date): SignInEvent[] {
    return eventsFor(snapshot, userId, now);
  }

  /** The filter the feed sends (for the permission check script). */
  static filterFor(appIds: readonly string[] = DEFAULT_FEED_APP_IDS): string {
    return `${appFilter(appIds)} and ${EVENT_TYPE_FILTER}`;
  }

  // -------------------------------------------------------------------------

  private async runRefresh(): Promise<FeedState> {
    const wait = this.lastStartMono + this.minRefreshIntervalMs - Date.now();
    if (wait > 0) await abortableSleep(wait);
    this.lastStartMono = Date.now();
    try {
      const state = await this.refresh();
      this.lastRefusal = undefined;
      return state;
    } catch (error) {
      this.stats.failures += 1;
      const previous = this.state;
      const transient = error instanceof GraphLookupError && ['throttled', 'unavailable', 'timeout'].includes(error.failure.kind);
      if (transient && previous && Date.now() - previous.startedMono <= this.staleFallbackMs) {
        this.stats.servedStale += 1;
        this.deps.logger?.warn(
          { source: SOURCE, kind: (error as GraphLookupError).failure.kind, ageMs: Date.now() - previous.startedMono },
          'tenant sign-in feed refresh failed; serving the previous snapshot',
        );
        return previous;
      }
      if (error instanceof GraphLookupError) {
        if (!transient) this.lastRefusal = { error, atMono: Date.now() };
        this.deps.logger?.warn({ source: SOURCE, kind: error.failure.kind, detail: error.failure.adminDetail }, 'tenant sign-in feed refresh failed');
      }
      throw error;
    }
  }

  private async refresh(): Promise<FeedState> {
    const started = Date.now();
    const takenAt = this.deps.clock().getTime();
    const windowFrom = takenAt - this.windowMs;
    const prev = this.state;
    const rebuild = !prev || prev.rebuildNext || started - prev.rebuiltMono >= this.rebuildMs || prev.takenAt - this.overlapMs <= windowFrom;
    const topFrom = rebuild ? windowFrom : prev!.takenAt - this.overlapMs;
    const { ctx, dispose } = this.deps.http.context(this.refreshBudgetMs);
    const stats = { added: 0 };
    try {
      const events = rebuild ? new Map<string, SignInEvent>() : new Map(prev!.events);
      const pagesRead: Record<SignInStream, number> = { signIns: 0 };

      // 1. The top: the newest page of both streams, in one batch. Everyone waiting needs it.
      const first = await this.pages.read(
        ctx,
        STREAMS.map((s) => ({ stream: s, url: this.pages.firstPageUrl(s, topFrom) })),
      );
      const top = new Map<SignInStream, Chain>();
      for (const s of STREAMS) {
        const res = first.get(s) ?? { status: 502, headers: {}, body: undefined };
        if (res.status === 400) {
          this.unsupportedUntil = Date.now() + this.unsupportedRetryMs;
          const { code, message } = graphError(res.body);
          this.deps.logger?.warn(
            { source: SOURCE, status: 400, code, detail: message, retryInMs: this.unsupportedRetryMs },
            'Graph refused the tenant sign-in feed query; reading each user separately meanwhile',
          );
          throw new FeedNotUsableError(`Graph refused the tenant sign-in feed query (400 ${code})`);
        }
        if (res.status !== 200 || !collectionOf(res.body))
          throw new GraphLookupError(this.deps.failureFor(res.status === 200 ? notGraphResponse('a sign-in page without a value list') : res));
        pagesRead[s] = 1;
        top.set(s, absorb(events, s, res.body, { pages: 0, broken: false }, stats));
      }
      // 2. Further top pages, waiting a little for slots (a rebuild wants the whole window).
      await this.pages.follow(ctx, events, top, pagesRead, this.morePagesWaitMs, stats);

      // 3. Where each stream now stands.
      const { streams, rebuildNext } = streamsAfterTop(top, { rebuild, topFrom, takenAt, previous: prev?.streams });

      // 4. Backfill older pages of unfinished chains, with slots that are free right now.
      const chains = backfillChains(streams);
      await this.pages.follow(ctx, events, chains, pagesRead, 0, stats);
      applyBackfill(streams, chains);

      // 5. Keep the window and the memory bound.
      const coveredFrom = boundWindow(events, streams, windowFrom, this.maxEvents);
      const byUser = indexByUser(events);

      const state: FeedState = {
        takenAt,
        coveredFrom,
        windowFrom,
        complete: coveredFrom <= windowFrom,
        startedMono: started,
        eventCount: events.size,
        rebuiltMono: rebuild ? started : prev!.rebuiltMono,
        rebuildNext,
        streams,
        events,
        byUser,
      };
      this.state = state;
      this.stats.refreshes += 1;
      if (rebuild) this.stats.rebuilds += 1;
      this.deps.logger?.info(
        {
          source: SOURCE,
          rebuild,
          pages: pagesRead.signIns,
          newEvents: stats.added,
          events: events.size,
          users: byUser.size,
          coverageHours: Math.round(((takenAt - coveredFrom) / HOUR_MS) * 10) / 10,
          complete: state.complete,
          roundTrips: ctx.roundTrips,
          ms: Date.now() - started,
        },
        'tenant sign-in feed refreshed',
      );
      return state;
    } finally {
      dispose();
    }
  }
}
