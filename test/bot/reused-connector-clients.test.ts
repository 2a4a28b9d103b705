import assert from 'node:assert/strict';
import { ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { ClaimsIdentity, ConnectorFactory, type ConnectorClient } from 'botframework-connector';
import { ReusedClientsAuthentication } from '../../src/bot/reused-connector-clients';

const anonymous = new ClaimsIdentity([], true);
/** Where a client sends (a protected field of the client). */
const baseUriOf = (client: ConnectorClient): string => (client as unknown as { baseUri: string }).baseUri;
const activity = { type: 'message', channelId: 'msteams', serviceUrl: 'http://127.0.0.1:1/', conversation: { id: 'a:1' } } as never;

/** botbuilder's own authentication without credentials (the Agents Playground's mode), counting the connector clients it makes. */
class CountingAuthentication extends ConfigurationBotFrameworkAuthentication {
  made = 0;
  failNext = false;
  constructor() {
    super({} as ConfigurationBotFrameworkAuthenticationOptions);
  }
  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const real = super.createConnectorFactory(claimsIdentity);
    const make = (serviceUrl: string, audience?: string): Promise<ConnectorClient> => {
      this.made += 1;
      if (this.failNext) {
        this.failNext = false;
        return Promise.reject(new Error('credentials unavailable'));
      }
      return real.create(serviceUrl, audience);
    };
    return new (class extends ConnectorFactory {
      create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        return make(serviceUrl, audience);
      }
    })();
  }
}

describe('ReusedClientsAuthentication: outbound clients made once, not per turn', () => {
  it('when turns and proactive sends go to the same service URL, then they share one ConnectorClient', async () => {
    const inner = new CountingAuthentication();
    const auth = new ReusedClientsAuthentication(inner);
    const first = await auth.createConnectorFactory(anonymous).create('https://smba.trafficmanager.net/emea/');
    const second = await auth.createConnectorFactory(anonymous).create('https://smba.trafficmanager.net/emea/');
    assert.equal(second, first);
    assert.equal(inner.made, 1);
    assert.equal(baseUriOf(first), 'https://smba.trafficmanager.net/emea/');
  });

  it('when the service URL or the audience differs, then each gets its own client, sending to its own URL', async () => {
    const inner = new CountingAuthentication();
    const auth = new ReusedClientsAuthentication(inner);
    const emea = await auth.createConnectorFactory(anonymous).create('https://smba.trafficmanager.net/emea/');
    const amer = await auth.createConnectorFactory(anonymous).create('https://smba.trafficmanager.net/amer/');
    const otherAudience = await auth.createConnectorFactory(anonymous).create('https://smba.trafficmanager.net/emea/', 'https://api.botframework.us');
    assert.notEqual(amer, emea);
    assert.notEqual(otherAudience, emea);
    assert.equal(baseUriOf(amer), 'https://smba.trafficmanager.net/amer/');
    assert.equal(inner.made, 3);
  });

  it('when an inbound request is authenticated, then the connector factory of its result reuses the same clients', async () => {
    const inner = new CountingAuthentication();
    const auth = new ReusedClientsAuthentication(inner);
    const a = await auth.authenticateRequest(activity, '');
    const b = await auth.authenticateRequest(activity, '');
    assert.ok(a.connectorFactory && b.connectorFactory);
    const clientA = await a.connectorFactory.create('http://127.0.0.1:1/', a.audience);
    const clientB = await b.connectorFactory.create('http://127.0.0.1:1/', b.audience);
    assert.equal(clientB, clientA);
    const direct = await inner.authenticateRequest(activity, '');
    assert.deepEqual(
      [a.audience, a.callerId, a.claimsIdentity.claims],
      [direct.audience, direct.callerId, direct.claimsIdentity.claims],
      'the rest of the result is the wrapped authentication’s',
    );
  });

  it('when making a client fails, then the failure is not kept: the next turn tries again', async () => {
    const inner = new CountingAuthentication();
    const auth = new ReusedClientsAuthentication(inner);
    inner.failNext = true;
    await assert.rejects(auth.createConnectorFactory(anonymous).create('https://smba.trafficmanager.net/emea/'), /credentials unavailable/);
    const client = await auth.createConnectorFactory(anonymous).create('https://smba.trafficmanager.net/emea/');
    assert.equal(baseUriOf(client), 'https://smba.trafficmanager.net/emea/');
    assert.equal(inner.made, 2);
  });

  it('when turns name more service URLs than it keeps, then the oldest client is let go and made again if needed', async () => {
    const inner = new CountingAuthentication();
    const auth = new ReusedClientsAuthentication(inner);
    const url = (i: number): string => `https://smba.trafficmanager.net/region-${i}/`;
    for (let i = 0; i <= 64; i++) await auth.createConnectorFactory(anonymous).create(url(i));
    assert.equal(inner.made, 65);
    await auth.createConnectorFactory(anonymous).create(url(64));
    assert.equal(inner.made, 65, 'the newest is still kept');
    await auth.createConnectorFactory(anonymous).create(url(0));
    assert.equal(inner.made, 66, 'the oldest was let go');
  });

  it('when user token clients are asked for on every turn, then one is made per app id', async () => {
    const auth = new ReusedClientsAuthentication(new CountingAuthentication());
    const first = await auth.createUserTokenClient(anonymous);
    assert.equal(await auth.createUserTokenClient(anonymous), first);
  });
});
