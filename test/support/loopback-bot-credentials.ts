import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import type { ServiceClientCredentials } from 'botframework-connector';

/** The bearer token the bot sends to the loopback connector when it runs with credentials. */
export const LOOPBACK_BOT_TOKEN = 'loopback-bot-connector-token';

/**
 * The bot's outbound Bot Connector credentials for tests with BOT_ID set: the real factory
 * (app id checks, "authentication enabled") except that the token is a fixed string instead of
 * one fetched from login.microsoftonline.com, so nothing leaves 127.0.0.1.
 */
export class LoopbackBotCredentials extends ConfigurationServiceClientCredentialFactory {
  /** How many outbound credentials were made (one per connector client). */
  created = 0;

  constructor(appId: string, password: string) {
    super({ MicrosoftAppId: appId, MicrosoftAppPassword: password, MicrosoftAppType: 'MultiTenant' });
  }

  override async createCredentials(appId: string): Promise<ServiceClientCredentials> {
    if (!(await this.isValidAppId(appId))) throw new Error('Invalid appId.');
    this.created += 1;
    return {
      signRequest: async (webResource) => {
        webResource.headers.set('Authorization', `Bearer ${LOOPBACK_BOT_TOKEN}`);
        return webResource;
      },
    };
  }
}
