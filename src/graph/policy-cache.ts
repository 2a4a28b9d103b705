/**
 * The Conditional Access policies a lookup's sign-ins failed: which ones still need a read
 * (at most 10 per lookup), the batch item that reads one, and the details kept across lookups.
 * After Graph refuses Policy.Read.All the reads stop for a while and the evidence says why.
 */
import type { ConditionalAccessPolicy } from '../domain/directory';
import type { BatchItem, GraphResponse } from './graph-request';
import { stripOData } from './graph-shapes';

/** The evidence gap named while Policy.Read.All is missing. */
export const POLICY_GAP = 'Conditional Access policy details (needs Policy.Read.All)';
const NO_ANSWER_GAP = 'Conditional Access policy details (Graph did not answer)';
const MAX_POLICY_READS = 10;
const ITEM_PREFIX = 'policy-';
/** Past this many entries, expired ones are swept out. */
const SWEEP_ABOVE = 200;

/** The policy details and refusals one GraphDirectory remembers across lookups. */
export class PolicyCache {
  private readonly cache = new Map<string, { policy: ConditionalAccessPolicy; expiresAt: number }>();
  /** Policy.Read.All was refused: skip policy reads (and report the gap) until then. */
  private deniedUntil = 0;

  /** @param ttlMs How long policy details (and a refusal) are remembered; 0 remembers nothing. */
  constructor(private readonly ttlMs: number) {}

  /** The batch item that reads policy `id`. */
  static item(id: string): BatchItem {
    return { id: `${ITEM_PREFIX}${id}`, url: `/identity/conditionalAccess/policies/${encodeURIComponent(id)}` };
  }

  /** Policies already known (cached) go to `policies`; returns the ids still to read (none while Policy.Read.All is refused). */
  toRead(ids: string[], policies: Map<string, ConditionalAccessPolicy>, tried: Set<string>, gaps: string[]): string[] {
    const nowMs = Date.now();
    const out: string[] = [];
    for (const id of ids) {
      if (tried.has(id)) continue;
      const hit = this.cache.get(id);
      if (hit && hit.expiresAt > nowMs) {
        policies.set(id, hit.policy);
        tried.add(id);
        continue;
      }
      if (this.deniedUntil > nowMs) {
        if (!gaps.includes(POLICY_GAP)) gaps.push(POLICY_GAP);
        continue;
      }
      if (tried.size >= MAX_POLICY_READS) break;
      tried.add(id);
      out.push(id);
    }
    return out;
  }

  /** Takes the answers to policy batch items into `policies` and `gaps`; false once Policy.Read.All was refused. */
  take(results: Map<string, GraphResponse>, policies: Map<string, ConditionalAccessPolicy>, gaps: string[]): boolean {
    let denied = false;
    for (const [id, res] of results) {
      if (!id.startsWith(ITEM_PREFIX)) continue;
      if (res.status === 200) {
        const policy = res.body as ConditionalAccessPolicy;
        if (policy?.id) {
          const clean = stripOData(policy);
          policies.set(policy.id, clean);
          if (this.ttlMs > 0) this.cache.set(policy.id, { policy: clean, expiresAt: Date.now() + this.ttlMs });
        }
      } else if (res.status === 403 || res.status === 401) {
        denied = true;
        if (this.ttlMs > 0) this.deniedUntil = Date.now() + this.ttlMs;
        if (!gaps.includes(POLICY_GAP)) gaps.push(POLICY_GAP);
      } else if (res.status !== 404 && !gaps.includes(NO_ANSWER_GAP)) {
        gaps.push(NO_ANSWER_GAP);
      }
    }
    if (this.cache.size > SWEEP_ABOVE) for (const [id, hit] of this.cache) if (hit.expiresAt <= Date.now()) this.cache.delete(id);
    return !denied;
  }
}
