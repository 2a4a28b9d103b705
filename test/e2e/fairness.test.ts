import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IDLE_CONNECTION_KEEP_MS } from '../../src/server';
import { buildScenarioTenant } from '../fixtures/scenario-tenant';
import { tokenDouble } from '../graph/graph-test-kit';
import { BotHarness, cardsOf, type Chat } from '../support/bot-harness';
import { cardText, type Json } from '../support/cards';
import { scenario } from '../support/e2e-helpers';
import { FakeGraphServer } from '../support/fake-graph-server';
import { driveTriage } from '../support/triage-driver';

/**
 * Fair under load: one conversation's slow turn (a Bot Connector that does not answer, a Graph
 * read that does not come back) never delays another conversation's turns. Asserted by order:
 * while A's turn is still unfinished, B runs whole turns to the end.
 */

/** A turn in flight whose outcome the test can look at without waiting for it. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { promise, settled: () => done };
}

/** Polls until `predicate` holds (or fails after `what` times out: a hang, not a measurement). */
async function until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const textOf = (replies: Json[]): string => cardsOf(replies).map(cardText).join('\n---\n');

/** B's conversation, a scenario that needs questions: the first message, every answer up to the diagnosis, then "help". Returns the whole turns run. */
async function runWholeTurns(chat: Chat, causeId: string): Promise<number> {
  const b = scenario(causeId);
  const run = await driveTriage(chat, b.firstMessage, b.answers);
  assert.equal(run.causeId, b.causeId, 'B was diagnosed as usual');
  assert.match(textOf(await chat.say('help')), /What I can do/);
  return run.questions.length + 2;
}

