/**
 * One employee's evidence in a burst: the sign-ins come from a fresh snapshot of the
 * tenant-wide feed (tenant-signin-feed.ts), and the lookup itself is ONE v1.0 batch for the
 * user, licences, devices (owned, registered, and those the sign-ins came from), the domains
 * when not cached, and at most one failing policy: no reports-API request.
 */
import type { DirectoryDevice, EvidenceSnapshot, LookupFailure } from '../domain/directory';
import { DOMAINS_ITEM, authenticationOf, type DomainCache } from './auth-method';
import { addGap, evidenceGap, type DirectoryArea, type GapList } from './graph-failures';
import type { GraphHttp } from './graph-http';
import type { GraphResponse, RequestContext } from './graph-request';
import { GRAPH_SOURCE, HOUR_MS } from './graph-shapes';
import { LookupExtras } from './lookup-extras';
import type { PolicyCache } from './policy-cache';
import { FeedNotUsableError, type TenantSignInFeed } from './tenant-signin-feed';
import { userItems, userParts } from './user-read';

/** What a read from the feed needs from the directory. */
export interface FeedReadDeps {
  http: GraphHttp;
  windowHours: number;
  readPolicies: boolean;
  policies: PolicyCache;
  domains: DomainCache;
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
  const gaps: GapList = { gaps: [], gapDetails: [] };
  const extras = new LookupExtras(deps.policies, deps.readPolicies, gaps);
  // Owned devices are not known yet: look up every sign-in device (known ones are de-duplicated).
  // A failing policy waits briefly for its budget so it rides in this one batch.
  const followUps = await extras.next(ctx, signIns, [], true);
  const results = await deps.http.batch(ctx, 'v1.0', [...userItems(userId), ...(deps.domains.needsRead() ? [DOMAINS_ITEM] : []), ...followUps]);
  const response = (id: string): GraphResponse => results.get(id) ?? { status: 502, headers: {}, body: undefined };
  const { user, devices } = userParts(userId, response, gaps, deps.failureFor);
  deps.domains.take(results);
  const allDevices: DirectoryDevice[] = devices;
  extras.take(results, allDevices);
  extras.finish(signIns);

  const windowStart = Math.max(snapshot.coveredFrom, now.getTime() - deps.windowHours * HOUR_MS);
  if (!snapshot.complete) {
    const hours = Math.max(1, Math.round((snapshot.takenAt - snapshot.coveredFrom) / HOUR_MS));
    const h = `${hours} hour${hours === 1 ? '' : 's'}`;
    addGap(
      gaps,
      evidenceGap('older-sign-ins', {
        reason: 'limit',
        label: `Sign-ins from more than ${h} ago`,
        detail: `it was busy, so I read everyone's recent OneDrive and Office sign-ins at once, and that read reached back ${h}`,
      }),
    );
  }
  return {
    user,
    signIns,
    devices: allDevices,
    conditionalAccessPolicies: [...extras.policies.values()],
    window: { from: new Date(windowStart).toISOString(), to: new Date(Math.min(snapshot.takenAt, now.getTime())).toISOString() },
    source: GRAPH_SOURCE,
    gaps: gaps.gaps,
    gapDetails: gaps.gapDetails,
    authentication: authenticationOf(user, signIns, deps.domains, gaps),
  };
}
