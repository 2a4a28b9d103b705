import type { Activity } from 'botbuilder';
import {
  BotFrameworkAuthentication,
  ConnectorFactory,
  JwtTokenValidation,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';

/** Distinct clients kept: one per service URL and audience the bot talks to (a handful in practice); the oldest goes first. */
const MAX_CLIENTS = 64;

/** A bounded map of clients being made or made, keyed by what they were made for; a failed one is forgotten. */
class ClientCache<T> {
  private readonly clients = new Map<string, Promise<T>>();

  get(key: string, make: () => Promise<T>): Promise<T> {
    const known = this.clients.get(key);
    if (known) return known;
    const made = make();
    this.clients.set(key, made);
    made.catch(() => {
      if (this.clients.get(key) === made) this.clients.delete(key);
    });
    if (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
    return made;
  }
}

/** The bot's app id in a claims identity ('' without one, as in the Agents Playground). */
function appIdOf(identity: ClaimsIdentity | undefined): string {
  return (identity?.claims ? JwtTokenValidation.getAppIdFromClaims(identity.claims) : undefined) ?? '';
}

/**
 * botbuilder's authentication with its outbound clients reused. CloudAdapter asks for a new
 * ConnectorClient and a new UserTokenClient on every turn and every proactive send, and each
 * builds its HTTP pipeline afresh (a few percent of a turn's CPU under load). The clients hold
 * nothing of a conversation: only the bot's credentials (which renew their own tokens) and the
 * service URL, so one per app id, service URL and audience serves every turn. Everything else
 * is the wrapped authentication's.
 */
export class ReusedClientsAuthentication extends BotFrameworkAuthentication {
  private readonly connectors = new ClientCache<ConnectorClient>();
  private readonly userTokens = new ClientCache<UserTokenClient>();

  constructor(private readonly inner: BotFrameworkAuthentication) {
    super();
  }

  async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.reusing(await this.inner.authenticateRequest(activity, authHeader));
  }

  async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.reusing(await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader));
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusedFactory(this.inner.createConnectorFactory(claimsIdentity), appIdOf(claimsIdentity));
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.userTokens.get(appIdOf(claimsIdentity), () => this.inner.createUserTokenClient(claimsIdentity));
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }

  private reusing(result: AuthenticateRequestResult): AuthenticateRequestResult {
    return result.connectorFactory ? { ...result, connectorFactory: this.reusedFactory(result.connectorFactory, appIdOf(result.claimsIdentity)) } : result;
  }

  private reusedFactory(factory: ConnectorFactory, appId: string): ConnectorFactory {
    return new ReusedConnectorFactory(factory, appId, this.connectors);
  }
}

/** A turn's connector factory that hands out the client already made for the same app id, service URL and audience. */
class ReusedConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly factory: ConnectorFactory,
    private readonly appId: string,
    private readonly clients: ClientCache<ConnectorClient>,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return this.clients.get(JSON.stringify([this.appId, serviceUrl, audience ?? '']), () => this.factory.create(serviceUrl, audience));
  }
}
