/**
 * Which Bot Connector service URLs the bot may call. With credentials set, every reply and
 * proactive send carries the bot's bearer token, so it must only ever go to Teams' own
 * connector hosts (or origins an operator trusts explicitly, e.g. a sovereign cloud or a test
 * connector on loopback). Without credentials (Agents Playground, tests) no token is sent and
 * any URL is accepted.
 */

/** Teams' Bot Connector hosts: public cloud, GCC, GCC High and DoD. */
const TEAMS_SERVICE_HOSTS: readonly RegExp[] = [
  /^smba\.trafficmanager\.net$/i,
  /^([a-z0-9-]+\.)*botframework\.com$/i,
  /^smba\.infra\.gcc\.teams\.microsoft\.com$/i,
  /^smba\.infra\.gov\.teams\.microsoft\.us$/i,
  /^smba\.infra\.dod\.teams\.microsoft\.us$/i,
];

/** The rule in force: built once from the config and injected where activities are sent. */
export interface ServiceUrlPolicy {
  /** True when a bearer token is sent, so the URL must be checked. */
  enforced: boolean;
  /** Extra trusted origins (`https://host[:port]`), normalised. */
  extraOrigins: readonly string[];
}

/** Builds the policy: enforced when the bot has credentials. */
export function createServiceUrlPolicy(options: { authenticated: boolean; trustedServiceUrls?: readonly string[] }): ServiceUrlPolicy {
  const extraOrigins = (options.trustedServiceUrls ?? []).map(originOf).filter((o): o is string => Boolean(o));
  return { enforced: options.authenticated, extraOrigins };
}

function originOf(value: string): string | undefined {
  try {
    return new URL(value).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/** True when the bot may send to `serviceUrl` under `policy`. */
export function isTrustedServiceUrl(serviceUrl: unknown, policy: ServiceUrlPolicy): boolean {
  if (typeof serviceUrl !== 'string' || serviceUrl.length === 0 || serviceUrl.length > 2048) return false;
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (!policy.enforced) return true;
  if (policy.extraOrigins.includes(url.origin.toLowerCase())) return true;
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  if (url.port && url.port !== '443') return false;
  return TEAMS_SERVICE_HOSTS.some((pattern) => pattern.test(url.hostname));
}

/** Thrown when a send would go to an untrusted service URL; never retried. */
export class UntrustedServiceUrlError extends Error {
  constructor(serviceUrl: unknown) {
    super(`refused to send to an untrusted Bot Connector service URL (${String(serviceUrl).slice(0, 120)})`);
    this.name = 'UntrustedServiceUrlError';
  }
}
