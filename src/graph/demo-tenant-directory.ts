import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DirectoryDevice, DirectoryPort, EvidenceSnapshot, LookupResult } from '../domain/directory';
import { authenticationFrom } from './auth-method';
import type { DemoTenant } from './demo-tenant-data';
import { unknownSignInDeviceIds } from './device-read';

const HOUR = 3_600_000;

/** Loose validation: the file holds Graph's own shapes, so unknown fields pass through untouched. */
const tenantSchema = z.object({
  users: z.array(z.object({ id: z.string().min(1) }).passthrough()),
  signIns: z.array(z.object({ id: z.string().min(1), createdDateTime: z.string().min(1) }).passthrough()).default([]),
  devices: z.array(z.object({ registeredOwners: z.array(z.string()).optional() }).passthrough()).default([]),
  conditionalAccessPolicies: z.array(z.object({ id: z.string().min(1) }).passthrough()).default([]),
  domains: z.array(z.object({ id: z.string().min(1), authenticationType: z.string().min(1) }).passthrough()).optional(),
});

/** Reads and checks a demo tenant file; the error names the file and the first problem. */
export function loadDemoTenantFile(path: string): DemoTenant {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`DEMO_TENANT_FILE: cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = tenantSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`DEMO_TENANT_FILE: ${path} is not a demo tenant (${issue?.path.join('.') || 'root'}: ${issue?.message}).`);
  }
  return parsed.data as unknown as DemoTenant;
}

/**
 * The directory answered from a demo tenant (contract §4): the file named by DEMO_TENANT_FILE,
 * or the demo tenant that ships with the project.
 */
export class DemoTenantDirectory implements DirectoryPort {
  /** Sign-ins by user id and by lower-case UPN, built once: a lookup reads one user's, not the whole tenant's. */
  private readonly byUserId = new Map<string, DemoTenant['signIns']>();
  private readonly byUpn = new Map<string, DemoTenant['signIns']>();

  constructor(
    private readonly tenant: DemoTenant,
    private readonly options: { windowHours: number; source: string },
  ) {
    for (const s of tenant.signIns) {
      // Graph always sets userId; a hand-written file may only name the user by UPN.
      const [map, key] = s.userId !== undefined ? [this.byUserId, s.userId] : [this.byUpn, s.userPrincipalName?.toLowerCase()];
      if (key === undefined) continue;
      const list = map.get(key);
      if (list) list.push(s);
      else map.set(key, [s]);
    }
  }

  async lookup(userId: string, opts?: { now?: Date }): Promise<LookupResult> {
    const now = opts?.now ?? new Date();
    const user = this.tenant.users.find((u) => u.id === userId);
    if (!user) {
      return {
        ok: false,
        failure: {
          kind: 'user-not-found',
          message: "I couldn't find your account in the directory, so I can't read your sign-in logs.",
          adminDetail: `No user with id ${userId} in ${this.options.source}.`,
        },
      };
    }
    const from = new Date(now.getTime() - this.options.windowHours * HOUR);
    const upn = user.userPrincipalName?.toLowerCase();
    const mine = [...(this.byUserId.get(userId) ?? []), ...(upn !== undefined ? (this.byUpn.get(upn) ?? []) : [])];
    const signIns = mine.filter((s) => {
      const t = Date.parse(s.createdDateTime);
      return t >= from.getTime() && t <= now.getTime() + 60_000;
    });
    // As the Graph directory does: owned devices, then the devices the sign-ins came from (hybrid PCs have no owner).
    const devices: DirectoryDevice[] = this.tenant.devices.filter((d) => d.registeredOwners?.includes(userId)).map((d) => ({ ...d, foundBy: 'owner' as const }));
    for (const id of unknownSignInDeviceIds(signIns, devices, new Set())) {
      const found = this.tenant.devices.find((d) => d.deviceId?.toLowerCase() === id);
      if (found) devices.push({ ...found, foundBy: 'sign-in' });
    }
    const domain = user.userPrincipalName?.split('@')[1]?.toLowerCase();
    const domainType = this.tenant.domains ? (this.tenant.domains.find((d) => d.id.toLowerCase() === domain)?.authenticationType ?? undefined) : 'Managed';
    const snapshot: EvidenceSnapshot = {
      user,
      signIns,
      devices,
      conditionalAccessPolicies: this.tenant.conditionalAccessPolicies,
      window: { from: from.toISOString(), to: now.toISOString() },
      source: this.options.source,
      gaps: [],
      gapDetails: [],
      authentication: authenticationFrom(user, signIns, domainType),
    };
    return { ok: true, evidence: snapshot };
  }

  async findUserIdByUpn(upn: string): Promise<string | undefined> {
    const wanted = upn.trim().toLowerCase();
    return this.tenant.users.find((u) => u.userPrincipalName?.toLowerCase() === wanted || u.mail?.toLowerCase() === wanted)?.id;
  }
}
