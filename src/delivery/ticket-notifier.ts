import { systemClock, type Clock } from '../domain/clock';
import { getPlaybook } from '../domain/playbooks';
import type { OutboxStore } from '../domain/outbox';
import type { TicketChange, TicketEvents } from '../domain/ticket-events';
import type { Ticket, TicketDelivery } from '../domain/tickets';
import type { NotifyEmployeePayload } from './deliveries';

/**
 * The outbox items one ticket change makes (pure: nothing is enqueued here). The channel card
 * is refreshed on every change, the employee hears about what an agent did, the agent hears
 * what the employee did, and the optional webhook gets every change.
 */
export function ticketDeliveries(ticket: Ticket, change: TicketChange, options: { webhookEnabled: boolean; now: number }): TicketDelivery[] {
  const items: TicketDelivery[] = [{ kind: 'channel-card', payload: { ticketId: ticket.id } }];
  const employee = (p: Omit<NotifyEmployeePayload, 'ticketId'>): void => {
    items.push({ kind: 'notify-employee', payload: { ticketId: ticket.id, ...p } });
  };
  const agent = (text: string): void => {
    items.push({ kind: 'channel-reply', payload: { ticketId: ticket.id, text } });
  };
  switch (change.kind) {
    case 'created':
      break;
    case 'claimed':
      employee({ title: `${change.actor.name} has your ticket`, text: `${change.actor.name} from the help desk is working on ${ticket.id}. Reply here and your messages go straight to them.` });
      break;
    case 'transferred':
      agent(`${change.actor.name} transferred ${ticket.id} to ${change.to.name}${change.note ? `: ${change.note}` : '.'}`);
      employee({ title: `${change.to.name} has your ticket now`, text: `${change.actor.name} handed ${ticket.id} to ${change.to.name}, who has everything you told us.` });
      break;
    case 'agent-replied':
      employee({ title: `${change.actor.name} (help desk)`, text: change.text });
      break;
    case 'asked-info':
      employee({ title: `${change.actor.name} needs a little more information`, text: `${change.text}\n\nJust reply here.` });
      break;
    case 'fix-sent':
      employee({ title: `${change.actor.name} sent you steps to try`, text: `Steps for "${getPlaybook(change.causeId).title}". I'll walk you through them one at a time; tell me how each one goes.`, card: 'fix', causeId: change.causeId });
      break;
    case 'resolved':
      employee({ title: `Ticket ${ticket.id} is resolved`, text: change.note ?? '', card: 'resolved', note: change.note, agentName: change.actor.name });
      break;
    case 'reopened':
      if (change.byEmployee) agent(`${change.actor.name} says it is not fixed: ${ticket.id} is open again.`);
      else employee({ title: `Ticket ${ticket.id} is open again`, text: `${change.actor.name} reopened it and will be in touch.` });
      break;
    case 'employee-replied':
      agent(`${change.actor.name}: ${change.text}`);
      break;
    case 'details-added':
      agent(`${change.actor.name} added: ${change.text}`);
      break;
    case 'withdrawn':
      agent(`${change.actor.name} withdrew ${ticket.id}.`);
      break;
    case 'rated':
      agent(`${change.actor.name} rated ${ticket.id} ${change.rating}/5${change.comment ? `: ${change.comment}` : '.'}`);
      break;
  }
  if (options.webhookEnabled) items.push({ kind: 'webhook', payload: { ticketId: ticket.id, event: change.kind, at: new Date(options.now).toISOString() } });
  return items;
}

/** What the bot needs to open a ticket: its first deliveries (written with it), and a hook once it is saved. */
export interface TicketCreationHooks {
  /** The deliveries to write in the same transaction as the new ticket. */
  deliveriesForNew(ticket: Ticket): TicketDelivery[];
  /** The ticket and its deliveries are saved: start delivering and record it for incident detection. */
  ticketCreated(ticket: Ticket): Promise<void>;
}

/**
 * Turns ticket changes into outbox items and starts the outbox worker. Nothing is sent here;
 * the outbox worker delivers. A new ticket's items are written by the ticket store together
 * with the ticket (see TicketCreationHooks), not here.
 */
export class TicketNotifier implements TicketEvents, TicketCreationHooks {
  constructor(
    private readonly deps: {
      outbox: OutboxStore;
      kick: () => void;
      webhookEnabled: boolean;
      clock?: Clock;
      onCreated?: (ticket: Ticket) => Promise<void>;
    },
  ) {}

  deliveriesForNew(ticket: Ticket): TicketDelivery[] {
    return ticketDeliveries(ticket, { kind: 'created' }, { webhookEnabled: this.deps.webhookEnabled, now: this.now() });
  }

  async ticketCreated(ticket: Ticket): Promise<void> {
    this.deps.kick();
    await this.deps.onCreated?.(ticket);
  }

  async ticketChanged(ticket: Ticket, change: TicketChange): Promise<void> {
    const now = this.now();
    for (const item of ticketDeliveries(ticket, change, { webhookEnabled: this.deps.webhookEnabled, now })) await this.deps.outbox.enqueue(item.kind, item.payload, now);
    if (change.kind === 'created') await this.deps.onCreated?.(ticket);
    this.deps.kick();
  }

  private now(): number {
    return (this.deps.clock ?? systemClock)().getTime();
  }
}
