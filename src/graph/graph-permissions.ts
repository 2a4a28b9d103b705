/**
 * The Microsoft Graph application permissions each read needs, named exactly as Microsoft's API
 * reference names them, with the documented alternatives. Used in admin details, evidence gaps,
 * `npm run check:graph` and docs/connect-to-your-tenant.md (a test keeps the doc in step).
 */

/** What one read needs: every permission of `allOf`, or any one of `anyOf`. */
export interface PermissionNeed {
  allOf?: readonly string[];
  anyOf?: readonly string[];
}

/** The reads the directory makes, and the permissions Microsoft documents for each (application). */
export const GRAPH_PERMISSIONS = {
  /** GET /users/{id} (with lastPasswordChangeDateTime, onPremisesSyncEnabled). */
  user: { anyOf: ['User.Read.All', 'Directory.Read.All'] },
  /** GET /users/{id}/licenseDetails. */
  licences: { anyOf: ['User.Read.All', 'Directory.Read.All'] },
  /** GET /devices?$filter=deviceId eq '…' and the user's owned / registered devices. */
  devices: { anyOf: ['Device.Read.All', 'Directory.Read.All'] },
  /** GET /auditLogs/signIns: Microsoft documents both, together. */
  signIns: { allOf: ['AuditLog.Read.All', 'Directory.Read.All'] },
  /** appliedConditionalAccessPolicies inside sign-ins: Graph leaves the field out without one of these. */
  policyResults: { anyOf: ['Policy.Read.All', 'Policy.Read.ConditionalAccess', 'Policy.ReadWrite.ConditionalAccess'] },
  /** GET /identity/conditionalAccess/policies/{id}. */
  policyDetails: { anyOf: ['Policy.Read.All'] },
  /** GET /domains (each domain's authenticationType: Managed or Federated). */
  domains: { anyOf: ['Domain.Read.All', 'Directory.Read.All'] },
} as const satisfies Record<string, PermissionNeed>;

export type GraphRead = keyof typeof GRAPH_PERMISSIONS;

/** "A and B" or "A, B or C", for admin details and docs. */
export function permissionPhrase(need: PermissionNeed): string {
  const join = (names: readonly string[], word: string): string => (names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} ${word} ${names[names.length - 1]}`);
  if (need.allOf) return join(need.allOf, 'and');
  return join(need.anyOf ?? [], 'or');
}

/** The permission names to list on an evidence gap (any one of them fixes it; for `allOf`, all). */
export function permissionList(need: PermissionNeed): string[] {
  return [...(need.allOf ?? need.anyOf ?? [])];
}

/** Whether a token's roles satisfy a need. */
export function rolesSatisfy(roles: readonly string[], need: PermissionNeed): boolean {
  if (need.allOf) return need.allOf.every((r) => roles.includes(r));
  return (need.anyOf ?? []).some((r) => roles.includes(r));
}
