import { createHash, randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { OutboxItem, OutboxKind, OutboxStore, SettingsStore } from '../domain/outbox';
import { backoff, int64, int64Literal, isStatus, LargeTextCodec, odataString, readPacked, rowKeyOf, toNumber, type Entity } from './azure-common';

const OUTBOX = 'outbox';
const PAYLOAD = 'payload';

let sequence = 0;

/**
 * Outbox ids are row keys that sort in enqueue order (wall clock, then a per-process sequence)
 * and are unique across instances (random suffix), standing in for SQLite's AUTOINCREMENT id.
 */
function newOutboxId(): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${String(Date.now()).padStart(15, '0')}${String(sequence).padStart(6, '0')}${randomBytes(4).toString('hex')}`;
}

/**
 * The outbox in Azure Table Storage (one partition, row key = id).
 *
 * A claim is a Merge of `leaseUntil` / `attempts` If-Match the ETag the item was listed with:
 * when two instances race for an item, the service lets exactly one through (the other gets
 * 412 and skips it). Delivered items are deleted (SQLite keeps them with `done_at`; nothing
 * reads them), so `pendingCount` is the partition size and `complete` on a finished item is a
 * no-op, as is `retryLater`.
 */
export class AzureOutboxStore implements OutboxStore {
  constructor(
    private readonly table: TableClient,
    private readonly codec: LargeTextCodec,
    private readonly ensure: () => Promise<void>,
  ) {}

  async enqueue(kind: OutboxKind, payload: Record<string, unknown>, now: number): Promise<string> {
    await this.ensure();
    const id = newOutboxId();
    const packed = await this.codec.pack(PAYLOAD, JSON.stringify(payload), id);
    try {
      await this.table.createEntity({
        partitionKey: OUTBOX,
        rowKey: id,
        kind,
        attempts: 0,
        nextAttemptAt: int64(now),
        leaseUntil: int64(0),
        ...packed.props,
      });
    } catch (error) {
      await this.codec.discard(packed.blob);
      throw error;
    }
    return id;
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<OutboxItem[]> {
    // SQLite's LIMIT: 0 takes nothing, a negative limit takes everything.
    const max = limit < 0 ? Number.POSITIVE_INFINITY : Math.floor(limit);
    if (max === 0) return [];
    await this.ensure();
    const filter = `PartitionKey eq ${odataString(OUTBOX)} and nextAttemptAt le ${int64Literal(now)} and leaseUntil le ${int64Literal(now)}`;
    const claimed: Array<{ entity: Entity; attempts: number }> = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const attempts = toNumber(entity.attempts) + 1;
      try {
        await this.table.updateEntity(
          { partitionKey: OUTBOX, rowKey: rowKeyOf(entity), leaseUntil: int64(now + leaseMs), attempts },
          'Merge',
          { etag: entity.etag },
        );
      } catch (error) {
        // 412: another instance leased (or retried) it first; 404: it was completed meanwhile.
        if (isStatus(error, 412, 404)) continue;
        throw error;
      }
      claimed.push({ entity, attempts });
      if (claimed.length >= max) break;
    }
    const items: OutboxItem[] = [];
    for (const { entity, attempts } of claimed) {
      const found = await readPacked(this.table, this.codec, PAYLOAD, OUTBOX, rowKeyOf(entity), entity);
      if (!found) continue;
      const lastError = entity.lastError;
      items.push({
        id: rowKeyOf(entity),
        kind: entity.kind as OutboxKind,
        payload: JSON.parse(found.text) as Record<string, unknown>,
        attempts,
        nextAttemptAt: toNumber(entity.nextAttemptAt),
        lastError: typeof lastError === 'string' && lastError !== '' ? lastError : undefined,
      });
    }
    return items;
  }

  async complete(id: string, _now: number): Promise<void> {
    await this.ensure();
    let blob: string | undefined;
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(OUTBOX, id, { queryOptions: { select: [`${PAYLOAD}Blob`] } });
      blob = LargeTextCodec.blobOf(entity, PAYLOAD);
      await this.table.deleteEntity(OUTBOX, id);
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
    await this.codec.discard(blob);
  }

  async retryLater(id: string, error: string, nextAttemptAt: number): Promise<void> {
    await this.ensure();
    try {
      await this.table.updateEntity(
        { partitionKey: OUTBOX, rowKey: id, lastError: error.slice(0, 1000), nextAttemptAt: int64(nextAttemptAt), leaseUntil: int64(0) },
        'Merge',
      );
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }

  async pendingCount(): Promise<number> {
    await this.ensure();
    let n = 0;
    const filter = `PartitionKey eq ${odataString(OUTBOX)}`;
    for await (const _ of this.table.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) n++;
    return n;
  }
}

const SETTINGS = 'setting';
const VALUE = 'value';

/**
 * Row keys may not contain / \ # ? or control characters and are capped at 1 KiB: keys are
 * URI-encoded, and very long ones hashed (the original key is kept in a property).
 */
export function settingRowKey(key: string): string {
  const encoded = encodeURIComponent(key);
  return encoded.length <= 400 ? encoded : `~sha256~${createHash('sha256').update(key).digest('hex')}`;
}

/** Settings in Azure Table Storage: one entity per key, the JSON value packed like ticket bodies. */
export class AzureSettingsStore implements SettingsStore {
  constructor(
    private readonly table: TableClient,
    private readonly codec: LargeTextCodec,
    private readonly ensure: () => Promise<void>,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    await this.ensure();
    const found = await readPacked(this.table, this.codec, VALUE, SETTINGS, settingRowKey(key));
    return found ? (JSON.parse(found.text) as T) : undefined;
  }

  async set<T>(key: string, value: T): Promise<void> {
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) throw new TypeError(`Setting "${key}" has no JSON value`);
    await this.ensure();
    const rowKey = settingRowKey(key);
    const packed = await this.codec.pack(VALUE, json, rowKey);
    const entity = { partitionKey: SETTINGS, rowKey, key: encodeURIComponent(key), ...packed.props };
    try {
      // Replace If-Match what was read, so the old overflow blob (if any) is known and can be removed.
      for (let attempt = 0; ; attempt++) {
        let current: Entity | undefined;
        try {
          current = await this.table.getEntity<Record<string, unknown>>(SETTINGS, rowKey, { queryOptions: { select: [`${VALUE}Blob`] } });
        } catch (error) {
          if (!isStatus(error, 404)) throw error;
        }
        try {
          if (current) await this.table.updateEntity(entity, 'Replace', { etag: current.etag });
          else await this.table.createEntity(entity);
          if (current) await this.codec.discard(LargeTextCodec.blobOf(current, VALUE));
          return;
        } catch (error) {
          if (!isStatus(error, 409, 412, 404) || attempt >= 50) throw error;
          await backoff(attempt);
        }
      }
    } catch (error) {
      await this.codec.discard(packed.blob);
      throw error;
    }
  }
}
