/**
 * One employee's evidence in a burst: the sign-ins come from a fresh snapshot of the
 * tenant-wide feed (tenant-signin-feed.ts), and the lookup itself is ONE v1.0 batch for the
 * user, licences, devices and the policies their sign-ins failed: no reports-API request.
 */
import type { ConditionalAccessPolicy, EvidenceSnapshot, LookupFailure } from '../domain/directory';
import type { DirectoryArea } from './graph-failures';
import type { GraphHttp } from './graph-http';
import type { GraphResponse, RequestContext } from './graph-request';
import { GRAPH_SOURCE, HOUR_MS, failingPolicyIds } from './graph-shapes';
import { PolicyCache } from './policy-cache';
import { FeedNotUsableError, type TenantSignInFeed } from './tenant-signin-feed';
import { userItems, userParts } from './user-read';

/** What a read from the feed needs from the directory. */
export interface FeedReadDeps {
  http: GraphHttp;
  windowHours: number;
  readPolicies: boolean;
  policies: PolicyCache;
  failureFor: (area: DirectoryArea, response: GraphResponse) => LookupFailure;
}

/** Clock skew tolerated between the lookup's moment and the snapshot's. */
const SKEW_MS = 60_000;

/**
 * Evidence from the tenant-wide feed. Throws FeedNotUsableError when the feed cannot answer
 * for this moment (the directory then reads per user).
 */
export async function readFromFeed(deps: FeedReadDeps, feed: TenantSignInFeed, ctx: RequestContext, userId: string, now: Date): Promise<EvidenceSnapshot> {
  const snapshot = await feed.snapshot(ctx);
  if (Math.abs(now.getTime() - snapshot.takenAt) > feed.maxAgeMs + SKEW_MS || now.getTime() < snapshot.coveredFrom) {
    throw new FeedNotUsableError('the lookup asks about another moment than the feed holds');
  }
  const signIns = feed.eventsFor(snapshot, userId, now);
  const gaps: string[] = [];
  const policies = new Map<string, ConditionalAccessPolicy>();
  const toRead = deps.readPolicies ? deps.policies.toRead(failingPolicyIds(signIns), policies, new Set(), gaps) : [];
  const results = await deps.http.batch(ctx, 'v1.0', [...userItems(userId), ...toRead.map((id) => PolicyCache.item(id))]);
  const response = (id: string): GraphResponse => results.get(id) ?? { status: 502, headers: {}, body: undefined };
  const { user, devices } = userParts(userId, response, [], gaps, deps.failureFor);
  deps.policies.take(results, policies, gaps);

  const windowStart = Math.max(snapshot.coveredFrom, now.getTime() - deps.windowHours * HOUR_MS);
  if (!snapshot.complete) {
    const hours = Math.max(1, Math.round((snapshot.takenAt - snapshot.coveredFrom) / HOUR_MS));
    const h = `${hours} hour${hours === 1 ? '' : 's'}`;
    gaps.push(`Sign-ins from more than ${h} ago (it was busy, so I read everyone's recent OneDrive and Office sign-ins at once, and that read reached back ${h})`);
  }
  return {
    user,
    signIns,
    devices,
    conditionalAccessPolicies: [...policies.values()],
    window: { from: new Date(windowStart).toISOString(), to: new Date(Math.min(snapshot.takenAt, now.getTime())).toISOString() },
    source: GRAPH_SOURCE,
    gaps,
  };
}
