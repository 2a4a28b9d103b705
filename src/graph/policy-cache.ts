/**
 * The Conditional Access policies a lookup's sign-ins failed. Microsoft documents reads of
 * /identity/conditionalAccess/policies at about one request per second per tenant, with no
 * Retry-After, so each policy is read ON ITS OWN (one batch item per round trip) within a budget
 * of its own (a 1-per-second limiter shared by every lookup of the directory), only for the ids
 * that failed a sign-in; details are cached, and a read already running for another lookup is
 * waited for rather than repeated. After Graph refuses Policy.Read.All the reads stop for a
 * while and the evidence says why.
 */
import type { ConditionalAccessPolicy } from '../domain/directory';
import { addGap, evidenceGap, type GapList } from './graph-failures';
import type { BatchItem, GraphResponse, RequestContext } from './graph-request';
import { isJsonObject, stripOData } from './graph-shapes';
import { RateLimitWaitError, SlidingWindowLimiter, abortableSleep } from './rate-limiter';

/** The evidence gap named while Policy.Read.All is missing. */
export const POLICY_GAP = evidenceGap('policy-details', { reason: 'permission' }).what;
/** Policies read at most per lookup (the rest are named by the sign-in log only). */
const MAX_POLICY_READS = 3;
const ITEM_PREFIX = 'policy-';
/** Past this many entries, expired ones are swept out. */
const SWEEP_ABOVE = 200;

/** What a lookup still needs: ids it may read, and ids another lookup is reading right now. */
export interface PolicyPlan {
  read: string[];
  busy: string[];
}

/** The policy details, refusals, reads in flight and read budget one GraphDirectory keeps across lookups. */
export class PolicyCache {
  private readonly cache = new Map<string, { policy: ConditionalAccessPolicy; expiresAt: number }>();
  private readonly reading = new Map<string, { done: Promise<void>; resolve: () => void }>();
  /** Policy.Read.All was refused: skip policy reads (and report the gap) until then. */
  private deniedUntil = 0;
  /** The policies' own budget: one read per second for the whole directory. */
  readonly limiter: SlidingWindowLimiter;

  /** @param ttlMs How long policy details (and a refusal) are remembered; 0 remembers nothing. */
  constructor(
    private readonly ttlMs: number,
    limiter?: SlidingWindowLimiter,
  ) {
    this.limiter = limiter ?? new SlidingWindowLimiter({ maxRequests: 1, windowMs: 1000, marginMs: 100 });
  }

  /** The batch item that reads policy `id`. */
  static item(id: string): BatchItem {
    return { id: `${ITEM_PREFIX}${id}`, url: `/identity/conditionalAccess/policies/${encodeURIComponent(id)}` };
  }

  /**
   * Cached policies go to `policies`; returns the ids still to read and those being read by
   * another lookup (none while Policy.Read.All is refused; at most MAX_POLICY_READS per lookup,
   * counting `tried`).
   */
  plan(ids: string[], policies: Map<string, ConditionalAccessPolicy>, tried: ReadonlySet<string>, gaps: GapList): PolicyPlan {
    const nowMs = Date.now();
    const out: PolicyPlan = { read: [], busy: [] };
    for (const id of ids) {
      if (tried.has(id) || policies.has(id)) continue;
      const hit = this.cache.get(id);
      if (hit && hit.expiresAt > nowMs) {
        policies.set(id, hit.policy);
        continue;
      }
      if (this.deniedUntil > nowMs) {
        addGap(gaps, evidenceGap('policy-details', { reason: 'permission' }));
        continue;
      }
      if (tried.size + out.read.length + out.busy.length >= MAX_POLICY_READS) break;
      (this.reading.has(id) ? out.busy : out.read).push(id);
    }
    return out;
  }

  /** Takes the policy budget's slot if it is free now. */
  trySlot(): boolean {
    return this.limiter.tryAcquire(1);
  }

  /** Waits (in turn) for the policy budget's next slot, leaving `reserveMs` of the lookup's budget; false when it does not come in time. */
  async waitSlot(ctx: RequestContext, reserveMs: number): Promise<boolean> {
    try {
      await this.limiter.acquire(1, { maxWaitMs: Math.max(0, ctx.deadline - Date.now() - reserveMs), signal: ctx.signal });
      return true;
    } catch (error) {
      if (error instanceof RateLimitWaitError || ctx.signal.aborted) return false;
      throw error;
    }
  }

  /** Marks `id` as being read, so other lookups wait for this read instead of repeating it. */
  begin(id: string): void {
    if (this.reading.has(id)) return;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.reading.set(id, { done, resolve });
  }

  /** Ends a read that got no answer (the lookup stopped): lookups waiting for it move on. */
  end(id: string): void {
    this.reading.get(id)?.resolve();
    this.reading.delete(id);
  }

  /** Waits until one of `ids` (read by other lookups) is answered, at most `maxMs`. */
  async awaitAny(ids: string[], maxMs: number, signal: AbortSignal): Promise<void> {
    const running = ids.map((id) => this.reading.get(id)?.done).filter((p): p is Promise<void> => p !== undefined);
    if (running.length === 0 || maxMs <= 0) return;
    const timer = new AbortController();
    const onAbort = (): void => timer.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([...running, abortableSleep(maxMs, timer.signal).catch(() => undefined)]);
    } finally {
      timer.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Takes the answers to policy batch items into `policies` and `gaps`; false once Policy.Read.All was refused. */
  take(results: Map<string, GraphResponse>, policies: Map<string, ConditionalAccessPolicy>, gaps: GapList): boolean {
    let denied = false;
    for (const [itemId, res] of results) {
      if (!itemId.startsWith(ITEM_PREFIX)) continue;
      const policy = res.body as ConditionalAccessPolicy | undefined;
      if (res.status === 200 && isJsonObject(policy) && typeof policy.id === 'string') {
        const clean = stripOData(policy);
        policies.set(policy.id, clean);
        if (this.ttlMs > 0) this.cache.set(policy.id, { policy: clean, expiresAt: Date.now() + this.ttlMs });
      } else if (res.status === 403 || res.status === 401) {
        denied = true;
        if (this.ttlMs > 0) this.deniedUntil = Date.now() + this.ttlMs;
        addGap(gaps, evidenceGap('policy-details', { response: res }));
      } else if (res.status !== 404) {
        addGap(gaps, evidenceGap('policy-details', { response: res }));
      }
      this.end(itemId.slice(ITEM_PREFIX.length));
    }
    if (this.cache.size > SWEEP_ABOVE) for (const [id, hit] of this.cache) if (hit.expiresAt <= Date.now()) this.cache.delete(id);
    return !denied;
  }
}
