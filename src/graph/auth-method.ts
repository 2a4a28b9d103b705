/**
 * How a user's password is checked at sign-in, which decides whether "the new password has not
 * reached Entra yet" can be true. `onPremisesSyncEnabled` only says the account is synced; the
 * user's UPN domain (`authenticationType` Federated or Managed) and the sign-ins' own
 * authentication details tell federation, pass-through authentication and password hash sync
 * apart. Only hash sync can lag behind a password change; pass-through and federation check the
 * on-premises password at every sign-in (and `lastPasswordChangeDateTime` does not move).
 *
 * The tenant's domains are read once (`GET /domains`, in the lookup's first batch) and reused.
 */
import type { AuthenticationInfo, DirectoryUser, SignInEvent } from '../domain/directory';
import { addGap, evidenceGap, type GapList } from './graph-failures';
import type { BatchItem, GraphResponse } from './graph-request';
import { collectionOf, isJsonObject } from './graph-shapes';

/** The batch item that lists the tenant's domains and how each authenticates. */
export const DOMAINS_ITEM: BatchItem = { id: 'domains', url: '/domains?$select=id,authenticationType' };

/** The tenant's domains (lower-cased name → Managed | Federated), read at most once per `ttlMs`. */
export class DomainCache {
  private domains?: Map<string, string>;
  private readAt = Number.NEGATIVE_INFINITY;
  /** The last read was refused or unusable: the response, for the gap. */
  private failed?: GraphResponse;

  constructor(private readonly ttlMs = 3_600_000) {}

  /** Whether the next lookup should read the domains (never read, expired, or the last read failed a while ago). */
  needsRead(): boolean {
    return Date.now() - this.readAt > (this.failed ? Math.min(this.ttlMs, 300_000) : this.ttlMs);
  }

  /** Takes the answer to DOMAINS_ITEM, when the batch had it. */
  take(results: Map<string, GraphResponse>): void {
    const res = results.get(DOMAINS_ITEM.id);
    if (!res) return;
    this.readAt = Date.now();
    const list = res.status === 200 ? collectionOf<unknown>(res.body) : undefined;
    if (!list) {
      this.failed = res;
      return;
    }
    this.failed = undefined;
    this.domains = new Map(
      list
        .filter(isJsonObject)
        .filter((d) => typeof d.id === 'string' && typeof d.authenticationType === 'string')
        .map((d) => [(d.id as string).toLowerCase(), d.authenticationType as string]),
    );
  }

  /** `Managed`, `Federated`, or undefined when the domain (or the list) is unknown. */
  typeOf(upn: string | undefined): string | undefined {
    const domain = upn?.split('@')[1]?.toLowerCase();
    return domain ? this.domains?.get(domain) : undefined;
  }

  /** The failed answer of the last read, if it failed. */
  get failure(): GraphResponse | undefined {
    return this.failed;
  }
}

const PASS_THROUGH = /pass-?\s?through/i;
const HASH_SYNC = /password hash sync/i;
const FEDERATED_ISSUER = /^ADFederationServices/i;

/** What the newest password sign-in says: pass-through, hash sync or federation; undefined when none tells. */
function fromSignIns(signIns: readonly SignInEvent[]): AuthenticationInfo['method'] | undefined {
  const newestFirst = [...signIns].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
  for (const e of newestFirst) {
    if (FEDERATED_ISSUER.test(e.tokenIssuerType ?? '')) return 'federated';
    for (const step of Array.isArray(e.authenticationDetails) ? e.authenticationDetails : []) {
      const detail = typeof step?.authenticationMethodDetail === 'string' ? step.authenticationMethodDetail : '';
      if (PASS_THROUGH.test(detail)) return 'pass-through';
      if (HASH_SYNC.test(detail)) return 'password-hash-sync';
    }
  }
  return undefined;
}

/**
 * How the user authenticates: a federated domain is federation; a synced user's sign-ins tell
 * pass-through from hash sync; a synced user nothing tells about is `hybrid-unknown` (and a
 * gap says so when the domains could not be read). `domainType` is the user's domain's
 * authenticationType when known.
 */
export function authenticationFrom(user: DirectoryUser, signIns: readonly SignInEvent[], domainType: string | undefined): AuthenticationInfo {
  const domain = user.userPrincipalName?.split('@')[1]?.toLowerCase();
  const synced = user.onPremisesSyncEnabled === true;
  if (domainType?.toLowerCase() === 'federated') return { method: 'federated', domain, source: 'domain' };
  const seen = fromSignIns(signIns);
  if (seen === 'federated') return { method: 'federated', domain, source: 'sign-ins' };
  if (!synced) return { method: 'cloud-only', domain, source: domainType ? 'domain' : 'user' };
  if (seen) return { method: seen, domain, source: 'sign-ins' };
  return { method: 'hybrid-unknown', domain, source: domainType ? 'domain' : 'user' };
}

/** authenticationFrom with the directory's domain cache, adding a gap when an unknown hybrid method comes from a failed domain read. */
export function authenticationOf(user: DirectoryUser, signIns: readonly SignInEvent[], domains: DomainCache, gaps: GapList): AuthenticationInfo {
  const info = authenticationFrom(user, signIns, domains.typeOf(user.userPrincipalName));
  if (info.method === 'hybrid-unknown' && info.source === 'user' && domains.failure) addGap(gaps, evidenceGap('authentication-method', { response: domains.failure }));
  return info;
}
