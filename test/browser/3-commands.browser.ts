/**
 * Journey 3: the commands an employee can type at any point. A mistyped command gets a
 * suggestion; "help" and "start over" work in the middle of the questions.
 *
 * Isaiah Langer again (the demo employee the bot asks questions), in a fresh browser.
 */
import { strict as assert } from 'node:assert';
import type { BrowserContext } from 'playwright-core';
import { assertButtons, openBrowser, people, Playground, Screenshots } from './support/playground';

describe('Journey 3 (browser): commands in the middle of a conversation', function () {
  const isaiah = people().network;
  const shots = new Screenshots('3-commands');
  let browser: BrowserContext;
  let chat: Playground;

  before(async () => {
    browser = await openBrowser('commands');
    chat = await Playground.open(browser, isaiah);
    await chat.openPersonalChat();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && chat) await shots.failure([{ page: chat.page, label: 'employee' }], this.currentTest.fullTitle());
  });

  after(async () => {
    await browser?.close();
  });

  it('when the employee mistypes a command, then the bot suggests the command they meant', async () => {
    let before = await chat.cardCount();
    await chat.say('hlep');
    const suggestion = await chat.nextCard(before, 'Did you mean "help"?');
    assert.match(await suggestion.innerText(), /Type "help" to see everything I can do/);

    before = await chat.cardCount();
    await chat.say('my tikets');
    await chat.nextCard(before, 'Did you mean "my tickets"?');
    await shots.take(chat.page, 'typo-suggestion', { docs: 'typo-suggestion.png' });

    before = await chat.cardCount();
    await chat.say('my tickets');
    const none = await chat.nextCard(before, /No tickets yet|Ticket HD-/);
    assert.match(await none.innerText(), /No tickets yet|Ticket HD-/);
  });

  it('when they type "help" while a question is open, then the help card lists the commands and the question still works', async () => {
    let before = await chat.cardCount();
    await chat.say('OneDrive says 0x8004de40');
    const q1 = await chat.nextCard(before, 'How is this PC connected right now?');
    before = await chat.cardCount();
    await chat.press(q1, 'Not sure');
    const q2 = await chat.nextCard(before, 'Does OneDrive open in a web browser');

    before = await chat.cardCount();
    await chat.say('help');
    const help = await chat.nextCard(before, 'What I can do');
    const text = await help.innerText();
    for (const command of ['start over', 'my tickets', 'help']) assert.match(text, new RegExp(`\\b${command}\\b`), `the help card lists "${command}"`);
    await assertButtons(help, ['Start']);
    await shots.take(chat.page, 'help-mid-question', { docs: 'help.png' });

    // The open question is still the one being asked.
    before = await chat.cardCount();
    await chat.press(q2, 'Yes, the web works');
    await chat.nextCard(before, /Question 3|What we found/);
  });

  it('when they type "start over" mid-conversation, then the bot forgets the answers and asks from the first question again', async () => {
    const before = await chat.cardCount();
    await chat.say('start over');
    const notice = await chat.nextCard(before, "Let's start again");
    assert.match(await notice.innerText(), /I forgot the earlier answers/);
    // With nothing known, the code on screen is asked first; its long list of answers comes as a list with a "Next" button.
    const q1 = await chat.nextCard(before, 'Which error code does the OneDrive window show?');
    assert.match(await q1.innerText(), /Question 1/);
    await shots.take(chat.page, 'start-over', { docs: 'start-over.png' });
    await shots.take(chat.page, 'question-choice-set');
  });

  it('when they mistype a command while a question is open, then the answer points them to the buttons and the right words', async () => {
    const q1 = await chat.card('Which error code does the OneDrive window show?');
    const before = await chat.cardCount();
    await chat.say('strat over');
    const reply = await chat.nextCard(before, /Did you mean "start over"\?|I didn't catch that/);
    assert.match(await reply.innerText(), /"start over"/, 'the answer names the command');
    // The question is asked again, so the conversation can carry on.
    await chat.nextCard(before, 'Which error code does the OneDrive window show?');
    await shots.take(chat.page, 'typo-mid-question');
    assert.ok(q1);
  });
});
