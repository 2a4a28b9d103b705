import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { OutboxStore } from '../domain/outbox';
import {
  channelPostMarkerKey,
  formatTicketId,
  isOpen,
  OpenTicketExistsError,
  TicketConflictError,
  type CreateTicketOptions,
  type Ticket,
  type TicketDraft,
  type TicketRepository,
} from '../domain/tickets';
import { settingRowKey } from './azure-outbox-store';
import { backoff, isStatus, LargeTextCodec, mapLimit, odataString, readPacked, rowKeyOf, toNumber, toText, type Entity } from './azure-common';

const TICKETS = 'ticket';
const COUNTER_PK = 'counter';
const COUNTER_RK = 'tickets';
/** One marker entity per requester with an open ticket (see `claimOpenMarker`). */
const OPEN_MARKER_PK = 'open-requester';
const BODY = 'body';
const MAX_ALLOCATION_ATTEMPTS = 200;
/** A marker whose ticket row never appeared for this long was left by a crash mid-creation. */
const STALE_MARKER_MS = 30_000;
const CLOSED_FILTER = "(status eq 'resolved' or status eq 'withdrawn')";

/** The partition AzureSettingsStore keeps settings in (thread links and card-post markers are purged with their ticket). */
const SETTINGS_PK = 'setting';

/** What purging needs besides the tickets table: the outbox (first deliveries) and the settings table (thread links). */
export interface AzureTicketRelations {
  outbox?: OutboxStore;
  settings?: { table: TableClient; codec: LargeTextCodec };
}

/** Row key of a requester's open-ticket marker: URI-encoded (row keys forbid / \ # ?), hashed when long. */
function requesterRowKey(aadObjectId: string): string {
  const encoded = encodeURIComponent(aadObjectId);
  return encoded.length <= 400 ? encoded : `~sha256~${createHash('sha256').update(aadObjectId).digest('hex')}`;
}

/** Row keys sort as strings: pad so that table order is number order. */
export function ticketRowKey(number: number): string {
  return String(number).padStart(10, '0');
}

/** The number behind an id, if `id` is exactly what SQLite would match (`id = ? COLLATE NOCASE`). */
function numberForId(id: string, exactCase: boolean): number | undefined {
  const m = /^HD-(\d{1,10})$/i.exec(id);
  if (!m) return undefined;
  const number = Number(m[1]);
  const canonical = formatTicketId(number);
  const same = exactCase ? canonical === id : canonical.toUpperCase() === id.toUpperCase();
  return same && number > 0 ? number : undefined;
}

/**
 * Tickets in Azure Table Storage, all in one partition (`ticket`), row key = zero-padded number.
 *
 * - Numbers come from a counter entity bumped with optimistic concurrency (If-Match on its
 *   ETag, retried on 412), so they are unique across instances and never reused.
 * - `update` checks the stored `version` and then replaces the entity If-Match the ETag it
 *   read, so of two writers starting from the same version exactly one wins; the other gets
 *   TicketConflictError, as with SQLite's `WHERE version = ?`.
 * - The ticket JSON is split over `body0…bodyN` (see LargeTextCodec); beyond ~420 000
 *   characters it goes to a blob in the bot-state container under `ticket-bodies/`.
 * - One open ticket per requester: a marker entity per requester (partition `open-requester`)
 *   is created insert-if-absent before the ticket row, so of two instances creating at once
 *   only one gets it; it is cleared when the ticket closes, and a marker whose ticket is closed
 *   or never appeared is taken over. Tables cannot span two tables in a transaction, so the
 *   first outbox items are written after the ticket; the ticket sweeper re-queues a channel
 *   card that a crash in between lost.
 */
export class AzureTicketRepository implements TicketRepository {
  constructor(
    private readonly table: TableClient,
    private readonly codec: LargeTextCodec,
    private readonly ensure: () => Promise<void>,
    private readonly relations: AzureTicketRelations = {},
  ) {}

