/**
 * The stores `config.storage` names, loading only that backend: the Azure Storage SDKs
 * (@azure/data-tables, @azure/storage-blob) are not required with SQLite, nor better-sqlite3
 * with Azure. Each backend module is required on first use, so start-up and idle memory pay
 * for one backend only (the types come through `import type`, which leaves nothing at run time).
 */
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config';
import type { RateBudgetStore } from '../domain/rate-budget';
import type * as AzureRateBudget from './azure-rate-budget';
import type * as AzureStores from './azure-stores';
import type * as SqliteRateBudget from './sqlite-rate-budget';
import type * as SqliteStores from './sqlite-stores';
import type { Stores } from './stores';

type AzureStorage = Extract<Config['storage'], { backend: 'azure' }>;

/* eslint-disable @typescript-eslint/no-require-imports -- deferred on purpose: only the configured backend is loaded */
const azureStores = (): typeof AzureStores => require('./azure-stores') as typeof AzureStores;
const azureRateBudget = (): typeof AzureRateBudget => require('./azure-rate-budget') as typeof AzureRateBudget;
const sqliteStores = (): typeof SqliteStores => require('./sqlite-stores') as typeof SqliteStores;
const sqliteRateBudget = (): typeof SqliteRateBudget => require('./sqlite-rate-budget') as typeof SqliteRateBudget;

/** The managed identity the storage account trusts (a user-assigned one when `clientId` is set); unused with a connection string. */
function storageCredential(s: AzureStorage): TokenCredential | undefined {
  if (s.connectionString) return undefined;
  const { ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return s.clientId ? new ManagedIdentityCredential({ clientId: s.clientId }) : new ManagedIdentityCredential();
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** Every store of the configured backend: Azure Storage, or one SQLite file under `config.dataDir`. */
export async function openStores(config: Pick<Config, 'storage' | 'dataDir'>): Promise<Stores> {
  const s = config.storage;
  if (s.backend === 'azure') {
    return azureStores().createAzureStores({
      connectionString: s.connectionString,
      accountName: s.accountName,
      credential: storageCredential(s),
      blobContainer: s.blobContainer,
      tablePrefix: s.tablePrefix,
    });
  }
  return sqliteStores().createSqliteStores(config.dataDir);
}

/** The shared Graph reports budget in the configured backend, and what closes it (SQLite keeps a connection of its own). */
export function openRateBudgetStore(config: Pick<Config, 'storage' | 'dataDir'>): { store: RateBudgetStore; close(): Promise<void> } {
  const s = config.storage;
  if (s.backend === 'azure') {
    const store = azureRateBudget().AzureRateBudgetStore.create({
      connectionString: s.connectionString,
      accountName: s.accountName,
      credential: storageCredential(s),
      tablePrefix: s.tablePrefix,
    });
    return { store, close: async () => undefined };
  }
  const store = sqliteRateBudget().SqliteRateBudgetStore.open(config.dataDir);
  return { store, close: async () => store.close() };
}
