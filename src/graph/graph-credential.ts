/**
 * The Graph credential the configuration describes: an app registration's client secret or
 * certificate, or a managed identity; always against the configured authority host (the
 * cloud). Used by scripts/check-graph-permissions.ts, and equivalent to src/index.ts's own.
 */
import { ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Config } from '../config';

export function createGraphCredential(graph: NonNullable<Config['graph']>): TokenCredential {
  const c = graph.credential;
  const authority = { authorityHost: graph.authorityHost };
  switch (c.kind) {
    case 'client-secret':
      return new ClientSecretCredential(graph.tenantId!, c.clientId, c.secret, authority);
    case 'certificate':
      return new ClientCertificateCredential(graph.tenantId!, c.clientId, { certificatePath: c.certificatePath }, authority);
    case 'managed-identity':
      return c.clientId ? new ManagedIdentityCredential({ clientId: c.clientId, ...authority }) : new ManagedIdentityCredential(authority);
  }
}

/** Graph and login hosts of the national clouds, for "wrong cloud" hints. */
export const CLOUDS: ReadonlyArray<{ name: string; graph: readonly string[]; login: readonly string[] }> = [
  { name: 'global (public)', graph: ['graph.microsoft.com'], login: ['login.microsoftonline.com'] },
  { name: 'US Government (GCC High / DoD)', graph: ['graph.microsoft.us', 'dod-graph.microsoft.us'], login: ['login.microsoftonline.us'] },
  { name: 'China (21Vianet)', graph: ['microsoftgraph.chinacloudapi.cn'], login: ['login.chinacloudapi.cn', 'login.partner.microsoftonline.cn'] },
];

/** The cloud a Graph or login host belongs to, when it is a known one. */
export function cloudOf(host: string, kind: 'graph' | 'login'): string | undefined {
  const h = host.toLowerCase();
  return CLOUDS.find((c) => c[kind].includes(h))?.name;
}
