/**
 * The HTTP side of the Graph directory: one GET or one JSON batch at a time, with a bearer
 * token (graph-token.ts), retries within the time budget (graph-retry.ts) and the
 * reports-API limiter. It never logs tokens, headers or response bodies.
 */
import type { TokenCredential } from '@azure/identity';
import type { LookupFailure } from '../domain/directory';
import { MAX_BATCH_REQUESTS, batchBody, sortBatchAnswer } from './graph-batch';
import { GraphLookupError, redact } from './graph-failures';
import {
  NETWORK_ERROR_STATUS,
  createRequestContext,
  notGraphResponse,
  pathOf,
  timeoutFailure,
  type BatchItem,
  type GraphLogger,
  type GraphResponse,
  type RequestContext,
} from './graph-request';
import { isRetryable, retryDelay, type RetryPolicy } from './graph-retry';
import { GraphToken } from './graph-token';
import { RateLimitWaitError, abortableSleep, type Lease, type ReportsLimiter } from './rate-limiter';

// The names this module has always exported, wherever they live now.
export { CLOUD_HINT, GraphLookupError, credentialFailure, graphError, redact } from './graph-failures';
export { NETWORK_ERROR_STATUS, pathOf, raceAbort, type BatchItem, type GraphLogger, type GraphResponse, type RequestContext } from './graph-request';

/** The transport's setup: credential, Graph root, limiter and retry rules. */
export interface GraphHttpOptions {
  credential: TokenCredential;
  baseUrl: string;
  scope: string;
  fetch: typeof fetch;
  clock: () => Date;
  logger?: GraphLogger;
  reportsLimiter: ReportsLimiter;
  /** Retries after the first attempt (each must also fit the budget). */
  maxRetries?: number;
  /** First backoff step when Graph gives no Retry-After. */
  backoffBaseMs?: number;
  random?: () => number;
}

/** Response headers kept (for Retry-After and support cases); every other header is dropped. */
const KEPT_HEADERS = new Set(['retry-after', 'request-id', 'client-request-id']);

/**
 * One HTTP answer as a GraphResponse. Graph answers with a JSON object and a JSON content type;
 * anything else (a proxy's HTML page, a captive portal, a cut-off body) is not evidence of
 * anything and becomes a NotGraphJson 502, except throttling and outages, which keep their
 * status so they are retried.
 */
export function readAnswer(status: number, contentType: string, text: string, headers: Record<string, string>): GraphResponse {
  let parsed: unknown = undefined;
  let parses = false;
  try {
    parsed = text ? JSON.parse(text) : undefined;
    parses = text.length > 0;
  } catch {
    parsed = undefined;
  }
  const json = /\bjson\b/i.test(contentType);
  if (json && parses && parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return { status, headers, body: parsed };
  if (isRetryable(status)) return { status, headers, body: undefined };
  const type = contentType.split(';')[0]?.trim() || 'no content type';
  const what = !text ? 'an empty body' : json ? 'a body that is not a JSON object' : `${type} (${Math.ceil(text.length / 1024)} KB)`;
  return notGraphResponse(`HTTP ${status} with ${what} instead of Microsoft Graph JSON`, headers);
}

/** Sends the directory's Graph requests within one lookup's budget. */
export class GraphHttp {
  private readonly token: GraphToken;
  private readonly retry: RetryPolicy;

  constructor(private readonly options: GraphHttpOptions) {
    this.token = new GraphToken({ credential: options.credential, scope: options.scope, baseUrl: options.baseUrl, clock: options.clock, logger: options.logger });
    this.retry = { maxRetries: options.maxRetries ?? 4, backoffBaseMs: options.backoffBaseMs ?? 250, random: options.random ?? Math.random };
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** A request context for one lookup; call `dispose` when done. */
  context(budgetMs: number, callerSignal?: AbortSignal): { ctx: RequestContext; dispose: () => void } {
    return createRequestContext(budgetMs, callerSignal);
  }

  /** The failure for a lookup that ran out of time or was cancelled. */
  timeoutFailure(ctx: RequestContext): LookupFailure {
    return timeoutFailure(ctx);
  }

  /**
   * Runs `items` as one JSON batch on `version` (`v1.0` or `beta`), retrying only the items
   * that were throttled or unavailable. Returns every item's final response.
   */
  async batch(ctx: RequestContext, version: 'v1.0' | 'beta', items: BatchItem[]): Promise<Map<string, GraphResponse>> {
    if (items.length > MAX_BATCH_REQUESTS) throw new RangeError('A Graph JSON batch holds at most 20 requests.');
    const results = new Map<string, GraphResponse>();
    let pending = items;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const reports = pending.filter((i) => i.reports).length;
      // Reports slots are held until the answer is back, and their window starts then.
      const leases = reports > 0 ? await this.acquireReports(ctx, reports) : [];
      let outer: GraphResponse;
      try {
        outer = await this.send(ctx, 'POST', `${this.options.baseUrl}/${version}/$batch`, batchBody(pending));
      } finally {
        for (const lease of leases) lease.settle();
      }
      const retry = sortBatchAnswer(outer, pending, results);
      if (retry.length === 0) break;
      const wait = retryDelay(
        this.retry,
        retry.map((r) => r.response),
        attempt,
        ctx.deadline,
      );
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
      if (!isRetryable(response.status) && response.status !== NETWORK_ERROR_STATUS) return response;
      const wait = retryDelay(this.retry, [response], attempt, ctx.deadline);
      this.options.logger?.warn({ path: pathOf(url), status: response.status, waitMs: wait ?? null, attempt }, 'Graph request throttled or unavailable');
      if (wait === undefined) return response;
      await this.sleep(ctx, wait);
    }
  }

  /** Sends one HTTP request with a bearer token; a 401 refreshes the token once. */
  private async send(ctx: RequestContext, method: 'GET' | 'POST', url: string, body?: unknown): Promise<GraphResponse> {
    for (let authAttempt = 0; ; authAttempt++) {
      const token = await this.token.get(ctx);
      if (ctx.signal.aborted) throw new GraphLookupError(timeoutFailure(ctx));
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
        const headers: Record<string, string> = {};
        res.headers.forEach((value, name) => {
          if (KEPT_HEADERS.has(name)) headers[name] = value;
        });
        response = readAnswer(res.status, res.headers.get('content-type') ?? '', text, headers);
      } catch (error) {
        if (ctx.signal.aborted) throw new GraphLookupError(timeoutFailure(ctx));
        this.options.logger?.warn({ method, path: pathOf(url), err: redact((error as Error).message) }, 'Graph request failed without a response');
        return { status: NETWORK_ERROR_STATUS, headers: {}, body: { error: { code: 'NetworkError', message: redact((error as Error).message) } } };
      }
      this.options.logger?.debug?.({ method, path: pathOf(url), status: response.status, ms: Date.now() - started }, 'Graph request');
      if (response.status === 401 && authAttempt === 0) {
        this.token.forget(); // maybe revoked or expired early: one fresh token, then give up
        continue;
      }
      return response;
    }
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
      for (let left = count; left > 0;) {
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
      if (ctx.signal.aborted) throw new GraphLookupError(timeoutFailure(ctx));
      throw error;
    }
  }

  private async sleep(ctx: RequestContext, ms: number): Promise<void> {
    try {
      await abortableSleep(ms, ctx.signal);
    } catch {
      throw new GraphLookupError(timeoutFailure(ctx));
    }
  }
}
