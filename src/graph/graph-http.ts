/**
 * The HTTP side of the Graph directory: tokens (cached until 5 minutes before expiry),
 * JSON batching, the time budget, retries (Retry-After, else exponential backoff with jitter)
 * and the reports-API limiter. It never logs tokens, headers or response bodies.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { LookupFailure } from '../domain/directory';
import { RateLimitWaitError, SlidingWindowLimiter, abortableSleep, type Lease } from './rate-limiter';

/** The logger subset used (pino-compatible). Only counts, statuses and paths are logged. */
export interface GraphLogger {
  debug?(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** A lookup stopped for a reason the employee and the admin should hear about. */
export class GraphLookupError extends Error {
  override readonly name = 'GraphLookupError';
  constructor(readonly failure: LookupFailure) {
    super(failure.adminDetail ?? failure.message);
  }
}

/** One Graph response (outer or inside a batch). Header names are lower-case. */
export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A GET inside a JSON batch; `url` is relative to the version root (e.g. `/users/…`). */
export interface BatchItem {
  id: string;
  url: string;
  /** Counts against the reports-API limiter (/auditLogs/…). */
  reports?: boolean;
}

/** The budget and cancellation shared by every request of one lookup. */
export interface RequestContext {
  /** Epoch ms after which nothing more is sent. */
  readonly deadline: number;
  readonly budgetMs: number;
  /** Aborts at the deadline or when the caller's signal aborts. */
  readonly signal: AbortSignal;
  readonly callerSignal?: AbortSignal;
  /** HTTP requests sent so far (each batch is one). */
  roundTrips: number;
}

export interface GraphHttpOptions {
  credential: TokenCredential;
  baseUrl: string;
  scope: string;
  fetch: typeof fetch;
  clock: () => Date;
  logger?: GraphLogger;
  reportsLimiter: SlidingWindowLimiter;
  /** Retries after the first attempt (each must also fit the budget). */
  maxRetries?: number;
  /** First backoff step when Graph gives no Retry-After. */
  backoffBaseMs?: number;
  random?: () => number;
}

const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
const RETRYABLE = new Set([429, 503, 504]);
/** Status used for network errors (no HTTP response at all). */
export const NETWORK_ERROR_STATUS = 0;

/** Removes anything token-shaped from text that may reach logs or tickets. */
export function redact(text: string): string {
  return text
    .replace(/eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, '[redacted]')
    .replace(/bearer\s+\S+/gi, 'Bearer [redacted]')
    .slice(0, 400);
}

/** Graph's `{ error: { code, message } }`, or empty strings. */
export function graphError(body: unknown): { code: string; message: string } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return {
    code: typeof error?.code === 'string' ? error.code : '',
    message: typeof error?.message === 'string' ? redact(error.message) : '',
  };
}

export class GraphHttp {
  private token?: { value: string; expiresAt: number };
  private tokenRequest?: Promise<{ value: string; expiresAt: number }>;
  private readonly maxRetries: number;
  private readonly backoffBaseMs: number;
  private readonly random: () => number;

  constructor(private readonly options: GraphHttpOptions) {
    this.maxRetries = options.maxRetries ?? 4;
    this.backoffBaseMs = options.backoffBaseMs ?? 250;
    this.random = options.random ?? Math.random;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** A request context for one lookup; call `dispose` when done. */
  context(budgetMs: number, callerSignal?: AbortSignal): { ctx: RequestContext; dispose: () => void } {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('Time budget exceeded.', 'TimeoutError')), budgetMs);
    const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const ctx: RequestContext = { deadline: Date.now() + budgetMs, budgetMs, signal: controller.signal, callerSignal, roundTrips: 0 };
    return {
      ctx,
      dispose: () => {
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', onCallerAbort);
      },
    };
  }

