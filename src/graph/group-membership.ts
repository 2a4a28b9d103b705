import type { Logger } from '../logger';
/**
 * Is this person in the help desk's Entra group (HELPDESK_AGENTS_GROUP_ID)? Read through Microsoft
 * Graph with the bot's Graph credential: `POST /v1.0/users/{id}/checkMemberGroups`, which is
 * transitive (nested groups count) and needs GroupMember.Read.All (plus User.Read.All, which the
 * directory lookups already need).
 *
 * Answers are cached for a TTL, members and non-members alike, so a stream of card actions costs
 * one Graph call per person per TTL. A Graph failure (403 without the permission, throttling, an
 * outage, a timeout) counts as "not a member": access is refused, never granted, on doubt. It is
 * cached for a short while so a burst does not hammer Graph, and logged once per run of failures.
 */
import type { TokenCredential } from '@azure/identity';
import { graphError, redact } from './graph-failures';

/** Group checks log through the app's one logger type (ids of groups; tokens and bodies never). */
export type MembershipLogger = Pick<Logger, 'info' | 'warn'>;

/** Answers "is this aadObjectId a member of the agents group?". */
export interface GroupMembershipPort {
  readonly groupId: string;
  isMember(aadObjectId: string): Promise<boolean>;
}

export interface GroupMembershipOptions {
  credential: TokenCredential;
  /** Graph root for the cloud in use, e.g. https://graph.microsoft.com. */
  baseUrl: string;
  /** The Entra security group whose members are agents. */
  groupId: string;
  /** Token scope; default `${baseUrl}/.default`. */
  scope?: string;
  /** How long an answer is reused; default 5 minutes. */
  ttlMs?: number;
  /** How long a failed check counts as "not a member" before Graph is asked again; default 30 s. */
  failureTtlMs?: number;
  /** Per-request timeout; default 5 s (the check runs inside a Teams turn). */
  timeoutMs?: number;
  /** People remembered at most (oldest forgotten first); default 2000. */
  maxEntries?: number;
  fetch?: typeof fetch;
  clock?: () => number;
  log: MembershipLogger;
}

/** Why a check failed, for the one warning. */
interface Failure {
  status: number;
  code: string;
  message: string;
}

const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** aadObjectIds are GUIDs; anything outside this shape (a path, `..`) is not sent to Graph at all. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/** The agents group, read through Microsoft Graph. */
export class GraphGroupMembership implements GroupMembershipPort {
  readonly groupId: string;
  private readonly baseUrl: string;
  private readonly scope: string;
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly timeoutMs: number;
  private readonly maxEntries: number;
  private readonly clock: () => number;
  private readonly cache = new Map<string, { member: boolean; until: number }>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private token?: { value: string; expiresAt: number };
  /** True while checks keep failing: the warning is logged once per run of failures. */
  private failing = false;

  constructor(private readonly options: GroupMembershipOptions) {
    if (!SAFE_ID.test(options.groupId)) throw new RangeError('The agents group id must be an Entra object id (GUID).');
    this.groupId = options.groupId;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.scope = options.scope ?? `${this.baseUrl}/.default`;
    this.ttlMs = options.ttlMs ?? 300_000;
    this.failureTtlMs = options.failureTtlMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 2000;
    this.clock = options.clock ?? Date.now;
  }

  /** True when Graph says `aadObjectId` is (transitively) in the group; false on any doubt. */
  async isMember(aadObjectId: string): Promise<boolean> {
    if (!SAFE_ID.test(aadObjectId)) return false;
    const key = aadObjectId.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && cached.until > this.clock()) return cached.member;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const check = this.check(aadObjectId, key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, check);
    return check;
  }

  private async check(aadObjectId: string, key: string): Promise<boolean> {
    let member = false;
    let failure: Failure | undefined;
    try {
      const response = await this.post(`/v1.0/users/${encodeURIComponent(aadObjectId)}/checkMemberGroups`, { groupIds: [this.groupId] });
      if (response.status === 200) {
        const value = (response.body as { value?: unknown } | undefined)?.value;
        if (Array.isArray(value)) member = value.some((id) => typeof id === 'string' && id.toLowerCase() === this.groupId.toLowerCase());
        else failure = { status: 200, code: 'UnexpectedBody', message: 'checkMemberGroups answered without a value list' };
      } else if (response.status === 404) {
        member = false; // no such user in this tenant: an answer, not a failure
      } else {
        const error = graphError(response.body);
        failure = { status: response.status, code: error.code, message: error.message };
      }
    } catch (error) {
      const e = error as Error;
      failure = { status: 0, code: e.name === 'TimeoutError' || e.name === 'AbortError' ? 'Timeout' : e.name || 'Error', message: redact(e.message ?? String(error)) };
    }
    if (failure) {
      if (!this.failing) {
        this.failing = true;
        this.options.log.warn(
          {
            groupId: this.groupId,
            status: failure.status,
            code: failure.code,
            err: failure.message,
            hint: failure.status === 403 ? 'grant the bot GroupMember.Read.All (and User.Read.All) on Microsoft Graph' : undefined,
          },
          'could not read the help desk agents group from Microsoft Graph; members of that group are not treated as agents until it answers',
        );
      }
      this.remember(key, false, this.failureTtlMs);
      return false;
    }
    if (this.failing) {
      this.failing = false;
      this.options.log.info({ groupId: this.groupId }, 'the help desk agents group can be read from Microsoft Graph again');
    }
    this.remember(key, member, this.ttlMs);
    return member;
  }

  private remember(key: string, member: boolean, ttlMs: number): void {
    this.cache.delete(key);
    this.cache.set(key, { member, until: this.clock() + ttlMs });
    while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** One POST with a bearer token; a 401 gets one fresh token. Redirects are refused, never followed with the token. */
  private async post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const res = await (this.options.fetch ?? fetch)(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (res.status === 401 && attempt === 0) {
        this.token = undefined;
        continue;
      }
      return { status: res.status, body: parsed };
    }
  }

  private async accessToken(): Promise<string> {
    const now = this.clock();
    if (this.token && this.token.expiresAt - TOKEN_REFRESH_MARGIN_MS > now) return this.token.value;
    const token = await this.options.credential.getToken(this.scope);
    if (!token?.token) throw new Error(`the Graph credential returned no access token for ${this.scope}`);
    this.token = { value: token.token, expiresAt: token.expiresOnTimestamp };
    return token.token;
  }
}
