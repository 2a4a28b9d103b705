/**
 * The built-in demo tenant, copied until it has enough distinct employees for the benchmark's
 * concurrent conversations: copy k of each user gets its own id, UPN, sign-ins and devices, so
 * every copy tells the same sign-in story (and gets the same diagnosis) as its original.
 */
import { buildDemoTenant, type DemoTenant } from '../../src/graph/demo-tenant-data';

function suffixId(id: string, k: number): string {
  return k === 0 ? id : `${id}-c${k}`;
}

function suffixUpn(upn: string | undefined, k: number): string | undefined {
  if (!upn || k === 0) return upn;
  const at = upn.indexOf('@');
  return at < 0 ? `${upn}.c${k}` : `${upn.slice(0, at)}.c${k}${upn.slice(at)}`;
}

/** The built-in tenant (times relative to `now`) with `copies` copies of each of its users. */
export function scaledDemoTenant(copies: number, now = new Date()): DemoTenant {
  const base = buildDemoTenant(now);
  const tenant: DemoTenant = { users: [], signIns: [], devices: [], conditionalAccessPolicies: base.conditionalAccessPolicies };
  for (let k = 0; k < copies; k++) {
    for (const u of base.users) tenant.users.push({ ...u, id: suffixId(u.id, k), userPrincipalName: suffixUpn(u.userPrincipalName, k), mail: suffixUpn(u.mail ?? undefined, k) });
    for (const s of base.signIns) {
      const deviceDetail = s.deviceDetail?.deviceId ? { ...s.deviceDetail, deviceId: suffixId(s.deviceDetail.deviceId, k) } : s.deviceDetail;
      tenant.signIns.push({
        ...s,
        id: suffixId(s.id, k),
        userId: s.userId === undefined ? undefined : suffixId(s.userId, k),
        userPrincipalName: suffixUpn(s.userPrincipalName, k),
        deviceDetail,
      });
    }
    for (const d of base.devices) {
      tenant.devices.push({
        ...d,
        id: d.id ? suffixId(d.id, k) : d.id,
        deviceId: d.deviceId ? suffixId(d.deviceId, k) : d.deviceId,
        registeredOwners: d.registeredOwners?.map((o) => suffixId(o, k)),
      });
    }
  }
  return tenant;
}
