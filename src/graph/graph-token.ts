/**
 * The bearer token for Graph: one request to the credential at a time, reused until 5 minutes
 * before it expires, and dropped on demand (a 401 may mean it was revoked). Never logged.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { GraphLookupError, credentialFailure } from './graph-failures';
import { raceAbort, timeoutFailure, type GraphLogger, type RequestContext } from './graph-request';

const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Where tokens come from, and what to name when getting one fails. */
export interface GraphTokenOptions {
  credential: TokenCredential;
  scope: string;
  /** Named in the admin detail when the credential fails. */
  baseUrl: string;
  clock: () => Date;
  logger?: GraphLogger;
}

/** The token cache of one GraphHttp (one credential and scope). */
export class GraphToken {
  private token?: CachedToken;
  private tokenRequest?: Promise<CachedToken>;

  constructor(private readonly options: GraphTokenOptions) {}

  /** A token from the credential, reused until 5 minutes before it expires. */
  async get(ctx: RequestContext): Promise<string> {
    const now = this.options.clock().getTime();
    if (this.token && this.token.expiresAt - TOKEN_REFRESH_MARGIN_MS > now) return this.token.value;
    if (!this.tokenRequest) {
      this.tokenRequest = this.request().finally(() => {
        this.tokenRequest = undefined;
      });
    }
    const token = await raceAbort(this.tokenRequest, ctx.signal).catch((error: unknown) => {
      if (ctx.signal.aborted) throw new GraphLookupError(timeoutFailure(ctx));
      throw error;
    });
    return token.value;
  }

  /** Forgets the cached token, so the next request asks the credential again. */
  forget(): void {
    this.token = undefined;
  }

  private async request(): Promise<CachedToken> {
    const { credential, scope, baseUrl, clock, logger } = this.options;
    let token: AccessToken | null;
    try {
      token = await credential.getToken(scope);
    } catch (error) {
      throw new GraphLookupError(credentialFailure(error, baseUrl, scope));
    }
    if (!token?.token) {
      throw new GraphLookupError({
        kind: 'misconfigured',
        message: "the help desk bot isn't set up to read the directory yet.",
        adminDetail: `The credential returned no access token for scope ${scope}.`,
      });
    }
    this.token = { value: token.token, expiresAt: token.expiresOnTimestamp };
    logger?.info({ scope, expiresInS: Math.round((token.expiresOnTimestamp - clock().getTime()) / 1000) }, 'Graph token acquired');
    return this.token;
  }
}
