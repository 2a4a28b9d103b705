/**
 * How a Graph problem is named: plain words for the employee and an admin detail that says
 * which permission, licence or cloud setting to fix. Nothing token-shaped gets through.
 */
import type { LookupFailure } from '../domain/directory';
import { NETWORK_ERROR_STATUS, type GraphResponse } from './graph-request';

/** A lookup stopped for a reason the employee and the admin should hear about. */
export class GraphLookupError extends Error {
  override readonly name = 'GraphLookupError';
  constructor(readonly failure: LookupFailure) {
    super(failure.adminDetail ?? failure.message);
  }
}

/** Removes anything token-shaped from text that may reach logs or tickets. */
export function redact(text: string): string {
  return text
    .replace(/eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, '[redacted]')
    .replace(/bearer\s+\S+/gi, 'Bearer [redacted]')
    .slice(0, 400);
}

/** Graph's `{ error: { code, message } }`, or empty strings. */
export function graphError(body: unknown): { code: string; message: string } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return {
    code: typeof error?.code === 'string' ? error.code : '',
    message: typeof error?.message === 'string' ? redact(error.message) : '',
  };
}

/** How the credential's authority and Graph must match, for admin details. */
export const CLOUD_HINT =
  "the credential's authority host and Microsoft Graph must be in the same cloud (e.g. login.microsoftonline.com with graph.microsoft.com, login.microsoftonline.us with graph.microsoft.us, login.chinacloudapi.cn with microsoftgraph.chinacloudapi.cn)";

const SETUP_PROBLEM = "the help desk bot couldn't sign in to the directory (it's a setup problem on our side).";

/** Maps a credential error to 'misconfigured', saying when the authority or cloud looks wrong. */
export function credentialFailure(error: unknown, baseUrl: string, scope: string): LookupFailure {
  const name = (error as { name?: string })?.name ?? 'Error';
  const text = redact(String((error as { message?: unknown })?.message ?? error)).split('\n')[0] ?? '';
  const wrongAuthority = /AADSTS(90002|900023|90072|700016|50049|500011|900382)\b|authority|instance|cloud|tenant .*not found|invalid_instance/i.test(text);
  const detail = wrongAuthority
    ? `Getting a token for ${scope} failed (${name}: ${text}). This looks like a wrong authority or a sovereign cloud mismatch: check the tenant id and that ${CLOUD_HINT}; Graph base URL is ${baseUrl}.`
    : name === 'CredentialUnavailableError'
      ? `No usable credential for ${scope} (${name}: ${text}). Configure the app registration's client id and secret or certificate, or a managed identity.`
      : `Getting a token for ${scope} failed (${name}: ${text}). Check the app registration's client id, secret or certificate, and tenant id.`;
  return { kind: 'misconfigured', message: SETUP_PROBLEM, adminDetail: detail };
}

/** Scope and Graph base URL on different hosts means tokens Graph will refuse. */
export function scopeMismatch(baseUrl: string, scope: string): LookupFailure | undefined {
  let graphHost: string;
  let scopeHost: string;
  try {
    graphHost = new URL(baseUrl).host;
    scopeHost = new URL(scope).host;
  } catch {
    return undefined; // e.g. a bare resource id: let Graph decide
  }
  if (graphHost === scopeHost) return undefined;
  return {
    kind: 'misconfigured',
    message: SETUP_PROBLEM,
    adminDetail: `Token scope ${scope} is for ${scopeHost} but Graph requests go to ${graphHost}: a sovereign cloud mismatch; ${CLOUD_HINT}.`,
  };
}

/** What a lookup was reading when Graph said no. */
export type DirectoryArea = 'user' | 'devices' | 'signIns';

/** Where the directory's requests go, for the admin detail. */
export interface DirectorySetup {
  baseUrl: string;
  scope: string;
  timeBudgetMs: number;
}

/** Maps a failed Graph response to plain words and an admin detail naming the permission. */
export function directoryFailure(area: DirectoryArea, response: GraphResponse, setup: DirectorySetup): LookupFailure {
  const { code, message } = graphError(response.body);
  const what = area === 'signIns' ? '/auditLogs/signIns' : area === 'devices' ? "the user's devices" : 'the user and licences';
  const graphSaid = `Graph ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  const status = response.status;
  if (status === 403 || (status === 400 && /premium|B2C/i.test(`${code} ${message}`))) {
    if (area === 'signIns' && /NonPremium|premium|B2C/i.test(`${code} ${message}`)) {
      return {
        kind: 'licence-required',
        message: "your organisation's Microsoft Entra plan doesn't include sign-in logs, so I can't read them.",
        adminDetail: `${graphSaid} on ${what}. Reading sign-in logs through Graph needs a Microsoft Entra ID P1 or P2 licence in the tenant.`,
      };
    }
    const permission =
      area === 'signIns'
        ? 'AuditLog.Read.All (application permission, with admin consent; Directory.Read.All is also needed to read sign-ins)'
        : area === 'devices'
          ? 'Directory.Read.All (application permission, with admin consent)'
          : 'Directory.Read.All or User.Read.All (application permission, with admin consent)';
    return {
      kind: 'permission-missing',
      message: "the help desk bot hasn't been given permission to read that part of the directory yet.",
      adminDetail: `${graphSaid} reading ${what}. Grant the bot's app registration ${permission}.`,
    };
  }
  if (status === 401) {
    const audience = /audience|aud\b/i.test(message);
    return {
      kind: 'misconfigured',
      message: SETUP_PROBLEM,
      adminDetail: audience
        ? `${graphSaid}. The token's audience doesn't match ${setup.baseUrl}: the scope (${setup.scope}) and the Graph base URL look like different clouds; ${CLOUD_HINT}.`
        : `${graphSaid}. Graph rejected the bot's token for ${setup.baseUrl}; check the tenant, the app registration and that ${CLOUD_HINT}.`,
    };
  }
  if (status === 429) {
    return {
      kind: 'throttled',
      message: 'the sign-in log service is busy right now.',
      adminDetail: `${graphSaid} reading ${what}; still throttled after retrying within the ${setup.timeBudgetMs} ms budget.`,
    };
  }
  if (status === NETWORK_ERROR_STATUS) {
    return { kind: 'unavailable', message: 'the directory could not be reached.', adminDetail: `No response from ${setup.baseUrl} reading ${what} (${message || 'network error'}).` };
  }
  return {
    kind: 'unavailable',
    message: "the directory isn't answering right now.",
    adminDetail: `${graphSaid} reading ${what}${status >= 500 ? `; still failing after retrying within the ${setup.timeBudgetMs} ms budget` : ''}.`,
  };
}
