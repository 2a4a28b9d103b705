import { createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * Checks a Bot Framework channel token before botbuilder sees it. botbuilder's own validation
 * stays the authority (it runs afterwards), but it prints a stack trace with `console.error` for
 * an expired, not-yet-valid or badly signed token and answers 500 when the key endpoint is down.
 * Doing the same checks here first means every refusal becomes one log line and a 401.
 */

/** Why a request was refused; the reason goes to the log only, never to the caller. */
export class InboundAuthError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InboundAuthError';
  }
}

/** Signing algorithms the Bot Framework allows (AuthenticationConstants.AllowedSigningAlgorithms). */
const HASH_FOR_ALG: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };
/** botbuilder's clock tolerance for `exp` and `nbf`. */
const CLOCK_TOLERANCE_S = 5 * 60;
/** Real channel tokens are about 1.5 KB; anything far larger is not one. */
const MAX_TOKEN_LENGTH = 16_384;

interface SigningKey {
  key: KeyObject;
  endorsements?: string[];
}

/**
 * The channel's signing keys, read from its OpenID metadata and kept for a day (as botbuilder
 * does). An unknown key id triggers at most one refresh per `minRefreshMs`, and after a failed
 * read the next try waits `retryAfterFailureMs`, so neither forged key ids nor a key endpoint
 * outage make every request hit the key endpoint.
 */
export class OpenIdKeySet {
  private keys = new Map<string, SigningKey>();
  private loadedAt?: number;
  private lastAttempt = 0;
  private lastFailed = false;
  private failure?: string;
  private pending?: Promise<void>;

  constructor(
    private readonly metadataUrl: string,
    private readonly options: { timeoutMs?: number; maxAgeMs?: number; minRefreshMs?: number; retryAfterFailureMs?: number; now?: () => number } = {},
  ) {}

  /** The key with id `kid`; throws an InboundAuthError when the keys cannot be read or the id is unknown. */
  async get(kid: string): Promise<SigningKey> {
    const now = this.now();
    const sinceAttempt = now - this.lastAttempt;
    const backoff = this.lastFailed ? (this.options.retryAfterFailureMs ?? 30_000) : 0;
    const stale = (this.loadedAt === undefined || now - this.loadedAt > (this.options.maxAgeMs ?? 24 * 3600_000)) && sinceAttempt >= backoff;
    const unknown = !this.keys.has(kid) && sinceAttempt >= Math.max(backoff, this.options.minRefreshMs ?? 5 * 60_000);
    if (stale || unknown) {
      try {
        await this.refresh();
      } catch (error) {
        this.failure = (error as Error).message;
      }
    }
    const key = this.keys.get(kid);
    // Keys already loaded keep serving through an outage (as botbuilder does); with none, nothing can be verified.
    if (!key && this.keys.size === 0) throw new InboundAuthError(`signing keys unavailable: ${this.failure ?? 'not loaded'}`);
    if (!key) throw new InboundAuthError('unknown signing key');
    return key;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private refresh(): Promise<void> {
    this.pending ??= this.load().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async load(): Promise<void> {
    this.lastAttempt = this.now();
    this.lastFailed = true;
    const timeout = this.options.timeoutMs ?? 5000;
    const metadata = (await fetchJson(this.metadataUrl, timeout)) as { jwks_uri?: unknown };
    if (typeof metadata?.jwks_uri !== 'string') throw new Error('OpenID metadata has no jwks_uri');
    const jwks = (await fetchJson(metadata.jwks_uri, timeout)) as { keys?: unknown };
    if (!Array.isArray(jwks?.keys)) throw new Error('key set has no keys');
    const keys = new Map<string, SigningKey>();
    for (const jwk of jwks.keys as Array<JsonWebKey & { kid?: unknown; endorsements?: unknown }>) {
      if (typeof jwk?.kid !== 'string' || jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') continue;
      try {
        const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
        const endorsements = Array.isArray(jwk.endorsements) ? jwk.endorsements.filter((e): e is string => typeof e === 'string') : undefined;
        keys.set(jwk.kid, { key, endorsements });
      } catch {
        /* a malformed key is skipped, like botbuilder does */
      }
    }
    this.keys = keys;
    this.loadedAt = this.now();
    this.lastFailed = false;
    this.failure = undefined;
  }
}

async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    throw new Error(`${new URL(url).host} unreachable (${(error as Error).name})`);
  }
  if (!response.ok) throw new Error(`${new URL(url).host} answered ${response.status}`);
  return response.json();
}

function decodePart(part: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}

/** What the token must say. */
export interface ChannelTokenExpectations {
  issuer: string;
  appId: string;
}

/**
 * Verifies `Authorization: Bearer <jwt>` for an activity the way botbuilder's channel
 * validation does: allowed algorithm, known key, signature, issuer, audience (the bot's app id),
 * `exp`/`nbf` within 5 minutes' tolerance, the key's endorsements include the activity's
 * channel, and the `serviceurl` claim equals the activity's serviceUrl.
 */
export async function checkChannelToken(
  authHeader: string | undefined,
  activity: { channelId?: unknown; serviceUrl?: unknown },
  keys: OpenIdKeySet,
  expected: ChannelTokenExpectations,
  nowMs = Date.now(),
): Promise<void> {
  if (!authHeader) throw new InboundAuthError('no Authorization header');
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authHeader);
  if (!match || authHeader.length > MAX_TOKEN_LENGTH) throw new InboundAuthError('Authorization is not a Bearer JWT');
  const [, headerPart, payloadPart, signaturePart] = match as unknown as [string, string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodePart(headerPart);
    claims = decodePart(payloadPart);
  } catch {
    throw new InboundAuthError('token is not valid JSON');
  }
  const hash = typeof header.alg === 'string' ? HASH_FOR_ALG[header.alg] : undefined;
  if (!hash) throw new InboundAuthError(`signing algorithm not allowed (${String(header.alg).slice(0, 16)})`);
  if (claims.iss !== expected.issuer) throw new InboundAuthError('wrong issuer');
  if (typeof header.kid !== 'string' || header.kid.length > 256) throw new InboundAuthError('token has no key id');
  const key = await keys.get(header.kid);
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  if (!verifySignature(hash, signed, key.key, Buffer.from(signaturePart, 'base64url'))) throw new InboundAuthError('bad signature');

  const now = nowMs / 1000;
  if (typeof claims.exp !== 'number') throw new InboundAuthError('token has no expiry');
  if (now > claims.exp + CLOCK_TOLERANCE_S) throw new InboundAuthError('token expired');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now < claims.nbf - CLOCK_TOLERANCE_S)) throw new InboundAuthError('token not yet valid');
  if (claims.aud !== expected.appId) throw new InboundAuthError('wrong audience');

  const channelId = activity.channelId;
  if (typeof channelId !== 'string' || channelId.trim() === '') throw new InboundAuthError('activity has no channelId');
  if (key.endorsements && key.endorsements.length > 0 && !key.endorsements.includes(channelId))
    throw new InboundAuthError(`signing key not endorsed for channel ${channelId.slice(0, 32)}`);
  if (typeof activity.serviceUrl !== 'string' || claims.serviceurl !== activity.serviceUrl) throw new InboundAuthError('serviceurl claim does not match the activity');
}
