/**
 * The directory read from Microsoft Graph (the production DirectoryPort).
 *
 * One lookup is normally ONE round trip: a beta JSON batch holding the user, licences,
 * owned and registered devices, and the first page of interactive and non-interactive
 * sign-ins (non-interactive sign-ins only exist in beta, and a batch cannot mix versions).
 * A second batch follows only when there is more to read: further sign-in pages (up to
 * `maxPages` per stream) and the Conditional Access policies that failed a sign-in.
 */
import type { TokenCredential } from '@azure/identity';
import type {
  ConditionalAccessPolicy,
  DirectoryDevice,
  DirectoryPort,
  DirectoryUser,
  EvidenceSnapshot,
  LicenseDetail,
  LookupFailure,
  LookupResult,
  SignInEvent,
} from '../domain/directory';
import { CLOUD_HINT, GraphHttp, GraphLookupError, NETWORK_ERROR_STATUS, graphError, type BatchItem, type GraphLogger, type GraphResponse, type RequestContext } from './graph-http';
import { SlidingWindowLimiter } from './rate-limiter';

export { GraphLookupError, type GraphLogger } from './graph-http';

export interface GraphDirectoryOptions {
  credential: TokenCredential;
  /** Graph root for the cloud in use; default https://graph.microsoft.com. */
  baseUrl?: string;
  /** Hours of sign-ins to read; default 48. */
  windowHours?: number;
  /** Pages per sign-in stream (interactive, non-interactive); default 5. */
  maxPages?: number;
  /** Page size asked for ($top); default 100. */
  pageSize?: number;
  /** Whole-lookup budget, retries and limiter waits included; default 8000 ms. */
  timeBudgetMs?: number;
  /** How long a user's evidence is reused; default 60 000 ms (0 disables the cache). */
  cacheTtlMs?: number;
  /** Token scope; default `${baseUrl}/.default`. */
  scope?: string;
  /** Read failing Conditional Access policies (needs Policy.Read.All); default true. */
  readPolicies?: boolean;
  fetch?: typeof fetch;
  clock?: () => Date;
  logger?: GraphLogger;
  /**
   * The tenant's reports-API limiter. Share one instance between every GraphDirectory of
   * the same tenant; default: a new one of 5 requests per 10 s (or `reportsRateLimit`).
   */
  reportsLimiter?: SlidingWindowLimiter;
  reportsRateLimit?: { maxRequests: number; windowMs: number; marginMs?: number };
  /** Retries per request after the first attempt; default 4. */
  maxRetries?: number;
  /** First backoff step when Graph sends no Retry-After; default 250 ms. */
  backoffBaseMs?: number;
}

const HOUR = 3_600_000;
const SOURCE = 'Microsoft Graph';
const MAX_CACHED_USERS = 500;
const MAX_POLICY_READS = 10;

const USER_SELECT = 'id,displayName,userPrincipalName,mail,accountEnabled,createdDateTime,lastPasswordChangeDateTime,onPremisesSyncEnabled';
const LICENCE_SELECT = 'skuPartNumber,servicePlans';
const DEVICE_SELECT = 'id,deviceId,displayName,operatingSystem,isCompliant,isManaged,trustType,approximateLastSignInDateTime';

export const POLICY_GAP = 'Conditional Access policy details (needs Policy.Read.All)';

type Stream = 'interactive' | 'nonInteractive';
const STREAMS: Stream[] = ['interactive', 'nonInteractive'];
const EVENT_TYPE: Record<Stream, string> = { interactive: 'interactiveUser', nonInteractive: 'nonInteractiveUser' };

