import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { startBot, type StartOptions } from '../../src/index';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { tokenDouble, type TokenDouble } from '../graph/graph-test-kit';
import { BotHarness, cardsOf } from '../support/bot-harness';
import { actionData, cardText } from '../support/cards';
import { FakeGraphServer } from '../support/fake-graph-server';
import { driveTriage } from '../support/triage-driver';

/** The harness, started with Graph switched on and test seams passed to startBot. */
class GraphBotHarness extends BotHarness {
  async startWithGraph(env: Record<string, string>, options: StartOptions): Promise<void> {
    await this.connector.start();
    const config = loadConfig({ PORT: '0', DATA_DIR: join(this.dataDir, 'data'), LOG_LEVEL: 'silent', ...env });
    assert.ok(config.graph, 'Graph is configured');
    assert.equal(config.demoTenantFile, undefined, 'no demo tenant file');
    this.bot = await startBot(config, options);
  }
}

/**
 * The real bot (restify server, Teams adapter, dialogs, SQLite state) reading a Graph-shaped
 * fake Microsoft Graph through GraphDirectory: GRAPH_ENABLED=true, GRAPH_BASE_URL pointing at
 * the fake, and a TokenCredential double. The fake enforces the reports-API limit
 * (5 requests per 10 s, 429 beyond) in real time.
 */
describe('e2e through Microsoft Graph: the triage scenarios give the same causes as through the demo tenant', () => {
  const TOKEN = 'e2e-graph-token';
  const h = new GraphBotHarness();
  let server: FakeGraphServer;
  let credential: TokenDouble;
  const roundTrips: Array<{ who: string; trips: number }> = [];

  before(async () => {
    server = await FakeGraphServer.start(buildScenarioTenant(new Date()), { requireToken: TOKEN });
    credential = tokenDouble({ token: TOKEN });
    await h.startWithGraph({ GRAPH_ENABLED: 'true', GRAPH_BASE_URL: server.url }, { graphCredential: credential });
  });
  after(async () => {
    await h.stop();
    await server.close();
  });

  it('when Graph denies the sign-in logs (403), then triage carries on with questions and the question card says so in plain words', async () => {
    server.denyNext(/auditLogs\/signIns/);
    const before = server.httpRequests.length;
    const chat = h.chat({ aadObjectId: 'scn-account-locked', name: 'Ivo Petrov' });
    const first = await chat.say('OneDrive sign in fails with 0x8004de40');
    const question = cardsOf(first).find((c) => actionData(c).some((d) => d.verb === 'triage.answer'));
    assert.ok(question, `a question card, got: ${cardsOf(first).map(cardText).join(' | ').slice(0, 300)}`);
    const text = cardText(question);
    assert.match(text, /I couldn't read your sign-in logs: the help desk bot hasn't been given permission/);
    assert.match(text, /I'll work from your answers instead/);
    assert.doesNotMatch(text, /AuditLog|403|Authorization_RequestDenied|Graph/, 'no admin detail on the employee card');
    server.clearFaults();
    roundTrips.push({ who: '403 case', trips: server.httpRequests.length - before });
  });

  for (const scenario of SCENARIOS) {
    it(`when ${scenario.userId} says "${scenario.firstMessage}", then Graph evidence leads to ${scenario.causeId} in at most 2 Graph round trips`, async () => {
      const before = server.httpRequests.length;
      const chat = h.chat({ aadObjectId: scenario.userId, name: scenario.userId });
      const run = await driveTriage(chat, scenario.firstMessage, scenario.answers);
      const trips = server.httpRequests.length - before;
      roundTrips.push({ who: scenario.userId, trips });
      assert.equal(run.causeId, scenario.causeId, `asked: ${run.questions.join(', ')}\n${cardText(run.diagnosisCard)}`);
      if (scenario.causeId !== 'unknown') assert.ok(run.questions.length <= 3, `asked ${run.questions.length} questions: ${run.questions.join(', ')}`);
      assert.doesNotMatch(cardText(run.diagnosisCard), /I couldn't read your sign-in logs/, 'evidence was read');
      assert.ok(trips >= 1 && trips <= 2, `${trips} Graph round trips`);
    });
  }

  it('when the run is over, then one token was requested, every diagnosis took at most 2 round trips, and the reports limit was never breached', () => {
    assert.equal(roundTrips.length, SCENARIOS.length + 1, 'every diagnosis counted');
    assert.ok(
      roundTrips.every((r) => r.trips <= 2),
      JSON.stringify(roundTrips),
    );
    assert.equal(credential.calls, 1, 'getToken called once across the run');
    assert.equal(server.breaches, 0, 'no reports-API breach');
    assert.ok(server.maxReportsInWindow <= 5, `max ${server.maxReportsInWindow} reports requests in 10 s`);
    assert.ok(
      server.httpRequests.every((r) => /^\/(v1\.0|beta)\/\$batch$/.test(r.url)),
      'every request is a JSON batch',
    );
    const signInReads = server.routed.filter((r) => r.url.includes('/auditLogs/signIns')).map((r) => decodeURIComponent(r.url));
    assert.ok(
      signInReads.some((u) => u.includes('userId eq')),
      'a quiet lookup read its own sign-ins',
    );
    assert.ok(
      signInReads.some((u) => !u.includes('userId eq') && u.includes('appId eq')),
      'busy lookups shared the tenant-wide feed',
    );
    assert.ok(signInReads.length <= 8, `${signInReads.length} reports requests for ${roundTrips.length} diagnoses`);
  });
});
