/**
 * Journey 2: an employee's fix steps fail and they open a ticket; the ticket appears in the help
 * desk channel; an agent claims it, replies and resolves it; the employee sees each change.
 *
 * Two people, each in their own Playground and browser tab, both talking to the same bot:
 * Alex Wilber (employee, personal chat) and Grady Archie (help desk agent, "Help desk tickets"
 * channel of the IT Help Desk team). Grady is an agent because scripts/browser-tests.mjs starts the
 * bot with HELPDESK_AGENTS set to him: only an existing agent may make a channel the ticket queue
 * (docs/contract.md §3a). Once it is registered, the team's members (read from the Playground's
 * roster) are agents too.
 */
import { strict as assert } from 'node:assert';
import type { BrowserContext, Locator } from 'playwright-core';
import { assertButtons, botName, buttonsOf, openBrowser, people, Playground, Screenshots } from './support/playground';

describe('Journey 2 (browser): an employee escalates and an agent works the ticket', function () {
  const { employee: alex, agent: grady } = people();
  const shots = new Screenshots('2-escalation');
  let browser: BrowserContext;
  let employee: Playground;
  let agent: Playground;
  let ticketId = '';

  /** The ticket's card in the help desk channel, whatever state it shows. */
  const agentCard = (): Locator =>
    agent
      .cards()
      .filter({ hasText: `Ticket ${ticketId} · ` })
      .first();

  before(async () => {
    browser = await openBrowser('escalation');
    agent = await Playground.open(browser, grady);
    employee = await Playground.open(browser, alex);
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    await shots.failure(
      [
        { page: employee?.page, label: 'employee' },
        { page: agent?.page, label: 'agent' },
      ].filter((p) => p.page),
      this.currentTest.fullTitle(),
    );
  });

  after(async () => {
    await browser?.close();
  });

  it('when an agent mentions the bot with "use this channel for tickets" in "Help desk tickets", then the channel becomes the queue', async () => {
    assert.equal(await agent.signedInAs(), grady.name);
    await agent.page.bringToFront();
    await agent.openChannel('Help desk tickets');
    await agent.postMentioningBot(botName(), 'use this channel for tickets');
    const confirmation = await agent.card('This channel is now the help desk queue');
    assert.match(await confirmation.innerText(), /Members of this team are agents/);
    await shots.take(agent.page, 'agent-registers-channel', { scroll: 'top' });
  });

  it('when the employee tries every fix step without luck, then they can open a ticket with everything attached', async () => {
    assert.equal(await employee.signedInAs(), alex.name);
    await employee.page.bringToFront();
    await employee.openPersonalChat();
    await employee.card('OneDrive sign-in help');
    await shots.take(employee.page, 'welcome', { docs: 'welcome.png' });

    let before = await employee.cardCount();
    await employee.say('OneDrive says 0x8004de40 since I reset my password');
    const diagnosis = await employee.nextCard(before, 'What we found');
    const text = await diagnosis.innerText();
    assert.match(text, /Saved sign-in details are out of date/);
    assert.match(text, /Confidence: High \(\d+%\)/);
    assert.match(
      text,
      /refused because the saved sign-in was revoked \(by an admin, by you, or by a password change or reset\) and a fresh sign-in is needed \(code 50173\)/,
      'evidence from the sign-in log',
    );
    assert.match(text, /ALEXW-LT01/);
    await shots.take(employee.page, 'diagnosis', { card: diagnosis, docs: 'diagnosis.png' });

    let step = await employee.nextCard(before, /Step 1 of 5/);
    assert.match(await step.innerText(), /Quit OneDrive and start it again/);
    await shots.take(employee.page, 'fix-step', { docs: 'fix-step.png' });
    for (const [n, answer] of [
      [1, 'Still broken'],
      [2, 'Still broken'],
      [3, "I can't do this"],
      [4, 'Still broken'],
    ] as const) {
      before = await employee.cardCount();
      await employee.press(step, answer);
      step = await employee.nextCard(before, `Step ${n + 1} of 5`);
    }
    before = await employee.cardCount();
    await employee.press(step, 'Still broken');
    const escalate = await employee.nextCard(before, "Let's get a person on this");
    const escalateText = await escalate.innerText();
    assert.match(escalateText, /someone from the help desk will take over/);
    assert.match(escalateText, /What I'll send/);
    await assertButtons(escalate, ['Open a ticket', 'Start over']);
    await shots.take(employee.page, 'escalate');

    before = await employee.cardCount();
    await employee.press(escalate, 'Open a ticket');
    const ticket = await employee.nextCard(before, /Ticket HD-\d+/);
    const ticketText = await ticket.innerText();
    ticketId = /Ticket (HD-\d+)/.exec(ticketText)![1]!;
    assert.match(ticketText, /Waiting for an agent/);
    assert.match(ticketText, /Saved sign-in details are out of date/);
    assert.match(ticketText, /Alex Wilber opened the ticket/);
    await assertButtons(ticket, ['Refresh status', 'Add details', 'Withdraw']);
    await shots.take(employee.page, 'ticket', { docs: 'ticket.png' });
  });

  it('when the ticket is opened, then its card appears in the help desk channel with the evidence, answers and steps tried', async () => {
    await agent.page.bringToFront();
    const card = await agent.card(`Ticket ${ticketId} · New: nobody has it yet`);
    const text = await card.innerText();
    assert.match(text, /Employee:\s+Alex Wilber/);
    assert.match(text, /Assigned to:\s+Nobody yet/);
    assert.match(text, /Evidence/);
    assert.match(text, /code 50173/);
    assert.match(text, /Sign-ins that matter/);
    assert.match(text, /Steps tried/);
    assert.match(text, /Quit OneDrive and start it again/);
    assert.match(text, /Alex Wilber opened the ticket/);
    await assertButtons(card, ['Transcript', 'Claim', 'Reply', 'Transfer', 'Send fix', 'Resolve']);
    await shots.take(agent.page, 'agent-channel', { docs: 'agent-channel.png', scroll: 'top' });
    await shots.take(agent.page, 'agent-ticket-card', { card, docs: 'agent-ticket-card.png' });
  });

  it('when the agent claims it, then the card shows the agent and the employee is told who has it', async () => {
    await agent.press(agentCard(), 'Claim');
    await agent.cardReads(agentCard(), `Ticket ${ticketId} · Claimed`);
    await agent.cardReads(agentCard(), /Assigned to:\s+Grady Archie/);
    await agent.card(`Grady Archie claimed ${ticketId}.`);

    const told = await employee.card('Grady Archie has your ticket');
    assert.match(await told.innerText(), new RegExp(`Grady Archie from the help desk is working on ${ticketId}. Reply here`));
  });

  it("when the agent replies from the card, then the employee reads it, and the employee's answer reaches the ticket thread", async () => {
    const reply = await agent.openShowCard(agentCard(), 'Reply');
    await reply.getByRole('textbox').fill('Hi Alex, I cleared the old sign-in on our side. Please sign out of Windows and back in with your new password, then start OneDrive.');
    await agent.press(reply, 'Send reply');
    await agent.card(`Grady Archie replied on ${ticketId}.`);
    await agent.cardReads(agentCard(), /Grady Archie replied: Hi Alex, I cleared the old sign-in/);

    await employee.page.bringToFront();
    const message = await employee.card('Grady Archie (help desk)');
    assert.match(await message.innerText(), /I cleared the old sign-in on our side/);
    const before = await employee.cardCount();
    await employee.say('Thanks Grady, signing out now.');
    const sent = await employee.nextCard(before, 'Sent to Grady Archie');
    assert.match(await sent.innerText(), new RegExp(`added to ticket ${ticketId}`));
    await shots.take(employee.page, 'employee-notification', { docs: 'employee-notification.png' });

    await agent.page.bringToFront();
    const relayed = agent.page.getByText('Alex Wilber: Thanks Grady, signing out now.');
    await relayed.waitFor();
    await relayed.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shots.take(agent.page, 'agent-ticket-thread', { docs: 'agent-ticket-thread.png', scroll: 'as-is' });
  });

  it("when the agent answers in the ticket's thread instead, then the employee reads that too", async () => {
    await agent.page.bringToFront();
    await agent.replyInThread(agentCard(), botName(), 'If OneDrive still asks for a password, use the new one.');
    await employee.card(/Grady Archie \(help desk\)[\s\S]*If OneDrive still asks for a password, use the new one/);
  });

  it('when the employee refreshes their ticket card, then it shows who is working on it', async () => {
    const ticket = await employee.card(`Ticket ${ticketId}`);
    const before = await employee.cardCount();
    await employee.press(ticket, 'Refresh status');
    const fresh = await employee.nextCard(before, `Ticket ${ticketId}`);
    const text = await fresh.innerText();
    assert.doesNotMatch(text, /Waiting for an agent/);
    assert.match(text, /Grady Archie/);
    assert.match(text, /Grady Archie claimed the ticket/);
  });

  it('when the agent resolves it with a note, then the card closes and the employee gets the note and a rating card', async () => {
    await agent.page.bringToFront();
    const resolve = await agent.openShowCard(agentCard(), 'Resolve');
    await resolve.getByRole('textbox').fill('Signing out and back in with the new password cleared the saved sign-in; OneDrive syncs again.');
    await agent.press(resolve, 'Resolve');
    await agent.cardReads(agentCard(), `Ticket ${ticketId} · Resolved`);
    assert.deepEqual(await buttonsOf(agentCard()), ['Transcript', 'Reopen'], 'a resolved ticket only offers Reopen');
    await shots.take(agent.page, 'agent-ticket-resolved', { card: agentCard() });

    await employee.page.bringToFront();
    const resolved = await employee.card(`Your ticket ${ticketId} is resolved`);
    const text = await resolved.innerText();
    assert.match(text, /Grady Archie resolved it/);
    assert.match(text, /cleared the saved sign-in; OneDrive syncs again/);
    await assertButtons(resolved, ["It's not fixed", '★ 1', '★ 2', '★ 3', '★ 4', '★ 5']);
    await shots.take(employee.page, 'employee-ticket-resolved', { docs: 'employee-ticket-resolved.png' });

    const before = await employee.cardCount();
    await employee.press(resolved, '★ 5');
    const rated = await employee.nextCard(before, `Ticket ${ticketId}`);
    const ratedText = await rated.innerText();
    assert.match(ratedText, /Status\s+Resolved/);
    assert.match(ratedText, /Your rating\s+★★★★★ \(5 of 5\)/);
    await assertButtons(rated, ['Refresh status'], 'a resolved ticket can no longer be withdrawn');

    await agent.page.bringToFront();
    await agent.page.getByText(`Alex Wilber rated ${ticketId} 5/5.`).waitFor();
    await agent.cardReads(agentCard(), /Rating:\s+★★★★★/);
  });
});
