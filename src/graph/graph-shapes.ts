/**
 * Small helpers shared by the per-user Graph reads (per-user-read.ts) and the tenant-wide
 * sign-in feed (tenant-signin-feed.ts): the two sign-in streams, OData literals and the
 * shapes of Graph collection pages.
 */
import type { SignInEvent } from '../domain/directory';

/** Interactive sign-ins (v1.0 and beta) and non-interactive ones (beta only). */
export type SignInStream = 'interactive' | 'nonInteractive';
export const STREAMS: readonly SignInStream[] = ['interactive', 'nonInteractive'];
export const EVENT_TYPE: Record<SignInStream, string> = { interactive: 'interactiveUser', nonInteractive: 'nonInteractiveUser' };

/** An OData string literal ('' escapes a quote). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The `value` array of a collection page (empty when absent). */
export function valueOf<T>(body: unknown): T[] {
  const value = (body as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? (value as T[]) : [];
}

/** The page's `@odata.nextLink`, when there is one. */
export function nextLinkOf(body: unknown): string | undefined {
  const link = (body as { '@odata.nextLink'?: unknown } | undefined)?.['@odata.nextLink'];
  return typeof link === 'string' && link ? link : undefined;
}

export function stripOData<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('@odata.'))) as T;
}

/** v1.0 records lack isInteractive / signInEventTypes: fill them from the stream read. */
export function normaliseSignIn(event: SignInEvent, stream: SignInStream): SignInEvent {
  const out = stripOData(event);
  out.isInteractive ??= stream === 'interactive';
  out.signInEventTypes ??= [EVENT_TYPE[stream]];
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
