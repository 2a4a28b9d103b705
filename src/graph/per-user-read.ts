/**
 * One employee's evidence read on its own (quiet times): ONE beta JSON batch holding the user,
 * licences, owned and registered devices and the first page of interactive and non-interactive
 * sign-ins (non-interactive sign-ins only exist in beta, and a batch cannot mix versions).
 * Further batches follow only when there is more to read: later sign-in pages (up to
 * `maxPages` per stream) and the Conditional Access policies that failed a sign-in.
 */
import type { ConditionalAccessPolicy, EvidenceSnapshot, LookupFailure, SignInEvent } from '../domain/directory';
import type { DirectoryArea } from './graph-failures';
import type { GraphHttp } from './graph-http';
import type { BatchItem, GraphResponse, RequestContext } from './graph-request';
import { EVENT_TYPE, GRAPH_SOURCE, HOUR_MS, STREAMS, failingPolicyIds, nextLinkOf, normaliseSignIn, odataString, relativeBetaUrl, valueOf, type SignInStream } from './graph-shapes';
import { PolicyCache } from './policy-cache';
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
  failureFor: (area: DirectoryArea, response: GraphResponse) => LookupFailure;
}

/** The first page of one user's sign-ins of one stream since `from` (batch-relative). */
function signInsUrl(userId: string, from: string, stream: SignInStream, pageSize: number): string {
  const filter = `userId eq ${odataString(userId)} and createdDateTime ge ${from} and signInEventTypes/any(t: t eq '${EVENT_TYPE[stream]}')`;
  return `/auditLogs/signIns?$filter=${encodeURIComponent(filter)}&$top=${pageSize}`;
}

/**
 * Reads one user's evidence for the window ending at `now`. `onFirstAnswer` runs once the
 * first batch is back (the directory counts reads still waiting for it when routing).
 */
export async function readPerUser(deps: PerUserReadDeps, ctx: RequestContext, userId: string, now: Date, onFirstAnswer?: () => void): Promise<EvidenceSnapshot> {
  const from = new Date(now.getTime() - deps.windowHours * HOUR_MS).toISOString();
  const first = await deps.http.batch(ctx, 'beta', [
    ...userItems(userId),
    ...STREAMS.map((s): BatchItem => ({ id: s, url: signInsUrl(userId, from, s, deps.pageSize), reports: true })),
  ]);
  onFirstAnswer?.();
  const response = (id: string): GraphResponse => first.get(id) ?? { status: 502, headers: {}, body: undefined };

  const gaps: string[] = [];
  const { user, devices } = userParts(userId, response, STREAMS, gaps, deps.failureFor);

  // Sign-ins: merge both streams by id, following next links (batched) up to maxPages each.
  const signIns = new Map<string, SignInEvent>();
  const pages: Record<SignInStream, number> = { interactive: 1, nonInteractive: 1 };
  const next: Partial<Record<SignInStream, string>> = {};
  const addPage = (stream: SignInStream, body: unknown): void => {
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
  let policiesDenied = !deps.readPolicies;
  const truncated: SignInStream[] = [];
  const olderPagesFailed: string[] = [];

  for (;;) {
    const items: BatchItem[] = [];
    const direct: Array<{ stream: SignInStream; url: string }> = [];
    for (const s of STREAMS) {
      const link = next[s];
      if (!link) continue;
      if (pages[s] >= deps.maxPages) {
        truncated.push(s);
        delete next[s];
        continue;
      }
      const relative = relativeBetaUrl(deps.baseUrl, link);
      if (relative) items.push({ id: `page-${s}`, url: relative, reports: true });
      else direct.push({ stream: s, url: link });
    }
    if (!policiesDenied) {
      for (const id of deps.policies.toRead(failingPolicyIds(signIns.values()), policies, policiesTried, gaps)) items.push(PolicyCache.item(id));
    }
    if (items.length === 0 && direct.length === 0) break;

    const results = items.length > 0 ? await deps.http.batch(ctx, 'beta', items) : new Map<string, GraphResponse>();
    for (const d of direct) results.set(`page-${d.stream}`, await deps.http.get(ctx, d.url, { reports: true }));
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
    if (!deps.policies.take(results, policies, gaps)) policiesDenied = true;
  }
  if (truncated.length > 0) {
    gaps.push(
      `Older sign-ins in the last ${deps.windowHours} hours (only the newest ${deps.maxPages} pages of ${truncated.map((s) => (s === 'interactive' ? 'interactive' : 'non-interactive')).join(' and ')} sign-ins were read)`,
    );
  }
  if (olderPagesFailed.length > 0) gaps.push(`Older sign-ins (Graph did not return the later pages: ${olderPagesFailed.join(', ')})`);

  const events = [...signIns.values()].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
  return {
    user,
    signIns: events,
    devices,
    conditionalAccessPolicies: [...policies.values()],
    window: { from, to: now.toISOString() },
    source: GRAPH_SOURCE,
    gaps,
  };
}
