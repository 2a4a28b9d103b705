import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Chat, type ActivityPoster } from '../support/bot-harness';
import { BotProcess } from '../support/bot-process';
import type { Json } from '../support/cards';
import { startAzurite, type AzuriteHandle } from '../support/azurite';
import { FakeGraphServer } from '../support/fake-graph-server';
import { LoopbackConnector } from '../support/loopback-connector';
import { buildBurstTenant, maxInWindow } from './graph-test-kit';

const TOKEN = 'managed-identity-token';
const IDENTITY_HEADER = 'fake-identity-header';

/** One bot process as an ActivityPoster, with the shared loopback connector. */
class ProcessPoster implements ActivityPoster {
  readonly bot = new BotProcess();
  constructor(readonly connector: LoopbackConnector) {}
  async post(activity: Json): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
}

/**
 * An App Service managed-identity endpoint on loopback (what IDENTITY_ENDPOINT points at): the
 * bots get their Graph token the way they do in production, without leaving 127.0.0.1.
 */
async function fakeIdentityEndpoint(): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests += 1;
    if (req.headers['x-identity-header'] !== IDENTITY_HEADER) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'missing header' }));
      return;
    }
    const resource = new URL(req.url ?? '/', 'http://x').searchParams.get('resource') ?? '';
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: TOKEN, expires_on: String(expiresOn), resource, token_type: 'Bearer' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Two bot processes (`tsx src/index.ts`, as a host runs them) on one Azurite, reading one
 * Graph-shaped server that answers 429 beyond 5 reports requests in any 10 s. A burst of
 * employees asks both at once; the deployment-wide reports budget (an Azure Table entity with
 * eTags) must keep the two together within the tenant's limit. Real time: about half a minute.
 */
describe('two bot processes share one reports budget through Azure Table Storage (Azurite)', function () {
  this.timeout(180_000);
  let azurite: AzuriteHandle;
  let graph: FakeGraphServer;
  let identity: Awaited<ReturnType<typeof fakeIdentityEndpoint>>;
  const connector = new LoopbackConnector();
  const posters = [new ProcessPoster(connector), new ProcessPoster(connector)];
  const { tenant, users } = buildBurstTenant(new Date(), 36);

  before(async () => {
    azurite = await startAzurite();
    graph = await FakeGraphServer.start(tenant, { requireToken: TOKEN, reportsLimit: { max: 5, windowMs: 10_000 } });
    identity = await fakeIdentityEndpoint();
    await connector.start();
    const prefix = `q${randomUUID().replace(/-/g, '').slice(0, 8)}`;
    const env = {
      STORAGE_BACKEND: 'azure',
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      AZURE_STORAGE_TABLE_PREFIX: prefix,
      AZURE_STORAGE_BLOB_CONTAINER: `${prefix}state`,
      GRAPH_ENABLED: 'true',
      GRAPH_BASE_URL: graph.url,
      IDENTITY_ENDPOINT: identity.url,
      IDENTITY_HEADER,
      NODE_ENV: 'production',
    };
    await Promise.all(posters.map((p) => p.bot.start(env)));
  });

  after(async () => {
    await Promise.all(posters.map((p) => p.bot.stop()));
    await connector.stop();
    await graph?.close();
    await identity?.close();
    await azurite?.stop();
  });

  it('when a burst of employees asks both instances at once, then Graph never sees more than 5 reports requests in any 10 s across both', async () => {
    await Promise.all(
      users.map(async ({ id }, i) => {
        await new Promise((r) => setTimeout(r, (3000 * i) / users.length));
        const chat = new Chat(posters[i % 2]!, `personal-${id}`, { aadObjectId: id, name: id });
        await chat.say('OneDrive shows error 0x8004de40 when it signs in');
      }),
    );
    // Lookups may finish in the background: wait until Graph has been quiet for a while.
    for (let quiet = 0, seen = -1, waited = 0; quiet < 3000 && waited < 90_000; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      quiet = graph.httpRequests.length === seen ? quiet + 250 : 0;
      seen = graph.httpRequests.length;
    }
    const arrivals = graph.reportsArrivals();
    assert.ok(identity.requests >= 2, 'both processes got their own token from the identity endpoint');
    assert.ok(arrivals.length >= 2, `${arrivals.length} reports requests`);
    assert.equal(graph.breaches, 0, 'no 429 from the reports limit');
    assert.ok(maxInWindow(arrivals, 10_000) <= 5, `at most 5 in any 10 s window across both processes (saw ${maxInWindow(arrivals, 10_000)})`);
    const userReads = graph.routed.filter((r) => /\/users\/burst-/.test(r.url));
    assert.ok(userReads.length >= users.length, 'every employee was looked up');
  });
});
