import type { TokenCredential } from '@azure/identity';
import { TableClient } from '@azure/data-tables';
import { ContainerClient } from '@azure/storage-blob';
import { AzureBlobBotStorage } from './azure-bot-storage';
import { LargeTextCodec, retryingOnce } from './azure-common';
import { AzureOutboxStore, AzureSettingsStore } from './azure-outbox-store';
import { AzureTicketRepository } from './azure-ticket-repository';
import type { Stores } from './stores';

export interface AzureStoresOptions {
  /** Shared-key connection string (Azurite, local development). Takes precedence over accountName + credential. */
  connectionString?: string;
  /** Storage account name, with `credential` (managed identity / workload identity). */
  accountName?: string;
  credential?: TokenCredential;
  /** Container for bot state (and ticket bodies / payloads too large for a table entity). */
  blobContainer: string;
  /** Prefix of the three tables: `${tablePrefix}Tickets`, `${tablePrefix}Outbox`, `${tablePrefix}Settings`. */
  tablePrefix: string;
  /** Overrides `https://{accountName}.blob.core.windows.net` (credential mode only). */
  blobEndpoint?: string;
  /** Overrides `https://{accountName}.table.core.windows.net` (credential mode only). */
  tableEndpoint?: string;
}

/** How long `ready()` waits for the storage account before reporting it unreachable. */
const READY_TIMEOUT_MS = 5000;

function validate(options: AzureStoresOptions): void {
  if (!/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/.test(options.blobContainer)) {
    throw new Error(`Invalid blob container name "${options.blobContainer}": 3-63 lowercase letters, digits and single hyphens.`);
  }
  if (!/^[A-Za-z][A-Za-z0-9]{0,54}$/.test(options.tablePrefix)) {
    throw new Error(`Invalid table prefix "${options.tablePrefix}": a letter then letters or digits, at most 55 characters.`);
  }
  if (!options.connectionString && !(options.accountName && options.credential)) {
    throw new Error('Azure storage needs either a connection string or an account name with a credential.');
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function describeError(error: unknown): string {
  const e = error as { statusCode?: number; code?: string; message?: string };
  const status = e?.statusCode ? `HTTP ${e.statusCode}` : undefined;
  const message = (e?.message ?? String(error)).split('\n')[0];
  return [status, e?.code, message].filter(Boolean).join(' ');
}

/**
 * The Azure Storage backend: bot state as JSON blobs in `blobContainer`, tickets / outbox /
 * settings in Azure Table Storage. The container and tables are created if missing, on first
 * use; a failure then (storage not reachable yet) is retried on the next call and reported by
 * `ready()` rather than thrown from here, so the bot can start and report not-ready.
 */
export async function createAzureStores(options: AzureStoresOptions): Promise<Stores> {
  validate(options);
  const names = {
    tickets: `${options.tablePrefix}Tickets`,
    outbox: `${options.tablePrefix}Outbox`,
    settings: `${options.tablePrefix}Settings`,
  };

  let container: ContainerClient;
  let table: (name: string) => TableClient;
  if (options.connectionString) {
    const cs = options.connectionString;
    container = new ContainerClient(cs, options.blobContainer);
    // Azurite speaks plain http; the SDK refuses shared-key auth over http unless told otherwise.
    const insecure = /DefaultEndpointsProtocol=http(;|$)/i.test(cs) || /(BlobEndpoint|TableEndpoint)=http:\/\//i.test(cs) || /UseDevelopmentStorage=true/i.test(cs);
    table = (name) => TableClient.fromConnectionString(cs, name, { allowInsecureConnection: insecure });
  } else {
    const account = options.accountName!;
    const credential = options.credential!;
    const blobEndpoint = trimSlash(options.blobEndpoint ?? `https://${account}.blob.core.windows.net`);
    const tableEndpoint = trimSlash(options.tableEndpoint ?? `https://${account}.table.core.windows.net`);
    container = new ContainerClient(`${blobEndpoint}/${options.blobContainer}`, credential);
    table = (name) => new TableClient(tableEndpoint, name, credential, { allowInsecureConnection: tableEndpoint.startsWith('http://') });
  }
  const tickets = table(names.tickets);
  const outbox = table(names.outbox);
  const settings = table(names.settings);

  const ensureContainer = retryingOnce(async () => {
    await container.createIfNotExists();
  });
  const ensureTables = retryingOnce(async () => {
    await Promise.all([tickets.createTable(), outbox.createTable(), settings.createTable()]);
  });

  const codec = (folder: string) => new LargeTextCodec(container, ensureContainer, folder);

  // Create what is missing now, but let a failure surface through ready() / the first call
  // instead, and do not hold start-up for longer than a readiness check would wait.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all([ensureContainer(), ensureTables()]).catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, READY_TIMEOUT_MS)))]);
  clearTimeout(timer);

  const outboxStore = new AzureOutboxStore(outbox, codec('outbox-payloads'), ensureTables);
  const settingsCodec = codec('setting-values');
  const botStorage = new AzureBlobBotStorage(container, ensureContainer);
  return {
    botStorage,
    purgeStateBefore: (cutoff) => botStorage.purgeBefore(cutoff),
    // The tickets repository writes a new ticket's first deliveries and purges thread links.
    tickets: new AzureTicketRepository(tickets, codec('ticket-bodies'), ensureTables, { outbox: outboxStore, settings: { table: settings, codec: settingsCodec } }),
    outbox: outboxStore,
    settings: new AzureSettingsStore(settings, settingsCodec, ensureTables),
    ready: async () => {
      const abortSignal = AbortSignal.timeout(READY_TIMEOUT_MS);
      const checks: Array<[string, () => Promise<unknown>]> = [
        [
          'blob',
          async () => {
            await ensureContainer();
            await container.getProperties({ abortSignal });
          },
        ],
        [
          'table',
          async () => {
            await ensureTables();
            await tickets
              .listEntities({ queryOptions: { select: ['RowKey'] }, abortSignal })
              .byPage({ maxPageSize: 1 })
              .next();
          },
        ],
      ];
      const failures: string[] = [];
      await Promise.all(
        checks.map(async ([what, check]) => {
          try {
            await Promise.race([
              check(),
              new Promise((_, reject) => abortSignal.addEventListener('abort', () => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), { once: true })),
            ]);
          } catch (error) {
            failures.push(`${what}: ${describeError(error)}`);
          }
        }),
      );
      return failures.length === 0 ? { ok: true } : { ok: false, detail: `Azure storage unreachable (${failures.sort().join('; ')})` };
    },
    close: async () => {
      // The SDK clients hold no resources beyond pooled sockets; nothing to release.
    },
  };
}
