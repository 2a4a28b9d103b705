/**
 * Graph JSON batching: the request body for up to 20 GETs, and reading the answer back into
 * one response per item, apart from the items Graph asked us to retry.
 */
import { isRetryable } from './graph-retry';
import { NETWORK_ERROR_STATUS, notGraphResponse, type BatchItem, type GraphResponse } from './graph-request';

/** Graph's limit on requests in one JSON batch. */
export const MAX_BATCH_REQUESTS = 20;

/** An item to send again, with the answer that asked for it. */
export interface RetryItem {
  item: BatchItem;
  response: GraphResponse;
}

/** The `$batch` POST body for `items` (all GETs). */
export function batchBody(items: readonly BatchItem[]): { requests: Array<{ id: string; method: 'GET'; url: string }> } {
  return { requests: items.map((i) => ({ id: i.id, method: 'GET', url: i.url })) };
}

/**
 * Reads one `$batch` answer: final answers go into `results`, throttled or unavailable items
 * are returned for a retry. An outer failure applies to every item; an item the batch left
 * unanswered gets a 502.
 */
export function sortBatchAnswer(outer: GraphResponse, pending: readonly BatchItem[], results: Map<string, GraphResponse>): RetryItem[] {
  const retry: RetryItem[] = [];
  if (outer.status === 200 && !Array.isArray((outer.body as { responses?: unknown })?.responses)) {
    // A 200 that is not a $batch answer (a proxy's JSON, a cut-off body): nothing was answered.
    for (const item of pending) results.set(item.id, notGraphResponse('a 200 answer to $batch without a responses list'));
    return retry;
  }
  if (outer.status === 200) {
    for (const raw of (outer.body as { responses: Array<{ id?: unknown; status?: unknown; headers?: unknown; body?: unknown } | null> }).responses) {
      if (!raw || typeof raw !== 'object') continue;
      const item = pending.find((i) => i.id === raw.id);
      if (!item || results.has(item.id)) continue;
      const response = itemResponse(raw);
      if (isRetryable(response.status)) retry.push({ item, response });
      else results.set(item.id, response);
    }
    for (const item of pending) {
      if (!results.has(item.id) && !retry.some((r) => r.item === item)) {
        results.set(item.id, { status: 502, headers: {}, body: { error: { code: 'MissingBatchResponse', message: 'No response for this request in the batch.' } } });
      }
    }
  } else if (isRetryable(outer.status) || outer.status === NETWORK_ERROR_STATUS) {
    for (const item of pending) retry.push({ item, response: outer });
  } else {
    for (const item of pending) results.set(item.id, outer);
  }
  return retry;
}

/**
 * One item of a $batch answer. A success must carry a JSON object (and, when the item names a
 * content type, a JSON one); anything else is a NotGraphJson 502, never an empty success.
 */
function itemResponse(raw: { status?: unknown; headers?: unknown; body?: unknown }): GraphResponse {
  const status = typeof raw.status === 'number' && Number.isInteger(raw.status) ? raw.status : 0;
  const headers = lowerCaseHeaders(raw.headers);
  if (status === 0) return notGraphResponse('a $batch item without a status', headers);
  const type = headers['content-type'];
  const body = raw.body;
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
  if (status >= 200 && status < 300 && (!isObject || (type !== undefined && !/\bjson\b/i.test(type)))) {
    return notGraphResponse(`a $batch item answered ${status} with ${type ?? 'no content type'} and ${isObject ? 'an object' : 'no JSON object'}`, headers);
  }
  return { status, headers, body };
}

function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) if (typeof value === 'string' || typeof value === 'number') out[name.toLowerCase()] = String(value);
  }
  return out;
}
