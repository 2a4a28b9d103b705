import { text } from 'node:stream/consumers';
import type { ContainerClient } from '@azure/storage-blob';
import type { Storage, StoreItems } from 'botbuilder';
import { isStatus } from './azure-common';

/**
 * The blob name for a state key, exactly as botbuilder-azure-blobs' `BlobsStorage` names it
 * (empty path segments dropped, URI-encoded, at most 1024 characters), so state written by
 * either class can be read by the other.
 */
export function blobNameForKey(key: string): string {
  if (!key) throw new Error('Please provide a non-empty key');
  const sanitized = key.split('/').reduce((acc, part, idx) => (part ? [acc, part].join(idx < 255 ? '/' : '') : acc));
  return encodeURIComponent(sanitized).slice(0, 1024);
}

function conflict(key: string): Error {
  return new Error(`Storage: error writing "${key}" due to eTag conflict.`);
}

/**
 * Bot Framework `Storage` on Azure Blob Storage, one JSON blob per key. The eTag rules are the
 * ones SqliteBotStorage (and botbuilder's MemoryStorage) follow: a write whose eTag is a string
 * other than `*` loses when the item exists with a different eTag; `*`, no eTag, or an item that
 * does not exist (any more) is written. The check is done by the service (If-Match /
 * If-None-Match), so it holds across instances.
 *
 * Why not `BlobsStorage` itself: it turns a stale eTag on a deleted item into a conflict
 * (If-Match on a missing blob), and it caches a failed container creation for the life of the
 * process. The blob layout is the same, so the two are interchangeable on existing data.
 */
export class AzureBlobBotStorage implements Storage {
  constructor(
    private readonly container: ContainerClient,
    private readonly ensureContainer: () => Promise<void>,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    await this.ensureContainer();
    const found = await Promise.all(
      keys.map(async (key): Promise<[string, Record<string, unknown>] | undefined> => {
        try {
          const response = await this.container.getBlobClient(blobNameForKey(key)).download();
          if (!response.readableStreamBody) return undefined;
          const value = JSON.parse(await text(response.readableStreamBody)) as Record<string, unknown>;
          return [key, { ...value, eTag: response.etag }];
        } catch (error) {
          if (isStatus(error, 404)) return undefined;
          throw error;
        }
      }),
    );
    const items: StoreItems = {};
    for (const entry of found) if (entry) items[entry[0]] = entry[1];
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    await this.ensureContainer();
    await Promise.all(Object.entries(changes).map(([key, item]) => this.writeOne(key, (item ?? {}) as Record<string, unknown>)));
  }

  private async writeOne(key: string, item: Record<string, unknown>): Promise<void> {
    const { eTag, ...value } = item;
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    const blob = this.container.getBlockBlobClient(blobNameForKey(key));
    const upload = (conditions: { ifMatch?: string; ifNoneMatch?: string }) =>
      blob.upload(body, body.length, { conditions, blobHTTPHeaders: { blobContentType: 'application/json' } });

    if (typeof eTag !== 'string' || eTag === '*') {
      await upload({});
      return;
    }
    if (eTag !== '') {
      try {
        await upload({ ifMatch: eTag });
        return;
      } catch (error) {
        if (!isStatus(error, 412, 404)) throw error;
        // Fall through: the eTag did not match. That is only a conflict if the item exists.
      }
    }
    try {
      // Create-only: succeeds exactly when there is no item (the rule SQLite applies).
      await upload({ ifNoneMatch: '*' });
    } catch (error) {
      if (isStatus(error, 409, 412)) throw conflict(key);
      throw error;
    }
  }

  /**
   * Retention: deletes state blobs last written before `cutoff`. The delete is conditional on
   * the blob not having changed since, so a conversation that resumes meanwhile is kept.
   */
  async purgeBefore(cutoff: Date): Promise<number> {
    await this.ensureContainer();
    let n = 0;
    for await (const blob of this.container.listBlobsFlat()) {
      // State blob names are URI-encoded keys (no "/"); the overflow bodies of tickets, outbox items and settings live in folders of the same container.
      if (blob.name.includes('/')) continue;
      const modified = blob.properties.lastModified;
      if (!modified || modified >= cutoff) continue;
      try {
        const result = await this.container.getBlobClient(blob.name).deleteIfExists({ conditions: { ifUnmodifiedSince: cutoff } });
        if (result.succeeded) n++;
      } catch (error) {
        if (!isStatus(error, 412)) throw error;
      }
    }
    return n;
  }

  async delete(keys: string[]): Promise<void> {
    await this.ensureContainer();
    await Promise.all(keys.map((key) => this.container.getBlobClient(blobNameForKey(key)).deleteIfExists()));
  }
}
