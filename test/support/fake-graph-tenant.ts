/**
 * The resource side of the fake Microsoft Graph: a DemoTenant served in Graph's shapes. Users
 * (one, or the list with $top) with $select, licence details, owned / registered devices,
 * devices by `$filter=deviceId eq '…'` (owners or not), the tenant's domains with their
 * authenticationType, sign-ins with a real $filter parser and $top paging, Conditional Access
 * policies (one, or the list) and checkMemberGroups. Without the Conditional Access permission
 * (`policyPermission: false`) sign-ins come without `appliedConditionalAccessPolicies`, as Graph
 * sends them, and policy reads answer 403.
 */
import type { DemoTenant } from '../../src/graph/demo-tenant-data';
import { evaluate, mentions, parseFilter } from './odata-filter';

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const GRAPH_ERRORS: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'Authorization_RequestDenied',
  404: 'Request_ResourceNotFound',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export function graphErrorBody(code: string, message: string): unknown {
  return { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': 'fake-request-id' } } };
}

export function graphError(status: number, message: string, code = GRAPH_ERRORS[status] ?? 'Error'): FakeResponse {
  return { status, body: graphErrorBody(code, message) };
}

/** What the routes read from the server at each request. */
export interface TenantRouteContext {
  tenant: DemoTenant;
  url: string;
  /** Server-side page size cap for sign-ins. */
  pageSize: number;
  /** The app may read Conditional Access data (Policy.Read.All or Policy.Read.ConditionalAccess). */
  policyPermission: boolean;
  /** Security groups by id: the aadObjectIds of their (transitive) members. */
  groups: Map<string, string[]>;
}

export function project<T extends object>(value: T, select: string[] | undefined): Partial<T> {
  if (!select) return value;
  const out: Record<string, unknown> = {};
  for (const key of select) if (key in value) out[key] = (value as Record<string, unknown>)[key];
  return out as Partial<T>;
}

/** Routes one resource request; `path` is decoded and relative to the version root. */
export function routeTenant(ctx: TenantRouteContext, method: string, version: 'v1.0' | 'beta', path: string, query: URLSearchParams, body?: string): FakeResponse {
  const memberGroups = /^\/users\/([^/]+)\/checkMemberGroups$/.exec(path);
  if (memberGroups) return method === 'POST' ? checkMemberGroups(ctx, memberGroups[1]!, body) : graphError(405, 'checkMemberGroups is a POST.', 'Request_BadRequest');
  if (method !== 'GET') return graphError(405, 'Only GET is implemented.', 'Request_BadRequest');
  const select = query
    .get('$select')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const tenant = ctx.tenant;

  let m: RegExpExecArray | null;
  if (path === '/users') {
    const top = Number(query.get('$top') ?? 100);
    if (!Number.isInteger(top) || top < 1 || top > 999) return graphError(400, '$top must be between 1 and 999.');
    const users = tenant.users.slice(0, top).map(({ licenseDetails: _omit, ...plain }) => project(plain, select));
    return { status: 200, body: { '@odata.context': `${ctx.url}/${version}/$metadata#users`, value: users } };
  }
  if (path === '/domains') return { status: 200, body: { value: domainsOf(tenant).map((d) => project({ isVerified: true, ...d }, select)) } };
  if (path === '/devices') return devicesByFilter(ctx, query, select);
  if (path === '/identity/conditionalAccess/policies') {
    if (!ctx.policyPermission) return graphError(403, 'Insufficient privileges to complete the operation.', 'Authorization_RequestDenied');
    const top = Number(query.get('$top') ?? 100);
    if (!Number.isInteger(top) || top < 1) return graphError(400, '$top must be a positive integer.');
    return { status: 200, body: { value: tenant.conditionalAccessPolicies.slice(0, top).map((p) => project({ ...p }, select)) } };
  }
  if ((m = /^\/users\/([^/]+)$/.exec(path))) {
    const user = findUser(tenant, m[1]!);
    if (!user) return notFound(m[1]!);
    const { licenseDetails: _omit, ...plain } = user;
    return { status: 200, body: { '@odata.context': `${ctx.url}/${version}/$metadata#users/$entity`, ...project(plain, select) } };
  }
  if ((m = /^\/users\/([^/]+)\/licenseDetails$/.exec(path))) {
    const user = findUser(tenant, m[1]!);
    if (!user) return notFound(m[1]!);
    return { status: 200, body: { value: (user.licenseDetails ?? []).map((l, i) => project({ id: `lic-${i}`, skuId: `sku-${i}`, ...l }, select)) } };
  }
  if ((m = /^\/users\/([^/]+)\/(ownedDevices|registeredDevices)(\/microsoft\.graph\.device)?$/.exec(path))) {
    const user = findUser(tenant, m[1]!);
    if (!user) return notFound(m[1]!);
    const devices = tenant.devices
      .filter((d) => d.registeredOwners?.includes(user.id))
      .map(({ registeredOwners: _owners, ...d }) => ({ '@odata.type': '#microsoft.graph.device', ...project(d, select) }));
    return { status: 200, body: { value: devices } };
  }
  if (path === '/auditLogs/signIns') return signIns(ctx, version, query);
  if ((m = /^\/identity\/conditionalAccess\/policies\/([^/]+)$/.exec(path))) {
    if (!ctx.policyPermission) return graphError(403, 'Insufficient privileges to complete the operation.', 'Authorization_RequestDenied');
    const policy = tenant.conditionalAccessPolicies.find((p) => p.id === m![1]);
    if (!policy) return graphError(404, `Policy ${m[1]} not found.`, 'ResourceNotFound');
    return { status: 200, body: project({ ...policy }, select) };
  }
  return graphError(400, `Resource not found for the segment '${path}'.`);
}

/** The tenant's domains: the listed ones, else every UPN domain as Managed. */
function domainsOf(tenant: DemoTenant): Array<{ id: string; authenticationType: string }> {
  if (tenant.domains) return tenant.domains.map((d) => ({ ...d }));
  const names = new Set(tenant.users.map((u) => u.userPrincipalName?.split('@')[1]?.toLowerCase()).filter((d): d is string => Boolean(d)));
  return [...names].map((id) => ({ id, authenticationType: 'Managed' }));
}

/** GET /devices?$filter=deviceId eq '…' (the only filter the directory sends). */
function devicesByFilter(ctx: TenantRouteContext, query: URLSearchParams, select: string[] | undefined): FakeResponse {
  const text = query.get('$filter');
  let predicate: (d: Record<string, unknown>) => boolean = () => true;
  if (text) {
    try {
      const ast = parseFilter(text);
      predicate = (d) => evaluate(ast, d, {});
    } catch (error) {
      return graphError(400, `Invalid filter clause: ${(error as Error).message}`);
    }
  }
  const devices = ctx.tenant.devices.filter((d) => predicate(d as unknown as Record<string, unknown>)).map(({ registeredOwners: _o, ...d }) => project(d, select));
  return { status: 200, body: { '@odata.context': `${ctx.url}/v1.0/$metadata#devices`, value: devices } };
}

/** Graph's checkMemberGroups: of the 1–20 `groupIds` asked about, the ones the user is in. */
function checkMemberGroups(ctx: TenantRouteContext, userId: string, body: string | undefined): FakeResponse {
  const user = findUser(ctx.tenant, userId);
  if (!user) return notFound(userId);
  let groupIds: unknown;
  try {
    groupIds = (JSON.parse(body ?? '') as { groupIds?: unknown }).groupIds;
  } catch {
    return graphError(400, 'The request body is not valid JSON.');
  }
  if (!Array.isArray(groupIds) || groupIds.length === 0 || groupIds.length > 20 || !groupIds.every((g) => typeof g === 'string')) {
    return graphError(400, 'groupIds must hold 1 to 20 group ids.', 'Request_BadRequest');
  }
  const value = (groupIds as string[]).filter((g) => ctx.groups.get(g)?.some((m) => m.toLowerCase() === user.id.toLowerCase()));
  return { status: 200, body: { '@odata.context': `${ctx.url}/v1.0/$metadata#Collection(Edm.String)`, value } };
}

function findUser(tenant: DemoTenant, idOrUpn: string): DemoTenant['users'][number] | undefined {
  const wanted = idOrUpn.toLowerCase();
  return tenant.users.find((u) => u.id.toLowerCase() === wanted || u.userPrincipalName?.toLowerCase() === wanted);
}

function notFound(id: string): FakeResponse {
  return graphError(404, `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function signIns(ctx: TenantRouteContext, version: 'v1.0' | 'beta', query: URLSearchParams): FakeResponse {
  const filterText = query.get('$filter');
  let predicate: (record: Record<string, unknown>) => boolean = () => true;
  let mentionsEventTypes = false;
  if (filterText) {
    try {
      const ast = parseFilter(filterText);
      mentionsEventTypes = mentions(ast, 'signInEventTypes');
      predicate = (record) => evaluate(ast, record, {}) === true;
    } catch (error) {
      return graphError(400, `Invalid filter clause: ${(error as Error).message}`);
    }
  }
  if (mentionsEventTypes && version !== 'beta') return graphError(400, "Could not find a property named 'signInEventTypes' on type 'microsoft.graph.signIn'.");
  const top = Number(query.get('$top') ?? 1000);
  if (!Number.isInteger(top) || top < 1 || top > 1000) return graphError(400, '$top must be between 1 and 1000.');
  const size = Math.min(top, ctx.pageSize);
  const skip = Number(query.get('$skiptoken') ?? 0);
  const all = ctx.tenant.signIns
    .filter((s) => predicate(s as unknown as Record<string, unknown>))
    // Without an event-type clause Graph returns interactive sign-ins only.
    .filter((s) => mentionsEventTypes || s.isInteractive !== false)
    .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
  const page = all.slice(skip, skip + size).map((s) => {
    // Without a Conditional Access permission Graph leaves the field out altogether.
    const { appliedConditionalAccessPolicies: applied, ...rest } = s;
    const out = ctx.policyPermission ? { ...rest, appliedConditionalAccessPolicies: applied } : rest;
    if (version === 'beta') return out;
    const { isInteractive: _i, signInEventTypes: _t, authenticationDetails: _a, tokenIssuerType: _ti, ...v1 } = out;
    return v1;
  });
  const body: Record<string, unknown> = { '@odata.context': `${ctx.url}/${version}/$metadata#auditLogs/signIns`, value: page };
  if (skip + size < all.length) {
    const nextQuery = new URLSearchParams(query);
    nextQuery.set('$skiptoken', String(skip + size));
    body['@odata.nextLink'] = `${ctx.url}/${version}/auditLogs/signIns?${nextQuery.toString().replace(/\+/g, '%20')}`;
  }
  return { status: 200, body };
}
