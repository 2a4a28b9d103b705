import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { TeamsAdapter } from '@microsoft/teams-ai';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { AgentDesk } from './bot/agent-desk';
import { AgentRoster } from './bot/agent-roster';
import { createBotApplication } from './bot/app';
import { createDeliverer } from './bot/deliveries';
import { HelpdeskBot } from './bot/helpdesk-bot';
import { HelpdeskChannelRegistry } from './bot/helpdesk-channel';
import { IncidentWatch } from './bot/incident-watch';
import { OutboxWorker } from './bot/outbox-worker';
import { TicketNotifier } from './bot/ticket-notifier';
import { ConfigError, loadConfig, type Config } from './config';
import type { DirectoryPort } from './domain/directory';
import { incidentSignature } from './domain/incidents';
import { buildDemoTenant } from './graph/demo-tenant-data';
import { DemoTenantDirectory, loadDemoTenantFile } from './graph/demo-tenant-directory';
import { createGraphCredential } from './graph/graph-credential';
import { GraphDirectory } from './graph/graph-directory';
import { createLogger } from './logger';
import { createServer } from './server';
import { createAzureStores } from './store/azure-stores';
import { createSqliteStores } from './store/sqlite-stores';
import type { Stores } from './store/stores';

/** A running bot: its URL and how to stop it. */
export interface RunningBot {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Test seams: a fixed clock, and a Graph credential that never touches the network. */
export interface StartOptions {
  clock?: () => Date;
  graphCredential?: TokenCredential;
}

function chooseDirectory(config: Config, log: Logger, options: StartOptions): { directory: DirectoryPort; name: string } {
  // Contract §4: a demo tenant file wins over Graph.
  if (config.demoTenantFile) {
    const source = `demo tenant file ${config.demoTenantFile}`;
    return { directory: new DemoTenantDirectory(loadDemoTenantFile(config.demoTenantFile), { windowHours: config.signInWindowHours, source }), name: source };
  }
  if (config.graph) {
    const directory = new GraphDirectory({
      credential: options.graphCredential ?? createGraphCredential(config.graph),
      baseUrl: config.graph.baseUrl,
      windowHours: config.signInWindowHours,
      cacheTtlMs: config.graph.cacheSeconds * 1000,
      timeBudgetMs: config.graph.timeBudgetMs,
      logger: log,
    });
    return { directory, name: `Microsoft Graph at ${config.graph.baseUrl} (${config.graph.credential.kind})` };
  }
  return { directory: new DemoTenantDirectory(buildDemoTenant(new Date()), { windowHours: config.signInWindowHours, source: 'the built-in demo tenant' }), name: 'built-in demo tenant' };
}

async function createStores(config: Config): Promise<Stores> {
  if (config.storage.backend === 'azure') {
    const s = config.storage;
    return createAzureStores({
      connectionString: s.connectionString,
      accountName: s.accountName,
      credential: s.connectionString ? undefined : s.clientId ? new ManagedIdentityCredential({ clientId: s.clientId }) : new ManagedIdentityCredential(),
      blobContainer: s.blobContainer,
      tablePrefix: s.tablePrefix,
    });
  }
  return createSqliteStores(config.dataDir);
}

/** Composition root: builds every part from the config and starts the HTTP server. */
export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const log = createLogger(config.logLevel);
  const clock = options.clock ?? (() => new Date());
  const stores = await createStores(config);
  const { directory, name: directoryName } = chooseDirectory(config, log, options);
  const adapter = new TeamsAdapter({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.password,
    MicrosoftAppTenantId: config.bot.tenantId,
    MicrosoftAppType: config.bot.type,
  });

  const channels = new HelpdeskChannelRegistry(stores.settings, config.helpdeskChannel);
  const roster = new AgentRoster({ allowList: config.helpdeskAgents, channels, adapter, botAppId: config.bot.appId, log });
  let kick = (): void => undefined;
  const incidents = new IncidentWatch({ settings: stores.settings, outbox: stores.outbox, kick: () => kick(), threshold: config.incidents.threshold, windowMinutes: config.incidents.windowMinutes, clock });
  const notifier = new TicketNotifier({
    outbox: stores.outbox,
    kick: () => kick(),
    webhookEnabled: Boolean(config.webhook),
    onCreated: async (ticket) => {
      if (!ticket.incidentSignature) return;
      await incidents.record({ at: ticket.createdAt, causeId: ticket.causeId, signature: ticket.incidentSignature, requesterId: ticket.requester.aadObjectId, requesterName: ticket.requester.name, ticketId: ticket.id });
    },
  });
  const worker = new OutboxWorker({
    outbox: stores.outbox,
    deliver: createDeliverer({ adapter, botAppId: config.bot.appId, tickets: stores.tickets, channels, roster, webhook: config.webhook }),
    log,
    retryBaseMs: config.outboxRetryBaseMs,
  });
  kick = () => worker.kick();

  const bot = new HelpdeskBot({
    directory,
    tickets: stores.tickets,
    log,
    clock,
    events: notifier,
    onDiagnosis: async (report) => {
      const signature = incidentSignature(report.failedPolicies, report.latestCode);
      if (!signature || !report.requesterId) return;
      await incidents.record({ at: report.at, causeId: report.causeId, signature, requesterId: report.requesterId, requesterName: report.requesterName ?? report.requesterId });
    },
  });
  const agentDesk = new AgentDesk({ tickets: stores.tickets, roster, channels, directory, events: notifier, log, clock });
  const app = createBotApplication({ adapter, storage: stores.botStorage, bot, agentDesk, botAppId: config.bot.appId, log });
  const server = createServer({ adapter, app, log, ready: () => stores.ready() });
  await new Promise<void>((resolve) => server.listen(config.port, '0.0.0.0', resolve));
  worker.start();
  const port = (server.address() as AddressInfo).port;
  log.info(
    { port, storage: config.storage.backend, dataDir: config.dataDir, directory: directoryName, authentication: config.bot.authenticated ? `${config.bot.type} app ${config.bot.appId}` : 'none' },
    config.bot.authenticated
      ? 'bot listening'
      : 'bot listening UNAUTHENTICATED: no BOT_ID is set, so any caller can post activities. Fine for the Agents Playground and tests; never in production.',
  );
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
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
    const stop = (): void => {
      void running.close().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (error) {
    console.error(`Start-up failed: ${(error as Error).message}`);
    process.exit(1);
  }
}

if (require.main === module) void main();