  async create(draft: TicketDraft, options: CreateTicketOptions = {}): Promise<Ticket> {
    await this.ensure();
    const open = isOpen(draft);
    const requester = draft.requester.aadObjectId;
    if (open) {
      // Tickets reopened, or created before markers existed, have no marker: look for them first.
      const existing = await this.findOpenByRequester(requester);
      if (existing) throw new OpenTicketExistsError(existing);
    }
    let ticket: Ticket | undefined;
    for (let attempt = 0; !ticket; attempt++) {
      const number = await this.allocateNumber();
      const candidate: Ticket = { ...draft, id: formatTicketId(number), number, version: 1 };
      const marker = open ? await this.claimOpenMarker(requester, candidate.id) : undefined;
      const rowKey = ticketRowKey(number);
      const packed = await this.codec.pack(BODY, JSON.stringify(candidate), rowKey);
      try {
        await this.table.createEntity({
          partitionKey: TICKETS,
          rowKey,
          id: candidate.id,
          number,
          requester,
          status: candidate.status,
          version: 1,
          updatedAt: candidate.updatedAt,
          ...packed.props,
        });
        ticket = candidate;
      } catch (error) {
        await this.codec.discard(packed.blob);
        if (marker) await this.releaseOpenMarker(requester, candidate.id);
        // A row with this number exists already (only if the counter was reset): take the next one.
        if (!isStatus(error, 409) || attempt >= 20) throw error;
      }
    }
    await this.enqueueFirstDeliveries(ticket, options);
    return ticket;
  }

