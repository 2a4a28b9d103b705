import assert from 'node:assert/strict';
import { buildScenarioTenant } from '../fixtures/scenario-tenant';
import { FakeGraphServer } from '../support/fake-graph-server';
import { BotHarness, cardsOf } from '../support/bot-harness';
import { actionData, cardText, type Json } from '../support/cards';
import { tokenDouble } from '../graph/graph-test-kit';

/**
 * A large tenant answers the sign-in query in tens of seconds: the employee's turn must not wait
 * for it (Teams gives a turn about 15 s). The bot says the logs are being read, carries on with a
 * question, finishes the read in the background and continues the conversation from it.
 */
describe('e2e: a slow sign-in log read finishes in the background', function () {
  this.timeout(60_000);
  const TOKEN = 'slow-graph-token';
  const h = new BotHarness();
  let server: FakeGraphServer;

  before(async () => {
    server = await FakeGraphServer.start(buildScenarioTenant(new Date()), { requireToken: TOKEN });
    await h.start({ GRAPH_ENABLED: 'true', GRAPH_BASE_URL: server.url, LOOKUP_WAIT_MS: '300', GRAPH_TIME_BUDGET_MS: '20000' }, undefined, {
      graphCredential: tokenDouble({ token: TOKEN }),
    });
  });
  after(async () => {
    await h.stop();
    await server.close();
  });

  const texts = (activities: Json[]): string => cardsOf(activities).map(cardText).join('\n---\n');

  it('when the logs take longer than the wait, then the employee hears they are being read and gets a question at once, then the diagnosis from the logs arrives by itself', async () => {
    server.slowReportsMs = 2_000;
    const chat = h.chat({ aadObjectId: 'scn-conditional-access-block', name: 'Casey' });
    const first = await chat.say('OneDrive sign in fails with 0x8004de40');
    assert.match(texts(first), /I'm still reading your sign-in logs/);
    assert.ok(
      cardsOf(first).some((c) => actionData(c).some((d) => d.verb === 'triage.answer')),
      `a question meanwhile: ${texts(first)}`,
    );

    const later = await h.connector.waitFor(
      (calls) => calls.some((c) => c.conversationId === chat.conversationId && /I've read your sign-in logs/.test(JSON.stringify(c.body))),
      15_000,
      'the background continuation',
    );
    assert.ok(later);
    const diagnosis = await h.connector.waitFor(
      (calls) => calls.find((c) => c.conversationId === chat.conversationId && /What we found/.test(JSON.stringify(c.body))),
      15_000,
      'the diagnosis from the logs',
    );
    assert.match(JSON.stringify(diagnosis.body), /Conditional Access/);
    server.slowReportsMs = 0;
  });

  it('when the employee answers while the logs are read, then the answer is kept and the late evidence joins it', async () => {
    server.slowReportsMs = 1_500;
    const chat = h.chat({ aadObjectId: 'scn-stale-credentials', name: 'Sam' });
    const first = await chat.say("OneDrive won't sign in");
    const question = cardsOf(first)
      .flatMap(actionData)
      .find((d) => d.verb === 'triage.answer');
    assert.ok(question, texts(first));
    // Answer at once, before the background read is done.
    await chat.submit({ verb: 'triage.answer', questionId: question.questionId, answer: question.questionId === 'error-code' ? '0x8004de40' : 'not-sure' });
    const done = await h.connector.waitFor(
      (calls) => calls.find((c) => c.conversationId === chat.conversationId && /What we found/.test(JSON.stringify(c.body))),
      20_000,
      'a diagnosis once the logs are in',
    );
    assert.match(JSON.stringify(done.body), /Saved sign-in details are out of date/);
    server.slowReportsMs = 0;
  });
});
