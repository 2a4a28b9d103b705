/**
 * A fake Microsoft Graph on 127.0.0.1 (a real node:http server on port 0) that serves a
 * Graph-shaped DemoTenant: JSON batching on v1.0 and beta, users (one, or the list with
 * $top) with $select, licence details, owned / registered devices, sign-ins with a real
 * $filter parser and $top paging, Conditional Access policies (one, or the list), and group membership
 * (`POST /users/{id}/checkMemberGroups` against `groups`). Knobs let tests require a bearer token, inject failures,
 * slow it down, and check the reports-API rate (5 requests per 10 s by default).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DemoTenant } from '../../src/graph/demo-tenant-data';

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Fault {
  pattern: RegExp;
  remaining: number;
  response: FakeResponse;
}

export interface FakeGraphOptions {
  /** Bearer token every outer request must carry (401 otherwise); undefined: any or none. */
  requireToken?: string;
  /** Server-side page size cap for sign-ins (Graph's own cap is 1000). */
  pageSize?: number;
  /** Reports-API enforcement: more than `max` in `windowMs` → 429 and a breach. false: off. */
  reportsLimit?: { max: number; windowMs: number } | false;
}

/** One request as the router saw it (an outer HTTP request or an item inside a batch). */
export interface SeenRequest {
  at: number;
  method: string;
  /** `/v1.0/…` or `/beta/…` plus the query string. */
  url: string;
  inBatch: boolean;
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

export class FakeGraphServer {
  tenant: DemoTenant;
  requireToken?: string;
  pageSize: number;
  reportsLimit: { max: number; windowMs: number } | false;
  /** Delay before answering each outer HTTP request. */
  delayMs = 0;
  /** Every outer HTTP request (a batch counts once). */
  readonly httpRequests: SeenRequest[] = [];
  /** Every routed request (batch items individually, plus plain GETs). */
  readonly routed: SeenRequest[] = [];
  /** Reports requests refused because the window was full. */
  breaches = 0;
  /** The most reports requests seen in any window (by arrival). */
  maxReportsInWindow = 0;
  /** Security groups by id: the aadObjectIds of their (transitive) members, for checkMemberGroups. */
  readonly groups = new Map<string, string[]>();

  private readonly faults: Fault[] = [];
  private readonly reportsTimes: number[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server?: Server;
  url = '';

  private constructor(tenant: DemoTenant, options: FakeGraphOptions) {
    this.tenant = tenant;
    this.requireToken = options.requireToken;
    this.pageSize = options.pageSize ?? 1000;
    this.reportsLimit = options.reportsLimit ?? { max: 5, windowMs: 10_000 };
  }

  static async start(tenant: DemoTenant, options: FakeGraphOptions = {}): Promise<FakeGraphServer> {
    const fake = new FakeGraphServer(tenant, options);
    const server = createServer((req, res) => void fake.handle(req, res));
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `count` requests whose `/version/path?query` matches `pattern` get `response`. */
  failNext(pattern: RegExp, count: number, response: FakeResponse): void {
    this.faults.push({ pattern, remaining: count, response });
  }

  /** 429, with `Retry-After: retryAfterS` when given. */
  throttleNext(pattern: RegExp, count: number, retryAfterS?: number): void {
    this.failNext(pattern, count, {
      status: 429,
      headers: retryAfterS !== undefined ? { 'Retry-After': String(retryAfterS) } : {},
      body: graphErrorBody('TooManyRequests', 'Too many requests.'),
    });
  }

  /** 403 with Graph's error body. */
  denyNext(pattern: RegExp, count = Number.POSITIVE_INFINITY, code = 'Authorization_RequestDenied', message = 'Insufficient privileges to complete the operation.'): void {
    this.failNext(pattern, count, { status: 403, body: graphErrorBody(code, message) });
  }

  unavailableNext(pattern: RegExp, count = Number.POSITIVE_INFINITY, status = 503): void {
    this.failNext(pattern, count, { status, body: graphErrorBody(GRAPH_ERRORS[status] ?? 'Error', 'The service is temporarily unavailable.') });
  }

  /** Arrival times of the reports-API requests (/auditLogs/…), batch items included. */
  reportsArrivals(): number[] {
    return this.routed.filter((r) => /^\/(v1\.0|beta)\/auditLogs\//.test(r.url)).map((r) => r.at);
  }

  /** Routed requests (batch items included) whose url matches. */
  count(pattern: RegExp): number {
    return this.routed.filter((r) => pattern.test(r.url)).length;
  }

  /** Drops the injected failures still pending (counters and the reports window stay). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Clears counters, faults and the reports window (the tenant and knobs stay). */
  reset(): void {
    this.httpRequests.length = 0;
    this.routed.length = 0;
    this.faults.length = 0;
    this.reportsTimes.length = 0;
    this.breaches = 0;
    this.maxReportsInWindow = 0;
    this.delayMs = 0;
  }

  // -------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '/';
    this.httpRequests.push({ at: Date.now(), method: req.method ?? 'GET', url, inBatch: false });
    if (this.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, this.delayMs);
        this.timers.add(t);
      });
      if (res.destroyed || req.socket.destroyed) return;
    }
    let answer: FakeResponse;
    if (this.requireToken !== undefined && req.headers.authorization !== `Bearer ${this.requireToken}`) {
      answer = { status: 401, body: graphErrorBody('InvalidAuthenticationToken', 'Access token is empty or invalid.') };
    } else {
      const batch = /^\/(v1\.0|beta)\/\$batch$/.exec(url.split('?')[0] ?? '');
      if (batch && req.method === 'POST') answer = this.runBatch(batch[1] as 'v1.0' | 'beta', text);
      else answer = this.route(req.method ?? 'GET', url, false, text);
    }
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }

