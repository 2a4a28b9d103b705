import assert from 'node:assert/strict';
import { AGENT_TRANSFER_CHOICES, renderAgentTicketCard, renderTicketCard } from '../../src/cards';
import { presentAgentTicket } from '../../src/desk/present-agent';
import { presentTicket } from '../../src/dialogs/present';
import { claimTicket, replyOnTicket, transferTicket } from '../../src/domain/handoff';
import type { Person, Ticket } from '../../src/domain/tickets';
import { openTicketAt } from '../support/ticket-fixtures';
import { allText, assertValidCard, elementsOfType, showCardBody, shownTexts } from './card-test-helpers';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const LATER = new Date('2026-11-20T12:10:00.000Z');
const KARI: Person = { aadObjectId: 'aad-kari', name: 'Kari Nordmann' };
const MEGAN: Person = { aadObjectId: 'aad-megan', name: 'Megan Bowen' };
const NOTE = 'Between us: she already called twice, check the VIP list';

/** A real ticket, claimed by Kari, transferred to Megan with an internal note, and replied to. */
function transferredTicket(): Ticket {
  const ticket = openTicketAt(NOW);
  for (const result of [claimTicket(ticket, KARI, NOW), transferTicket(ticket, KARI, MEGAN, NOTE, LATER), replyOnTicket(ticket, MEGAN, 'I am on it', LATER)]) {
    assert.ok(result.ok);
  }
  return ticket;
}

describe('ticket views', () => {
  it('when the employee refreshes a transferred ticket, then the transfer shows but the internal note never does', () => {
    const card = renderTicketCard(presentTicket(transferredTicket(), 'UTC'));
    assertValidCard(card);
    const text = allText(card);
    assert.match(text, /Kari Nordmann transferred the ticket to Megan Bowen/);
    assert.match(text, /Megan Bowen replied: I am on it/);
    assert.ok(!JSON.stringify(card).includes('VIP'), 'the internal note leaked to the employee');
    assert.doesNotMatch(text, /left a note/);
  });

  it('when an agent opens the same ticket, then the internal note is there, marked as only for agents', () => {
    const card = renderAgentTicketCard(
      presentAgentTicket(
        transferredTicket(),
        [KARI, MEGAN].map((p) => ({ aadObjectId: p.aadObjectId, name: p.name })),
        'UTC',
      ),
    );
    const history = shownTexts(card).map((shown) => shown.text);
    const noteAt = history.indexOf(`Kari Nordmann left a note for Megan Bowen: ${NOTE}`);
    assert.ok(noteAt > 0, history.join('\n'));
    assert.match(history[noteAt - 1], /· only agents see this$/);
  });

  it(`when the roster is long, then Transfer offers the first ${AGENT_TRANSFER_CHOICES} agents by name, not the assignee, and says how many are left out`, () => {
    const roster = Array.from({ length: 80 }, (_, i) => ({ aadObjectId: `aad-${String(i).padStart(2, '0')}`, name: `Agent ${String(79 - i).padStart(2, '0')}` }));
    roster.push({ aadObjectId: MEGAN.aadObjectId, name: MEGAN.name });
    const model = presentAgentTicket(transferredTicket(), roster, 'UTC');
    assert.equal(model.agents.length, AGENT_TRANSFER_CHOICES);
    assert.equal(model.agentsNotShown, 80 - AGENT_TRANSFER_CHOICES);
    assert.ok(!model.agents.some((agent) => agent.id === MEGAN.aadObjectId), 'the assignee is not a transfer target');
    assert.deepEqual(
      model.agents.map((agent) => agent.name),
      Array.from({ length: AGENT_TRANSFER_CHOICES }, (_, i) => `Agent ${String(i).padStart(2, '0')}`),
    );
    const card = renderAgentTicketCard(model);
    const transfer = showCardBody(card, 'Transfer');
    const [choices] = elementsOfType(transfer, 'Input.ChoiceSet');
    assert.equal((choices.choices as unknown[]).length, AGENT_TRANSFER_CHOICES);
    assert.match(allText(transfer), /The first 25 agents by name; 55 others are not listed\./);
  });
});
