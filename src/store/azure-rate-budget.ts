/**
 * The shared reports budget on Azure Table Storage (production, several instances): one entity
 * per budget, changed with optimistic concurrency (the entity's eTag; a 412 or 409 means
 * another instance won, so the change is computed again from the new state).
 */
import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { TableClient } from '@azure/data-tables';
import { applyTake, parseSlots, type BudgetRequest, type BudgetTake, type RateBudgetStore, type StoredSlot } from '../domain/rate-budget';
import { backoff, isStatus, retryingOnce, toText } from './azure-common';

const ROW = 'budget';
/** Attempts of one change before giving up (each lost race is another instance's success). */
const MAX_ATTEMPTS = 20;

export interface AzureRateBudgetOptions {
  /** Shared-key connection string (Azurite, local development). */
  connectionString?: string;
  /** Storage account name, with `credential` (managed identity). */
  accountName?: string;
  credential?: TokenCredential;
  /** The table is `${tablePrefix}RateBudget`. */
  tablePrefix: string;
  /** Overrides `https://{accountName}.table.core.windows.net`. */
  tableEndpoint?: string;
}

/** Table keys may not hold `/ \ # ?` or control characters: budget keys are stored hex-encoded. */
function partitionKeyOf(key: string): string {
  return Buffer.from(key, 'utf8').toString('hex').slice(0, 512);
}

/** A RateBudgetStore in an Azure Table. */
export class AzureRateBudgetStore implements RateBudgetStore {
  private readonly ensure: () => Promise<void>;

  constructor(private readonly table: TableClient) {
    this.ensure = retryingOnce(async () => {
      await table.createTable();
    });
  }

  /** The store for `options` (a connection string, or an account with a credential). */
  static create(options: AzureRateBudgetOptions): AzureRateBudgetStore {
    if (!/^[A-Za-z][A-Za-z0-9]{0,52}$/.test(options.tablePrefix)) throw new Error(`Invalid table prefix "${options.tablePrefix}".`);
    const name = `${options.tablePrefix}RateBudget`;
    if (options.connectionString) {
      const cs = options.connectionString;
      const insecure = /DefaultEndpointsProtocol=http(;|$)/i.test(cs) || /TableEndpoint=http:\/\//i.test(cs) || /UseDevelopmentStorage=true/i.test(cs);
      return new AzureRateBudgetStore(TableClient.fromConnectionString(cs, name, { allowInsecureConnection: insecure }));
    }
    if (!options.accountName || !options.credential) throw new Error('The shared reports budget needs a connection string or an account name with a credential.');
    const endpoint = (options.tableEndpoint ?? `https://${options.accountName}.table.core.windows.net`).replace(/\/+$/, '');
    return new AzureRateBudgetStore(new TableClient(endpoint, name, options.credential, { allowInsecureConnection: endpoint.startsWith('http://') }));
  }

  async take(key: string, request: BudgetRequest): Promise<BudgetTake> {
    return this.change(key, (slots) => applyTake(slots, request, randomUUID));
  }

  async release(key: string, slotIds: readonly string[], until: number): Promise<void> {
    const ids = new Set(slotIds);
    await this.change(key, (slots) => ({ slots: slots.map((s) => (ids.has(s.id) ? { ...s, until } : s)), result: undefined }));
  }

  async peek(key: string, now: number): Promise<number[]> {
    await this.ensure();
    const current = await this.get(key);
    return (current?.slots ?? [])
      .filter((s) => s.until > now)
      .map((s) => s.until)
      .sort((a, b) => a - b);
  }

  /** Reads the budget, computes the change and writes it if nobody else wrote in between. */
  private async change<T>(key: string, step: (slots: StoredSlot[]) => { slots: StoredSlot[]; result: T }): Promise<T> {
    await this.ensure();
    const partitionKey = partitionKeyOf(key);
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(key);
      const { slots, result } = step(current?.slots ?? []);
      const entity = { partitionKey, rowKey: ROW, slots: JSON.stringify(slots) };
      try {
        if (current) await this.table.updateEntity(entity, 'Replace', { etag: current.etag });
        else await this.table.createEntity(entity);
        return result;
      } catch (error) {
        if (!isStatus(error, 409, 412) || attempt + 1 >= MAX_ATTEMPTS) throw error;
        await backoff(attempt);
      }
    }
  }

  private async get(key: string): Promise<{ slots: StoredSlot[]; etag: string } | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(partitionKeyOf(key), ROW);
      return { slots: parseSlots(toText(entity.slots)), etag: entity.etag };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }
}
