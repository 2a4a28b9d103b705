/**
 * One employee's evidence read on its own (quiet times): ONE beta JSON batch holding the user,
 * licences, owned and registered devices (and the tenant's domains when not cached) and the
 * first page of the user's sign-ins: interactive and non-interactive together, under one
 * event-type filter, 1,000 per page (non-interactive sign-ins only exist in beta, and a batch
 * cannot mix versions). Follow-up batches only when there is more to read: later sign-in pages
 * (up to `maxPages`), the devices the sign-ins came from, and the Conditional Access policies
 * they failed (one per batch, within the policies' own budget).
 *
 * Only the user and the first sign-in page are essential. A licence, device, policy or domain
 * read that fails, or a follow-up batch that runs out of time, leaves a named gap and the rest
 * of the evidence is kept.
 */
import type { DirectoryDevice, EvidenceSnapshot, LookupFailure, SignInEvent } from '../domain/directory';
import { DOMAINS_ITEM, authenticationOf, type DomainCache } from './auth-method';
import { GraphLookupError, addGap, evidenceGap, type DirectoryArea, type GapList } from './graph-failures';
import type { GraphHttp } from './graph-http';
import { notGraphResponse, type BatchItem, type GraphResponse, type RequestContext } from './graph-request';
import { EVENT_TYPE_FILTER, GRAPH_SOURCE, HOUR_MS, collectionOf, nextLinkOf, normaliseSignIn, odataString, relativeBetaUrl } from './graph-shapes';
import { LookupExtras } from './lookup-extras';
import type { PolicyCache } from './policy-cache';
import { userItems, userParts } from './user-read';

/** What a per-user read needs from the directory. */
export interface PerUserReadDeps {
  http: GraphHttp;
  baseUrl: string;
  windowHours: number;
  maxPages: number;
  pageSize: number;
  readPolicies: boolean;
  policies: PolicyCache;
  domains: DomainCache;
  failureFor: (area: DirectoryArea, response: GraphResponse) => LookupFailure;
}

const SIGN_INS = 'signIns';
const NEXT_PAGE = 'page';

/** The first page of one user's sign-ins since `from`, both event types (batch-relative). */
export function signInsUrl(userId: string, from: string, pageSize: number): string {
  const filter = `userId eq ${odataString(userId)} and createdDateTime ge ${from} and ${EVENT_TYPE_FILTER}`;
  return `/auditLogs/signIns?$filter=${encodeURIComponent(filter)}&$top=${pageSize}`;
}

/** Transient trouble in a follow-up batch: keep what was read and say what is missing. */
function isTransient(error: unknown): error is GraphLookupError {
  return error instanceof GraphLookupError && ['timeout', 'throttled', 'unavailable'].includes(error.failure.kind);
}

/**
 * Reads one user's evidence for the window ending at `now`. `onFirstAnswer` runs once the
 * first batch is back (the directory counts reads still waiting for it when routing).
 */
export async function readPerUser(deps: PerUserReadDeps, ctx: RequestContext, userId: string, now: Date, onFirstAnswer?: () => void): Promise<EvidenceSnapshot> {
  const from = new Date(now.getTime() - deps.windowHours * HOUR_MS).toISOString();
  const readDomains = deps.domains.needsRead();
  const first = await deps.http.batch(ctx, 'beta', [
    ...userItems(userId),
    ...(readDomains ? [DOMAINS_ITEM] : []),
    { id: SIGN_INS, url: signInsUrl(userId, from, deps.pageSize), reports: true },
  ]);
  onFirstAnswer?.();
  const response = (id: string): GraphResponse => first.get(id) ?? { status: 502, headers: {}, body: undefined };

  const gaps: GapList = { gaps: [], gapDetails: [] };
  const { user, devices } = userParts(userId, response, gaps, deps.failureFor);
  deps.domains.take(first);
  const firstPage = response(SIGN_INS);
  if (firstPage.status !== 200) throw new GraphLookupError(deps.failureFor('signIns', firstPage));
  if (!collectionOf(firstPage.body)) throw new GraphLookupError(deps.failureFor('signIns', notGraphResponse('a sign-in page without a value list')));

  const signIns = new Map<string, SignInEvent>();
  let next: string | undefined;
  let pages = 1;
  const addPage = (body: unknown): void => {
    for (const event of collectionOf<SignInEvent>(body) ?? []) {
      if (!event || typeof event !== 'object' || typeof event.id !== 'string' || signIns.has(event.id)) continue;
      // No IP addresses in evidence: nothing shows them, and evidence is kept in conversation state.
      const { ipAddress: _ip, ...clean } = normaliseSignIn(event);
      signIns.set(event.id, clean);
    }
    next = nextLinkOf(body);
  };
  addPage(firstPage.body);

  const extras = new LookupExtras(deps.policies, deps.readPolicies, gaps);
  const allDevices: DirectoryDevice[] = devices;
  try {
    await followUp(deps, ctx, extras, signIns, allDevices, {
      nextPage: () => {
        if (!next) return undefined;
        if (pages >= deps.maxPages) {
          const detail = `only the newest ${pages} pages (${signIns.size} sign-ins) of the last ${deps.windowHours} hours were read`;
          addGap(gaps, evidenceGap('older-sign-ins', { reason: 'limit', detail }));
          next = undefined;
          return undefined;
        }
        return next;
      },
      takePage: (page) => {
        if (page.status === 200 && collectionOf(page.body)) {
          pages += 1;
          addPage(page.body);
        } else {
          // The newest events are already in; say that older ones are missing and carry on.
          next = undefined;
          addGap(gaps, evidenceGap('older-sign-ins', { response: page }));
        }
      },
    });
  } catch (error) {
    if (!isTransient(error)) throw error;
    if (next) addGap(gaps, evidenceGap('older-sign-ins', { reason: 'limit', detail: 'not read within the time budget' }));
  }
  extras.finish([...signIns.values()]);

  const events = [...signIns.values()].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
  return {
    user,
    signIns: events,
    devices: allDevices,
    conditionalAccessPolicies: [...extras.policies.values()],
    window: { from, to: now.toISOString() },
    source: GRAPH_SOURCE,
    gaps: gaps.gaps,
    gapDetails: gaps.gapDetails,
    authentication: authenticationOf(user, events, deps.domains, gaps),
  };
}

/** Follow-up batches until nothing is left to read: pages, sign-in devices, and failing policies. */
async function followUp(
  deps: PerUserReadDeps,
  ctx: RequestContext,
  extras: LookupExtras,
  signIns: Map<string, SignInEvent>,
  devices: DirectoryDevice[],
  page: { nextPage: () => string | undefined; takePage: (response: GraphResponse) => void },
): Promise<void> {
  for (;;) {
    const events = [...signIns.values()];
    const items: BatchItem[] = [];
    let direct: string | undefined;
    const link = page.nextPage();
    if (link) {
      const relative = relativeBetaUrl(deps.baseUrl, link);
      if (relative) items.push({ id: NEXT_PAGE, url: relative, reports: true });
      else direct = link;
    }
    items.push(...(await extras.next(ctx, events, devices, true)));
    if (items.length === 0 && !direct) return;
    const results = items.length > 0 ? await deps.http.batch(ctx, 'beta', items) : new Map<string, GraphResponse>();
    if (direct) results.set(NEXT_PAGE, await deps.http.get(ctx, direct, { reports: true }));
    const pageAnswer = results.get(NEXT_PAGE);
    if (pageAnswer) page.takePage(pageAnswer);
    extras.take(results, devices);
  }
}