  /** The failure for a lookup that ran out of time or was cancelled. */
  timeoutFailure(ctx: RequestContext): LookupFailure {
    const cancelled = ctx.callerSignal?.aborted === true;
    return {
      kind: 'timeout',
      message: 'the directory took too long to answer.',
      adminDetail: cancelled
        ? 'Microsoft Graph lookup cancelled by the caller before it finished.'
        : `Microsoft Graph lookup exceeded its ${ctx.budgetMs} ms time budget.`,
    };
  }

  /**
   * Runs `items` as one JSON batch on `version` (`v1.0` or `beta`), retrying only the items
   * that were throttled or unavailable. Returns every item's final response.
   */
  async batch(ctx: RequestContext, version: 'v1.0' | 'beta', items: BatchItem[]): Promise<Map<string, GraphResponse>> {
    if (items.length > 20) throw new RangeError('A Graph JSON batch holds at most 20 requests.');
    const results = new Map<string, GraphResponse>();
    let pending = items;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const reports = pending.filter((i) => i.reports).length;
      // Reports slots are held until the answer is back, and their window starts then.
      const leases = reports > 0 ? await this.acquireReports(ctx, reports) : [];
      let outer: GraphResponse;
      try {
        outer = await this.send(ctx, 'POST', `${this.options.baseUrl}/${version}/$batch`, {
          requests: pending.map((i) => ({ id: i.id, method: 'GET', url: i.url })),
        });
      } finally {
        for (const lease of leases) lease.settle();
      }
      const retry: Array<{ item: BatchItem; response: GraphResponse }> = [];
      if (outer.status === 200 && Array.isArray((outer.body as { responses?: unknown })?.responses)) {
        for (const raw of (outer.body as { responses: Array<{ id?: unknown; status?: unknown; headers?: unknown; body?: unknown }> }).responses) {
          const item = pending.find((i) => i.id === raw.id);
          if (!item) continue;
          const response: GraphResponse = { status: Number(raw.status) || 0, headers: lowerCaseHeaders(raw.headers), body: raw.body };
          if (RETRYABLE.has(response.status)) retry.push({ item, response });
          else results.set(item.id, response);
        }
        for (const item of pending) {
          if (!results.has(item.id) && !retry.some((r) => r.item === item)) {
            results.set(item.id, { status: 502, headers: {}, body: { error: { code: 'MissingBatchResponse', message: 'No response for this request in the batch.' } } });
          }
        }
      } else if (RETRYABLE.has(outer.status) || outer.status === NETWORK_ERROR_STATUS) {
        for (const item of pending) retry.push({ item, response: outer });
      } else {
        for (const item of pending) results.set(item.id, outer);
      }
      if (retry.length === 0) break;
      const wait = this.retryDelay(retry.map((r) => r.response), attempt, ctx);
      this.options.logger?.warn(
        { version, statuses: retry.map((r) => r.response.status), requests: retry.map((r) => r.item.id), waitMs: wait ?? null, attempt },
        wait === undefined ? 'Graph requests still failing; giving up within the time budget' : 'Graph requests throttled or unavailable; retrying',
      );
      if (wait === undefined) {
        for (const r of retry) results.set(r.item.id, r.response);
        break;
      }
      await this.sleep(ctx, wait);
      pending = retry.map((r) => r.item);
    }
    return results;
  }

  /** One GET with the same retry rules (used for UPN look-ups and stray next links). */
  async get(ctx: RequestContext, url: string, options: { reports?: boolean } = {}): Promise<GraphResponse> {
    for (let attempt = 0; ; attempt++) {
      const leases = options.reports ? await this.acquireReports(ctx, 1) : [];
      let response: GraphResponse;
      try {
        response = await this.send(ctx, 'GET', url);
      } finally {
        for (const lease of leases) lease.settle();
      }
      if (!RETRYABLE.has(response.status) && response.status !== NETWORK_ERROR_STATUS) return response;
      const wait = this.retryDelay([response], attempt, ctx);
      this.options.logger?.warn({ path: pathOf(url), status: response.status, waitMs: wait ?? null, attempt }, 'Graph request throttled or unavailable');
      if (wait === undefined) return response;
      await this.sleep(ctx, wait);
    }
  }

  /** Sends one HTTP request with a bearer token; a 401 refreshes the token once. */
  private async send(ctx: RequestContext, method: 'GET' | 'POST', url: string, body?: unknown): Promise<GraphResponse> {
    for (let authAttempt = 0; ; authAttempt++) {
      const token = await this.accessToken(ctx);
      if (ctx.signal.aborted) throw new GraphLookupError(this.timeoutFailure(ctx));
      ctx.roundTrips += 1;
      const started = Date.now();
      let response: GraphResponse;
      try {
        const res = await this.options.fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal: ctx.signal,
        });
        const text = await res.text();
        let parsed: unknown = undefined;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        const headers: Record<string, string> = {};
        res.headers.forEach((value, name) => {
          if (name === 'retry-after' || name === 'request-id' || name === 'client-request-id') headers[name] = value;
        });
        response = { status: res.status, headers, body: parsed };
      } catch (error) {
        if (ctx.signal.aborted) throw new GraphLookupError(this.timeoutFailure(ctx));
        this.options.logger?.warn({ method, path: pathOf(url), err: redact((error as Error).message) }, 'Graph request failed without a response');
        return { status: NETWORK_ERROR_STATUS, headers: {}, body: { error: { code: 'NetworkError', message: redact((error as Error).message) } } };
      }
      this.options.logger?.debug?.({ method, path: pathOf(url), status: response.status, ms: Date.now() - started }, 'Graph request');
      if (response.status === 401 && authAttempt === 0) {
        this.token = undefined; // maybe revoked or expired early: one fresh token, then give up
        continue;
      }
      return response;
    }
  }

  /** A token from the credential, reused until 5 minutes before it expires. */
  private async accessToken(ctx: RequestContext): Promise<string> {
    const now = this.options.clock().getTime();
    if (this.token && this.token.expiresAt - TOKEN_REFRESH_MARGIN_MS > now) return this.token.value;
    if (!this.tokenRequest) {
      this.tokenRequest = this.requestToken().finally(() => {
        this.tokenRequest = undefined;
      });
    }
    const token = await raceAbort(this.tokenRequest, ctx.signal).catch((error: unknown) => {
      if (ctx.signal.aborted) throw new GraphLookupError(this.timeoutFailure(ctx));
      throw error;
    });
    return token.value;
  }

  private async requestToken(): Promise<{ value: string; expiresAt: number }> {
    let token: AccessToken | null;
    try {
      token = await this.options.credential.getToken(this.options.scope);
    } catch (error) {
      throw new GraphLookupError(credentialFailure(error, this.options.baseUrl, this.options.scope));
    }
    if (!token?.token) {
      throw new GraphLookupError({
        kind: 'misconfigured',
        message: "the help desk bot isn't set up to read the directory yet.",
        adminDetail: `The credential returned no access token for scope ${this.options.scope}.`,
      });
    }
    this.token = { value: token.token, expiresAt: token.expiresOnTimestamp };
    this.options.logger?.info({ scope: this.options.scope, expiresInS: Math.round((token.expiresOnTimestamp - this.options.clock().getTime()) / 1000) }, 'Graph token acquired');
    return this.token;
  }

  /** Reports-API slots for `count` requests, held until the caller settles them (when the answer is back). */
  private async acquireReports(ctx: RequestContext, count: number): Promise<Lease[]> {
    const limiter = this.options.reportsLimiter;
    const leases: Lease[] = [];
    try {
      const wait = { maxWaitMs: Math.max(0, ctx.deadline - Date.now()), signal: ctx.signal };
      if (count <= limiter.maxRequests) {
        leases.push(await limiter.acquireLease(count, wait));
        return leases;
      }
      // More than the limiter allows at once (a limiter of fewer than 2 slots): chunks counted
      // from their grant, since a held chunk would block the next one forever.
      for (let left = count; left > 0; ) {
        const take = Math.min(left, limiter.maxRequests);
        await limiter.acquire(take, { maxWaitMs: Math.max(0, ctx.deadline - Date.now()), signal: ctx.signal });
        left -= take;
      }
      return leases;
    } catch (error) {
      for (const lease of leases) lease.settle();
      if (error instanceof RateLimitWaitError) {
        throw new GraphLookupError({
          kind: 'throttled',
          message: 'the sign-in log service is busy right now.',
          adminDetail: `Reports API limiter (${limiter.maxRequests} requests per ${limiter.windowMs / 1000} s per tenant) had no free slot within the ${ctx.budgetMs} ms budget (${Number.isFinite(error.waitMs) ? `needed ${Math.ceil(error.waitMs)} ms` : 'every slot held by requests in flight'}).`,
        });
      }
      if (ctx.signal.aborted) throw new GraphLookupError(this.timeoutFailure(ctx));
      throw error;
    }
  }

  /**
   * How long to wait before retrying, or undefined to give up: Retry-After when Graph sent it
   * (and it fits the budget), else exponential backoff with jitter (if it fits).
   */
  private retryDelay(responses: GraphResponse[], attempt: number, ctx: RequestContext): number | undefined {
    if (attempt >= this.maxRetries) return undefined;
    const remaining = ctx.deadline - Date.now();
    const retryAfter = Math.max(-1, ...responses.map((r) => parseRetryAfter(r.headers['retry-after'])));
    let wait: number;
    if (retryAfter >= 0) wait = retryAfter;
    else {
      const step = Math.min(this.backoffBaseMs * 2 ** attempt, 4_000);
      wait = Math.round(step / 2 + this.random() * (step / 2));
    }
    // Leave room for the retried request itself.
    return wait + 100 <= remaining ? wait : undefined;
  }

  private async sleep(ctx: RequestContext, ms: number): Promise<void> {
    try {
      await abortableSleep(ms, ctx.signal);
    } catch {
      throw new GraphLookupError(this.timeoutFailure(ctx));
    }
  }
}