describe('e2e: fair under load, a slow turn never delays other conversations', function () {
  this.timeout(90_000);

  describe('when the Bot Connector holds one conversation', () => {
    const h = new BotHarness();
    before(() => h.start({}, buildScenarioTenant(new Date())));
    after(() => h.stop());

    it("when A's reply hangs at the connector, then B runs several whole turns while A's turn is still pending, and A finishes once released", async () => {
      const a = h.chat({ aadObjectId: 'scn-stale-credentials', name: 'Alex A' });
      const b = h.chat({ aadObjectId: 'scn-tls-or-network-stack', name: 'Bea B' });
      h.connector.holdConversation(a.conversationId);
      const aTurn = track(a.say('OneDrive says 0x8004de40'));
      await until(() => h.connector.heldCount(a.conversationId) > 0, "A's reply to reach the connector");

      const bTurns = await runWholeTurns(b, 'tls-or-network-stack');
      assert.ok(bTurns >= 4, `B ran ${bTurns} turns`);
      // A second employee's message that reaches the connector (C) while A is still held, too.
      const c = h.chat({ aadObjectId: 'scn-account-locked', name: 'Cy C' });
      assert.match(textOf(await c.say('help')), /What I can do/);
      assert.equal(aTurn.settled(), false, "A's turn is still waiting for its connector: nothing B or C did waited for it");

      h.connector.releaseConversation(a.conversationId);
      const aReplies = await aTurn.promise;
      assert.ok(aReplies.length > 0, 'A got its answer once the connector let it through');
    });

    it('when a dozen conversations hang at the connector at once, then another employee is still served (no shared pool of connections or turns runs dry)', async () => {
      const stuck = Array.from({ length: 12 }, (_, i) => h.chat({ aadObjectId: `fair-stuck-${i}`, name: `Stuck ${i}` }));
      for (const chat of stuck) h.connector.holdConversation(chat.conversationId);
      const turns = stuck.map((chat) => track(chat.say('help')));
      await until(() => stuck.every((chat) => h.connector.heldCount(chat.conversationId) > 0), 'every stuck reply to reach the connector');
      const b = h.chat({ aadObjectId: 'fair-free', name: 'Free B' });
      assert.match(textOf(await b.say('help')), /What I can do/);
      assert.match(textOf(await b.say('my tickets')), /.+/);
      assert.ok(
        turns.every((t) => !t.settled()),
        'every stuck turn is still waiting for its connector',
      );
      for (const chat of stuck) h.connector.releaseConversation(chat.conversationId);
      await Promise.all(turns.map((t) => t.promise));
    });

    it("when A's conversation is held, then A's own next message waits for A's turn (turns of one conversation stay in order) while B is served", async () => {
      const a = h.chat({ aadObjectId: 'scn-stale-credentials', name: 'Alex A' });
      const b = h.chat({ aadObjectId: 'scn-conditional-access-block', name: 'Bea B' });
      h.connector.holdConversation(a.conversationId);
      const first = track(a.say('help'));
      await until(() => h.connector.heldCount(a.conversationId) > 0, "A's first reply to reach the connector");
      const second = track(a.say('my tickets'));
      assert.match(textOf(await b.say('help')), /What I can do/);
      assert.equal(first.settled(), false);
      assert.equal(second.settled(), false);
      h.connector.releaseConversation(a.conversationId);
      await first.promise;
      await second.promise;
      const order = h.connector.messages(a.conversationId).map((m) => textOf([m]));
      assert.ok(
        order.findIndex((t) => /What I can do/.test(t)) < order.findIndex((t) => !/What I can do/.test(t)),
        `A's answers in the order A asked: ${order.join(' | ').slice(0, 400)}`,
      );
    });
  });

  describe('when the Bot Connector reuses its connections', () => {
    const h = new BotHarness();
    before(() => h.start({}, buildScenarioTenant(new Date())));
    after(() => h.stop());

    it('when a caller keeps its connection alive, then the bot tells it it keeps the idle connection for two minutes (not Node’s 5 s), so a lull does not make the next burst reconnect', async () => {
      const url = new URL('/healthz', h.bot!.url);
      const headers = await new Promise<IncomingMessage['headers']>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { connection: 'keep-alive' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(headers.connection, 'keep-alive');
      assert.equal(headers['keep-alive'], `timeout=${IDLE_CONNECTION_KEEP_MS / 1000}`);
      assert.equal(IDLE_CONNECTION_KEEP_MS, 120_000);
    });
  });

  describe("when Microsoft Graph does not answer one employee's lookup", () => {
    const TOKEN = 'fairness-graph-token';
    const A = 'scn-stale-credentials';
    const h = new BotHarness();
    let graph: FakeGraphServer;
    let gate: GraphGate;

    before(async () => {
      graph = await FakeGraphServer.start(buildScenarioTenant(new Date()), { requireToken: TOKEN });
      gate = await GraphGate.start(graph.url);
      // The employee's turn waits for the lookup (up to LOOKUP_WAIT_MS), so A's turn stays open while A's Graph read is held.
      await h.start({ GRAPH_ENABLED: 'true', GRAPH_BASE_URL: gate.url, LOOKUP_WAIT_MS: '14000', GRAPH_TIME_BUDGET_MS: '60000' }, undefined, {
        graphCredential: tokenDouble({ token: TOKEN }),
      });
    });
    after(async () => {
      gate.releaseAll();
      await h.stop();
      await gate.close();
      await graph.close();
    });

    it("when A's sign-in read hangs, then B's lookups and turns complete while A's turn is still waiting for Graph", async () => {
      gate.holdFor(A);
      const a = h.chat({ aadObjectId: A, name: 'Alex A' });
      const b = h.chat({ aadObjectId: 'scn-network-blocked', name: 'Bea B' });
      const aTurn = track(a.say('OneDrive says 0x8004de40'));
      await until(() => gate.heldCount > 0, "A's Graph read to reach Graph");

      const bTurns = await runWholeTurns(b, 'network-blocked');
      assert.ok(bTurns >= 4, `B ran ${bTurns} turns`);
      assert.ok(gate.passedFor('scn-network-blocked') > 0, "B's own lookup went to Graph and came back");
      assert.equal(aTurn.settled(), false, "A's turn is still waiting for A's Graph read");

      gate.releaseAll();
      const aReplies = await aTurn.promise;
      assert.ok(aReplies.length > 0, 'A was answered once Graph answered');
    });

    it("when A's turn and B's turn are both slow, then each chat shows its own typing indicator, and B's turn ending does not stop A's", async () => {
      // Two employees not looked up before (a cached lookup would not reach Graph).
      const A2 = 'scn-password-expired';
      const B = 'scn-no-internet';
      gate.holdFor(A2);
      gate.slowFor(B, 2500);
      const a = h.chat({ aadObjectId: A2, name: 'Alex A' });
      const b = h.chat({ aadObjectId: B, name: 'Bea B' });
      const typing = (conversationId: string): number => h.connector.calls.filter((c) => c.conversationId === conversationId && c.body.type === 'typing').length;
      const aTurn = track(a.say('OneDrive says 0x8004de40'));
      await until(() => gate.heldCount > 0 && typing(a.conversationId) > 0, "A's Graph read held and A's typing indicator");

      const bReplies = await b.say(scenario('no-internet').firstMessage);
      assert.ok(bReplies.length > 0);
      assert.ok(typing(b.conversationId) > 0, "B's slow turn showed B's own typing indicator while A's was running");
      const aTypingAfterB = typing(a.conversationId);
      await until(() => typing(a.conversationId) > aTypingAfterB, "A's typing indicator to go on after B's turn ended", 5000);
      assert.equal(aTurn.settled(), false);

      gate.releaseAll();
      await aTurn.promise;
    });
  });
});

/**
 * A pass-through in front of the fake Graph that holds every request naming one user (in its URL
 * or, for a JSON batch, its body) until released: Graph slow for that employee only.
 */
class GraphGate {
  private server?: Server;
  private readonly held: Array<() => void> = [];
  private readonly passed: string[] = [];
  private holding?: string;
  private readonly slow = new Map<string, number>();
  url = '';

  private constructor(private readonly target: string) {}

  static async start(target: string): Promise<GraphGate> {
    const gate = new GraphGate(target);
    gate.server = createServer((req, res) => void gate.handle(req, res));
    await new Promise<void>((resolve) => gate.server!.listen(0, '127.0.0.1', resolve));
    gate.url = `http://127.0.0.1:${(gate.server!.address() as AddressInfo).port}`;
    return gate;
  }

  holdFor(userId: string): void {
    this.holding = userId;
  }

  /** Answers requests naming `userId` only after `ms` (a slow read that still finishes). */
  slowFor(userId: string, ms: number): void {
    this.slow.set(userId, ms);
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Requests naming `userId` that went through. */
  passedFor(userId: string): number {
    return this.passed.filter((p) => p.includes(userId)).length;
  }

  releaseAll(): void {
    this.holding = undefined;
    this.slow.clear();
    for (const release of this.held.splice(0)) release();
  }

  async close(): Promise<void> {
    this.releaseAll();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const seen = `${decodeURIComponent(req.url ?? '')} ${body.toString('utf8')}`;
    if (this.holding && seen.includes(this.holding)) await new Promise<void>((resolve) => this.held.push(resolve));
    for (const [userId, ms] of this.slow) if (seen.includes(userId)) await new Promise((resolve) => setTimeout(resolve, ms));
    this.passed.push(seen);
    const target = new URL(req.url ?? '/', this.target);
    const headers = { ...req.headers, host: target.host };
    const upstream = request(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }
}
