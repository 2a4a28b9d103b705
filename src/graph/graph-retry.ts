/**
 * When to try a Graph request again, and after how long: Retry-After when Graph sends it,
 * else exponential backoff with jitter, and never past the lookup's time budget.
 */
import type { GraphResponse } from './graph-request';

/** Statuses worth another try (throttled, unavailable, gateway timeout). */
const RETRYABLE = new Set([429, 503, 504]);

/** Whether Graph asked us to come back later. */
export function isRetryable(status: number): boolean {
  return RETRYABLE.has(status);
}

/** The retry rules of one GraphHttp. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff step when Graph gives no Retry-After. */
  backoffBaseMs: number;
  random: () => number;
}

/** Longest backoff step; Retry-After may ask for more. */
const MAX_BACKOFF_STEP_MS = 4_000;
/** Room left for the retried request itself. */
const ROOM_FOR_RETRY_MS = 100;

/**
 * How long to wait before retrying, or undefined to give up: Retry-After when Graph sent it
 * (and it fits the budget), else exponential backoff with jitter (if it fits).
 */
export function retryDelay(policy: RetryPolicy, responses: GraphResponse[], attempt: number, deadline: number): number | undefined {
  if (attempt >= policy.maxRetries) return undefined;
  const remaining = deadline - Date.now();
  const retryAfter = Math.max(-1, ...responses.map((r) => parseRetryAfter(r.headers['retry-after'])));
  let wait: number;
  if (retryAfter >= 0) wait = retryAfter;
  else {
    const step = Math.min(policy.backoffBaseMs * 2 ** attempt, MAX_BACKOFF_STEP_MS);
    wait = Math.round(step / 2 + policy.random() * (step / 2));
  }
  return wait + ROOM_FOR_RETRY_MS <= remaining ? wait : undefined;
}

/** Retry-After in ms (seconds or an HTTP date), or -1 when absent or unreadable. */
function parseRetryAfter(value: string | undefined): number {
  if (!value) return -1;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : -1;
}