  /**
   * Writes the new ticket's first outbox items. The ticket is stored already, so a failure here
   * must not turn into "the ticket could not be opened": each item is tried a few times, and a
   * channel card that still did not make it is re-queued by the ticket sweeper.
   */
  private async enqueueFirstDeliveries(ticket: Ticket, options: CreateTicketOptions): Promise<void> {
    const outbox = this.relations.outbox;
    if (!outbox || !options.deliveries) return;
    const due = options.now ?? Date.now();
    for (const item of options.deliveries(ticket)) {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await outbox.enqueue(item.kind, item.payload, due);
          break;
        } catch {
          await backoff(attempt + 3);
        }
      }
    }
  }

  /**
   * Takes the requester's open-ticket marker for `ticketId` (insert-if-absent), or throws
   * OpenTicketExistsError with the open ticket the marker names. A marker naming a closed
   * ticket, or a ticket that never appeared within STALE_MARKER_MS (its creator crashed), is
   * replaced If-Match its ETag; while the named ticket is still being written, this waits.
   */
  private async claimOpenMarker(requester: string, ticketId: string): Promise<true> {
    const rowKey = requesterRowKey(requester);
    const entity = { partitionKey: OPEN_MARKER_PK, rowKey, requester, ticketId, at: new Date().toISOString() };
    for (let attempt = 0; attempt < 60; attempt++) {
      try {
        await this.table.createEntity(entity);
        return true;
      } catch (error) {
        if (!isStatus(error, 409)) throw error;
      }
      let current: Entity;
      try {
        current = await this.table.getEntity<Record<string, unknown>>(OPEN_MARKER_PK, rowKey);
      } catch (error) {
        if (isStatus(error, 404)) continue;
        throw error;
      }
      const holder = await this.get(toText(current.ticketId));
      if (holder && isOpen(holder)) throw new OpenTicketExistsError(holder);
      const age = Date.now() - Date.parse(toText(current.at));
      if (!holder && !(age > STALE_MARKER_MS)) {
        await backoff(Math.min(attempt, 5));
        continue;
      }
      try {
        await this.table.updateEntity(entity, 'Replace', { etag: current.etag });
        return true;
      } catch (error) {
        if (!isStatus(error, 412, 404)) throw error;
      }
    }
    throw new Error(`Could not open a ticket for ${requester}: another ticket for them is being opened right now.`);
  }

  /** Best-effort: removes the requester's marker if it still names `ticketId` (a stale one is replaced later anyway). */
  private async releaseOpenMarker(requester: string, ticketId: string): Promise<void> {
    try {
      const current = await this.table.getEntity<Record<string, unknown>>(OPEN_MARKER_PK, requesterRowKey(requester));
      if (current.ticketId === ticketId) await this.table.deleteEntity(OPEN_MARKER_PK, rowKeyOf(current), { etag: current.etag });
    } catch {
      // Gone already, or changed by a newer ticket: either way nothing to do.
    }
  }

  /** Bumps the shared counter: read it, write it back If-Match its ETag, retry when another instance won. */
  private async allocateNumber(): Promise<number> {
    for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt++) {
      let counter: Entity | undefined;
      try {
        counter = await this.table.getEntity<Record<string, unknown>>(COUNTER_PK, COUNTER_RK);
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
      try {
        if (!counter) {
          await this.table.createEntity({ partitionKey: COUNTER_PK, rowKey: COUNTER_RK, last: 1 });
          return 1;
        }
        const next = toNumber(counter.last) + 1;
        await this.table.updateEntity({ partitionKey: COUNTER_PK, rowKey: COUNTER_RK, last: next }, 'Replace', { etag: counter.etag });
        return next;
      } catch (error) {
        if (!isStatus(error, 409, 412, 404)) throw error;
        await backoff(attempt);
      }
    }
    throw new Error(`Could not allocate a ticket number after ${MAX_ALLOCATION_ATTEMPTS} attempts (too much contention).`);
  }

  async get(id: string): Promise<Ticket | undefined> {
    const number = numberForId(id, false);
    if (number === undefined) return undefined;
    await this.ensure();
    const found = await readPacked(this.table, this.codec, BODY, TICKETS, ticketRowKey(number));
    return found ? (JSON.parse(found.text) as Ticket) : undefined;
  }

  async update(ticket: Ticket): Promise<Ticket> {
    const number = numberForId(ticket.id, true);
    if (number === undefined) throw new TicketConflictError(ticket.id);
    await this.ensure();
    const rowKey = ticketRowKey(number);
    let current: Entity;
    try {
      current = await this.table.getEntity<Record<string, unknown>>(TICKETS, rowKey, { queryOptions: { select: ['version', 'requester', 'number', 'status', `${BODY}Blob`] } });
    } catch (error) {
      if (isStatus(error, 404)) throw new TicketConflictError(ticket.id);
      throw error;
    }
    if (toNumber(current.version) !== ticket.version) throw new TicketConflictError(ticket.id);

    const next: Ticket = { ...ticket, version: ticket.version + 1 };
    const packed = await this.codec.pack(BODY, JSON.stringify(next), rowKey);
    try {
      await this.table.updateEntity(
        {
          partitionKey: TICKETS,
          rowKey,
          id: ticket.id,
          number: toNumber(current.number, number),
          // Like SQLite, the requester column keeps what the ticket was created with.
          requester: toText(current.requester, ticket.requester.aadObjectId),
          status: next.status,
          version: next.version,
          updatedAt: next.updatedAt,
          ...packed.props,
        },
        'Replace',
        { etag: current.etag },
      );
    } catch (error) {
      await this.codec.discard(packed.blob);
      if (isStatus(error, 412, 404)) throw new TicketConflictError(ticket.id);
      throw error;
    }
    const previousBlob = LargeTextCodec.blobOf(current, BODY);
    if (previousBlob !== packed.blob) await this.codec.discard(previousBlob);
    if (!isOpen(next) && isOpen({ status: current.status as Ticket['status'] })) await this.releaseOpenMarker(toText(current.requester, ticket.requester.aadObjectId), ticket.id);
    return next;
  }

  async listByRequester(aadObjectId: string): Promise<Ticket[]> {
    await this.ensure();
    // Newest 50: the partition comes back in number order, so keep a sliding window of the last 50.
    const window: Entity[] = [];
    const filter = `PartitionKey eq ${odataString(TICKETS)} and requester eq ${odataString(aadObjectId)}`;
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      window.push(entity);
      if (window.length > 50) window.shift();
    }
    return this.decode(window.reverse());
  }

  async findOpenByRequester(aadObjectId: string): Promise<Ticket | undefined> {
    await this.ensure();
    const filter = `PartitionKey eq ${odataString(TICKETS)} and requester eq ${odataString(aadObjectId)} and status ne 'resolved' and status ne 'withdrawn'`;
    let newest: Entity | undefined;
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) newest = entity;
    if (!newest) return undefined;
    const [ticket] = await this.decode([newest]);
    return ticket;
  }

  async purgeClosedBefore(cutoff: Date): Promise<string[]> {
    await this.ensure();
    const filter = `PartitionKey eq ${odataString(TICKETS)} and ${CLOSED_FILTER} and updatedAt lt ${odataString(cutoff.toISOString())}`;
    const doomed: Entity[] = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['RowKey', 'id', 'requester', `${BODY}Blob`] } }))
      doomed.push(entity);
    const purged: string[] = [];
    await mapLimit(doomed, 8, async (entity) => {
      try {
        // If-Match: a ticket reopened since it was listed stays.
        await this.table.deleteEntity(TICKETS, rowKeyOf(entity), { etag: entity.etag });
      } catch (error) {
        if (isStatus(error, 412, 404)) return;
        throw error;
      }
      await this.codec.discard(LargeTextCodec.blobOf(entity, BODY));
      const id = String(entity.id);
      await this.releaseOpenMarker(toText(entity.requester), id);
      purged.push(id);
    });
    await this.purgeThreadLinks(new Set(purged));
    await this.purgeSettings(purged.map(channelPostMarkerKey));
    return purged.sort();
  }

  /** Deletes settings by key (small values only, never spilled to a blob). */
  private async purgeSettings(keys: string[]): Promise<void> {
    const settings = this.relations.settings;
    if (!settings) return;
    await mapLimit(keys, 8, async (key) => {
      try {
        await settings.table.deleteEntity(SETTINGS_PK, settingRowKey(key));
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
    });
  }

  /** Deletes the settings (`thread:<conversation id>` → ticket id) that link a channel thread to a purged ticket. */
  private async purgeThreadLinks(ids: Set<string>): Promise<void> {
    const settings = this.relations.settings;
    if (!settings || ids.size === 0) return;
    // AzureSettingsStore keeps the URI-encoded key in `key` (the row key may be a hash of it).
    // Every encoded `thread:` key starts with `thread%3A`, and sorts below `thread%3B`.
    const filter = `PartitionKey eq ${odataString(SETTINGS_PK)} and key ge 'thread%3A' and key lt 'thread%3B'`;
    for await (const entity of settings.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      let value: unknown;
      try {
        value = JSON.parse(await settings.codec.unpack(entity, 'value'));
      } catch {
        continue;
      }
      if (typeof value !== 'string' || !ids.has(value)) continue;
      try {
        await settings.table.deleteEntity(SETTINGS_PK, rowKeyOf(entity), { etag: entity.etag });
      } catch (error) {
        if (!isStatus(error, 412, 404)) throw error;
      }
      await settings.codec.discard(LargeTextCodec.blobOf(entity, 'value'));
    }
  }

  async listOpen(): Promise<Ticket[]> {
    await this.ensure();
    const picked: Entity[] = [];
    const filter = `PartitionKey eq ${odataString(TICKETS)} and status ne 'resolved' and status ne 'withdrawn'`;
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      picked.push(entity);
      if (picked.length >= 200) break;
    }
    return this.decode(picked);
  }

  private async decode(entities: Entity[]): Promise<Ticket[]> {
    const tickets = await mapLimit(entities, 8, async (entity) => {
      const found = await readPacked(this.table, this.codec, BODY, TICKETS, rowKeyOf(entity), entity);
      return found ? (JSON.parse(found.text) as Ticket) : undefined;
    });
    return tickets.filter((t): t is Ticket => t !== undefined);
  }
}