/** An OData string literal ('' escapes a quote). */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export class GraphDirectory implements DirectoryPort {
  private readonly http: GraphHttp;
  private readonly baseUrl: string;
  private readonly scope: string;
  private readonly windowHours: number;
  private readonly maxPages: number;
  private readonly pageSize: number;
  private readonly timeBudgetMs: number;
  private readonly cacheTtlMs: number;
  private readonly readPolicies: boolean;
  private readonly clock: () => Date;
  private readonly logger?: GraphLogger;
  private readonly cache = new Map<string, { expiresAt: number; evidence: EvidenceSnapshot }>();
  private readonly inFlight = new Map<string, Promise<LookupResult>>();
  /** A configuration problem found up front (scope and Graph in different clouds). */
  private readonly configProblem?: LookupFailure;

  constructor(options: GraphDirectoryOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://graph.microsoft.com').replace(/\/+$/, '');
    this.scope = options.scope ?? `${this.baseUrl}/.default`;
    this.windowHours = options.windowHours ?? 48;
    this.maxPages = Math.max(1, options.maxPages ?? 5);
    this.pageSize = Math.min(1000, Math.max(1, options.pageSize ?? 100));
    this.timeBudgetMs = options.timeBudgetMs ?? 8000;
    this.cacheTtlMs = options.cacheTtlMs ?? 60_000;
    this.readPolicies = options.readPolicies ?? true;
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger;
    const limiter =
      options.reportsLimiter ??
      new SlidingWindowLimiter({
        maxRequests: options.reportsRateLimit?.maxRequests ?? 5,
        windowMs: options.reportsRateLimit?.windowMs ?? 10_000,
        marginMs: options.reportsRateLimit?.marginMs ?? 250,
      });
    this.http = new GraphHttp({
      credential: options.credential,
      baseUrl: this.baseUrl,
      scope: this.scope,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      clock: this.clock,
      logger: options.logger,
      reportsLimiter: limiter,
      maxRetries: options.maxRetries,
      backoffBaseMs: options.backoffBaseMs,
    });
    this.configProblem = scopeMismatch(this.baseUrl, this.scope);
  }

  async lookup(userId: string, options: { now?: Date; signal?: AbortSignal } = {}): Promise<LookupResult> {
    if (this.configProblem) return { ok: false, failure: this.configProblem };
    const cached = this.cache.get(userId);
    if (cached && cached.expiresAt > this.clock().getTime()) {
      this.logger?.debug?.({ source: SOURCE, cached: true }, 'directory lookup served from cache');
      return { ok: true, evidence: cached.evidence };
    }
    const running = this.inFlight.get(userId);
    if (running) return running;
    const promise = this.lookupUncached(userId, options).finally(() => this.inFlight.delete(userId));
    this.inFlight.set(userId, promise);
    return promise;
  }

  async findUserIdByUpn(upn: string): Promise<string | undefined> {
    if (this.configProblem) throw new GraphLookupError(this.configProblem);
    const { ctx, dispose } = this.http.context(this.timeBudgetMs);
    try {
      const response = await this.http.get(ctx, `${this.baseUrl}/v1.0/users/${encodeURIComponent(upn.trim())}?$select=id`);
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw new GraphLookupError(this.failureFor('user', response));
      const id = (response.body as { id?: unknown } | undefined)?.id;
      return typeof id === 'string' ? id : undefined;
    } finally {
      dispose();
    }
  }

  private async lookupUncached(userId: string, options: { now?: Date; signal?: AbortSignal }): Promise<LookupResult> {
    const now = options.now ?? this.clock();
    const started = Date.now();
    const { ctx, dispose } = this.http.context(this.timeBudgetMs, options.signal);
    try {
      const evidence = await this.read(ctx, userId, now);
      if (this.cacheTtlMs > 0) {
        if (this.cache.size >= MAX_CACHED_USERS) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(userId, { expiresAt: this.clock().getTime() + this.cacheTtlMs, evidence });
      }
      this.logger?.info(
        { source: SOURCE, signIns: evidence.signIns.length, devices: evidence.devices.length, policies: evidence.conditionalAccessPolicies.length, gaps: evidence.gaps.length, roundTrips: ctx.roundTrips, ms: Date.now() - started },
        'directory lookup done',
      );
      return { ok: true, evidence };
    } catch (error) {
      const failure =
        error instanceof GraphLookupError
          ? error.failure
          : ctx.signal.aborted
            ? this.http.timeoutFailure(ctx)
            : { kind: 'unavailable' as const, message: 'the directory could not be reached.', adminDetail: `Unexpected error reading Microsoft Graph: ${(error as Error)?.message ?? String(error)}` };
      this.logger?.warn({ source: SOURCE, kind: failure.kind, detail: failure.adminDetail, roundTrips: ctx.roundTrips, ms: Date.now() - started }, 'directory lookup failed');
      return { ok: false, failure };
    } finally {
      dispose();
    }
  }

  private signInsUrl(userId: string, from: string, stream: Stream): string {
    const filter = `userId eq ${odataString(userId)} and createdDateTime ge ${from} and signInEventTypes/any(t: t eq '${EVENT_TYPE[stream]}')`;
    return `/auditLogs/signIns?$filter=${encodeURIComponent(filter)}&$top=${this.pageSize}`;
  }

  private async read(ctx: RequestContext, userId: string, now: Date): Promise<EvidenceSnapshot> {
    const from = new Date(now.getTime() - this.windowHours * HOUR).toISOString();
    const uid = encodeURIComponent(userId);
    const first = await this.http.batch(ctx, 'beta', [
      { id: 'user', url: `/users/${uid}?$select=${USER_SELECT}` },
      { id: 'licenceDetails', url: `/users/${uid}/licenseDetails?$select=${LICENCE_SELECT}` },
      { id: 'ownedDevices', url: `/users/${uid}/ownedDevices?$select=${DEVICE_SELECT}` },
      { id: 'registeredDevices', url: `/users/${uid}/registeredDevices?$select=${DEVICE_SELECT}` },
      ...STREAMS.map((s): BatchItem => ({ id: s, url: this.signInsUrl(userId, from, s), reports: true })),
    ]);
    const response = (id: string): GraphResponse => first.get(id) ?? { status: 502, headers: {}, body: undefined };

    // The user first: a missing user explains everything else failing too.
    const userResponse = response('user');
    if (userResponse.status === 404) {
      throw new GraphLookupError({
        kind: 'user-not-found',
        message: "I couldn't find your account in the directory, so I can't read your sign-in logs.",
        adminDetail: `Microsoft Graph has no user with id ${userId} (404).`,
      });
    }
    if (userResponse.status !== 200) throw new GraphLookupError(this.failureFor('user', userResponse));
    for (const s of STREAMS) if (response(s).status !== 200) throw new GraphLookupError(this.failureFor('signIns', response(s)));
    for (const id of ['licenceDetails', 'ownedDevices', 'registeredDevices']) {
      if (response(id).status !== 200) throw new GraphLookupError(this.failureFor(id === 'licenceDetails' ? 'user' : 'devices', response(id)));
    }

    const gaps: string[] = [];
    const user = pick(userResponse.body, USER_SELECT) as unknown as DirectoryUser;
    user.id ??= userId;
    user.licenseDetails = valueOf<LicenseDetail>(response('licenceDetails').body).map((l) => pick(l, LICENCE_SELECT) as LicenseDetail);
    if (nextLinkOf(response('licenceDetails').body)) gaps.push('Some licence details (more than one page)');

    const devices = new Map<string, DirectoryDevice>();
    for (const id of ['ownedDevices', 'registeredDevices']) {
      for (const raw of valueOf<DirectoryDevice>(response(id).body)) {
        const type = (raw as { '@odata.type'?: string })['@odata.type'];
        if (type && type !== '#microsoft.graph.device') continue;
        const device = pick(raw, DEVICE_SELECT) as DirectoryDevice;
        const key = device.id ?? device.deviceId ?? `device-${devices.size}`;
        if (!devices.has(key)) devices.set(key, device);
      }
    }

    // Sign-ins: merge both streams by id, following next links (batched) up to maxPages each.
    const signIns = new Map<string, SignInEvent>();
    const pages: Record<Stream, number> = { interactive: 1, nonInteractive: 1 };
    const next: Partial<Record<Stream, string>> = {};
    const addPage = (stream: Stream, body: unknown): void => {
      for (const event of valueOf<SignInEvent>(body)) {
        if (!event?.id || signIns.has(event.id)) continue;
        signIns.set(event.id, normaliseSignIn(event, stream));
      }
      const link = nextLinkOf(body);
      if (link) next[stream] = link;
      else delete next[stream];
    };
    for (const s of STREAMS) addPage(s, response(s).body);

    const policies = new Map<string, ConditionalAccessPolicy>();
    const policiesTried = new Set<string>();
    let policiesDenied = !this.readPolicies;
    const truncated: Stream[] = [];
    const olderPagesFailed: string[] = [];

    for (;;) {
      const items: BatchItem[] = [];
      const direct: Array<{ stream: Stream; url: string }> = [];
      for (const s of STREAMS) {
        const link = next[s];
        if (!link) continue;
        if (pages[s] >= this.maxPages) {
          truncated.push(s);
          delete next[s];
          continue;
        }
        const relative = this.relativeBetaUrl(link);
        if (relative) items.push({ id: `page-${s}`, url: relative, reports: true });
        else direct.push({ stream: s, url: link });
      }
      if (!policiesDenied) {
        for (const id of failingPolicyIds(signIns.values())) {
          if (policiesTried.size >= MAX_POLICY_READS) break;
          if (policiesTried.has(id)) continue;
          policiesTried.add(id);
          items.push({ id: `policy-${id}`, url: `/identity/conditionalAccess/policies/${encodeURIComponent(id)}` });
        }
      }
      if (items.length === 0 && direct.length === 0) break;

      const results = items.length > 0 ? await this.http.batch(ctx, 'beta', items) : new Map<string, GraphResponse>();
      for (const d of direct) results.set(`page-${d.stream}`, await this.http.get(ctx, d.url, { reports: true }));
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
      for (const [id, res] of results) {
        if (!id.startsWith('policy-')) continue;
        if (res.status === 200) {
          const policy = res.body as ConditionalAccessPolicy;
          if (policy?.id) policies.set(policy.id, stripOData(policy));
        } else if (res.status === 403 || res.status === 401) {
          policiesDenied = true;
          if (!gaps.includes(POLICY_GAP)) gaps.push(POLICY_GAP);
        } else if (res.status !== 404 && !gaps.includes('Conditional Access policy details (Graph did not answer)')) {
          gaps.push('Conditional Access policy details (Graph did not answer)');
        }
      }
    }
    if (truncated.length > 0) {
      gaps.push(`Older sign-ins in the last ${this.windowHours} hours (only the newest ${this.maxPages} pages of ${truncated.map((s) => (s === 'interactive' ? 'interactive' : 'non-interactive')).join(' and ')} sign-ins were read)`);
    }
    if (olderPagesFailed.length > 0) gaps.push(`Older sign-ins (Graph did not return the later pages: ${olderPagesFailed.join(', ')})`);

    const events = [...signIns.values()].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
    return {
      user,
      signIns: events,
      devices: [...devices.values()],
      conditionalAccessPolicies: [...policies.values()],
      window: { from, to: now.toISOString() },
      source: SOURCE,
      gaps,
    };
  }

  /** A next link as a batch-relative URL, when it points at this Graph's beta root. */
  private relativeBetaUrl(link: string): string | undefined {
    const prefix = `${this.baseUrl}/beta/`;
    return link.startsWith(prefix) ? `/${link.slice(prefix.length)}` : undefined;
  }

  /** Maps a failed Graph response to plain words and an admin detail naming the permission. */
  private failureFor(area: 'user' | 'devices' | 'signIns', response: GraphResponse): LookupFailure {
    const { code, message } = graphError(response.body);
    const what = area === 'signIns' ? '/auditLogs/signIns' : area === 'devices' ? "the user's devices" : 'the user and licences';
    const graphSaid = `Graph ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
    const status = response.status;
    if (status === 403 || (status === 400 && /premium|B2C/i.test(`${code} ${message}`))) {
      if (area === 'signIns' && /NonPremium|premium|B2C/i.test(`${code} ${message}`)) {
        return {
          kind: 'licence-required',
          message: "your organisation's Microsoft Entra plan doesn't include sign-in logs, so I can't read them.",
          adminDetail: `${graphSaid} on ${what}. Reading sign-in logs through Graph needs a Microsoft Entra ID P1 or P2 licence in the tenant.`,
        };
      }
      const permission =
        area === 'signIns'
          ? 'AuditLog.Read.All (application permission, with admin consent; Directory.Read.All is also needed to read sign-ins)'
          : area === 'devices'
            ? 'Directory.Read.All (application permission, with admin consent)'
            : 'Directory.Read.All or User.Read.All (application permission, with admin consent)';
      return {
        kind: 'permission-missing',
        message: "the help desk bot hasn't been given permission to read that part of the directory yet.",
        adminDetail: `${graphSaid} reading ${what}. Grant the bot's app registration ${permission}.`,
      };
    }
    if (status === 401) {
      const audience = /audience|aud\b/i.test(message);
      return {
        kind: 'misconfigured',
        message: "the help desk bot couldn't sign in to the directory (it's a setup problem on our side).",
        adminDetail: audience
          ? `${graphSaid}. The token's audience doesn't match ${this.baseUrl}: the scope (${this.scope}) and the Graph base URL look like different clouds; ${CLOUD_HINT}.`
          : `${graphSaid}. Graph rejected the bot's token for ${this.baseUrl}; check the tenant, the app registration and that ${CLOUD_HINT}.`,
      };
    }
    if (status === 429) {
      return {
        kind: 'throttled',
        message: 'the sign-in log service is busy right now.',
        adminDetail: `${graphSaid} reading ${what}; still throttled after retrying within the ${this.timeBudgetMs} ms budget.`,
      };
    }
    if (status === NETWORK_ERROR_STATUS) {
      return { kind: 'unavailable', message: 'the directory could not be reached.', adminDetail: `No response from ${this.baseUrl} reading ${what} (${message || 'network error'}).` };
    }
    return {
      kind: 'unavailable',
      message: "the directory isn't answering right now.",
      adminDetail: `${graphSaid} reading ${what}${status >= 500 ? `; still failing after retrying within the ${this.timeBudgetMs} ms budget` : ''}.`,
    };
  }
}

