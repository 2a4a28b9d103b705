/**
 * What a lookup reads after it has the sign-ins, in the per-user read and the feed read alike:
 * the devices the sign-ins came from (by `deviceDetail.deviceId`) and the Conditional Access
 * policies they failed (one at a time, within the policies' own budget). Whatever cannot be read
 * becomes a named gap; the rest of the evidence stands.
 */
import type { ConditionalAccessPolicy, DirectoryDevice, SignInEvent } from '../domain/directory';
import { deviceItem, takeSignInDevices, unknownSignInDeviceIds } from './device-read';
import { addGap, evidenceGap, type GapList } from './graph-failures';
import type { BatchItem, GraphResponse, RequestContext } from './graph-request';
import { failingPolicyIds } from './graph-shapes';
import { PolicyCache, type PolicyPlan } from './policy-cache';

/** Room left in the lookup's budget for the round trip of a policy read after waiting for its slot. */
const POLICY_ROUND_TRIP_RESERVE_MS = 1_000;

/** The follow-up reads of one lookup. */
export class LookupExtras {
  readonly policies = new Map<string, ConditionalAccessPolicy>();
  private readonly triedPolicies = new Set<string>();
  private readonly askedDevices = new Set<string>();
  /** Policy reads this lookup started (others wait for them). */
  private readonly begun = new Set<string>();
  private policiesDenied: boolean;

  constructor(
    private readonly policyCache: PolicyCache,
    readPolicies: boolean,
    private readonly gaps: GapList,
  ) {
    this.policiesDenied = !readPolicies;
  }

  /**
   * Items for the next batch: the devices of sign-ins not yet known, and ONE failing policy. With
   * `wait`, the policy waits (briefly, within the lookup's budget) for the policies' own budget or
   * for another lookup already reading it, so it rides in this batch instead of costing one more.
   */
  async next(ctx: RequestContext, signIns: readonly SignInEvent[], devices: readonly DirectoryDevice[], wait: boolean): Promise<BatchItem[]> {
    const items: BatchItem[] = [];
    for (const id of unknownSignInDeviceIds(signIns, devices, this.askedDevices)) {
      this.askedDevices.add(id);
      items.push(deviceItem(id));
    }
    const policy = wait ? await this.waitForPolicy(ctx, signIns) : this.plan(signIns).read[0];
    if (typeof policy === 'string') {
      if (this.policyCache.trySlot()) items.push(this.start(policy));
    } else if (policy) {
      items.push(policy);
    }
    return items;
  }

  /**
   * The item of a failing policy still unread: waits for another lookup's read of it, or for the
   * policies' budget (within the lookup's), or undefined when there is nothing (more) to read in time.
   */
  private async waitForPolicy(ctx: RequestContext, signIns: readonly SignInEvent[]): Promise<BatchItem | undefined> {
    for (;;) {
      const plan = this.plan(signIns);
      const room = ctx.deadline - Date.now() - POLICY_ROUND_TRIP_RESERVE_MS;
      if (room <= 0 || ctx.signal.aborted) return undefined;
      if (plan.read.length > 0) {
        if (!(await this.policyCache.waitSlot(ctx, POLICY_ROUND_TRIP_RESERVE_MS))) return undefined;
        const again = this.plan(signIns).read[0]; // another lookup may have filled the cache meanwhile
        return again ? this.start(again) : undefined;
      }
      if (plan.busy.length === 0) return undefined;
      await this.policyCache.awaitAny(plan.busy, room, ctx.signal);
    }
  }

  /** Takes a batch's answers to device and policy items. */
  take(results: Map<string, GraphResponse>, devices: DirectoryDevice[]): void {
    takeSignInDevices(results, devices, this.gaps);
    if (!this.policyCache.take(results, this.policies, this.gaps)) this.policiesDenied = true;
  }

  /** Names what is still missing once the lookup stops reading, and releases reads that got no answer. */
  finish(signIns: readonly SignInEvent[]): void {
    for (const id of this.begun) if (!this.policies.has(id)) this.policyCache.end(id);
    if (signIns.length > 0 && signIns.every((e) => e.appliedConditionalAccessPolicies === undefined)) {
      // Graph leaves the field out entirely when the app may not read Conditional Access data.
      addGap(this.gaps, evidenceGap('policy-results', { reason: 'permission' }));
    }
    const unread = failingPolicyIds(signIns).filter((id) => !this.policies.has(id));
    if (!this.policiesDenied && unread.length > 0 && !this.gaps.gapDetails.some((g) => g.part === 'policy-details')) {
      addGap(this.gaps, evidenceGap('policy-details', { reason: 'limit', detail: 'not read within the time budget; the sign-in log names the policy' }));
    }
  }

  private plan(signIns: readonly SignInEvent[]): PolicyPlan {
    if (this.policiesDenied) return { read: [], busy: [] };
    return this.policyCache.plan(failingPolicyIds(signIns), this.policies, this.triedPolicies, this.gaps);
  }

  private start(id: string): BatchItem {
    this.triedPolicies.add(id);
    this.begun.add(id);
    this.policyCache.begin(id);
    return PolicyCache.item(id);
  }
}
