import assert from 'node:assert/strict';
import { AGENT_TRANSFER_CHOICES, CARD_BUDGET_BYTES, cardBytes, renderAgentTicketCard, renderTicketListCard } from '../../src/cards';
import { AGENT_REFRESH_USERS } from '../../src/cards/render-agent-ticket-card';
import { presentAgentTicket, presentTicketList, refreshUserIds } from '../../src/desk/present-agent';
import { relativeTime, sharedWhen } from '../../src/desk/shared-time';
import { IncidentWatch } from '../../src/delivery/incident-watch';
import type { IncidentCardModel } from '../../src/cards';
import { claimTicket, replyOnTicket } from '../../src/domain/handoff';
import type { Person, Ticket } from '../../src/domain/tickets';
import { openTicketAt } from '../support/ticket-fixtures';
import { allText, elementsOfType, factsOf, showCardBody, type Json } from '../cards/card-test-helpers';

const OPENED = new Date('2026-03-03T09:05:00.000Z');
const KARI: Person = { aadObjectId: 'aad-kari', name: 'Kari Nordmann' };
const MINUTE = 60_000;

/** A ticket opened at OPENED, claimed by Kari and answered by her at `updated`. */
function ticketUpdatedAt(updated: Date): Ticket {
  const ticket = openTicketAt(OPENED);
  assert.ok(claimTicket(ticket, KARI, OPENED).ok);
  assert.ok(replyOnTicket(ticket, KARI, 'I am on it', updated).ok);
  return ticket;
}

/** `count` agents with Entra object ids and Teams user ids as long as real ones (about 110 characters). */
function roster(count: number): Array<{ aadObjectId: string; name: string; mri: string }> {
  return Array.from({ length: count }, (_, i) => ({
    aadObjectId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    name: `Agent ${String(i).padStart(3, '0')} ${'Longname '.repeat(10)}`.trim(),
    mri: `29:${String(i).padStart(3, '0')}${'x1bSnHZ7Js2STWrgk6ScEErLk1Lp2zQuD5H2qQ960rtvstKp8tKLl-3r8b6DoW0QxZimuTxk_kupZ1DBMpvIQQUAZL-PNj0EORDv'.slice(0, 105)}`,
  }));
}

describe('shared card times (HELPDESK_TIME_ZONE)', () => {
  it('when times are worded relative to now, then they read "just now", "N min ago", "N h ago", "N d ago"', () => {
    assert.equal(relativeTime(0), 'just now');
    assert.equal(relativeTime(59_999), 'just now');
    assert.equal(relativeTime(-5 * MINUTE), 'just now', 'a clock a little ahead is not "in the future"');
    assert.equal(relativeTime(12 * MINUTE), '12 min ago');
    assert.equal(relativeTime(12 * MINUTE + 59_000), '12 min ago');
    assert.equal(relativeTime(3 * 60 * MINUTE + 20 * MINUTE), '3 h ago');
    assert.equal(relativeTime(2 * 24 * 60 * MINUTE + 5 * 60 * MINUTE), '2 d ago');
  });

  it('when a time is shown, then the absolute part is in the given zone and names it; an unknown zone falls back to UTC', () => {
    const now = new Date(OPENED.getTime() + 12 * MINUTE);
    assert.equal(sharedWhen(OPENED.toISOString(), now, 'UTC'), '12 min ago (Tue 3 Mar, 09:05 UTC)');
    assert.equal(sharedWhen(OPENED, now, 'Europe/Oslo'), '12 min ago (Tue 3 Mar, 10:05 CET)');
    assert.equal(sharedWhen(OPENED, now), '12 min ago (Tue 3 Mar, 09:05 UTC)');
    assert.equal(sharedWhen(OPENED, now, 'Not/AZone'), '12 min ago (Tue 3 Mar, 09:05 UTC)');
    assert.equal(sharedWhen('not a date', now, 'UTC'), 'not a date');
  });

  it('when a ticket was updated 12 minutes ago, then its agent card says "12 min ago" next to the time in the help desk zone', () => {
    const updated = new Date(OPENED.getTime() + 3 * 60 * MINUTE);
    const now = new Date(updated.getTime() + 12 * MINUTE);
    const card = renderAgentTicketCard(presentAgentTicket(ticketUpdatedAt(updated), [KARI], 'Europe/Oslo', now));
    const facts = Object.fromEntries(factsOf(card).map(({ title, value }) => [title, value]));
    assert.equal(facts.Updated, '12 min ago (Tue 3 Mar, 13:05 CET)');
    assert.equal(facts.Opened, '3 h ago (Tue 3 Mar, 10:05 CET)');
    assert.match(allText(card), /12 min ago \(Tue 3 Mar, 13:05 CET\)\nKari Nordmann replied/, 'the history says it too');
  });

  it('when the ticket list is drawn, then each ticket says how long ago it was opened, with the time in the help desk zone', () => {
    const now = new Date(OPENED.getTime() + 2 * 60 * MINUTE + 10 * MINUTE);
    const model = presentTicketList([ticketUpdatedAt(OPENED)], now, 'Europe/Oslo');
    assert.equal(model.tickets[0]!.age, '2 h ago (Tue 3 Mar, 10:05 CET)');
    assert.match(allText(renderTicketListCard(model)), /HD-000042 · Claimed · 2 h ago \(Tue 3 Mar, 10:05 CET\)/);
  });
});