  private runBatch(version: 'v1.0' | 'beta', text: string): FakeResponse {
    const fault = this.takeFault(`/${version}/$batch`);
    if (fault) return fault;
    let requests: Array<{ id?: string; method?: string; url?: string }>;
    try {
      requests = (JSON.parse(text) as { requests: typeof requests }).requests;
    } catch {
      return { status: 400, body: graphErrorBody('BadRequest', 'Invalid batch payload.') };
    }
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > 20) {
      return { status: 400, body: graphErrorBody('BadRequest', 'A batch needs 1 to 20 requests.') };
    }
    const ids = new Set<string>();
    for (const r of requests) {
      if (!r.id || ids.has(r.id) || !r.url || /^https?:/i.test(r.url)) return { status: 400, body: graphErrorBody('BadRequest', 'Each batch request needs a unique id and a relative url.') };
      ids.add(r.id);
    }
    const responses = requests.map((r) => {
      const relative = r.url!.startsWith('/') ? r.url! : `/${r.url}`;
      const out = this.route(r.method ?? 'GET', `/${version}${relative}`, true);
      return { id: r.id, status: out.status, headers: { 'Content-Type': 'application/json', ...(out.headers ?? {}) }, body: out.body };
    });
    return { status: 200, body: { responses } };
  }

  private takeFault(url: string): FakeResponse | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && f.pattern.test(url));
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault.response;
  }

  private error(status: number, message: string, code = GRAPH_ERRORS[status] ?? 'Error'): FakeResponse {
    return { status, body: graphErrorBody(code, message) };
  }

  /** Routes one request; `url` is `/v1.0/…` or `/beta/…` with its query string. */
  private route(method: string, url: string, inBatch: boolean, body?: string): FakeResponse {
    this.routed.push({ at: Date.now(), method, url, inBatch });
    const parsed = new URL(url, 'http://graph.invalid');
    const match = /^\/(v1\.0|beta)(\/.*)$/.exec(parsed.pathname);
    if (!match) return this.error(400, `Invalid version in ${parsed.pathname}`);
    const version = match[1] as 'v1.0' | 'beta';
    const path = decodeURIComponent(match[2]!);
    const isReports = /^\/auditLogs\//.test(path);
    if (isReports && this.reportsLimit) {
      const now = Date.now();
      const { max, windowMs } = this.reportsLimit;
      while (this.reportsTimes.length > 0 && this.reportsTimes[0]! <= now - windowMs) this.reportsTimes.shift();
      this.reportsTimes.push(now);
      this.maxReportsInWindow = Math.max(this.maxReportsInWindow, this.reportsTimes.length);
      if (this.reportsTimes.length > max) {
        this.breaches += 1;
        return { status: 429, headers: { 'Retry-After': String(Math.ceil(windowMs / 1000)) }, body: graphErrorBody('TooManyRequests', 'Too many requests to the reports API.') };
      }
    }
    const fault = this.takeFault(url);
    if (fault) return fault;
    const memberGroups = /^\/users\/([^/]+)\/checkMemberGroups$/.exec(path);
    if (memberGroups) return method === 'POST' ? this.checkMemberGroups(memberGroups[1]!, body) : this.error(405, 'checkMemberGroups is a POST.', 'Request_BadRequest');
    if (method !== 'GET') return this.error(405, 'Only GET is implemented.', 'Request_BadRequest');
    const select = parsed.searchParams.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean);

    let m: RegExpExecArray | null;
    if (path === '/users') {
      const top = Number(parsed.searchParams.get('$top') ?? 100);
      if (!Number.isInteger(top) || top < 1 || top > 999) return this.error(400, '$top must be between 1 and 999.');
      const users = this.tenant.users.slice(0, top).map(({ licenseDetails: _omit, ...plain }) => project(plain, select));
      return { status: 200, body: { '@odata.context': `${this.url}/${version}/$metadata#users`, value: users } };
    }
    if (path === '/identity/conditionalAccess/policies') {
      const top = Number(parsed.searchParams.get('$top') ?? 100);
      if (!Number.isInteger(top) || top < 1) return this.error(400, '$top must be a positive integer.');
      return { status: 200, body: { value: this.tenant.conditionalAccessPolicies.slice(0, top).map((p) => project({ ...p }, select)) } };
    }
    if ((m = /^\/users\/([^/]+)$/.exec(path))) {
      const user = this.findUser(m[1]!);
      if (!user) return this.notFound(m[1]!);
      const { licenseDetails: _omit, ...plain } = user;
      return { status: 200, body: { '@odata.context': `${this.url}/${version}/$metadata#users/$entity`, ...project(plain, select) } };
    }
    if ((m = /^\/users\/([^/]+)\/licenseDetails$/.exec(path))) {
      const user = this.findUser(m[1]!);
      if (!user) return this.notFound(m[1]!);
      return { status: 200, body: { value: (user.licenseDetails ?? []).map((l, i) => project({ id: `lic-${i}`, skuId: `sku-${i}`, ...l }, select)) } };
    }
    if ((m = /^\/users\/([^/]+)\/(ownedDevices|registeredDevices)(\/microsoft\.graph\.device)?$/.exec(path))) {
      const user = this.findUser(m[1]!);
      if (!user) return this.notFound(m[1]!);
      const devices = this.tenant.devices
        .filter((d) => d.registeredOwners?.includes(user.id))
        .map(({ registeredOwners: _owners, ...d }) => ({ '@odata.type': '#microsoft.graph.device', ...project(d, select) }));
      return { status: 200, body: { value: devices } };
    }
    if (path === '/auditLogs/signIns') return this.signIns(version, parsed.searchParams);
    if ((m = /^\/identity\/conditionalAccess\/policies\/([^/]+)$/.exec(path))) {
      const policy = this.tenant.conditionalAccessPolicies.find((p) => p.id === m![1]);
      if (!policy) return this.error(404, `Policy ${m[1]} not found.`, 'ResourceNotFound');
      return { status: 200, body: project({ ...policy }, select) };
    }
    return this.error(400, `Resource not found for the segment '${path}'.`);
  }

  /** Graph's checkMemberGroups: of the 1–20 `groupIds` asked about, the ones the user is in. */
  private checkMemberGroups(userId: string, body: string | undefined): FakeResponse {
    const user = this.findUser(userId);
    if (!user) return this.notFound(userId);
    let groupIds: unknown;
    try {
      groupIds = (JSON.parse(body ?? '') as { groupIds?: unknown }).groupIds;
    } catch {
      return this.error(400, 'The request body is not valid JSON.');
    }
    if (!Array.isArray(groupIds) || groupIds.length === 0 || groupIds.length > 20 || !groupIds.every((g) => typeof g === 'string')) {
      return this.error(400, 'groupIds must hold 1 to 20 group ids.', 'Request_BadRequest');
    }
    const value = (groupIds as string[]).filter((g) => this.groups.get(g)?.some((m) => m.toLowerCase() === user.id.toLowerCase()));
    return { status: 200, body: { '@odata.context': `${this.url}/v1.0/$metadata#Collection(Edm.String)`, value } };
  }

  private findUser(idOrUpn: string): DemoTenant['users'][number] | undefined {
    const wanted = idOrUpn.toLowerCase();
    return this.tenant.users.find((u) => u.id.toLowerCase() === wanted || u.userPrincipalName?.toLowerCase() === wanted);
  }

  private notFound(id: string): FakeResponse {
    return this.error(404, `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
  }

  private signIns(version: 'v1.0' | 'beta', query: URLSearchParams): FakeResponse {
    const filterText = query.get('$filter');
    let predicate: (record: Record<string, unknown>) => boolean = () => true;
    let mentionsEventTypes = false;
    if (filterText) {
      try {
        const ast = parseFilter(filterText);
        mentionsEventTypes = mentions(ast, 'signInEventTypes');
        predicate = (record) => evaluate(ast, record, {}) === true;
      } catch (error) {
        return this.error(400, `Invalid filter clause: ${(error as Error).message}`);
      }
    }
    if (mentionsEventTypes && version !== 'beta') return this.error(400, "Could not find a property named 'signInEventTypes' on type 'microsoft.graph.signIn'.");
    const top = Number(query.get('$top') ?? 1000);
    if (!Number.isInteger(top) || top < 1 || top > 1000) return this.error(400, '$top must be between 1 and 1000.');
    const size = Math.min(top, this.pageSize);
    const skip = Number(query.get('$skiptoken') ?? 0);
    const all = this.tenant.signIns
      .filter((s) => predicate(s as unknown as Record<string, unknown>))
      // Without an event-type clause Graph returns interactive sign-ins only.
      .filter((s) => mentionsEventTypes || s.isInteractive !== false)
      .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
    const page = all.slice(skip, skip + size).map((s) => {
      if (version === 'beta') return { ...s };
      const { isInteractive: _i, signInEventTypes: _t, ...v1 } = s;
      return v1;
    });
    const body: Record<string, unknown> = { '@odata.context': `${this.url}/${version}/$metadata#auditLogs/signIns`, value: page };
    if (skip + size < all.length) {
      const nextQuery = new URLSearchParams(query);
      nextQuery.set('$skiptoken', String(skip + size));
      body['@odata.nextLink'] = `${this.url}/${version}/auditLogs/signIns?${nextQuery.toString().replace(/\+/g, '%20')}`;
    }
    return { status: 200, body };
  }
}

