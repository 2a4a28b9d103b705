import assert from 'node:assert/strict';
import { BotHarness, cardsOf, findAction } from '../support/bot-harness';
import { cardText } from '../support/cards';

describe('e2e smoke', () => {
  const h = new BotHarness();
  before(() => h.start());
  after(() => h.stop());

  it('when Alex describes the error, then the bot diagnoses stale credentials', async () => {
    const chat = h.chat({ aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' });
    const replies = await chat.say('OneDrive says 0x8004de40');
    const text = cardsOf(replies).map(cardText).join('\n---\n');
    console.log(text.slice(0, 3000));
    assert.ok(findAction(replies, 'ticket.create', { causeId: 'stale-credentials' }));
  });
});
