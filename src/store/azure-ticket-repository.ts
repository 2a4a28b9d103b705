import type { TableClient } from '@azure/data-tables';
import { formatTicketId, TicketConflictError, type Ticket, type TicketDraft, type TicketRepository } from '../domain/tickets';
import { backoff, isStatus, LargeTextCodec, mapLimit, odataString, readPacked, rowKeyOf, toNumber, type Entity } from './azure-common';

const TICKETS = 'ticket';
const COUNTER_PK = 'counter';
const COUNTER_RK = 'tickets';
const BODY = 'body';
const MAX_ALLOCATION_ATTEMPTS = 200;

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
 */
export class AzureTicketRepository implements TicketRepository {
  constructor(
    private readonly table: TableClient,
    private readonly codec: LargeTextCodec,
    private readonly ensure: () => Promise<void>,
  ) {}

  async create(draft: TicketDraft): Promise<Ticket> {
    await this.ensure();
    for (let attempt = 0; ; attempt++) {
      const number = await this.allocateNumber();
      const ticket: Ticket = { ...draft, id: formatTicketId(number), number, version: 1 };
      const rowKey = ticketRowKey(number);
      const packed = await this.codec.pack(BODY, JSON.stringify(ticket), rowKey);
      try {
        await this.table.createEntity({
          partitionKey: TICKETS,
          rowKey,
          id: ticket.id,
          number,
          requester: draft.requester.aadObjectId,
          status: ticket.status,
          version: 1,
          updatedAt: ticket.updatedAt,
          ...packed.props,
        });
        return ticket;
      } catch (error) {
        await this.codec.discard(packed.blob);
        // A row with this number exists already (only if the counter was reset): take the next one.
        if (!isStatus(error, 409) || attempt >= 20) throw error;
      }
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
      current = await this.table.getEntity<Record<string, unknown>>(TICKETS, rowKey, { queryOptions: { select: ['version', 'requester', 'number', `${BODY}Blob`] } });
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
          requester: String(current.requester ?? ticket.requester.aadObjectId),
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