/** Scope and Graph base URL on different hosts means tokens Graph will refuse. */
function scopeMismatch(baseUrl: string, scope: string): LookupFailure | undefined {
  let graphHost: string;
  let scopeHost: string;
  try {
    graphHost = new URL(baseUrl).host;
    scopeHost = new URL(scope).host;
  } catch {
    return undefined; // e.g. a bare resource id: let Graph decide
  }
  if (graphHost === scopeHost) return undefined;
  return {
    kind: 'misconfigured',
    message: "the help desk bot couldn't sign in to the directory (it's a setup problem on our side).",
    adminDetail: `Token scope ${scope} is for ${scopeHost} but Graph requests go to ${graphHost}: a sovereign cloud mismatch; ${CLOUD_HINT}.`,
  };
}

function valueOf<T>(body: unknown): T[] {
  const value = (body as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? (value as T[]) : [];
}

function nextLinkOf(body: unknown): string | undefined {
  const link = (body as { '@odata.nextLink'?: unknown } | undefined)?.['@odata.nextLink'];
  return typeof link === 'string' && link ? link : undefined;
}

/** Keeps only the selected properties (Graph may add @odata annotations). */
function pick(source: unknown, select: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!source || typeof source !== 'object') return out;
  for (const key of select.split(',')) {
    if (key in source) out[key] = (source as Record<string, unknown>)[key];
  }
  return out;
}

function stripOData<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('@odata.'))) as T;
}

/** v1.0 records lack isInteractive / signInEventTypes: fill them from the stream read. */
function normaliseSignIn(event: SignInEvent, stream: Stream): SignInEvent {
  const out = stripOData(event);
  out.isInteractive ??= stream === 'interactive';
  out.signInEventTypes ??= [EVENT_TYPE[stream]];
  return out;
}

function failingPolicyIds(events: Iterable<SignInEvent>): string[] {
  const ids = new Set<string>();
  for (const e of events) for (const p of e.appliedConditionalAccessPolicies ?? []) if (p.result === 'failure' && p.id) ids.add(p.id);
  return [...ids];
}
