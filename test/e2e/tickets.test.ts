import assert from 'node:assert/strict';
import { employeeSteps } from '../../src/domain/fix-walkthrough';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { getPlaybook } from '../../src/domain/playbooks';
import { cardsOf, findAction, type Chat } from '../support/bot-harness';
import { actionData, cardText, type Json } from '../support/cards';
import { allText, messagesSince, scenario, useScenarioBot } from '../support/e2e-helpers';
import { driveTriage } from '../support/triage-driver';

const TICKET_ID = /^HD-\d{6}$/;

/** The ticket card (a card whose actions carry ticketId) among replies. */
function ticketCardsIn(replies: Json[]): Json[] {
  return cardsOf(replies).filter((c) => actionData(c).some((d) => typeof d.ticketId === 'string'));
}

function ticketIdOf(card: Json): string {
  return String(actionData(card).find((d) => typeof d.ticketId === 'string')!.ticketId);
}

/** The value of the "Status" fact on a ticket card. */
function statusOf(card: Json): string | undefined {
  const facts = (card.body as Json[]).flatMap((b) => (b.type === 'FactSet' ? (b.facts as Json[]) : []));
  return facts.find((f) => f.title === 'Status')?.value as string | undefined;
}

interface Opened {
  chat: Chat;
  ticketId: string;
  card: Json;
  escalateReplies: Json[];
}

