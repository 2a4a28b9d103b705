/**
 * Graph round trips per diagnosis, measured on the built bot in Graph mode without touching
 * src/: the bot gets GRAPH_ENABLED=true and App Service's managed-identity variables
 * (IDENTITY_ENDPOINT, IDENTITY_HEADER) pointing at a loopback token endpoint, and
 * GRAPH_BASE_URL pointing at the Graph-shaped fake server (test/support/fake-graph-server.ts,
 * which enforces the reports API's 5 requests per 10 s), slowed by `latencyMs` per request.
 * Conversations run first one at a time (per-user reads), then as a burst (the tenant-wide feed).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGraphServer } from '../../test/support/fake-graph-server';
import type { DemoTenant } from '../../src/graph/demo-tenant-data';
import { runLoad, sendersOf, Target, triageScript, type Senders } from './driver';
import { MeasuredProcess } from './measured-process';
import { summarize, type LatencySummary } from './stats';

/** Graph traffic of one part of the phase. */
export interface GraphTraffic {
  conversations: number;
  diagnoses: number;
  /** HTTP requests the fake Graph received (a $batch counts once). */
  httpRequests: number;
  /** Requests inside and outside batches, one each. */
  routedRequests: number;
  /** Reports-API requests (/auditLogs/signIns), batch items included. */
  reportsRequests: number;
  httpPerDiagnosis: number;
  reportsPerDiagnosis: number;
  /** Time of the first turn (the one that reads Graph), ms. */
  firstTurn: LatencySummary;
  errors: number;
  unexpected: number;
  firstProblem?: string;
}

export interface GraphPhaseResult {
  latencyMs: number;
  sequential?: GraphTraffic;
  burst?: GraphTraffic;
  tokenRequests: number;
  /** Reports requests Graph refused with 429 (the bot exceeded 5 per 10 s). */
  reportsBreaches: number;
  maxReportsInAnyWindow: number;
  error?: string;
}

function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** App Service's managed-identity endpoint, on loopback: any resource, one unsigned token. */
async function startTokenEndpoint(header: string): Promise<{ url: string; server: Server; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    calls += 1;
    if (req.headers['x-identity-header'] !== header) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_request' }));
      return;
    }
    const resource = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('resource') ?? 'https://graph.microsoft.com';
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        access_token: fakeJwt({ aud: resource, roles: ['AuditLog.Read.All', 'Directory.Read.All', 'Policy.Read.All'], exp: expiresOn }),
        expires_on: String(expiresOn),
        resource,
        token_type: 'Bearer',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`, server, calls: () => calls };
}

export interface GraphPhaseOptions extends Senders {
  distMain: string;
  /** Node flags for the bot (those of `npm start`). */
  nodeArgs?: string[];
  cwd: string;
  dataDir: string;
  /** More environment for the bot (the help desk channel). */
  env: Record<string, string>;
  tenant: DemoTenant;
  latencyMs: number;
  sequentialConversations: number;
  burstConversations: number;
  burstConcurrency: number;
}

export async function runGraphPhase(options: GraphPhaseOptions): Promise<GraphPhaseResult> {
  const result: GraphPhaseResult = { latencyMs: options.latencyMs, tokenRequests: 0, reportsBreaches: 0, maxReportsInAnyWindow: 0 };
  const header = 'bench-identity-header';
  const token = await startTokenEndpoint(header);
  const graph = await FakeGraphServer.start(options.tenant, { reportsLimit: { max: 5, windowMs: 10_000 } });
  graph.delayMs = options.latencyMs;
  const bot = new MeasuredProcess('bot (Graph mode)', options.distMain, options.nodeArgs);
  try {
    await bot.start(
      {
        ...options.env,
        DATA_DIR: options.dataDir,
        GRAPH_ENABLED: 'true',
        IDENTITY_ENDPOINT: token.url,
        IDENTITY_HEADER: header,
        GRAPH_BASE_URL: graph.url,
      },
      options.cwd,
    );
    const target = new Target('bot (Graph mode)', bot.url);
    const measure = async (conversations: number, concurrency: number): Promise<GraphTraffic> => {
      const http0 = graph.httpRequests.length;
      const routed0 = graph.routed.length;
      const reports0 = graph.reportsArrivals().length;
      const run = await runLoad({ target, ...sendersOf(options), concurrency, script: triageScript, conversations });
      const diagnoses = run.conversationsCompleted;
      const httpRequests = graph.httpRequests.length - http0;
      const reportsRequests = graph.reportsArrivals().length - reports0;
      return {
        conversations: run.conversationsStarted,
        diagnoses,
        httpRequests,
        routedRequests: graph.routed.length - routed0,
        reportsRequests,
        httpPerDiagnosis: diagnoses ? httpRequests / diagnoses : 0,
        reportsPerDiagnosis: diagnoses ? reportsRequests / diagnoses : 0,
        firstTurn: summarize(run.latencies.first),
        errors: run.errors,
        unexpected: run.unexpected,
        firstProblem: run.firstProblem,
      };
    };
    result.sequential = await measure(options.sequentialConversations, 1);
    result.burst = await measure(options.burstConversations, options.burstConcurrency);
    target.close();
  } catch (error) {
    result.error = `${(error as Error).message}`.slice(0, 500);
  } finally {
    await bot.stop();
    result.tokenRequests = token.calls();
    result.reportsBreaches = graph.breaches;
    result.maxReportsInAnyWindow = graph.maxReportsInWindow;
    await graph.close();
    await new Promise<void>((resolve) => token.server.close(() => resolve()));
  }
  return result;
}
