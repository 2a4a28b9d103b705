/**
 * A fake Microsoft Graph on 127.0.0.1 (a real node:http server on port 0) that serves a
 * Graph-shaped DemoTenant (the resources are in fake-graph-tenant.ts): JSON batching on v1.0
 * and beta, users, licences, devices (owned, registered, or by deviceId), domains, sign-ins with
 * a real $filter parser and $top paging, Conditional Access policies and group membership.
 * Knobs let tests require a bearer token, inject failures, slow it down (all of it, or only
 * the reports requests), check the reports-API rate (5 requests per 10 s by default), play a
 * company proxy that answers with an HTML page, and take away the Conditional Access permission.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DemoTenant } from '../../src/graph/demo-tenant-data';
import { graphError, graphErrorBody, routeTenant, type FakeResponse } from './fake-graph-tenant';

export { evaluate, parseFilter, type FilterNode } from './odata-filter';
export { graphErrorBody, project, type FakeResponse } from './fake-graph-tenant';

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

export class FakeGraphServer {
  tenant: DemoTenant;
  requireToken?: string;
  pageSize: number;
  reportsLimit: { max: number; windowMs: number } | false;
  /** Delay before answering each outer HTTP request. */
  delayMs = 0;
  /** Extra delay for outer requests that carry a reports request (a large tenant's slow sign-in queries). */
  slowReportsMs = 0;
  /**
   * A company proxy in the way: outer requests (matching `pattern`, default all) are answered
   * with an HTML page and `status` (default 200), as a TLS-inspecting proxy or captive portal does.
   */
  htmlProxy: false | { status?: number; pattern?: RegExp } = false;
  /** The app may read Conditional Access data; false: sign-ins lack the policies field and policy reads answer 403. */
  policyPermission = true;
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
    this.failNext(pattern, count, { status, body: graphError(status, 'The service is temporarily unavailable.').body });
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
    this.slowReportsMs = 0;
    this.htmlProxy = false;
    this.policyPermission = true;
  }

  // -------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '/';
    this.httpRequests.push({ at: Date.now(), method: req.method ?? 'GET', url, inBatch: false });
    const delay = this.delayMs + (/auditLogs/.test(url) || /auditLogs/.test(text) ? this.slowReportsMs : 0);
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, delay);
        this.timers.add(t);
      });
      if (res.destroyed || req.socket.destroyed) return;
    }
    const proxy = this.htmlProxy;
    if (proxy && (!proxy.pattern || proxy.pattern.test(url))) {
      res.writeHead(proxy.status ?? 200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><title>Contoso web gateway</title></head><body><h1>Please sign in to continue</h1></body></html>');
      return;
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
      return graphError(400, 'Invalid batch payload.');
    }
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > 20) {
      return { status: 400, body: graphErrorBody('BadRequest', 'A batch needs 1 to 20 requests.') };
    }
    const ids = new Set<string>();
    for (const r of requests) {
      if (!r.id || ids.has(r.id) || !r.url || /^https?:/i.test(r.url))
        return { status: 400, body: graphErrorBody('BadRequest', 'Each batch request needs a unique id and a relative url.') };
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

  /** Routes one request; `url` is `/v1.0/…` or `/beta/…` with its query string. */
  private route(method: string, url: string, inBatch: boolean, body?: string): FakeResponse {
    this.routed.push({ at: Date.now(), method, url, inBatch });
    const parsed = new URL(url, 'http://graph.invalid');
    const match = /^\/(v1\.0|beta)(\/.*)$/.exec(parsed.pathname);
    if (!match) return graphError(400, `Invalid version in ${parsed.pathname}`);
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
    return routeTenant(this, method, version, path, parsed.searchParams, body);
  }
}
