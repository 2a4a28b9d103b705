import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type AzuriteHandle } from '../support/azurite';
import { BotHarness, cardsOf } from '../support/bot-harness';
import { BotProcess } from '../support/bot-process';
import { cardText, type Json } from '../support/cards';
import { LoopbackBotCredentials } from '../support/loopback-bot-credentials';
import { LoopbackConnector } from '../support/loopback-connector';
import { makeSigningKey, OpenIdServer } from '../support/openid-server';
import { freePort } from '../support/ports';

const APP_ID = '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';
const PASSWORD = 'test-bot-password';

let seq = 0;
/** An activity as Teams sends it, to `serviceUrl`. */
function activity(serviceUrl: string, extra: Json = {}): Json {
  seq += 1;
  return {
    type: 'message',
    text: 'help',
    channelId: 'msteams',
    serviceUrl,
    id: `auth-${seq}`,
    timestamp: new Date().toISOString(),
    conversation: { id: `a:personal-auth-${seq}`, conversationType: 'personal', tenantId: 'tenant-1' },
    from: { id: '29:auth-user', name: 'Auth User', aadObjectId: 'auth-user-aad' },
    recipient: { id: '28:bot', name: 'Helpdesk' },
    channelData: { tenant: { id: 'tenant-1' } },
    ...extra,
  };
}

