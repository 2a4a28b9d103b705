/**
 * Small helpers shared by the per-user Graph reads (per-user-read.ts) and the tenant-wide
 * sign-in feed (tenant-signin-feed.ts): the sign-in stream, OData literals and the
 * shapes of Graph collection pages.
 */
import type { SignInEvent } from '../domain/directory';

/**
 * Sign-ins are read as ONE stream: the beta endpoint with one event-type filter that takes
 * interactive and non-interactive sign-ins together (non-interactive ones exist only in beta).
 * One request per page instead of one per event type halves the reports-API cost.
 */
export type SignInStream = 'signIns';
export const STREAMS: readonly SignInStream[] = ['signIns'];
/** The event types read: the OneDrive sync client's silent refreshes are `nonInteractiveUser`. */
export const EVENT_TYPES = ['interactiveUser', 'nonInteractiveUser'] as const;
/** The `$filter` clause that selects both event types. */
export const EVENT_TYPE_FILTER = `signInEventTypes/any(t: ${EVENT_TYPES.map((t) => `t eq '${t}'`).join(' or ')})`;
/** Graph's largest sign-in page (and its default). */
export const MAX_SIGN_IN_PAGE = 1000;

/** An OData string literal ('' escapes a quote). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The `value` array of a collection page (empty when absent). */
export function valueOf<T>(body: unknown): T[] {
  return collectionOf<T>(body) ?? [];
}

/**
 * The `value` array of a collection page, or undefined when the body is not a Graph collection
 * at all (a proxy's page, a truncated answer): that is "no answer", never "no items".
 */
export function collectionOf<T>(body: unknown): T[] | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const value = (body as { value?: unknown }).value;
  return Array.isArray(value) ? (value as T[]) : undefined;
}

/** True when the body is a JSON object (a Graph entity or error); false for anything else. */
export function isJsonObject(body: unknown): body is Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body);
}

/** The page's `@odata.nextLink`, when there is one. */
export function nextLinkOf(body: unknown): string | undefined {
  const link = (body as { '@odata.nextLink'?: unknown } | undefined)?.['@odata.nextLink'];
  return typeof link === 'string' && link ? link : undefined;
}

export function stripOData<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('@odata.'))) as T;
}

/** Strips OData annotations; fills isInteractive / signInEventTypes from each other when one is missing. */
export function normaliseSignIn(event: SignInEvent): SignInEvent {
  const out = stripOData(event);
  if (out.isInteractive === undefined && Array.isArray(out.signInEventTypes)) out.isInteractive = out.signInEventTypes.includes('interactiveUser');
  if (out.signInEventTypes === undefined && typeof out.isInteractive === 'boolean') out.signInEventTypes = [out.isInteractive ? 'interactiveUser' : 'nonInteractiveUser'];
  return out;
}

/** Ids of the Conditional Access policies whose result was `failure` in any of the events. */
export function failingPolicyIds(events: Iterable<SignInEvent>): string[] {
  const ids = new Set<string>();
  for (const e of events) for (const p of e.appliedConditionalAccessPolicies ?? []) if (p.result === 'failure' && p.id) ids.add(p.id);
  return [...ids];
}

/** A next link as a batch-relative URL, when it points at `${baseUrl}/beta/`. */
export function relativeBetaUrl(baseUrl: string, link: string): string | undefined {
  const prefix = `${baseUrl}/beta/`;
  return link.startsWith(prefix) ? `/${link.slice(prefix.length)}` : undefined;
}

/** `EvidenceSnapshot.source` of evidence read from Graph. */
export const GRAPH_SOURCE = 'Microsoft Graph';
/** One hour in ms. */
export const HOUR_MS = 3_600_000;