describe('e2e: tickets', () => {
  const h = useScenarioBot();

  const dbFile = (): string => join(h.dataDir, 'data', 'helpdesk.sqlite');
  function readDb<T>(read: (db: Database.Database) => T): T {
    const db = new Database(dbFile(), { readonly: true, fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }
  const ticketCount = (): number => readDb((db) => (db.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n);

  // One employee has at most one open ticket, and the tests share the scenario employees:
  // each test withdraws what it opened, so the next one starts without an open ticket.
  const opened: Array<{ chat: Chat; ticketId: string }> = [];
  afterEach(async () => {
    for (const { chat, ticketId } of opened.splice(0)) await chat.submit({ verb: 'ticket.withdraw', ticketId });
  });

  /** Drives triage, presses "I can't do this" on every step and opens a ticket with `details`. */
  async function openTicket(causeId: string, details: string, chat?: Chat): Promise<Opened> {
    const s = scenario(causeId);
    chat ??= h.chat({ aadObjectId: s.userId, name: `Employee ${causeId}` });
    const run = await driveTriage(chat, s.firstMessage, s.answers);
    assert.equal(run.causeId, causeId);
    let replies: Json[] = run.replies;
    for (let i = 0; i < 20; i++) {
      const cannot = cardsOf(replies)
        .flatMap(actionData)
        .filter((d) => d.verb === 'fix.result' && d.result === 'cannot-do')
        .at(-1);
      if (!cannot) break;
      replies = await chat.submit(cannot);
    }
    const create = findAction(replies, 'ticket.create');
    assert.ok(create, `no ticket.create at the end of the walkthrough: ${allText(replies)}`);
    assert.equal(create.causeId, causeId);
    const created = await chat.submit({ ...create, details });
    const cards = ticketCardsIn(created);
    assert.equal(cards.length, 1, allText(created));
    opened.push({ chat, ticketId: ticketIdOf(cards[0]!) });
    return { chat, ticketId: ticketIdOf(cards[0]!), card: cards[0]!, escalateReplies: replies };
  }

  it('when an employee escalates with details, then a ticket card arrives with an HD-nnnnnn id carried by every action', async () => {
    const { ticketId, card } = await openTicket('stale-credentials', 'I tried all of it twice');
    assert.match(ticketId, TICKET_ID);
    const data = actionData(card);
    assert.ok(data.length >= 2, JSON.stringify(data));
    for (const d of data) assert.equal(d.ticketId, ticketId, JSON.stringify(d));
    assert.match(cardText(card), new RegExp(ticketId));
    assert.match(cardText(card), /I tried all of it twice/);
    assert.equal(statusOf(card), 'Waiting for an agent');
  });

  it('when the employee asks ticket.status, then the same ticket is shown; and "my tickets" lists it', async () => {
    const { chat, ticketId } = await openTicket('stale-credentials', 'status check');
    const status = await chat.submit({ verb: 'ticket.status', ticketId });
    const cards = ticketCardsIn(status);
    assert.equal(cards.length, 1, allText(status));
    assert.equal(ticketIdOf(cards[0]!), ticketId);
    assert.match(cardText(cards[0]!), new RegExp(`Ticket ${ticketId}`));

    const mine = await chat.say('my tickets');
    assert.ok(
      ticketCardsIn(mine).some((c) => ticketIdOf(c) === ticketId),
      `"my tickets" did not list ${ticketId}: ${allText(mine).slice(0, 500)}`,
    );
  });

  it('when ticket.create is pressed twice, then no second ticket is opened and the first one is shown again', async () => {
    const { chat, ticketId, escalateReplies } = await openTicket('stale-credentials', 'first press');
    const before = ticketCount();
    const again = await chat.submit({ ...findAction(escalateReplies, 'ticket.create')!, details: 'second press' });
    assert.equal(ticketCount(), before, 'a second ticket row was written');
    const cards = ticketCardsIn(again);
    assert.deepEqual(cards.map(ticketIdOf), [ticketId]);
    assert.match(allText(again), /already have a ticket/i);
  });

  // Two presses in flight at once: the store refuses a second open ticket for the employee, so
  // the later turn shows the first one (test/e2e/ticket-durability.test.ts covers two instances).
  it('when ticket.create is pressed twice at the same moment, then only one ticket is opened and no error is shown', async () => {
    const s = scenario('stale-credentials');
    const chat = h.chat({ aadObjectId: s.userId, name: 'Double Clicker' });
    const run = await driveTriage(chat, s.firstMessage, s.answers);
    const create = findAction(run.replies, 'ticket.create')!;
    const rowsBefore = ticketCount();
    const before = h.connector.calls.length;
    await Promise.all([chat.submit(create), chat.submit(create)]);
    const posted = messagesSince(h, chat.conversationId, before);
    for (const id of new Set(ticketCardsIn(posted).map(ticketIdOf))) opened.push({ chat, ticketId: id });
    assert.equal(ticketCount(), rowsBefore + 1, 'two ticket rows were written');
    assert.equal(new Set(ticketCardsIn(posted).map(ticketIdOf)).size, 1);
    assert.doesNotMatch(allText(posted), /couldn't save|went wrong|storage/i);
  });

  it("when another employee asks ticket.status for someone else's ticket, then they are told it can't be found and see nothing of it", async () => {
    const { ticketId } = await openTicket('stale-credentials', 'private note about my account');
    const other = h.chat({ aadObjectId: scenario('password-expired').userId, name: 'Kofi' });
    const replies = await other.submit({ verb: 'ticket.status', ticketId });
    assert.equal(ticketCardsIn(replies).length, 0, 'the ticket card was shown to someone else');
    const text = allText(replies);
    assert.match(text, new RegExp(`can't find ticket ${ticketId}`, 'i'));
    assert.doesNotMatch(text, /private note/);
    assert.doesNotMatch(text, new RegExp(getPlaybook('stale-credentials').title));

    // Their "my tickets" does not list it.
    const theirs = await other.say('my tickets');
    assert.ok(!ticketCardsIn(theirs).some((c) => ticketIdOf(c) === ticketId), 'the ticket is listed for someone else');

    // Nor can they withdraw it.
    const withdraw = await other.submit({ verb: 'ticket.withdraw', ticketId });
    assert.match(allText(withdraw), /can't find ticket/i);
    const owner = readDb((db) => JSON.parse((db.prepare('SELECT body FROM tickets WHERE id = ?').get(ticketId) as { body: string }).body) as Json);
    assert.equal(owner.status, 'new');
  });

  it('when the employee withdraws the ticket, then its status shows Withdrawn', async () => {
    const { chat, ticketId } = await openTicket('stale-credentials', 'withdraw me');
    const withdrawn = await chat.submit({ verb: 'ticket.withdraw', ticketId });
    const card = ticketCardsIn(withdrawn)[0];
    assert.ok(card, allText(withdrawn));
    assert.equal(statusOf(card), 'Withdrawn');
    assert.equal(findAction(withdrawn, 'ticket.withdraw'), undefined, 'a withdrawn ticket offers no Withdraw button');

    const status = await chat.submit({ verb: 'ticket.status', ticketId });
    assert.equal(statusOf(ticketCardsIn(status)[0]!), 'Withdrawn');

    const again = await chat.submit({ verb: 'ticket.withdraw', ticketId });
    assert.match(allText(again), /already withdrawn/i);
  });

  it('when two employees open tickets, then their ticket numbers differ', async () => {
    const a = await openTicket('stale-credentials', 'employee A');
    const b = await openTicket('password-expired', 'employee B');
    assert.match(a.ticketId, TICKET_ID);
    assert.match(b.ticketId, TICKET_ID);
    assert.notEqual(a.ticketId, b.ticketId);
  });

  it('when a ticket is opened, then its SQLite row carries the requester, cause, evidence, steps tried with outcomes and the transcript from the first message', async () => {
    const s = scenario('stale-credentials');
    const { ticketId } = await openTicket('stale-credentials', 'for the db');
    const row = readDb(
      (db) => db.prepare('SELECT requester, status, body FROM tickets WHERE id = ?').get(ticketId) as { requester: string; status: string; body: string } | undefined,
    );
    assert.ok(row, `no row for ${ticketId}`);
    assert.equal(row.requester, s.userId);
    assert.equal(row.status, 'new');
    const body = JSON.parse(row.body) as {
      id: string;
      requester: { aadObjectId: string; name: string };
      causeId: string;
      evidence: string[];
      stepsTried: Array<{ stepId: string; result: string }>;
      transcript: Array<{ from: string; text: string }>;
      details?: string;
    };
    assert.equal(body.id, ticketId);
    assert.equal(body.requester.aadObjectId, s.userId);
    assert.equal(body.requester.name, 'Employee stale-credentials');
    assert.equal(body.causeId, 'stale-credentials');
    assert.ok(Array.isArray(body.evidence) && body.evidence.length > 0, 'evidence is empty');
    assert.deepEqual(
      body.stepsTried.map((st) => [st.stepId, st.result]),
      employeeSteps(getPlaybook('stale-credentials')).map((st) => [st.id, 'cannot-do']),
    );
    assert.ok(
      body.transcript.some((line) => line.from === 'employee' && line.text === s.firstMessage),
      `first message missing from transcript: ${JSON.stringify(body.transcript.slice(0, 5))}`,
    );
    assert.equal(body.details, 'for the db');
  });

  it('when the employee rates a ticket that is not resolved, then the rating is refused with a clear message', async () => {
    const { chat, ticketId } = await openTicket('stale-credentials', 'rate me');
    const replies = await chat.submit({ verb: 'ticket.rate', ticketId, rating: 5 });
    assert.match(allText(replies), /once it is resolved/i);
    assert.equal(ticketCardsIn(replies).length, 0);
    const body = readDb((db) => JSON.parse((db.prepare('SELECT body FROM tickets WHERE id = ?').get(ticketId) as { body: string }).body) as Json);
    assert.equal(body.rating, undefined);
  });
});
