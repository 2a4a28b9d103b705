import { createHash, randomBytes } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { deadLetterNotice, orderKeyOf, ticketIdOf, type DeadLetter, type OutboxItem, type OutboxKind, type OutboxStore, type SettingsStore } from '../domain/outbox';
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

/** Properties every outbox listing reads (the payload is fetched only for claimed items). */
const LISTED = ['RowKey', 'kind', 'attempts', 'nextAttemptAt', 'leaseUntil', 'orderKey', 'deadAt', 'lastError'];

function isDead(entity: Record<string, unknown>): boolean {
  return toNumber(entity.deadAt) > 0;
}

/**
 * The entity an outbox item is stored as (payload packed separately by the caller). Exported
 * so a writer that queues an item in its own batch writes the same shape.
 */
export function outboxEntity(id: string, kind: OutboxKind, payload: Record<string, unknown>, now: number): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  return {
    partitionKey: OUTBOX,
    rowKey: id,
    kind,
    attempts: 0,
    nextAttemptAt: int64(now),
    leaseUntil: int64(0),
    deadAt: int64(0),
    ticketId: ticketIdOf(payload) ?? '',
    orderKey: orderKeyOf(kind, payload) ?? '',
  };
}

/**
 * The outbox in Azure Table Storage (one partition, row key = id).
 *
 * A claim is a Merge of `leaseUntil` / `attempts` If-Match the ETag the item was listed with:
 * when two instances race for an item, the service lets exactly one through (the other gets
 * 412 and skips it). Items are listed in row-key (enqueue) order, so the first pending item of
 * each order key is the only one of its key that may be claimed. Delivered items are deleted
 * (SQLite keeps them with `done_at`; nothing reads them), so `complete` on a finished item is a
 * no-op, as is `retryLater`. Dead items stay with `deadAt` set; the dead mark and the notice for
 * it are written in one entity-group transaction (same partition).
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
      await this.table.createEntity({ ...outboxEntity(id, kind, payload, now), ...packed.props });
    } catch (error) {
      await this.codec.discard(packed.blob);
      throw error;
    }
    return id;
  }

  private list(filter: string, select = LISTED): AsyncIterable<Entity> {
    return this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq ${odataString(OUTBOX)}${filter ? ` and ${filter}` : ''}`, select } });
  }

  async claimDue(now: number, leaseMs: number, limit: number): Promise<OutboxItem[]> {
    // SQLite's LIMIT: 0 takes nothing, a negative limit takes everything.
    const max = limit < 0 ? Number.POSITIVE_INFINITY : Math.floor(limit);
    if (max === 0) return [];
    await this.ensure();
    const claimed: Array<{ entity: Entity; attempts: number }> = [];
    // Every live item is listed (not only due ones): an earlier item of the same key, due or
    // not, holds the later ones back. Items from before order keys existed have none: no order.
    const seen = new Set<string>();
    for await (const entity of this.list('')) {
      if (isDead(entity)) continue;
      const key = typeof entity.orderKey === 'string' && entity.orderKey !== '' ? entity.orderKey : `#${rowKeyOf(entity)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (toNumber(entity.nextAttemptAt) > now || toNumber(entity.leaseUntil) > now) continue;
      const attempts = toNumber(entity.attempts) + 1;
      try {
        await this.table.updateEntity({ partitionKey: OUTBOX, rowKey: rowKeyOf(entity), leaseUntil: int64(now + leaseMs), attempts }, 'Merge', { etag: entity.etag });
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
      const found = await readPacked(this.table, this.codec, PAYLOAD, OUTBOX, rowKeyOf(entity));
      if (!found) continue;
      items.push({ ...this.toItem(entity, found.text), attempts });
    }
    return items;
  }

  private toItem(entity: Entity, payload: string): OutboxItem {
    const lastError = entity.lastError;
    return {
      id: rowKeyOf(entity),
      kind: entity.kind as OutboxKind,
      payload: JSON.parse(payload) as Record<string, unknown>,
      attempts: toNumber(entity.attempts),
      nextAttemptAt: toNumber(entity.nextAttemptAt),
      lastError: typeof lastError === 'string' && lastError !== '' ? lastError : undefined,
    };
  }

  async complete(id: string, _now: number): Promise<void> {
    await this.ensure();
    for (let attempt = 0; ; attempt++) {
      let entity: Entity;
      try {
        entity = await this.table.getEntity<Record<string, unknown>>(OUTBOX, id, { queryOptions: { select: [`${PAYLOAD}Blob`, 'deadAt'] } });
      } catch (error) {
        if (isStatus(error, 404)) return;
        throw error;
      }
      // A dead item stays dead (kept for the operator), even if a late attempt got through.
      if (isDead(entity)) return;
      try {
        await this.table.deleteEntity(OUTBOX, id, { etag: entity.etag });
      } catch (error) {
        if (isStatus(error, 404)) return;
        // 412: it changed between the read and the delete (a retry was recorded): read again.
        if (!isStatus(error, 412) || attempt >= 20) throw error;
        await backoff(attempt);
        continue;
      }
      await this.codec.discard(LargeTextCodec.blobOf(entity, PAYLOAD));
      return;
    }
  }

  /** Merges `props` into a live item; nothing when it is gone or dead. */
  private async updateLive(id: string, props: (entity: Entity) => Record<string, unknown>): Promise<void> {
    await this.ensure();
    for (let attempt = 0; ; attempt++) {
      let entity: Entity;
      try {
        entity = await this.table.getEntity<Record<string, unknown>>(OUTBOX, id, { queryOptions: { select: ['attempts', 'deadAt'] } });
      } catch (error) {
        if (isStatus(error, 404)) return;
        throw error;
      }
      if (isDead(entity)) return;
      try {
        await this.table.updateEntity({ partitionKey: OUTBOX, rowKey: id, ...props(entity) }, 'Merge', { etag: entity.etag });
        return;
      } catch (error) {
        if (isStatus(error, 404)) return;
        if (!isStatus(error, 412) || attempt >= 20) throw error;
        await backoff(attempt);
      }
    }
  }

  async retryLater(id: string, error: string, nextAttemptAt: number): Promise<void> {
    await this.updateLive(id, () => ({ lastError: error.slice(0, 1000), nextAttemptAt: int64(nextAttemptAt), leaseUntil: int64(0) }));
  }

  async defer(id: string, reason: string, nextAttemptAt: number): Promise<void> {
    await this.updateLive(id, (entity) => ({
      lastError: reason.slice(0, 1000),
      nextAttemptAt: int64(nextAttemptAt),
      leaseUntil: int64(0),
      attempts: Math.max(0, toNumber(entity.attempts) - 1),
    }));
  }

  async deadLetter(id: string, error: string, now: number): Promise<void> {
    await this.ensure();
    for (let attempt = 0; ; attempt++) {
      const found = await readPacked(this.table, this.codec, PAYLOAD, OUTBOX, id);
      if (!found || isDead(found.entity)) return;
      const item = this.toItem(found.entity, found.text);
      const kill: TransactionAction = [
        'update',
        { partitionKey: OUTBOX, rowKey: id, deadAt: int64(now), lastError: error.slice(0, 1000), leaseUntil: int64(0) },
        'Merge',
        { etag: found.entity.etag },
      ];
      const actions: TransactionAction[] = [kill];
      if (item.kind !== 'dead-letter-notice') {
        const payload = { ...deadLetterNotice(item, error) };
        // The notice is small, so it packs inline: no blob to clean up if the batch fails.
        const packed = await this.codec.pack(PAYLOAD, JSON.stringify(payload), id);
        actions.push(['create', { ...outboxEntity(newOutboxId(), 'dead-letter-notice', payload, now), ...packed.props }]);
      }
      try {
        await this.table.submitTransaction(actions);
        return;
      } catch (err) {
        // 412: it changed since it was read (a peer retried, completed or killed it): read again.
        if (isStatus(err, 404)) return;
        if (!isStatus(err, 412) || attempt >= 20) throw err;
        await backoff(attempt);
      }
    }
  }

  async requeueDeadLetters(now: number): Promise<number> {
    await this.ensure();
    let n = 0;
    for await (const entity of this.list(`deadAt gt ${int64Literal(0)}`, ['RowKey'])) {
      try {
        await this.table.updateEntity({ partitionKey: OUTBOX, rowKey: rowKeyOf(entity), deadAt: int64(0), attempts: 0, nextAttemptAt: int64(now), leaseUntil: int64(0) }, 'Merge', {
          etag: entity.etag,
        });
        n++;
      } catch (error) {
        // 412 / 404: a peer requeued or removed it at the same moment.
        if (!isStatus(error, 412, 404)) throw error;
      }
    }
    return n;
  }

  async deadLetterCount(): Promise<number> {
    await this.ensure();
    let n = 0;
    for await (const _ of this.list(`deadAt gt ${int64Literal(0)}`, ['RowKey'])) n++;
    return n;
  }

  async listDeadLetters(limit: number): Promise<DeadLetter[]> {
    await this.ensure();
    const dead: DeadLetter[] = [];
    if (limit <= 0) return dead;
    for await (const entity of this.list(`deadAt gt ${int64Literal(0)}`, [...LISTED])) {
      const found = await readPacked(this.table, this.codec, PAYLOAD, OUTBOX, rowKeyOf(entity));
      if (!found) continue;
      dead.push({ ...this.toItem(found.entity, found.text), deadAt: toNumber(found.entity.deadAt) });
      if (dead.length >= limit) break;
    }
    return dead;
  }

  async hasOpenItem(kind: OutboxKind, ticketId: string): Promise<boolean> {
    await this.ensure();
    for await (const _ of this.list(`kind eq ${odataString(kind)} and ticketId eq ${odataString(ticketId)}`, ['RowKey'])) return true;
    return false;
  }

  async pendingCount(): Promise<number> {
    await this.ensure();
    let n = 0;
    for await (const entity of this.list('', ['RowKey', 'deadAt'])) if (!isDead(entity)) n++;
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
