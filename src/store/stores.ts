import type { Storage } from 'botbuilder';
import type { OutboxStore, SettingsStore } from '../domain/outbox';
import type { TicketRepository } from '../domain/tickets';

/** Every store the bot needs, from one backend (SQLite or Azure Storage). */
export interface Stores {
  /** Bot Framework conversation / user state. */
  botStorage: Storage;
  /** Retention: deletes conversation / user state last written before `cutoff`; returns how many items. */
  purgeStateBefore(cutoff: Date): Promise<number>;
  tickets: TicketRepository;
  outbox: OutboxStore;
  settings: SettingsStore;
  /** For `/readyz`: can the backend be reached? */
  ready(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}
