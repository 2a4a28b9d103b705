import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BotHarness, cardsOf } from '../support/bot-harness';
import { BotProcess } from '../support/bot-process';
import { cardText, type Json } from '../support/cards';
import { LoopbackConnector } from '../support/loopback-connector';

let seq = 0;
function helpMessage(serviceUrl: string, conversationId: string): Json {
  seq += 1;
  return {
    type: 'message',
    text: 'help',
    channelId: 'msteams',
    serviceUrl,
    id: `drain-${seq}`,
    conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
    from: { id: '29:drain-user', name: 'Dana Drain', aadObjectId: 'drain-user-aad' },
    recipient: { id: '28:bot', name: 'Helpdesk' },
    channelData: { tenant: { id: 'tenant-1' } },
  };
}

function post(url: string, body: Json): Promise<Response> {
  return fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** True once the bot no longer accepts connections (its listener is closed). */
async function stoppedListening(url: string): Promise<boolean> {
  try {
    await (await fetch(`${url}/healthz`)).text();
    return false;
  } catch {
    return true;
  }
}

/** Posts an activity that arrives during the drain: it must be turned away (no connection, or 503). */
async function lateActivityRefused(url: string, serviceUrl: string): Promise<boolean> {
  try {
    const response = await post(url, helpMessage(serviceUrl, 'a:late-arrival'));
    await response.text();
    return response.status === 503;
  } catch {
    return true;
  }
}

function helpCardIn(connector: LoopbackConnector, conversationId: string): boolean {
  return cardsOf(connector.messages(conversationId)).some((card) => /What I can do/.test(cardText(card)));
}

describe('e2e: SIGTERM drains the turns in flight, then the process exits 0', function () {
  this.timeout(60_000);
  const connector = new LoopbackConnector();
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-drain-'));

  before(() => connector.start());
  after(async () => {
    await connector.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when SIGTERM arrives while a reply is on its way to the connector, then new work is refused, the reply still arrives, the request ends 200 and the exit code is 0', async () => {
    const bot = new BotProcess();
    await bot.start({ DATA_DIR: join(dataDir, 'a') });
    try {
      connector.holdNextMessage();
      const conversationId = 'a:drain-in-flight';
      const inFlight = post(bot.url, helpMessage(connector.url, conversationId));
      await until('the reply to be held at the connector', () => connector.hungCount === 1);

      const exited = bot.signal('SIGTERM');
      await until('the bot to stop listening', () => stoppedListening(bot.url));
      assert.ok(await lateActivityRefused(bot.url, connector.url), 'a new activity is turned away');
      assert.equal(bot.exitCode, null, 'still running: it waits for the turn in flight');

      connector.releaseHung();
      const response = await inFlight;
      assert.equal(response.status, 200);
      assert.equal(await exited, 0, bot.log.slice(-2000));
      assert.ok(helpCardIn(connector, conversationId), 'the held reply was delivered');
      assert.equal(connector.messages('a:late-arrival').length, 0, 'the late activity got no turn');
      assert.doesNotMatch(bot.log, /"level":50|\n\s+at /, 'no error logged during the drain');
    } finally {
      connector.releaseHung();
      await bot.stop();
    }
  });

  it('when SIGTERM arrives with nothing in flight, then the process exits 0 at once', async () => {
    const bot = new BotProcess();
    await bot.start({ DATA_DIR: join(dataDir, 'b') });
    try {
      assert.equal(await bot.signal('SIGTERM'), 0, bot.log.slice(-2000));
    } finally {
      await bot.stop();
    }
  });
});

describe('e2e: startBot().close() drains the same way', function () {
  this.timeout(30_000);
  const h = new BotHarness();
  before(() => h.start());
  after(async () => {
    h.connector.releaseHung();
    await h.stop();
  });

  it('when close() is called while a turn waits for the connector, then close waits for it and the reply is delivered', async () => {
    h.connector.holdNextMessage();
    const conversationId = 'a:drain-in-process';
    const url = h.bot!.url;
    const inFlight = post(url, helpMessage(h.connector.url, conversationId));
    await until('the reply to be held at the connector', () => h.connector.hungCount === 1);

    let closed = false;
    const closing = h.bot!.close().then(() => (closed = true));
    h.bot = undefined;
    await until('the bot to stop listening', () => stoppedListening(url));
    assert.ok(await lateActivityRefused(url, h.connector.url), 'a new activity is turned away');
    assert.equal(closed, false, 'close() waits for the turn in flight');
    assert.equal(h.connector.messages('a:late-arrival').length, 0, 'the late activity got no turn');

    h.connector.releaseHung();
    assert.equal((await inFlight).status, 200);
    await closing;
    assert.ok(helpCardIn(h.connector, conversationId), 'the held reply was delivered');
  });
});
