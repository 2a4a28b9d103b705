import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { checkChannelToken, InboundAuthError, OpenIdKeySet } from '../../src/bot/channel-token-check';
import { CHANNEL_ISSUER, OpenIdServer } from '../support/openid-server';

const APP_ID = 'app-under-test';

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof InboundAuthError, String(error));
    return error.reason;
  }
  throw new Error('expected a refusal');
}

describe('channel token check and the OpenID key set', () => {
  const openid = new OpenIdServer();
  before(() => openid.start());
  after(() => openid.stop());

  const activity = { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/' };

  it('when a token is signed by the published key for this bot and activity, then it passes', async () => {
    const keys = new OpenIdKeySet(openid.metadataUrl);
    await checkChannelToken(`Bearer ${openid.channelToken({ appId: APP_ID, serviceUrl: activity.serviceUrl })}`, activity, keys, { issuer: CHANNEL_ISSUER, appId: APP_ID });
  });

  it('when exp and nbf are just inside the 5-minute clock tolerance, then the token passes; just outside, it is refused', async () => {
    const keys = new OpenIdKeySet(openid.metadataUrl);
    const now = Math.floor(Date.now() / 1000);
    const expect = { issuer: CHANNEL_ISSUER, appId: APP_ID };
    const token = (claims: Record<string, unknown>): string => `Bearer ${openid.channelToken({ appId: APP_ID, serviceUrl: activity.serviceUrl, claims })}`;
    await checkChannelToken(token({ exp: now - 240 }), activity, keys, expect, now * 1000);
    await checkChannelToken(token({ nbf: now + 240 }), activity, keys, expect, now * 1000);
    assert.equal(await refusal(checkChannelToken(token({ exp: now - 360 }), activity, keys, expect, now * 1000)), 'token expired');
    assert.equal(await refusal(checkChannelToken(token({ nbf: now + 360 }), activity, keys, expect, now * 1000)), 'token not yet valid');
    assert.equal(await refusal(checkChannelToken(token({ exp: undefined }), activity, keys, expect, now * 1000)), 'token has no expiry');
  });

  it('when the signing algorithm is not RS256/384/512 (e.g. none or HS256), then the token is refused before any key is read', async () => {
    const keys = new OpenIdKeySet(openid.metadataUrl);
    const before = openid.requests.length;
    const body = Buffer.from(JSON.stringify({ iss: CHANNEL_ISSUER, aud: APP_ID, exp: Date.now() / 1000 + 60 })).toString('base64url');
    for (const alg of ['none', 'HS256']) {
      const head = Buffer.from(JSON.stringify({ alg, kid: openid.key.kid })).toString('base64url');
      assert.match(await refusal(checkChannelToken(`Bearer ${head}.${body}.c2ln`, activity, keys, { issuer: CHANNEL_ISSUER, appId: APP_ID })), /algorithm not allowed/);
    }
    assert.equal(openid.requests.length, before);
  });

  it('when tokens name unknown key ids over and over, then the keys are re-read at most once per refresh interval', async () => {
    let now = 1_000_000;
    const keys = new OpenIdKeySet(openid.metadataUrl, { now: () => now });
    const before = openid.requests.length;
    await keys.get(openid.key.kid);
    assert.equal(openid.requests.length - before, 2, 'metadata and keys read once');
    for (let i = 0; i < 20; i++) assert.equal(await refusal(keys.get(`forged-kid-${i}`)), 'unknown signing key');
    assert.equal(openid.requests.length - before, 2, 'no re-read within the interval');
    now += 5 * 60_000 + 1;
    await refusal(keys.get('still-unknown'));
    assert.equal(openid.requests.length - before, 4, 'one re-read after the interval');
  });

  it('when the key endpoint is down, then requests are refused and it is retried at most every 30 s, not on every request', async () => {
    // A key endpoint that accepts connections and drops them at once, counting every attempt.
    let connections = 0;
    const broken = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      let now = 1_000_000;
      const keys = new OpenIdKeySet(`http://127.0.0.1:${(broken.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`, { now: () => now });
      assert.match(await refusal(keys.get('any')), /signing keys unavailable: 127\.0\.0\.1:\d+ unreachable/);
      const afterFirst = connections;
      assert.ok(afterFirst >= 1);
      for (let i = 0; i < 10; i++) assert.match(await refusal(keys.get('any')), /signing keys unavailable/);
      assert.equal(connections, afterFirst, 'no new attempt within the back-off');
      now += 30_001;
      await refusal(keys.get('any'));
      assert.ok(connections > afterFirst, 'retried after the back-off');
    } finally {
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });
});
