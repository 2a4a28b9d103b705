// First, before anything loads botbuilder: packages the bot does not use at start-up load on first use.
import './install-deferred-modules';
import type { TokenCredential } from '@azure/identity';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';
import { AgentDesk } from './desk/agent-desk';
import { ChannelCommands } from './desk/channel-commands';
import { createAgentRoster } from './desk/agent-roster';
import { createBotApplication } from './bot/app';
import { createContinueLater } from './bot/proactive-turn';
import { OpenIdKeySet } from './bot/channel-token-check';
import { createDeliverer } from './delivery/deliveries';
import { HelpdeskChannelRegistry } from './desk/helpdesk-channel';
import { createHelpdeskAdapter, DEFAULT_OPENID_METADATA_URL } from './bot/helpdesk-adapter';
import { createServiceUrlPolicy } from './bot/service-url-policy';
import { IncidentWatch } from './delivery/incident-watch';
import { OutboxWorker } from './delivery/outbox-worker';
import { TenantGuard } from './bot/tenant-guard';
import { UserRateGuard, UserRateLimiter } from './bot/user-rate-limit';
import { TicketNotifier } from './delivery/ticket-notifier';
import { TicketSweeper } from './delivery/ticket-sweeper';
import { ConfigError, loadConfig, type Config } from './config';
import type { Clock } from './domain/clock';
import type { EmployeeDeps } from './dialogs/employee-turn';
import type { DirectoryPort } from './domain/directory';
import { incidentSignature } from './domain/incidents';
import { buildDemoTenant } from './graph/demo-tenant-data';
import { DemoTenantDirectory, loadDemoTenantFile } from './graph/demo-tenant-directory';
import { createGraphDirectoryFromConfig } from './graph/graph-directory-factory';
import { createLogger } from './logger';
import { createServer, drainServer, InFlightTurns, readPages } from './server';
import { installKnowledge } from './content/knowledge';
import { ContentError, defaultContentDir, loadKnowledge } from './content/load-content';
import { openStores } from './store/open-stores';
import type { Stores } from './store/stores';
import { warmUpCardEngine } from './cards/adaptive-card';

/** How long after listening the card engine is loaded if no card needed it yet (off the path to ready). */
const CARD_ENGINE_WARM_UP_MS = 500;

/** A running bot: its URL and how to stop it. */
export interface RunningBot {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Test seams: a fixed clock, and a Graph credential that never touches the network. */
export interface StartOptions {
  clock?: Clock;
  graphCredential?: TokenCredential;
  /** Outbound Bot Connector credentials (with BOT_ID set) that never touch the network. */
  botCredentials?: ServiceClientCredentialsFactory;
}

/** How long a shutdown waits for turns in flight before closing the stores anyway. */
const DRAIN_TIMEOUT_MS = 10_000;

function chooseDirectory(config: Config, log: Logger, options: StartOptions): { directory: DirectoryPort; name: string } {
  // Contract §4: a demo tenant file wins over Graph.
  if (config.demoTenantFile) {
    const source = `demo tenant file ${config.demoTenantFile}`;
    return { directory: new DemoTenantDirectory(loadDemoTenantFile(config.demoTenantFile), { windowHours: config.signInWindowHours, source }), name: source };
  }
  if (config.graph) return createGraphDirectoryFromConfig(config, log, { graphCredential: options.graphCredential })!;
  return {
    directory: new DemoTenantDirectory(buildDemoTenant(new Date()), { windowHours: config.signInWindowHours, source: 'the built-in demo tenant' }),
    name: 'built-in demo tenant',
  };
}

/** `/readyz`: the stores can be reached; degraded while deliveries sit in the dead letters (agents were told in the channel). */
async function readiness(stores: Stores, log: Logger): Promise<{ ok: boolean; degraded: boolean; detail?: string }> {
  const status = await stores.ready();
  if (!status.ok) return { ...status, degraded: false };
  try {
    const dead = await stores.outbox.deadLetterCount();
    return { ...status, degraded: dead > 0, detail: dead > 0 ? `${dead} outbox item(s) in the dead letters` : status.detail };
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'could not count the outbox dead letters');
    return { ...status, degraded: true, detail: 'dead letters could not be counted' };
  }
}

