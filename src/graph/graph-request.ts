import type { Logger } from '../logger';
/**
 * The shapes every Graph request shares: one response, one batch item, and the request
 * context that carries a lookup's time budget and cancellation through all of its requests.
 */
import type { LookupFailure } from '../domain/directory';

/** Graph logs through the app's one logger type (only counts, statuses and paths; never tokens or records). */
export type GraphLogger = Pick<Logger, 'debug' | 'info' | 'warn'>;

/** One Graph response (outer or inside a batch). Header names are lower-case. */
export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Status used for network errors (no HTTP response at all). */
export const NETWORK_ERROR_STATUS = 0;

/** Error code of an answer that was not the JSON Graph documents (a proxy's HTML page, a cut-off body). */
export const NOT_GRAPH_CODE = 'NotGraphJson';

/**
 * An answer that did not come from Graph in Graph's shape, as a 502 with its own error code: it
 * is "no evidence", never an empty success (a proxy answering 200 with an HTML page).
 */
export function notGraphResponse(detail: string, headers: Record<string, string> = {}): GraphResponse {
  return { status: 502, headers, body: { error: { code: NOT_GRAPH_CODE, message: detail.slice(0, 200) } } };
}

/** True for an answer notGraphResponse made. */
export function isNotGraph(response: GraphResponse): boolean {
  return (response.body as { error?: { code?: unknown } } | undefined)?.error?.code === NOT_GRAPH_CODE;
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

/** A request context for one lookup; call `dispose` when done. */
export function createRequestContext(budgetMs: number, callerSignal?: AbortSignal): { ctx: RequestContext; dispose: () => void } {
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
export function timeoutFailure(ctx: RequestContext): LookupFailure {
  const cancelled = ctx.callerSignal?.aborted === true;
  return {
    kind: 'timeout',
    message: 'the directory took too long to answer.',
    adminDetail: cancelled ? 'Microsoft Graph lookup cancelled by the caller before it finished.' : `Microsoft Graph lookup exceeded its ${ctx.budgetMs} ms time budget.`,
  };
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

/** The path of a URL without its query (the query holds user ids and filters). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
