import { TeamsAdapter } from './teams-ai';
import { CallerIdConstants, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import { ReusedClientsAuthentication } from './reused-connector-clients';
import { AuthenticationConstants, type AuthenticateRequestResult, type ServiceClientCredentialsFactory } from 'botframework-connector';

/** What the adapter needs from the config. */
export interface AdapterSettings {
  appId?: string;
  password?: string;
  tenantId?: string;
  type: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMsi';
  /** Where the Bot Framework channel's signing keys are published (sovereign clouds; tests). */
  openIdMetadataUrl?: string;
}

/** The public-cloud OpenID metadata the Bot Framework channel signs its tokens with. */
export const DEFAULT_OPENID_METADATA_URL = AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl;
/** The `iss` of every token the Bot Framework channel sends to a bot. */
export const CHANNEL_TOKEN_ISSUER = AuthenticationConstants.ToBotFromChannelTokenIssuer;

/**
 * The Teams adapter with its two inbound steps exposed separately, so the HTTP edge can
 * authenticate first and answer refusals itself: `CloudAdapter.process` would print every
 * failure with `console.error` (a stack trace per forged request) and answer 500 for some.
 */
export class HelpdeskAdapter extends TeamsAdapter {
  constructor(...args: ConstructorParameters<typeof TeamsAdapter>) {
    super(...args);
    // CloudAdapter keeps its authentication in a read-only field its constructor sets: wrap it there, so
    // every turn and every proactive send reuses the outbound clients (see ReusedClientsAuthentication).
    Object.defineProperty(this, 'botFrameworkAuthentication', { value: new ReusedClientsAuthentication(this.botFrameworkAuthentication) });
  }

  /** Validates the channel's bearer token for `activity`; throws an AuthenticationError when it fails. */
  authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.botFrameworkAuthentication.authenticateRequest(activity, authHeader);
  }

  /** Runs one turn for an already authenticated activity and returns the invoke response, if any. */
  runAuthenticated(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity, logic);
  }
}

/**
 * Builds the adapter. All channel endpoints are passed explicitly (botbuilder only honours a
 * custom OpenID metadata URL when every parameter is set); they are the public-cloud values
 * except the metadata URL. `credentialsFactory` is a test seam for outbound tokens.
 */
export function createHelpdeskAdapter(settings: AdapterSettings, credentialsFactory?: ServiceClientCredentialsFactory): HelpdeskAdapter {
  return new HelpdeskAdapter(
    {
      MicrosoftAppId: settings.appId,
      MicrosoftAppPassword: settings.password,
      MicrosoftAppTenantId: settings.tenantId,
      MicrosoftAppType: settings.type,
      ValidateAuthority: true,
      ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
      ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
      ToBotFromChannelTokenIssuer: CHANNEL_TOKEN_ISSUER,
      OAuthUrl: AuthenticationConstants.OAuthUrl,
      ToBotFromChannelOpenIdMetadataUrl: settings.openIdMetadataUrl ?? DEFAULT_OPENID_METADATA_URL,
      ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
      CallerId: CallerIdConstants.PublicAzureChannel,
    },
    credentialsFactory,
  );
}