/** Composition root: builds every part from the config and starts the HTTP server. */
export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  // Knowledge first: a broken content file stops start-up here, naming the file and the field.
  const contentDir = config.contentDir ?? defaultContentDir();
  installKnowledge(loadKnowledge(contentDir));
  const pages = readPages(contentDir);
  const log = createLogger(config.logLevel);
  const clock = options.clock ?? (() => new Date());
  const stores = await openStores(config);
  const { directory, name: directoryName } = chooseDirectory(config, log, options);
  const adapter = createHelpdeskAdapter(
    { appId: config.bot.appId, password: config.bot.password, tenantId: config.bot.tenantId, type: config.bot.type, openIdMetadataUrl: config.openIdMetadataUrl },
    options.botCredentials,
  );

  // With credentials, the bot's token may only travel to Teams' connector hosts (or origins trusted in config).
  const serviceUrlPolicy = createServiceUrlPolicy({ authenticated: config.bot.authenticated, trustedServiceUrls: config.trustedServiceUrls });

  const channels = new HelpdeskChannelRegistry(stores.settings, config.helpdeskChannel);
  // Agents (docs/contract.md §3a): HELPDESK_AGENTS, the HELPDESK_AGENTS_GROUP_ID group through Graph, the registered team's roster.
  const roster = createAgentRoster(config, { channels, adapter, botAppId: config.bot.appId, log, graphCredential: options.graphCredential });
  if (!(await roster.hasConfiguredSource())) {
    log.warn(
      {},
      'no help desk agents configured (HELPDESK_AGENTS, HELPDESK_AGENTS_GROUP_ID) and no ticket channel registered: nobody can register the help desk channel until one is set',
    );
  }
  let kick = (): void => undefined;
  const incidents = new IncidentWatch({
    settings: stores.settings,
    outbox: stores.outbox,
    kick: () => kick(),
    threshold: config.incidents.threshold,
    windowMinutes: config.incidents.windowMinutes,
    clock,
    timeZone: config.helpdeskTimeZone,
  });
  const notifier = new TicketNotifier({
    outbox: stores.outbox,
    kick: () => kick(),
    webhookEnabled: Boolean(config.webhook),
    onCreated: async (ticket) => {
      if (!ticket.incidentSignature) return;
      await incidents.record({
        at: ticket.createdAt,
        causeId: ticket.causeId,
        signature: ticket.incidentSignature,
        requesterId: ticket.requester.aadObjectId,
        requesterName: ticket.requester.name,
        ticketId: ticket.id,
      });
    },
  });
  const worker = new OutboxWorker({
    outbox: stores.outbox,
    deliver: createDeliverer({
      adapter,
      botAppId: config.bot.appId,
      tenantId: config.bot.tenantId ?? config.allowedTenantIds[0],
      tickets: stores.tickets,
      channels,
      roster,
      settings: stores.settings,
      serviceUrlPolicy,
      webhook: config.webhook,
      log,
      clock,
      timeZone: config.helpdeskTimeZone,
    }),
    log,
    retryBaseMs: config.outboxRetryBaseMs,
    maxAttempts: config.outbox.maxAttempts,
    deliveryTimeoutMs: config.outbox.deliveryTimeoutMs,
    concurrency: config.outbox.concurrency,
  });
  kick = () => worker.kick();

  const employee: EmployeeDeps = {
    directory,
    tickets: stores.tickets,
    log,
    clock,
    lookupWaitMs: config.lookupWaitMs,
    lookupBudgetMs: config.lookupBudgetMs,
    // A slow sign-in log read finishes in the background and the conversation carries on from it.
    continueLater: createContinueLater({ adapter, storage: stores.botStorage, botAppId: config.bot.appId, clock, log, serviceUrlPolicy }),
    events: notifier,
    creation: notifier,
    onDiagnosis: async (report) => {
      const signature = incidentSignature(report.failedPolicies, report.latestCode);
      if (!signature || !report.requesterId) return;
      await incidents.record({ at: report.at, causeId: report.causeId, signature, requesterId: report.requesterId, requesterName: report.requesterName ?? report.requesterId });
    },
  };
  const agentDesk = new AgentDesk({
    tickets: stores.tickets,
    roster,
    channels,
    directory,
    events: notifier,
    log,
    clock,
    timeZone: config.helpdeskTimeZone,
    sender: { adapter, botAppId: config.bot.appId, serviceUrlPolicy },
    deliveries: { outbox: stores.outbox, kick: () => kick() },
  });
  const app = createBotApplication({
    adapter,
    storage: stores.botStorage,
    services: { employee, desk: agentDesk, channel: new ChannelCommands(agentDesk) },
    botAppId: config.bot.appId,
    log,
  });
  const turns = new InFlightTurns();
  const server = createServer({
    pages,
    adapter,
    app,
    log,
    ready: () => readiness(stores, log),
    // With credentials, every inbound token is checked against the channel's published keys.
    auth: config.bot.authenticated && config.bot.appId ? { appId: config.bot.appId, keys: new OpenIdKeySet(config.openIdMetadataUrl ?? DEFAULT_OPENID_METADATA_URL) } : undefined,
    serviceUrls: serviceUrlPolicy,
    tenants: new TenantGuard(config.allowedTenantIds),
    turns,
    userRateGuard: new UserRateGuard(new UserRateLimiter(config.userRateLimit, clock), log),
  });
  await new Promise<void>((resolve) => {
    server.listen(config.port, '0.0.0.0', () => resolve());
  });
  worker.start();
  // The card engine loads on first use; shortly after start it is loaded anyway, so the first employee rarely waits for it.
  setTimeout(warmUpCardEngine, CARD_ENGINE_WARM_UP_MS).unref();
  // Re-queues channel cards of tickets never posted, and purges closed tickets after RETENTION_DAYS.
  const sweeper = new TicketSweeper({ tickets: stores.tickets, outbox: stores.outbox, conversations: stores, kick: () => kick(), log, retentionDays: config.retentionDays });
  sweeper.start();
  const port = (server.address() as AddressInfo).port;
  log.info(
    {
      port,
      storage: config.storage.backend,
      dataDir: config.dataDir,
      directory: directoryName,
      authentication: config.bot.authenticated ? `${config.bot.type} app ${config.bot.appId}` : 'none',
    },
    config.bot.authenticated
      ? 'bot listening'
      : 'bot listening UNAUTHENTICATED: no BOT_ID is set, so any caller can post activities. Fine for the Agents Playground and tests; never in production.',
  );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      // Drain: no new activities, running turns finish (bounded), then the worker and the stores stop.
      const inFlight = turns.size;
      if (!(await drainServer(server, turns, DRAIN_TIMEOUT_MS))) log.warn({ inFlight: turns.size }, 'shutdown: turns still running after the drain timeout');
      else if (inFlight > 0) log.info({ inFlight }, 'shutdown: turns in flight finished');
      await sweeper.stop();
      await worker.stop();
      await stores.close();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  try {
    const running = await startBot(config);
    let stopping = false;
    // First signal: drain (turns in flight finish, then the outbox and the stores stop). A second one ends at once.
    const stop = (): void => {
      if (stopping) process.exit(1);
      stopping = true;
      running.close().then(
        () => process.exit(0),
        (error: Error) => {
          console.error(`Shutdown failed: ${error.message}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (error) {
    console.error(error instanceof ContentError ? `Content error: ${error.message}` : `Start-up failed: ${(error as Error).message}`);
    process.exit(1);
  }
}

if (require.main === module) void main();
