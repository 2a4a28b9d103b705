import { messages } from '../content/knowledge';
/**
 * The tenant boundary (contract §3a): when ALLOWED_TENANT_IDS is set, an activity from any other
 * tenant, or from none, gets one short refusal and nothing else. The check runs at the HTTP edge
 * before the turn state is loaded, so a refused activity reads and writes nothing.
 */

/** The one message a refused tenant sees. */
/** The one short refusal another tenant's user gets, in their language (content/<locale>/messages.yaml). */
export function tenantRefusal(locale?: unknown): string {
  return messages(typeof locale === 'string' ? locale : undefined).text('tenant.refusal');
}

/** The shape of an activity the guard reads. */
export interface TenantScopedActivity {
  channelData?: unknown;
  conversation?: { tenantId?: unknown } | null;
}

/** The activity's tenant: `channelData.tenant.id`, else `conversation.tenantId`. Conflicting values count as none. */
export function tenantOf(activity: TenantScopedActivity): string | undefined {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const fromConversation = activity.conversation?.tenantId;
  const a = typeof fromChannelData === 'string' && fromChannelData.trim() ? fromChannelData.trim() : undefined;
  const b = typeof fromConversation === 'string' && fromConversation.trim() ? fromConversation.trim() : undefined;
  if (a && b && a.toLowerCase() !== b.toLowerCase()) return undefined;
  return a ?? b;
}

/** Decides which tenants are served. */
export class TenantGuard {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowedTenantIds: readonly string[]) {
    this.allowed = new Set(allowedTenantIds.map((t) => t.trim().toLowerCase()).filter(Boolean));
  }

  /** True when no tenant list is configured (local use): every activity is served. */
  get open(): boolean {
    return this.allowed.size === 0;
  }

  /** Whether the activity's tenant is served; with a list configured, a missing tenant is not. */
  admits(activity: TenantScopedActivity): boolean {
    if (this.open) return true;
    const tenant = tenantOf(activity);
    return tenant !== undefined && this.allowed.has(tenant.toLowerCase());
  }
}