describe('the incident card times', () => {
  it('when an incident is detected, then its linked tickets say how long ago they came in, in the help desk zone, and carry the time for the deliverer', async () => {
    const settings = new Map<string, unknown>();
    const enqueued: Array<{ kind: string; payload: { incident: IncidentCardModel } }> = [];
    let now = OPENED;
    const watch = new IncidentWatch({
      settings: { get: async (key: string) => settings.get(key), set: async (key: string, value: unknown) => void settings.set(key, value) } as never,
      outbox: { enqueue: async (kind: string, payload: { incident: IncidentCardModel }) => void enqueued.push({ kind, payload }) } as never,
      kick: () => undefined,
      clock: () => now,
      timeZone: 'Europe/Oslo',
    });
    for (const [i, minutesLater] of [0, 5, 12].entries()) {
      now = new Date(OPENED.getTime() + minutesLater * MINUTE);
      await watch.record({
        at: now.toISOString(),
        causeId: 'conditional-access-block',
        signature: '53003',
        requesterId: `person-${i}`,
        requesterName: `Person ${i}`,
        ticketId: `HD-00000${i + 1}`,
      });
    }
    assert.equal(enqueued.length, 1);
    assert.deepEqual(
      enqueued[0]!.payload.incident.tickets.map(({ when, at }) => [when, at]),
      [
        ['12 min ago (Tue 3 Mar, 10:05 CET)', OPENED.toISOString()],
        ['7 min ago (Tue 3 Mar, 10:10 CET)', new Date(OPENED.getTime() + 5 * MINUTE).toISOString()],
        ['just now (Tue 3 Mar, 10:17 CET)', now.toISOString()],
      ],
    );
  });
});

describe("the agent card's refresh users and transfer list", () => {
  it(`when the roster has more than ${AGENT_REFRESH_USERS} agents, then refresh names ${AGENT_REFRESH_USERS} Teams ids: the assignee first, then by name`, () => {
    const agents = roster(100).reverse();
    const assignee = agents[10]!;
    const ids = refreshUserIds(agents, assignee.aadObjectId.toUpperCase());
    assert.equal(ids.length, AGENT_REFRESH_USERS);
    assert.equal(ids[0], assignee.mri);
    const byName = roster(100).map((a) => a.mri);
    assert.deepEqual(ids.slice(1), byName.filter((id) => id !== assignee.mri).slice(0, AGENT_REFRESH_USERS - 1));
  });

  it('when agents are known only by object id (no Teams id), then they are not refresh users, and with none the card has no refresh', () => {
    assert.deepEqual(
      refreshUserIds([{ aadObjectId: 'allow-listed', name: 'Listed' }, ...roster(2)], 'allow-listed'),
      roster(2).map((a) => a.mri),
    );
    const card = renderAgentTicketCard(presentAgentTicket(ticketUpdatedAt(OPENED), [KARI, { aadObjectId: 'allow-listed', name: 'Listed' }], 'UTC', OPENED));
    assert.equal(card.refresh, undefined);
  });

  it(`when there are 500 agents, then Transfer lists ${AGENT_TRANSFER_CHOICES}, says how many are not listed, and the card fits its budget`, () => {
    const agents = roster(500);
    const ticket = ticketUpdatedAt(new Date(OPENED.getTime() + MINUTE));
    ticket.assignee = { aadObjectId: agents[0]!.aadObjectId, name: agents[0]!.name };
    const card = renderAgentTicketCard(presentAgentTicket(ticket, agents, 'UTC', OPENED));
    assert.ok(cardBytes(card) <= CARD_BUDGET_BYTES, `${cardBytes(card)} bytes`);
    const transfer = showCardBody(card, 'Transfer');
    const [choices, ...others] = elementsOfType(transfer, 'Input.ChoiceSet');
    assert.equal(others.length, 0);
    assert.equal((choices!.choices as unknown[]).length, AGENT_TRANSFER_CHOICES);
    assert.deepEqual(
      elementsOfType(transfer, 'Input.Text').map((input) => input.id),
      ['note'],
      'one toAgent input: the list (the object-id box stands in only when no agent is known)',
    );
    assert.match(allText(transfer), new RegExp(`The first ${AGENT_TRANSFER_CHOICES} agents by name; ${499 - AGENT_TRANSFER_CHOICES} others are not listed\\.`));
    const userIds = (card.refresh as Json).userIds as string[];
    assert.equal(userIds.length, AGENT_REFRESH_USERS);
    assert.equal(userIds[0], agents[0]!.mri, 'the assignee first');
    assert.ok(JSON.stringify(card).includes('"ticket.claim"'), 'the actions survived the fitting');
  });
});