async function postTo(url: string, body: unknown, authorization?: string): Promise<{ status: number; body: unknown; raw: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(`${url}/api/messages`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const raw = await response.text();
  return { status: response.status, body: raw ? JSON.parse(raw) : undefined, raw };
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The bot as its own process with credentials (BOT_ID), checking tokens against a loopback
 * OpenID metadata + JWKS server. Its stdout and stderr are read whole, so a stack trace printed
 * by any library would show.
 */
describe('e2e: with credentials, every bad token is refused with 401 and one log line', function () {
  this.timeout(60_000);
  const openid = new OpenIdServer();
  const connector = new LoopbackConnector();
  const bot = new BotProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-auth-'));
  const token = (extra: { claims?: Json; key?: ReturnType<typeof makeSigningKey>; kid?: string; serviceUrl?: string } = {}): string =>
    `Bearer ${openid.channelToken({ appId: APP_ID, serviceUrl: extra.serviceUrl ?? connector.url, claims: extra.claims, key: extra.key, kid: extra.kid })}`;

  before(async () => {
    await openid.start();
    await connector.start();
    await bot.start({
      BOT_ID: APP_ID,
      BOT_PASSWORD: PASSWORD,
      BOT_OPENID_METADATA_URL: openid.metadataUrl,
      TRUSTED_SERVICE_URLS: connector.url,
      DATA_DIR: join(dataDir, 'data'),
      LOG_LEVEL: 'warn',
    });
  });
  after(async () => {
    await bot.stop();
    await connector.stop();
    await openid.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Posts `body`, then a sentinel request that logs its own line (a body that is no activity);
   * returns the response and the output lines the bot wrote before the sentinel's line.
   */
  async function refusedWithLog(body: unknown, authorization?: string): Promise<{ status: number; body: unknown; lines: string[] }> {
    const start = bot.log.length;
    const result = await postTo(bot.url, body, authorization);
    const sentinel = await postTo(bot.url, '[]');
    assert.equal(sentinel.status, 400);
    const output = await until('the sentinel log line', () => {
      const text = bot.log.slice(start);
      const lines = text.split('\n').filter((l) => l.trim());
      const at = lines.findIndex((l) => l.includes('body is not an activity with a type'));
      return at >= 0 ? lines.slice(0, at) : undefined;
    });
    return { status: result.status, body: result.body, lines: output };
  }

  function assertOneWarnLine(lines: string[], msg: RegExp, reason?: RegExp): Json {
    assert.equal(lines.length, 1, `expected exactly one log line, got:\n${lines.join('\n')}`);
    let entry: Json;
    try {
      entry = JSON.parse(lines[0]!) as Json;
    } catch {
      throw new Error(`not a log line: ${lines[0]}`);
    }
    assert.equal(entry.level, 40, 'a warning');
    assert.match(String(entry.msg), msg);
    if (reason) assert.match(String((entry.reason ?? entry.problem ?? '') as string), reason);
    assert.doesNotMatch(lines[0]!, /stack|\n\s+at |Error:/, 'no stack trace');
    return entry;
  }

  async function assertUnauthorized(body: unknown, authorization: string | undefined, reason: RegExp): Promise<void> {
    const result = await refusedWithLog(body, authorization);
    assert.equal(result.status, 401);
    assert.deepEqual(result.body, { error: 'unauthorized' });
    assertOneWarnLine(result.lines, /request refused: unauthorized/, reason);
  }

  it('when no Authorization header is sent, then 401 {"error":"unauthorized"} and one warning', async () => {
    await assertUnauthorized(activity(connector.url), undefined, /no Authorization header/);
  });

  it('when the header is not a Bearer JWT, then 401 and one warning', async () => {
    await assertUnauthorized(activity(connector.url), 'Basic dXNlcjpwYXNz', /not a Bearer JWT/);
  });

  it('when the token is signed with another key under the real key id (forged), then 401 and one warning', async () => {
    await assertUnauthorized(activity(connector.url), token({ key: makeSigningKey() }), /bad signature/);
  });

  it('when the token names a key id the channel does not publish, then 401 and one warning', async () => {
    const other = makeSigningKey();
    await assertUnauthorized(activity(connector.url), token({ key: other, kid: other.kid }), /unknown signing key/);
  });

  it('when the token expired an hour ago, then 401 and one warning (no stack from botbuilder)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await assertUnauthorized(activity(connector.url), token({ claims: { nbf: now - 7200, iat: now - 7200, exp: now - 3600 } }), /token expired/);
  });

  it('when the token is not valid until an hour from now (future nbf), then 401 and one warning', async () => {
    const now = Math.floor(Date.now() / 1000);
    await assertUnauthorized(activity(connector.url), token({ claims: { nbf: now + 3600, exp: now + 7200 } }), /not yet valid/);
  });

  it('when the token is for another bot (wrong audience), then 401 and one warning', async () => {
    await assertUnauthorized(activity(connector.url), token({ claims: { aud: '00000000-0000-0000-0000-000000000000' } }), /wrong audience/);
  });

  it('when the token comes from another issuer, then 401 and one warning', async () => {
    await assertUnauthorized(activity(connector.url), token({ claims: { iss: 'https://sts.windows.net/attacker/' } }), /wrong issuer/);
  });

  it("when the token's serviceurl claim is not the activity's serviceUrl, then 401 and one warning", async () => {
    await assertUnauthorized(activity(connector.url), token({ serviceUrl: 'https://smba.trafficmanager.net/emea/' }), /serviceurl claim/);
  });

  it('when the activity claims another channel than the key is endorsed for, then 401 and one warning', async () => {
    await assertUnauthorized(activity(connector.url, { channelId: 'webchat' }), token(), /not endorsed/);
  });

  it('when a valid token carries a serviceUrl that is not trusted, then 401, one warning, and nothing is sent anywhere', async () => {
    const stranger = new LoopbackConnector();
    await stranger.start();
    try {
      const result = await refusedWithLog(activity(stranger.url), token({ serviceUrl: stranger.url }));
      assert.equal(result.status, 401);
      assert.deepEqual(result.body, { error: 'unauthorized' });
      assertOneWarnLine(result.lines, /untrusted serviceUrl/);
      assert.equal(stranger.calls.length, 0, 'the bot sent nothing to the untrusted URL');
    } finally {
      await stranger.stop();
    }
  });

  it('when a valid token comes with a message that has no conversation, then 400 {"error":"bad request"} and one warning', async () => {
    const body = activity(connector.url);
    delete body.conversation;
    const result = await refusedWithLog(body, token());
    assert.equal(result.status, 400);
    assert.deepEqual(result.body, { error: 'bad request' });
    assertOneWarnLine(result.lines, /malformed activity/, /conversation/);
  });

  it('when a valid token comes with an invoke the bot does not handle, then 400 and one warning', async () => {
    const result = await refusedWithLog(activity(connector.url, { type: 'invoke', name: 'composeExtension/query', value: { commandId: 'x' } }), token());
    assert.equal(result.status, 400);
    assert.deepEqual(result.body, { error: 'unsupported invoke' });
    assertOneWarnLine(result.lines, /unsupported invoke/);
  });

  it('after all those refusals, the process is still up and ready', async () => {
    const ready = await fetch(`${bot.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
  });
});

describe('e2e: with credentials and the key endpoint unreachable, tokens are refused with 401, not 500', function () {
  this.timeout(60_000);
  const openid = new OpenIdServer();
  const connector = new LoopbackConnector();
  const bot = new BotProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-auth-'));

  before(async () => {
    await openid.start();
    await connector.start();
    const nobody = await freePort();
    await bot.start({
      BOT_ID: APP_ID,
      BOT_PASSWORD: PASSWORD,
      BOT_OPENID_METADATA_URL: `http://127.0.0.1:${nobody}/v1/.well-known/openidconfiguration`,
      TRUSTED_SERVICE_URLS: connector.url,
      DATA_DIR: join(dataDir, 'data'),
    });
  });
  after(async () => {
    await bot.stop();
    await connector.stop();
    await openid.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a well-formed token arrives and the keys cannot be read, then 401 {"error":"unauthorized"} and the log says why in one line', async () => {
    const start = bot.log.length;
    const result = await postTo(bot.url, activity(connector.url), `Bearer ${openid.channelToken({ appId: APP_ID, serviceUrl: connector.url })}`);
    assert.equal(result.status, 401);
    assert.deepEqual(result.body, { error: 'unauthorized' });
    const line = await until('the refusal log line', () =>
      bot.log
        .slice(start)
        .split('\n')
        .find((l) => l.includes('request refused')),
    );
    assert.match(line, /signing keys unavailable/);
    assert.doesNotMatch(bot.log.slice(start), /\n\s+at /, 'no stack trace');
  });
});

/** The bot in-process with credentials; outbound tokens come from LoopbackBotCredentials, so replies reach the loopback connector. */
describe('e2e: with credentials, a valid channel token is accepted and the bot answers', () => {
  const openid = new OpenIdServer();
  const h = new BotHarness();
  const credentials = new LoopbackBotCredentials(APP_ID, PASSWORD);

  before(async () => {
    await openid.start();
    await h.connector.start();
    await h.start({ BOT_ID: APP_ID, BOT_PASSWORD: PASSWORD, BOT_OPENID_METADATA_URL: openid.metadataUrl, TRUSTED_SERVICE_URLS: h.connector.url }, undefined, {
      botCredentials: credentials,
    });
    h.authorize = (a) => `Bearer ${openid.channelToken({ appId: APP_ID, serviceUrl: String(a.serviceUrl) })}`;
  });
  after(async () => {
    await h.stop();
    await openid.stop();
  });

  it('when a message comes with a valid token, then 200 and the help card reaches the trusted connector', async () => {
    const replies = await h.chat({ aadObjectId: 'auth-user-aad', name: 'Auth User' }).say('help');
    assert.match(cardsOf(replies).map(cardText).join('\n'), /What I can do/);
    assert.ok(credentials.created > 0, "the reply was sent with the bot's credentials");
    assert.ok(
      openid.requests.some((r) => r.endsWith('/keys')),
      'the keys were read from the OpenID server',
    );
  });

  it('when the same message comes without a token, then 401 and nothing is sent', async () => {
    const before = h.connector.calls.length;
    const result = await postTo(h.bot!.url, activity(h.connector.url));
    assert.equal(result.status, 401);
    assert.deepEqual(result.body, { error: 'unauthorized' });
    assert.equal(h.connector.calls.length, before);
  });
});

describe('e2e: malformed activities get a clean 400, a card action without data a friendly answer', () => {
  const h = new BotHarness();
  before(() => h.start());
  after(() => h.stop());

  const bad = async (body: unknown): Promise<void> => {
    const result = await postTo(h.bot!.url, body);
    assert.equal(result.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${result.raw}`);
    assert.deepEqual(result.body, { error: 'bad request' });
  };

  it('when the body is not a JSON object (malformed JSON, an array, a string, null), then 400 {"error":"bad request"}', async () => {
    for (const raw of ['{"type": "message", "text": ', '[]', '"hello"', 'null', '42']) await bad(raw);
  });

  it('when the activity has no type, then 400 (not 500)', async () => {
    const body = activity(h.connector.url);
    delete body.type;
    await bad(body);
    await bad({ ...activity(h.connector.url), type: 42 });
  });

  it('when a message lacks conversation.id, serviceUrl or from, then 400 and nothing is sent', async () => {
    const before = h.connector.calls.length;
    const noConversationId = activity(h.connector.url);
    noConversationId.conversation = { conversationType: 'personal' };
    const noServiceUrl = activity(h.connector.url);
    delete noServiceUrl.serviceUrl;
    const noFrom = activity(h.connector.url);
    delete noFrom.from;
    const fromWithoutId = activity(h.connector.url, { from: { name: 'x' } });
    for (const body of [noConversationId, noServiceUrl, noFrom, fromWithoutId]) await bad(body);
    assert.equal(h.connector.calls.length, before);
  });

  it('when an adaptiveCard/action invoke has no value, then 200 with a message Teams shows under the card', async () => {
    for (const value of [undefined, {}, { action: { type: 'Action.Execute' } }, { action: 'x' }]) {
      const result = await postTo(h.bot!.url, activity(h.connector.url, { type: 'invoke', name: 'adaptiveCard/action', value, text: undefined }));
      assert.equal(result.status, 200, result.raw);
      const body = result.body as Json;
      assert.equal(body.statusCode, 200);
      assert.equal(body.type, 'application/vnd.microsoft.activity.message');
      assert.match(String(body.value), /didn't send anything I can use/);
    }
  });

  it('when an invoke name is unknown, then 400 {"error":"unsupported invoke"}, never 5xx', async () => {
    for (const name of ['composeExtension/query', 'task/fetch', 'no/such/thing', '']) {
      const result = await postTo(h.bot!.url, activity(h.connector.url, { type: 'invoke', name, value: {}, text: undefined }));
      assert.ok(result.status === 400 || result.status === 200, `${name}: ${result.status} ${result.raw}`);
    }
    const result = await postTo(h.bot!.url, activity(h.connector.url, { type: 'invoke', name: 'task/fetch', value: {} }));
    assert.equal(result.status, 400);
    assert.deepEqual(result.body, { error: 'unsupported invoke' });
  });

  it('after the malformed activities, a normal message still gets the help card', async () => {
    const replies = await h.chat({ aadObjectId: 'auth-user-aad' }).say('help');
    assert.match(cardsOf(replies).map(cardText).join('\n'), /What I can do/);
  });
});

describe('e2e: /readyz says ready or not ready, never why', function () {
  this.timeout(90_000);
  const h = new BotHarness();
  let azurite: AzuriteHandle | undefined;
  before(async () => {
    azurite = await startAzurite();
    await h.start({ STORAGE_BACKEND: 'azure', AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString });
  });
  after(async () => {
    await h.stop();
    await azurite?.stop();
  });

  it('when the storage is up, then 200 {"status":"ready"} and nothing more', async () => {
    const response = await fetch(`${h.bot!.url}/readyz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready' });
  });

  it('when the storage goes away, then 503 {"status":"not ready"} with no endpoint or error text', async () => {
    const port = new URL(azurite!.tableEndpoint).port;
    await azurite!.stop();
    azurite = undefined;
    const response = await fetch(`${h.bot!.url}/readyz`);
    const text = await response.text();
    assert.equal(response.status, 503);
    assert.deepEqual(JSON.parse(text), { status: 'not ready' });
    assert.ok(!text.includes(port) && !text.includes('127.0.0.1'), text);
  });
});
