import type Database from 'better-sqlite3';
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
import { statement } from './sqlite-database';
import { insertOutboxRow } from './sqlite-outbox-store';

interface Row {
  body: string;
}

const CLOSED = "('resolved', 'withdrawn')";

/**
 * Tickets in SQLite. Numbers come from AUTOINCREMENT, so they are unique and never reused.
 *
 * A new ticket and its first outbox items are written in one IMMEDIATE transaction over the
 * `tickets` and `outbox` tables of the same database, so a crash leaves either both or neither.
 * IMMEDIATE takes the write lock before the "does this employee have an open ticket?" check,
 * so two instances sharing the file cannot both pass it.
 */
export class SqliteTicketRepository implements TicketRepository {
  private readonly insertTicket: (draft: TicketDraft, options: CreateTicketOptions) => Ticket;

  constructor(private readonly db: Database.Database) {
    const openOf = db.prepare(`SELECT body FROM tickets WHERE requester = ? AND status NOT IN ${CLOSED} ORDER BY number DESC LIMIT 1`);
    const insert = db.prepare("INSERT INTO tickets (requester, status, body, version, updated_at) VALUES (?, ?, '{}', 1, ?)");
    const setBody = db.prepare('UPDATE tickets SET id = ?, body = ? WHERE number = ?');
    const transaction = db.transaction((d: TicketDraft, options: CreateTicketOptions): Ticket => {
      if (isOpen(d)) {
        const row = openOf.get(d.requester.aadObjectId) as Row | undefined;
        if (row) throw new OpenTicketExistsError(JSON.parse(row.body) as Ticket);
      }
      const number = Number(insert.run(d.requester.aadObjectId, d.status, d.updatedAt).lastInsertRowid);
      const ticket: Ticket = { ...d, id: formatTicketId(number), number, version: 1 };
      setBody.run(ticket.id, JSON.stringify(ticket), number);
      const due = options.now ?? Date.now();
      // The outbox store's own row writer (a nested transaction is a savepoint in better-sqlite3).
      for (const item of options.deliveries?.(ticket) ?? []) insertOutboxRow(db, item.kind, item.payload, due);
      return ticket;
    });
    this.insertTicket = (draft, options) => transaction.immediate(draft, options);
  }

  async create(draft: TicketDraft, options: CreateTicketOptions = {}): Promise<Ticket> {
    return this.insertTicket(draft, options);
  }

  async get(id: string): Promise<Ticket | undefined> {
    const row = statement(this.db, 'SELECT body FROM tickets WHERE id = ? COLLATE NOCASE').get(id) as Row | undefined;
    return row ? (JSON.parse(row.body) as Ticket) : undefined;
  }

  async update(ticket: Ticket): Promise<Ticket> {
    const next: Ticket = { ...ticket, version: ticket.version + 1 };
    const info = statement(this.db, 'UPDATE tickets SET status = ?, body = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?').run(
      next.status,
      JSON.stringify(next),
      next.version,
      next.updatedAt,
      ticket.id,
      ticket.version,
    );
    if (info.changes !== 1) throw new TicketConflictError(ticket.id);
    return next;
  }

  async listByRequester(aadObjectId: string): Promise<Ticket[]> {
    const rows = statement(this.db, 'SELECT body FROM tickets WHERE requester = ? ORDER BY number DESC LIMIT 50').all(aadObjectId) as Row[];
    return rows.map((r) => JSON.parse(r.body) as Ticket);
  }

  async findOpenByRequester(aadObjectId: string): Promise<Ticket | undefined> {
    const row = statement(this.db, `SELECT body FROM tickets WHERE requester = ? AND status NOT IN ${CLOSED} ORDER BY number DESC LIMIT 1`).get(aadObjectId) as Row | undefined;
    return row ? (JSON.parse(row.body) as Ticket) : undefined;
  }

  async listOpen(): Promise<Ticket[]> {
    const rows = statement(this.db, `SELECT body FROM tickets WHERE status NOT IN ${CLOSED} ORDER BY number ASC LIMIT 200`).all() as Row[];
    return rows.map((r) => JSON.parse(r.body) as Ticket);
  }

  async purgeClosedBefore(cutoff: Date): Promise<string[]> {
    const before = cutoff.toISOString();
    const purge = this.db.transaction((): string[] => {
      const ids = (statement(this.db, `SELECT id FROM tickets WHERE status IN ${CLOSED} AND updated_at < ?`).all(before) as Array<{ id: string }>).map((r) => r.id);
      const dropTicket = statement(this.db, 'DELETE FROM tickets WHERE id = ?');
      // Thread links are settings whose value is the ticket id (JSON text) under a `thread:` key.
      const dropLinks = statement(this.db, "DELETE FROM kv WHERE key LIKE 'thread:%' AND value = ?");
      const dropSetting = statement(this.db, 'DELETE FROM kv WHERE key = ?');
      for (const id of ids) {
        dropTicket.run(id);
        dropLinks.run(JSON.stringify(id));
        dropSetting.run(channelPostMarkerKey(id));
      }
      // Delivered outbox items are kept only as a record; past the retention period they go too.
      statement(this.db, 'DELETE FROM outbox WHERE done_at IS NOT NULL AND done_at < ?').run(cutoff.getTime());
      return ids;
    });
    return purge.immediate();
  }
}
