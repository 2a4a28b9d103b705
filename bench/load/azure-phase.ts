/**
 * Azure Storage transactions per turn, for docs/capacity.md: the built bot with
 * STORAGE_BACKEND=azure against Azurite (test/support/azurite.ts), through a counting proxy on
 * loopback. Counts what the bot asks of Blob (conversation state) and Table storage (tickets,
 * outbox, settings) while idle and for each kind of triage turn (one conversation at a time,
 * so each request belongs to the turn in flight or to the background work counted while idle).
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAzurite, type AzuriteHandle } from '../../test/support/azurite';
import { runLoad, sendersOf, Target, TURN_KINDS, triageScript, type Script, type Senders, type TurnKind } from './driver';
import { MeasuredProcess } from './measured-process';

type Service = 'blob' | 'table';

/** Requests per service and per method ("GET blob", "POST table", …). */
class StorageCounter {
  total = 0;
  readonly byService: Record<Service, number> = { blob: 0, table: 0 };
  readonly byOperation = new Map<string, number>();

  count(service: Service, method: string): void {
    this.total += 1;
    this.byService[service] += 1;
    const key = `${method} ${service}`;
    this.byOperation.set(key, (this.byOperation.get(key) ?? 0) + 1);
  }
}

/** Requests per operation between two copies of `StorageCounter.byOperation`; operations with none are left out. */
function requestsBetween(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Record<string, number> {
  const requests: Record<string, number> = {};
  for (const [op, n] of after) {
    const since = n - (before.get(op) ?? 0);
    if (since > 0) requests[op] = since;
  }
  return requests;
}

/** A loopback proxy to one Azurite endpoint that counts every request. */
async function countingProxy(service: Service, endpoint: string, counter: StorageCounter): Promise<{ server: Server; endpoint: string }> {
  const upstream = new URL(endpoint);
  const server = createServer((req, res) => {
    counter.count(service, req.method ?? 'GET');
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}${upstream.pathname}` };
}

/** What the Azure phase measured. */
export interface AzurePhaseResult {
  /** Storage requests per second with no conversation going on (background jobs: outbox polling, sweeps). */
  idlePerSecond: number;
  idleByOperation: Record<string, number>;
  conversations: number;
  /** Mean storage requests per turn, by kind of turn (background requests during the turn included). */
  perTurn: Record<TurnKind, { turns: number; blob: number; table: number; total: number }>;
  /** Mean storage requests per whole triage (all its turns). */
  perConversation: number;
  /** The bot's CPU time per turn (ms) in this mode, warm, 10 conversations at a time: the storage clients' work included. */
  cpuMsPerTurn?: number;
  /** Turns per second in that run (Azurite on the same machine). */
  turnsPerSecond?: number;
  byOperation: Record<string, number>;
  error?: string;
}

export interface AzurePhaseOptions extends Senders {
  distMain: string;
  /** Node flags for the bot (those of `npm start`). */
  nodeArgs?: string[];
  cwd: string;
  tenantFile: string;
  /** More environment for the bot (the help desk channel). */
  env: Record<string, string>;
  conversations: number;
  idleMs: number;
}

export async function runAzurePhase(options: AzurePhaseOptions): Promise<AzurePhaseResult> {
  const perTurnValues: Record<TurnKind, Array<{ blob: number; table: number }>> = { first: [], answer: [], fix: [], ticket: [] };
  const result: AzurePhaseResult = {
    idlePerSecond: 0,
    idleByOperation: {},
    conversations: 0,
    perTurn: Object.fromEntries(TURN_KINDS.map((k) => [k, { turns: 0, blob: 0, table: 0, total: 0 }])) as AzurePhaseResult['perTurn'],
    perConversation: 0,
    byOperation: {},
  };
  let azurite: AzuriteHandle | undefined;
  const servers: Server[] = [];
  const bot = new MeasuredProcess('bot (Azure Storage)', options.distMain, options.nodeArgs);
  try {
    azurite = await startAzurite();
    const counter = new StorageCounter();
    const blob = await countingProxy('blob', azurite.blobEndpoint, counter);
    const table = await countingProxy('table', azurite.tableEndpoint, counter);
    servers.push(blob.server, table.server);
    const key = /AccountKey=([^;]+)/.exec(azurite.connectionString)?.[1] ?? '';
    const connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=${blob.endpoint};TableEndpoint=${table.endpoint};`;
    await bot.start({ ...options.env, STORAGE_BACKEND: 'azure', AZURE_STORAGE_CONNECTION_STRING: connectionString, DEMO_TENANT_FILE: options.tenantFile }, options.cwd);
    const target = new Target('bot (Azure Storage)', bot.url);

    // Idle: what the background jobs cost with nobody talking to the bot.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const idleOps = new Map(counter.byOperation);
    const idleStart = counter.total;
    await new Promise((resolve) => setTimeout(resolve, options.idleMs));
    result.idlePerSecond = ((counter.total - idleStart) * 1000) / options.idleMs;
    result.idleByOperation = requestsBetween(idleOps, counter.byOperation);

    // One conversation at a time, each turn's requests counted.
    const countingScript: Script = (c) =>
      triageScript({
        turn: async (kind, extra, collect) => {
          const blob0 = counter.byService.blob;
          const table0 = counter.byService.table;
          const replies = await c.turn(kind, extra, collect);
          perTurnValues[kind].push({ blob: counter.byService.blob - blob0, table: counter.byService.table - table0 });
          return replies;
        },
      });
    const before = counter.total;
    const opsBefore = new Map(counter.byOperation);
    const run = await runLoad({ target, ...sendersOf(options), concurrency: 1, script: countingScript, conversations: options.conversations });
    const after = counter.total;
    const opsAfter = new Map(counter.byOperation);
    // CPU per turn, warm and concurrent (the first conversations above also warm the storage clients up).
    const warm = await runLoad({ target, ...sendersOf(options), concurrency: 10, script: triageScript, conversations: options.conversations * 5, cpuMs: () => bot.cpuMs() });
    if (warm.cpuMs !== undefined && warm.turns) result.cpuMsPerTurn = warm.cpuMs / warm.turns;
    result.turnsPerSecond = warm.elapsedMs ? (warm.turns * 1000) / warm.elapsedMs : 0;
    target.close();
    result.conversations = run.conversationsCompleted;
    result.perConversation = run.conversationsCompleted ? (after - before) / run.conversationsCompleted : 0;
    result.byOperation = requestsBetween(opsBefore, opsAfter);
    for (const k of TURN_KINDS) {
      const values = perTurnValues[k];
      const mean = (pick: (v: { blob: number; table: number }) => number): number => (values.length ? values.reduce((s, v) => s + pick(v), 0) / values.length : 0);
      result.perTurn[k] = { turns: values.length, blob: mean((v) => v.blob), table: mean((v) => v.table), total: mean((v) => v.blob + v.table) };
    }
    if (run.errors || run.unexpected) result.error = `${run.errors} failed turns, ${run.unexpected} conversations not followed: ${run.firstProblem ?? ''}`;
  } catch (error) {
    result.error = (error as Error).message.slice(0, 500);
  } finally {
    await bot.stop();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await azurite?.stop();
  }
  return result;
}
