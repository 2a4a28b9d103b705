/**
 * The port of a rate budget shared by every instance of the deployment: Microsoft Graph's
 * reports API allows about 5 requests per 10 s per TENANT, however many bot instances there
 * are. Each budget (one key per tenant) is a short list of slots; a slot counts against the
 * budget until its `until` time. Implementations make `take` atomic across processes (SQLite
 * transactions locally, Azure Table eTags in production).
 */

/** The answer to `take`: the new slots' ids, or the `until` times of the slots in the way. */
export type BudgetTake = { granted: string[] } | { granted: null; untils: number[] };

/** A request for `count` slots of a budget of `max`. */
export interface BudgetRequest {
  count: number;
  max: number;
  /** The caller's clock (epoch ms): slots with `until <= now` no longer count and are dropped. */
  now: number;
  /** Until when the new slots count while their requests are in flight (released sooner by `release`). */
  holdUntil: number;
}

/** A store of shared rate budgets. */
export interface RateBudgetStore {
  /**
   * Atomically drops the slots that stopped counting, then adds `count` slots if they fit under
   * `max` (returning their ids), or returns the `until` times of the slots still counting, oldest
   * release first, so the caller knows how long to wait.
   */
  take(key: string, request: BudgetRequest): Promise<BudgetTake>;
  /** Sets the `until` of the given slots (e.g. answer time + window); unknown ids are ignored. */
  release(key: string, slotIds: readonly string[], until: number): Promise<void>;
  /** The `until` times of the slots counting at `now`, soonest first. */
  peek(key: string, now: number): Promise<number[]>;
}

/** A budget's slots as stored: id and until (epoch ms). */
export interface StoredSlot {
  id: string;
  until: number;
}

/** The pure step every store applies inside its transaction or eTag round: the slots after a take, and its answer. */
export function applyTake(stored: readonly StoredSlot[], request: BudgetRequest, newId: () => string): { slots: StoredSlot[]; result: BudgetTake } {
  const live = stored.filter((s) => s.until > request.now).sort((a, b) => a.until - b.until);
  if (live.length + request.count > request.max) return { slots: live, result: { granted: null, untils: live.map((s) => s.until) } };
  const added = Array.from({ length: request.count }, () => ({ id: newId(), until: request.holdUntil }));
  return { slots: [...live, ...added], result: { granted: added.map((s) => s.id) } };
}

/** Reads stored slots defensively (stored JSON is not trusted blindly). */
export function parseSlots(json: string | undefined): StoredSlot[] {
  if (!json) return [];
  try {
    const raw = JSON.parse(json) as unknown;
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((s): s is StoredSlot => !!s && typeof s === 'object' && typeof (s as StoredSlot).id === 'string' && Number.isFinite((s as StoredSlot).until))
      .slice(0, 1000)
      .map((s) => ({ id: s.id.slice(0, 64), until: s.until }));
  } catch {
    return [];
  }
}
