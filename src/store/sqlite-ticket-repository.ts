import type Database from 'better-sqlite3';
import { formatTicketId, TicketConflictError, type Ticket, type TicketDraft, type TicketRepository } from '../domain/tickets';

interface Row {
  body: string;
}

/** Tickets in SQLite. Numbers come from AUTOINCREMENT, so they are unique and never reused. */
export class SqliteTicketRepository implements TicketRepository {
  constructor(private readonly db: Database.Database) {}

  async create(draft: TicketDraft): Promise<Ticket> {
    const insert = this.db.transaction((d: TicketDraft): Ticket => {
      const info = this.db
        .prepare("INSERT INTO tickets (requester, status, body, version, updated_at) VALUES (?, ?, '{}', 1, ?)")
        .run(d.requester.aadObjectId, d.status, d.updatedAt);
      const number = Number(info.lastInsertRowid);
      const ticket: Ticket = { ...d, id: formatTicketId(number), number, version: 1 };
      this.db.prepare('UPDATE tickets SET id = ?, body = ? WHERE number = ?').run(ticket.id, JSON.stringify(ticket), number);
      return ticket;
    });
    return insert(draft);
  }

  async get(id: string): Promise<Ticket | undefined> {
    const row = this.db.prepare('SELECT body FROM tickets WHERE id = ? COLLATE NOCASE').get(id) as Row | undefined;
    return row ? (JSON.parse(row.body) as Ticket) : undefined;
  }

  async update(ticket: Ticket): Promise<Ticket> {
    const next: Ticket = { ...ticket, version: ticket.version + 1 };
    const info = this.db
      .prepare('UPDATE tickets SET status = ?, body = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?')
      .run(next.status, JSON.stringify(next), next.version, next.updatedAt, ticket.id, ticket.version);
    if (info.changes !== 1) throw new TicketConflictError(ticket.id);
    return next;
  }

  async listByRequester(aadObjectId: string): Promise<Ticket[]> {
    const rows = this.db.prepare('SELECT body FROM tickets WHERE requester = ? ORDER BY number DESC LIMIT 50').all(aadObjectId) as Row[];
    return rows.map((r) => JSON.parse(r.body) as Ticket);
  }

  async listOpen(): Promise<Ticket[]> {
    const rows = this.db.prepare("SELECT body FROM tickets WHERE status NOT IN ('resolved', 'withdrawn') ORDER BY number ASC LIMIT 200").all() as Row[];
    return rows.map((r) => JSON.parse(r.body) as Ticket);
  }
}