function parseRetryAfter(value: string | undefined): number {
  if (!value) return -1;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : -1;
}

function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) if (typeof value === 'string' || typeof value === 'number') out[name.toLowerCase()] = String(value);
  }
  return out;
}

/** The path of a URL without its query (the query holds user ids and filters). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

/** Settles with `promise`, or rejects as soon as `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

const CLOUD_HINT =
  "the credential's authority host and Microsoft Graph must be in the same cloud (e.g. login.microsoftonline.com with graph.microsoft.com, login.microsoftonline.us with graph.microsoft.us, login.chinacloudapi.cn with microsoftgraph.chinacloudapi.cn)";

/** Maps a credential error to 'misconfigured', saying when the authority or cloud looks wrong. */
export function credentialFailure(error: unknown, baseUrl: string, scope: string): LookupFailure {
  const name = (error as { name?: string })?.name ?? 'Error';
  const text = redact(String((error as { message?: unknown })?.message ?? error)).split('\n')[0] ?? '';
  const wrongAuthority = /AADSTS(90002|900023|90072|700016|50049|500011|900382)\b|authority|instance|cloud|tenant .*not found|invalid_instance/i.test(text);
  const detail = wrongAuthority
    ? `Getting a token for ${scope} failed (${name}: ${text}). This looks like a wrong authority or a sovereign cloud mismatch: check the tenant id and that ${CLOUD_HINT}; Graph base URL is ${baseUrl}.`
    : name === 'CredentialUnavailableError'
      ? `No usable credential for ${scope} (${name}: ${text}). Configure the app registration's client id and secret or certificate, or a managed identity.`
      : `Getting a token for ${scope} failed (${name}: ${text}). Check the app registration's client id, secret or certificate, and tenant id.`;
  return { kind: 'misconfigured', message: "the help desk bot couldn't sign in to the directory (it's a setup problem on our side).", adminDetail: detail };
}

export { CLOUD_HINT };
