/**
 * How the tenant sign-in feed reads `/beta/auditLogs/signIns`: the query (OneDrive and Office
 * app ids, interactive and non-interactive sign-ins in one filter, newest first), one page per stream at a time (batched
 * when the next links allow), and following page chains while limiter slots are free.
 */
import { OFFICE_APP_IDS, ONEDRIVE_APP_IDS } from '../domain/apps';
import type { AppliedConditionalAccessPolicy, SignInEvent } from '../domain/directory';
import { GraphLookupError } from './graph-failures';
import type { GraphHttp } from './graph-http';
import type { BatchItem, GraphResponse, RequestContext } from './graph-request';
import { EVENT_TYPE_FILTER, collectionOf, nextLinkOf, normaliseSignIn, odataString, relativeBetaUrl, type SignInStream } from './graph-shapes';
import type { ReportsLimiter } from './rate-limiter';

/** The apps the feed reads unless told otherwise. */
export const DEFAULT_FEED_APP_IDS: readonly string[] = [...ONEDRIVE_APP_IDS, ...OFFICE_APP_IDS];

/** One stream's page chain as far as it has been followed. */
export interface Chain {
  next?: string;
  oldest?: number;
  pages: number;
  /** A page failed: the chain cannot be followed further. */
  broken: boolean;
}

/** What the feed's page reading needs. */
export interface FeedPagesOptions {
  http: GraphHttp;
  limiter: ReportsLimiter;
  baseUrl: string;
  /** $top of each page. */
  pageSize: number;
  /** Pages read per stream in one refresh. */
  maxPages: number;
  appIds: readonly string[];
  /** Counts every page read (the feed's stats). */
  stats: { pages: number };
}

/** `(appId eq '…' or …)` for the given apps. */
export function appFilter(appIds: readonly string[]): string {
  return `(${appIds.map((id) => `appId eq ${odataString(id)}`).join(' or ')})`;
}

/** Reads the feed's pages for one TenantSignInFeed. */
export class FeedPages {
  private readonly appFilter: string;

  constructor(private readonly options: FeedPagesOptions) {
    if (options.appIds.length === 0) throw new RangeError('the tenant feed needs at least one app id');
    this.appFilter = appFilter(options.appIds);
  }

  /** The first page of `stream` since `from` (batch-relative). */
  firstPageUrl(stream: SignInStream, from: number): string {
    void stream; // one stream: interactive and non-interactive sign-ins in one filter
    const filter = `createdDateTime ge ${new Date(from).toISOString()} and ${this.appFilter} and ${EVENT_TYPE_FILTER}`;
    return `/auditLogs/signIns?$filter=${encodeURIComponent(filter)}&$top=${this.options.pageSize}`;
  }

  /** Reads one page of each requested stream: one batch for batch-relative links, plain GETs otherwise. */
  async read(ctx: RequestContext, requests: Array<{ stream: SignInStream; url: string }>): Promise<Map<SignInStream, GraphResponse>> {
    const items: BatchItem[] = [];
    const direct: Array<{ stream: SignInStream; url: string }> = [];
    for (const r of requests) {
      const relative = r.url.startsWith('/') ? r.url : relativeBetaUrl(this.options.baseUrl, r.url);
      if (relative) items.push({ id: r.stream, url: relative, reports: true });
      else direct.push(r);
    }
    const out = new Map<SignInStream, GraphResponse>();
    if (items.length > 0) for (const [id, res] of await this.options.http.batch(ctx, 'beta', items)) out.set(id as SignInStream, res);
    for (const d of direct) out.set(d.stream, await this.options.http.get(ctx, d.url, { reports: true }));
    this.options.stats.pages += requests.length;
    return out;
  }

  /** Follows chains one page per stream at a time while slots come within `maxWaitMs`. Stops quietly on throttling. */
  async follow(
    ctx: RequestContext,
    events: Map<string, SignInEvent>,
    chains: Map<SignInStream, Chain>,
    pagesRead: Record<SignInStream, number>,
    maxWaitMs: number,
    stats: { added: number },
  ): Promise<void> {
    for (;;) {
      const want = [...chains].filter(([s, c]) => c.next && !c.broken && pagesRead[s] < this.options.maxPages).map(([s]) => s);
      if (want.length === 0 || !this.slotsWithin(ctx, want.length, maxWaitMs)) return;
      let results: Map<SignInStream, GraphResponse>;
      try {
        results = await this.read(
          ctx,
          want.map((s) => ({ stream: s, url: chains.get(s)!.next! })),
        );
      } catch (error) {
        if (error instanceof GraphLookupError) return; // no slot in time, or the budget ran out: keep what we have
        throw error;
      }
      for (const s of want) {
        const res = results.get(s);
        pagesRead[s] += 1;
        if (res?.status === 200 && collectionOf(res.body)) chains.set(s, absorb(events, s, res.body, chains.get(s)!, stats));
        else chains.set(s, { ...chains.get(s)!, next: undefined, broken: true });
      }
    }
  }

  /** Whether a further page of `count` streams can start within `maxWaitMs` and the budget. */
  private slotsWithin(ctx: RequestContext, count: number, maxWaitMs: number): boolean {
    const limiter = this.options.limiter;
    const n = Math.min(count, limiter.maxRequests);
    const wait = limiter.waitTimeMs(n);
    return wait <= maxWaitMs && Date.now() + wait + 200 < ctx.deadline && !ctx.signal.aborted;
  }
}

/** Adds a page's events; returns the chain moved on by one page. */
export function absorb(events: Map<string, SignInEvent>, stream: SignInStream, body: unknown, chain: Chain, stats: { added: number }): Chain {
  let oldest = chain.oldest;
  for (const raw of collectionOf<SignInEvent>(body) ?? []) {
    if (!raw?.id || !raw.createdDateTime) continue;
    const t = Date.parse(raw.createdDateTime);
    if (!Number.isFinite(t)) continue;
    if (oldest === undefined || t < oldest) oldest = t;
    if (!events.has(raw.id)) stats.added += 1;
    void stream;
    events.set(raw.id, trim(normaliseSignIn(raw)));
  }
  return { next: nextLinkOf(body), oldest, pages: chain.pages + 1, broken: false };
}

/** The fields the diagnosis and the cards use. */
const KEPT_FIELDS = [
  'userId',
  'userPrincipalName',
  'appId',
  'appDisplayName',
  'clientAppUsed',
  'resourceDisplayName',
  'isInteractive',
  'signInEventTypes',
  'conditionalAccessStatus',
  'status',
  'deviceDetail',
  'location',
  'authenticationDetails',
  'tokenIssuerType',
] as const;

/** The fields the diagnosis and the cards use; no IP address, and only policies that applied. */
function trim(event: SignInEvent): SignInEvent {
  const out: SignInEvent = { id: event.id, createdDateTime: event.createdDateTime };
  for (const key of KEPT_FIELDS) if (event[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = event[key];
  if (event.appliedConditionalAccessPolicies) {
    out.appliedConditionalAccessPolicies = event.appliedConditionalAccessPolicies.filter(
      (p: AppliedConditionalAccessPolicy) => p.result !== 'notApplied' && p.result !== 'notEnabled',
    );
  }
  return out;
}
