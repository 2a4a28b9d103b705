import { systemClock, type Clock } from '../domain/clock';
import { messages } from '../content/knowledge';
import { getPlaybook } from '../domain/playbooks';
import type { OutboxStore } from '../domain/outbox';
import type { TicketChange, TicketEvents } from '../domain/ticket-events';
import type { Ticket, TicketDelivery } from '../domain/tickets';
import type { NotifyEmployeePayload } from './deliveries';

/** The locale saved with the employee's conversation reference, when there is one. */
function localeOf(address: unknown): string | undefined {
  const locale = (address as { locale?: unknown } | null | undefined)?.locale;
  return typeof locale === 'string' && locale.length > 0 && locale.length <= 35 ? locale : undefined;
}

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
  // The employee hears in the language their chat used when they opened the ticket; the channel in English.
  const e = messages(localeOf(ticket.requesterAddress));
  const m = messages();
  const who = { agent: change.kind === 'created' ? '' : change.actor.name, ticketId: ticket.id };
  switch (change.kind) {
    case 'created':
      break;
    case 'claimed':
      employee({ title: e.text('notify.claimed.title', who), text: e.text('notify.claimed.text', who) });
      break;
    case 'transferred':
      agent(
        change.note
          ? m.text('notify.agent.transferred-with-note', { ...who, to: change.to.name, note: change.note })
          : m.text('notify.agent.transferred', { ...who, to: change.to.name }),
      );
      employee({ title: e.text('notify.transferred.title', { to: change.to.name }), text: e.text('notify.transferred.text', { ...who, to: change.to.name }) });
      break;
    case 'agent-replied':
      employee({ title: e.text('notify.agent-replied-title', who), text: change.text });
      break;
    case 'asked-info':
      employee({ title: e.text('notify.asked-info.title', who), text: e.text('notify.asked-info.text', { text: change.text }) });
      break;
    case 'fix-sent':
      employee({
        title: e.text('notify.fix-sent.title', who),
        text: e.text('notify.fix-sent.text', { title: getPlaybook(change.causeId, e.locale).title }),
        card: 'fix',
        causeId: change.causeId,
      });
      break;
    case 'resolved':
      employee({ title: e.text('notify.resolved-title', who), text: change.note ?? '', card: 'resolved', note: change.note, agentName: change.actor.name });
      break;
    case 'reopened':
      if (change.byEmployee) agent(m.text('notify.agent.not-fixed', who));
      else employee({ title: e.text('notify.reopened.title', who), text: e.text('notify.reopened.text', who) });
      break;
    case 'employee-replied':
      agent(m.text('notify.agent.employee-replied', { ...who, text: change.text }));
      break;
    case 'details-added':
      agent(m.text('notify.agent.details-added', { ...who, text: change.text }));
      break;
    case 'withdrawn':
      agent(m.text('notify.agent.withdrawn', who));
      break;
    case 'rated':
      agent(
        change.comment
          ? m.text('notify.agent.rated-with-comment', { ...who, rating: change.rating, comment: change.comment })
          : m.text('notify.agent.rated', { ...who, rating: change.rating }),
      );
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
