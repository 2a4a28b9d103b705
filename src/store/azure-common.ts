import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { TableClient, TableEntityResult } from '@azure/data-tables';

/** An entity as the Tables SDK hands it back (properties untyped). */
export type Entity = TableEntityResult<Record<string, unknown>>;

/** The row key of an entity the service returned (always present on results). */
export function rowKeyOf(entity: Entity): string {
  return entity.rowKey ?? '';
}

/** HTTP status of an Azure SDK error (RestError), if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function isStatus(error: unknown, ...codes: number[]): boolean {
  const status = statusOf(error);
  return status !== undefined && codes.includes(status);
}

/** A string literal for an OData `$filter` (single quotes doubled). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Reads an integer property whatever EDM type the SDK decoded it as (Int32 number, Int64 bigint, `{ value }`). */
/** A string property as text; anything else (missing, or not text) reads as `fallback`. */
export function toText(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

export function toNumber(value: unknown, fallback = 0): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  if (value && typeof value === 'object' && 'value' in value) return toNumber((value as { value: unknown }).value, fallback);
  return fallback;
}

/** Epoch milliseconds do not fit Int32: they are stored as Edm.Int64 and filtered with an `L` literal. */
export function int64(n: number): bigint {
  return BigInt(Math.trunc(n));
}

export function int64Literal(n: number): string {
  return `${Math.trunc(n)}L`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Jittered exponential backoff for optimistic-concurrency retries. */
export function backoff(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
}

/**
 * A once-at-a-time initialiser that forgets a failure, so a transient outage at start-up
 * (storage not reachable yet) does not break the store for the life of the process.
 */
export function retryingOnce(init: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= init().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/**
 * JSON too large for one Table property (64 KiB, stored as UTF-16) is split across several
 * string properties `${prefix}0 … ${prefix}N` (each ≤ 30 000 UTF-16 code units, never cut inside
 * a surrogate pair) with the count in `${prefix}n`. An entity is capped at 1 MiB, so text longer
 * than {@link MAX_INLINE_CHARS} goes to a blob instead and the entity keeps its name in
 * `${prefix}Blob`.
 */
export const CHUNK_CHARS = 30_000;
export const MAX_INLINE_CHUNKS = 14;
export const MAX_INLINE_CHARS = CHUNK_CHARS * MAX_INLINE_CHUNKS;

/** JSON text with every non-ASCII character written as a `\uXXXX` escape (valid: they only occur inside strings). */
export function asciiJson(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function splitText(text: string, size = CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(i + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(text.slice(i, end));
    i = end;
  }
  return chunks;
}

/** A packed text: the entity properties to write, and the overflow blob it created (if any). */
export interface PackedText {
  props: Record<string, unknown>;
  blob?: string;
}

/** The stored overflow blob went away between reading the entity and reading the blob (it was replaced). */
export class OverflowBlobGone extends Error {
  constructor(readonly blobName: string) {
    super(`Overflow blob ${blobName} is gone`);
    this.name = 'OverflowBlobGone';
  }
}

/** Packs / unpacks large text into entity properties, spilling to blobs beyond the entity limit. */
export class LargeTextCodec {
  constructor(
    private readonly container: ContainerClient,
    private readonly ensureContainer: () => Promise<void>,
    private readonly blobFolder: string,
  ) {}

  /**
   * Packs JSON text (only JSON: inline it is stored with non-ASCII characters \u-escaped).
   * The escaping keeps every large table request pure ASCII, which sidesteps Azurite's table
   * service corrupting multi-byte UTF-8 characters that straddle request-body chunks
   * (Azure/Azurite#2670); JSON.parse gives back the same value either way.
   */
  async pack(prefix: string, json: string, hint: string): Promise<PackedText> {
    const text = asciiJson(json);
    if (text.length <= MAX_INLINE_CHARS) {
      const chunks = splitText(text);
      const props: Record<string, unknown> = { [`${prefix}n`]: chunks.length };
      chunks.forEach((chunk, i) => (props[`${prefix}${i}`] = chunk));
      return { props };
    }
    await this.ensureContainer();
    // Blob names with a real '/' never collide with bot-state blobs, whose keys are URI-encoded.
    const blob = `${this.blobFolder}/${hint}/${randomUUID()}.json`;
    const data = Buffer.from(json, 'utf8');
    await this.container.getBlockBlobClient(blob).uploadData(data, { blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' } });
    return { props: { [`${prefix}n`]: 0, [`${prefix}Blob`]: blob }, blob };
  }

  /** The blob an entity's text lives in, if it spilled. */
  static blobOf(entity: Record<string, unknown>, prefix: string): string | undefined {
    const blob = entity[`${prefix}Blob`];
    return typeof blob === 'string' && blob !== '' ? blob : undefined;
  }

  async unpack(entity: Record<string, unknown>, prefix: string): Promise<string> {
    const blob = LargeTextCodec.blobOf(entity, prefix);
    if (blob) {
      try {
        return (await this.container.getBlobClient(blob).downloadToBuffer()).toString('utf8');
      } catch (error) {
        if (isStatus(error, 404)) throw new OverflowBlobGone(blob);
        throw error;
      }
    }
    const n = toNumber(entity[`${prefix}n`]);
    let text = '';
    for (let i = 0; i < n; i++) text += toText(entity[`${prefix}${i}`]);
    return text;
  }

  /** Best-effort removal of an overflow blob that nothing points at any more. */
  async discard(blob: string | undefined): Promise<void> {
    if (!blob) return;
    try {
      await this.container.getBlobClient(blob).deleteIfExists();
    } catch {
      // An orphaned blob is harmless; never fail the write that replaced it.
    }
  }
}

/**
 * Reads one entity and unpacks its text, re-reading when the overflow blob was replaced between
 * the two reads (a concurrent writer swapped it).
 */
export async function readPacked(
  table: TableClient,
  codec: LargeTextCodec,
  prefix: string,
  partitionKey: string,
  rowKey: string,
  first?: Entity,
): Promise<{ entity: Entity; text: string } | undefined> {
  let entity = first;
  for (let attempt = 0; ; attempt++) {
    if (!entity) {
      try {
        entity = await table.getEntity<Record<string, unknown>>(partitionKey, rowKey);
      } catch (error) {
        if (isStatus(error, 404)) return undefined;
        throw error;
      }
    }
    try {
      return { entity, text: await codec.unpack(entity, prefix) };
    } catch (error) {
      if (!(error instanceof OverflowBlobGone) || attempt >= 5) throw error;
      entity = undefined;
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}
