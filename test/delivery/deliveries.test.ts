import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgentRoster } from '../../src/desk/agent-roster';
import { createDeliverer, type DeliveryDeps } from '../../src/delivery/deliveries';
import { createHelpdeskAdapter, type HelpdeskAdapter } from '../../src/bot/helpdesk-adapter';
import { HelpdeskChannelRegistry } from '../../src/desk/helpdesk-channel';
import { OutboxWorker } from '../../src/delivery/outbox-worker';
import { createServiceUrlPolicy, UntrustedServiceUrlError } from '../../src/bot/service-url-policy';
import { loadConfig } from '../../src/config';
import { PermanentDeliveryError, type OutboxItem } from '../../src/domain/outbox';
import type { Ticket } from '../../src/domain/tickets';
import { createSqliteStores } from '../../src/store/sqlite-stores';
import type { Stores } from '../../src/store/stores';
import { contractDraft } from '../store/store-contract';
import { LOOPBACK_BOT_TOKEN, LoopbackBotCredentials } from '../support/loopback-bot-credentials';
import { LoopbackConnector } from '../support/loopback-connector';

const APP_ID = '00000000-0000-4000-8000-00000000b07';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('deliveries with bot credentials (real CloudAdapter, loopback connector)', function () {
  this.timeout(30_000);
  const connector = new LoopbackConnector();
  let dir: string;
  let stores: Stores;
  let adapter: HelpdeskAdapter;
  let ticket: Ticket;

  before(async () => {
    await connector.start();
  });
  after(() => connector.stop());

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deliveries-'));
    stores = createSqliteStores(dir);
    adapter = createHelpdeskAdapter({ appId: APP_ID, password: 'test-password', type: 'MultiTenant' }, new LoopbackBotCredentials(APP_ID, 'test-password'));
    // Stored while the bot ran unauthenticated: a plain-http address that is not a Teams connector.
    const requesterAddress = { channelId: 'msteams', serviceUrl: connector.url, conversation: { id: 'personal-stored' }, bot: { id: `28:${APP_ID}` }, user: { id: '29:employee' } };
    ticket = await stores.tickets.create({ ...contractDraft('employee-1'), requesterAddress });
    connector.calls.length = 0;
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deliverer = (overrides: Partial<DeliveryDeps> = {}) => {
    const config = loadConfig({ BOT_ID: APP_ID, BOT_PASSWORD: 'test-password' });
    const channels = new HelpdeskChannelRegistry(stores.settings);
    return createDeliverer({
      adapter,
      botAppId: APP_ID,
      tickets: stores.tickets,
      channels,
      roster: createAgentRoster(config, { channels, adapter, botAppId: APP_ID, log: silent }),
      settings: stores.settings,
      serviceUrlPolicy: createServiceUrlPolicy({ authenticated: true }),
      log: silent,
      ...overrides,
    });
  };
  const notify = (): OutboxItem => ({
    id: '1',
    kind: 'notify-employee',
    payload: { ticketId: ticket.id, title: 'Kari (help desk)', text: 'Please restart OneDrive.' },
    attempts: 1,
    nextAttemptAt: 0,
  });

  it('when the stored address is not a Teams service URL, then nothing is sent (no token leaves) and the worker dead-letters the item at once', async () => {
    await assert.rejects(deliverer()(notify()), UntrustedServiceUrlError);
    assert.deepEqual(connector.calls, []);

    await stores.outbox.enqueue('notify-employee', notify().payload, Date.now());
    const worker = new OutboxWorker({ outbox: stores.outbox, deliver: deliverer(), log: silent, retryBaseMs: 20, pollMs: 20, maxAttempts: 5 });
    worker.start();
    try {
      const end = Date.now() + 10_000;
      while ((await stores.outbox.deadLetterCount()) === 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await worker.stop();
    }
    const [dead] = await stores.outbox.listDeadLetters(10);
    assert.equal(dead?.attempts, 1, 'not retried');
    assert.match(dead?.lastError ?? '', /untrusted/);
    assert.deepEqual(connector.calls, []);
  });

  it('when the operator trusts that service URL, then the same delivery goes out with the bot token', async () => {
    await deliverer({ serviceUrlPolicy: createServiceUrlPolicy({ authenticated: true, trustedServiceUrls: [connector.url] }) })(notify());
    const sent = connector.calls.filter((c) => c.conversationId === 'personal-stored' && c.body.type === 'message');
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.authorization, `Bearer ${LOOPBACK_BOT_TOKEN}`);
  });

  it('when the channel comes from HELPDESK_CHANNEL_ID, then the post names the bot by its app id and the configured tenant, and thread messages are plain text', async () => {
    const channels = new HelpdeskChannelRegistry(stores.settings, { channelId: '19:configured@thread.tacv2', serviceUrl: connector.url });
    const deliver = deliverer({ channels, tenantId: 'tenant-configured', serviceUrlPolicy: createServiceUrlPolicy({ authenticated: true, trustedServiceUrls: [connector.url] }) });
    await deliver({ id: '3', kind: 'channel-card', payload: { ticketId: ticket.id }, attempts: 1, nextAttemptAt: 0 });
    const [post] = connector.calls.filter((c) => c.method === 'POST' && /\/v3\/conversations\/?$/.test(c.path));
    const params = post!.body.createdWith as { bot?: { id?: string }; tenantId?: string; channelData?: { tenant?: { id?: string }; channel?: { id?: string } } };
    assert.equal(params.bot?.id, `28:${APP_ID}`);
    assert.equal(params.tenantId, 'tenant-configured');
    assert.equal(params.channelData?.tenant?.id, 'tenant-configured');
    assert.equal(params.channelData?.channel?.id, '19:configured@thread.tacv2');
    assert.equal(post!.authorization, `Bearer ${LOOPBACK_BOT_TOKEN}`);
    const stored = await stores.tickets.get(ticket.id);
    assert.equal((stored!.channelAddress as { activityId?: string }).activityId, post!.conversationId.split(';messageid=')[1], 'the address is recorded on the ticket');

    const text = 'Erin: [Reset your password here](https://example.test/phish) **now**';
    await deliver({ id: '4', kind: 'channel-reply', payload: { ticketId: ticket.id, text }, attempts: 1, nextAttemptAt: 0 });
    const reply = connector.calls.find((c) => c.conversationId === post!.conversationId && c.body.type === 'message' && c.body.text === text);
    assert.ok(reply, 'the reply went into the thread, unchanged');
    assert.equal(reply.body.textFormat, 'plain');
  });

  describe('the webhook', () => {
    let server: Server;
    let hits = 0;
    let url = '';
    before(async () => {
      server = createServer((req, res) => {
        hits += 1;
        req.resume();
        req.on('end', () => {
          res.statusCode = 204;
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/itsm`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const webhookItem = (): OutboxItem => ({
      id: '2',
      kind: 'webhook',
      payload: { ticketId: ticket.id, event: 'created', at: new Date().toISOString() },
      attempts: 1,
      nextAttemptAt: 0,
    });

    it('when the bot has credentials and the webhook URL is plain http, then nothing is posted and the failure is permanent', async () => {
      hits = 0;
      await assert.rejects(deliverer({ webhook: { url, secret: 's' } })(webhookItem()), (error: unknown) => error instanceof PermanentDeliveryError && /https/.test(error.message));
      assert.equal(hits, 0);
    });

    it('when the bot runs without credentials, then a local http webhook is posted to', async () => {
      hits = 0;
      await deliverer({ webhook: { url, secret: 's' }, serviceUrlPolicy: createServiceUrlPolicy({ authenticated: false }) })(webhookItem());
      assert.equal(hits, 1);
    });
  });
});