function project<T extends object>(value: T, select: string[] | undefined): Partial<T> {
  if (!select) return value;
  const out: Record<string, unknown> = {};
  for (const key of select) if (key in value) out[key] = (value as Record<string, unknown>)[key];
  return out as Partial<T>;
}

// ---------------------------------------------------------------------------
// A small OData $filter parser: comparisons (eq ne gt ge lt le), and / or / not,
// parentheses, and lambda any(x: …) / all(x: …) over collections.
// ---------------------------------------------------------------------------

type Literal = string | number | boolean | null | { date: number; text: string };
export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'cmp'; path: string; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; value: Literal }
  | { type: 'lambda'; kind: 'any' | 'all'; path: string; variable: string; body: FilterNode };

type Token = { kind: 'ident' | 'string' | 'number' | 'date' | 'punct'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if ('():,'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch });
      i++;
      continue;
    }
    if (ch === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new Error('unterminated string literal');
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += input[i++];
      }
      tokens.push({ kind: 'string', text });
      continue;
    }
    const rest = input.slice(i);
    const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/.exec(rest);
    if (date) {
      tokens.push({ kind: 'date', text: date[0] });
      i += date[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) {
      tokens.push({ kind: 'number', text: num[0] });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][\w./]*/.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    throw new Error(`unexpected character '${ch}' at ${i}`);
  }
  return tokens;
}

