import { generateKeyPairSync, randomUUID, sign as signData, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The issuer of every Bot Framework channel token. */
export const CHANNEL_ISSUER = 'https://api.botframework.com';

/** An RSA signing key with its key id, as the channel publishes them. */
export interface TestSigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh RSA-2048 key (node:crypto). */
export function makeSigningKey(kid = `test-${randomUUID()}`): TestSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs `claims` as an RS256 JWT with `key` (the header names `kid`, which may be overridden to forge). */
export function signJwt(claims: Record<string, unknown>, key: TestSigningKey, header: Record<string, unknown> = {}): string {
  const head = b64({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header });
  const body = b64(claims);
  const signature = signData('sha256', Buffer.from(`${head}.${body}`), key.privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}

/**
 * The Bot Framework channel's OpenID metadata and JWKS on 127.0.0.1: what the bot reads to check
 * the tokens Teams sends. The key carries `endorsements: ['msteams']` as the real keys do.
 */
export class OpenIdServer {
  readonly key = makeSigningKey();
  /** Requests served, by path. */
  readonly requests: string[] = [];
  private server?: Server;
  url = '';

  get metadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests.push(req.url ?? '');
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/v1/.well-known/openidconfiguration') {
        send(200, {
          issuer: CHANNEL_ISSUER,
          authorization_endpoint: `${this.url}/v1/auth`,
          jwks_uri: `${this.url}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        });
      } else if (req.url === '/v1/.well-known/keys') {
        const jwk = this.key.publicKey.export({ format: 'jwk' });
        send(200, { keys: [{ kty: 'RSA', use: 'sig', kid: this.key.kid, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] });
      } else {
        send(404, { error: 'not found' });
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /**
   * A channel token as Teams sends it for an activity: issuer api.botframework.com, audience the
   * bot's app id, the activity's serviceUrl, valid for an hour. `claims` overrides any of them;
   * `key` signs with another key (a forgery) under this server's key id unless `kid` is given.
   */
  channelToken(options: { appId: string; serviceUrl: string; claims?: Record<string, unknown>; key?: TestSigningKey; kid?: string }): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: CHANNEL_ISSUER, aud: options.appId, serviceurl: options.serviceUrl, nbf: now - 60, exp: now + 3600, iat: now - 60, ...options.claims };
    return signJwt(claims, options.key ?? this.key, { kid: options.kid ?? this.key.kid });
  }
}
