import { TeamsAdapter } from '@microsoft/teams-ai';
import type { AddressInfo } from 'node:net';
import { createBotApplication } from './bot/app';
import { HelpdeskBot } from './bot/helpdesk-bot';
import { ConfigError, loadConfig, type Config } from './config';
import type { DirectoryPort } from './domain/directory';
import { buildDemoTenant } from './graph/demo-tenant-data';
import { DemoTenantDirectory, loadDemoTenantFile } from './graph/demo-tenant-directory';
import { createLogger } from './logger';
import { createServer } from './server';
import { createSqliteStores } from './store/sqlite-stores';

/** A running bot: its URL and how to stop it. */
export interface RunningBot {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Test seams: a fixed clock. Everything else is real. */
export interface StartOptions {
  clock?: () => Date;
}

function chooseDirectory(config: Config): DirectoryPort {
  if (config.demoTenantFile) {
    return new DemoTenantDirectory(loadDemoTenantFile(config.demoTenantFile), { windowHours: config.signInWindowHours, source: `demo tenant file ${config.demoTenantFile}` });
  }
  return new DemoTenantDirectory(buildDemoTenant(new Date()), { windowHours: config.signInWindowHours, source: 'the built-in demo tenant' });
}

/** Composition root: builds every part from the config and starts the HTTP server. */
export async function startBot(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const log = createLogger(config.logLevel);
  const stores = createSqliteStores(config.dataDir);
  const directory = chooseDirectory(config);
  const adapter = new TeamsAdapter({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.password,
    MicrosoftAppTenantId: config.bot.tenantId,
    MicrosoftAppType: config.bot.type,
  });
  const bot = new HelpdeskBot({ directory, tickets: stores.tickets, log, clock: options.clock });
  const app = createBotApplication({ adapter, storage: stores.botStorage, bot, botAppId: config.bot.appId, log });
  const server = createServer({
    adapter,
    app,
    log,
    ready: () => stores.ready(),
  });
  await new Promise<void>((resolve) => server.listen(config.port, '0.0.0.0', resolve));
  const port = (server.address() as AddressInfo).port;
  log.info(
    {
      port,
      dataDir: config.dataDir,
      directory: config.demoTenantFile ? `demo tenant file ${config.demoTenantFile}` : 'built-in demo tenant',
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
      await new Promise<void>((resolve) => server.close(() => resolve()));
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