const OPERATORS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

export function parseFilter(input: string): FilterNode {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (word: string): boolean => peek()?.kind === 'ident' && peek()!.text === word;
  const expect = (text: string): void => {
    if (peek()?.text !== text) throw new Error(`expected '${text}' at token ${pos} but found '${peek()?.text ?? 'end'}'`);
    pos++;
  };

  const parseOr = (): FilterNode => {
    let left = parseAnd();
    while (isWord('or')) {
      pos++;
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterNode => {
    let left = parseUnary();
    while (isWord('and')) {
      pos++;
      left = { type: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): FilterNode => {
    if (isWord('not')) {
      pos++;
      return { type: 'not', operand: parseUnary() };
    }
    if (peek()?.text === '(') {
      pos++;
      const inner = parseOr();
      expect(')');
      return inner;
    }
    const token = peek();
    if (token?.kind !== 'ident') throw new Error(`expected a property at token ${pos} but found '${token?.text ?? 'end'}'`);
    pos++;
    const lambda = /^(.+)\/(any|all)$/.exec(token.text);
    if (lambda) {
      expect('(');
      const variable = peek();
      if (variable?.kind !== 'ident') throw new Error('expected a lambda variable');
      pos++;
      expect(':');
      const body = parseOr();
      expect(')');
      return { type: 'lambda', kind: lambda[2] as 'any' | 'all', path: lambda[1]!, variable: variable.text, body };
    }
    const op = peek();
    if (op?.kind !== 'ident' || !OPERATORS.has(op.text)) throw new Error(`expected a comparison operator after '${token.text}'`);
    pos++;
    return { type: 'cmp', path: token.text, op: op.text as 'eq', value: parseLiteral() };
  };
  const parseLiteral = (): Literal => {
    const token = tokens[pos++];
    if (!token) throw new Error('expected a value at end of filter');
    switch (token.kind) {
      case 'string':
        return token.text;
      case 'number':
        return Number(token.text);
      case 'date':
        return { date: Date.parse(token.text), text: token.text };
      case 'ident':
        if (token.text === 'true') return true;
        if (token.text === 'false') return false;
        if (token.text === 'null') return null;
    }
    throw new Error(`unexpected value '${token.text}'`);
  };

  const ast = parseOr();
  if (pos !== tokens.length) throw new Error(`unexpected '${tokens[pos]!.text}' after the filter`);
  return ast;
}

function mentions(node: FilterNode, property: string): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return mentions(node.left, property) || mentions(node.right, property);
    case 'not':
      return mentions(node.operand, property);
    case 'cmp':
      return node.path === property;
    case 'lambda':
      return node.path === property || mentions(node.body, property);
  }
}

function resolve(path: string, record: Record<string, unknown>, scope: Record<string, unknown>): unknown {
  const [head, ...rest] = path.split('/');
  let value: unknown = head! in scope ? scope[head!] : record[head!];
  for (const part of rest) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

export function evaluate(node: FilterNode, record: Record<string, unknown>, scope: Record<string, unknown>): boolean {
  switch (node.type) {
    case 'and':
      return evaluate(node.left, record, scope) && evaluate(node.right, record, scope);
    case 'or':
      return evaluate(node.left, record, scope) || evaluate(node.right, record, scope);
    case 'not':
      return !evaluate(node.operand, record, scope);
    case 'lambda': {
      const items = resolve(node.path, record, scope);
      if (!Array.isArray(items)) return false;
      const test = (item: unknown): boolean => evaluate(node.body, record, { ...scope, [node.variable]: item });
      return node.kind === 'any' ? items.some(test) : items.every(test);
    }
    case 'cmp': {
      const actual = resolve(node.path, record, scope);
      let left: unknown = actual;
      let right: unknown = node.value;
      if (node.value && typeof node.value === 'object') {
        left = typeof actual === 'string' ? Date.parse(actual) : NaN;
        right = node.value.date;
      } else if (typeof actual === 'string' && typeof node.value === 'string') {
        left = actual.toLowerCase(); // Graph compares ids and names case-insensitively
        right = node.value.toLowerCase();
      }
      switch (node.op) {
        case 'eq':
          return left === right;
        case 'ne':
          return left !== right;
        case 'gt':
          return (left as number) > (right as number);
        case 'ge':
          return (left as number) >= (right as number);
        case 'lt':
          return (left as number) < (right as number);
        case 'le':
          return (left as number) <= (right as number);
      }
    }
  }
}
