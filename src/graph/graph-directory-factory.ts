/**
 * The Graph directory the configuration describes, with the reports budget shared by the whole
 * deployment: every instance takes its reports-API slots from one budget in the same store the
 * bot keeps its state in (Azure Table with eTags when STORAGE_BACKEND=azure, the SQLite file in
 * DATA_DIR otherwise), so together they never exceed the tenant's 5 requests per 10 s.
 */
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config';
import type { RateBudgetStore } from '../domain/rate-budget';
import { openRateBudgetStore } from '../store/open-stores';
import { createGraphCredential } from './graph-credential';
import { GraphDirectory, type GraphDirectoryOptions } from './graph-directory';
import type { GraphLogger } from './graph-request';
import { SharedReportsLimiter } from './shared-reports-limiter';

/** Test seams and overrides. */
export interface GraphDirectoryFactoryOptions {
  /** The Graph credential (tests: one that never touches the network); default from the config. */
  graphCredential?: TokenCredential;
  /** The shared budget's store; default from `config.storage`. */
  budgetStore?: RateBudgetStore;
  /** Further GraphDirectory options (after the ones the config gives). */
  directory?: Partial<GraphDirectoryOptions>;
}

/** What the factory returns: the directory, its name for the start-up log, and what to close on shutdown. */
export interface ConfiguredGraphDirectory {
  directory: GraphDirectory;
  name: string;
  /** Closes the budget store's own connection (SQLite); the directory itself holds nothing open. */
  close(): Promise<void>;
}

/** The budget store `config.storage` describes (only that backend's SDK is loaded). */
export function createRateBudgetStore(config: Config): { store: RateBudgetStore; close(): Promise<void> } {
  return openRateBudgetStore(config);
}

/** The budget's key: one per tenant and Graph endpoint (instances of one deployment share it). */
export function reportsBudgetKey(graph: NonNullable<Config['graph']>): string {
  let host = graph.baseUrl;
  try {
    host = new URL(graph.baseUrl).host;
  } catch {
    /* keep the text */
  }
  return `graph-reports:${graph.tenantId ?? 'managed-identity'}@${host}`;
}

/**
 * The GraphDirectory for `config.graph`, with the deployment-wide reports budget; undefined
 * when Graph is not configured (or a demo tenant file is set, which wins over Graph).
 */
export function createGraphDirectoryFromConfig(config: Config, log: GraphLogger, options: GraphDirectoryFactoryOptions = {}): ConfiguredGraphDirectory | undefined {
  const graph = config.graph;
  if (!graph || config.demoTenantFile) return undefined;
  const budget = options.budgetStore ? { store: options.budgetStore, close: async () => undefined } : createRateBudgetStore(config);
  const reportsLimiter = new SharedReportsLimiter({ store: budget.store, key: reportsBudgetKey(graph), logger: log });
  const directory = new GraphDirectory({
    credential: options.graphCredential ?? createGraphCredential(graph),
    baseUrl: graph.baseUrl,
    windowHours: config.signInWindowHours,
    cacheTtlMs: graph.cacheSeconds * 1000,
    timeBudgetMs: graph.timeBudgetMs,
    logger: log,
    reportsLimiter,
    ...options.directory,
  });
  return {
    directory,
    name: `Microsoft Graph at ${graph.baseUrl} (${graph.credential.kind}; reports budget shared through ${config.storage.backend === 'azure' ? 'Azure Table Storage' : 'SQLite'})`,
    close: () => budget.close(),
  };
}
