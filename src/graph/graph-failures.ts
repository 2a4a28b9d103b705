/**
 * How a Graph problem is named: plain words for the employee and an admin detail that says
 * which permission, licence or cloud setting to fix. Nothing token-shaped gets through.
 */
import type { EvidenceGap, EvidenceGapPart, LookupFailure } from '../domain/directory';
import { GRAPH_PERMISSIONS, permissionList, permissionPhrase, type GraphRead } from './graph-permissions';
import { NETWORK_ERROR_STATUS, NOT_GRAPH_CODE, type GraphResponse } from './graph-request';

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
export type DirectoryArea = 'user' | 'licences' | 'devices' | 'signIns' | 'policies' | 'domains';

const AREA_READ: Record<DirectoryArea, GraphRead> = {
  user: 'user',
  licences: 'licences',
  devices: 'devices',
  signIns: 'signIns',
  policies: 'policyDetails',
  domains: 'domains',
};

const AREA_WHAT: Record<DirectoryArea, string> = {
  user: 'the user',
  licences: "the user's licences",
  devices: "the user's devices",
  signIns: '/auditLogs/signIns',
  policies: 'Conditional Access policy details',
  domains: 'the domains',
};

/** The permission an area needs, as an admin reads it ("Grant … (application permission, with admin consent)"). */
function permissionFor(area: DirectoryArea): string {
  const need = GRAPH_PERMISSIONS[AREA_READ[area]];
  const phrase = permissionPhrase(need);
  return area === 'signIns'
    ? `${phrase} (application permissions, with admin consent; Microsoft documents both for sign-in logs)`
    : `${phrase} (application permission, with admin consent)`;
}

/** Where the directory's requests go, for the admin detail. */
export interface DirectorySetup {
  baseUrl: string;
  scope: string;
  timeBudgetMs: number;
}

/** Maps a failed Graph response to plain words and an admin detail naming the permission. */
export function directoryFailure(area: DirectoryArea, response: GraphResponse, setup: DirectorySetup): LookupFailure {
  const { code, message } = graphError(response.body);
  const what = AREA_WHAT[area];
  const graphSaid = `Graph ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
  const status = response.status;
  if (code === NOT_GRAPH_CODE) {
    return {
      kind: 'unavailable',
      message: "the directory's answer couldn't be trusted (something on the network answered in its place), so I'm not using it.",
      adminDetail: `Reading ${what}, the answer was not Microsoft Graph's (${message}). A proxy, firewall or captive portal may be answering for ${setup.baseUrl}: let the bot reach it directly, without TLS inspection or an HTML block page.`,
    };
  }
  if (status === 403 || (status === 400 && /premium|B2C/i.test(`${code} ${message}`))) {
    if (area === 'signIns' && /NonPremium|premium|B2C/i.test(`${code} ${message}`)) {
      return {
        kind: 'licence-required',
        message: "your organisation's Microsoft Entra plan doesn't include sign-in logs, so I can't read them.",
        adminDetail: `${graphSaid} on ${what}. Reading sign-in logs through Graph needs a Microsoft Entra ID P1 or P2 licence in the tenant.`,
      };
    }
    return {
      kind: 'permission-missing',
      message: "the help desk bot hasn't been given permission to read that part of the directory yet.",
      adminDetail: `${graphSaid} reading ${what}. Grant the bot's app registration ${permissionFor(area)}.`,
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
    return {
      kind: 'unavailable',
      message: 'the directory could not be reached.',
      adminDetail: `No response from ${setup.baseUrl} reading ${what} (${message || 'network error'}).`,
    };
  }
  return {
    kind: 'unavailable',
    message: "the directory isn't answering right now.",
    adminDetail: `${graphSaid} reading ${what}${status >= 500 ? `; still failing after retrying within the ${setup.timeBudgetMs} ms budget` : ''}.`,
  };
}

/** The plain words of each part a lookup may miss. */
const GAP_WHAT: Record<EvidenceGapPart, string> = {
  licences: 'Your licences',
  devices: 'Your registered devices',
  'sign-in-devices': 'The devices your sign-ins came from',
  'policy-results': 'Which Conditional Access policies applied to your sign-ins',
  'policy-details': 'Conditional Access policy details',
  'older-sign-ins': 'Older sign-ins',
  'authentication-method': 'How your password is checked (password hash sync, pass-through or federation)',
};

const PART_READ: Record<EvidenceGapPart, GraphRead | undefined> = {
  licences: 'licences',
  devices: 'devices',
  'sign-in-devices': 'devices',
  'policy-results': 'policyResults',
  'policy-details': 'policyDetails',
  'older-sign-ins': undefined,
  'authentication-method': 'domains',
};

/**
 * A named evidence gap. `response` (when the gap comes from a refused or unusable answer) says
 * whether a permission is missing (403: the gap names it) or Graph did not answer usefully.
 */
export function evidenceGap(part: EvidenceGapPart, options: { response?: GraphResponse; reason?: EvidenceGap['reason']; detail?: string; label?: string } = {}): EvidenceGap {
  const status = options.response?.status;
  const reason: EvidenceGap['reason'] = options.reason ?? (status === 403 || status === 401 ? 'permission' : 'unavailable');
  const read = PART_READ[part];
  const permissions = reason === 'permission' && read ? permissionList(GRAPH_PERMISSIONS[read]) : undefined;
  const why =
    reason === 'permission' && read
      ? `needs ${permissionPhrase(GRAPH_PERMISSIONS[read])}`
      : reason === 'limit'
        ? (options.detail ?? 'cut short')
        : options.response && graphError(options.response.body).code === NOT_GRAPH_CODE
          ? 'the answer was not from Microsoft Graph'
          : (options.detail ?? 'Graph did not answer');
  return { part, what: `${options.label ?? GAP_WHAT[part]} (${why})`, reason, ...(permissions ? { permissions } : {}) };
}

/** The gaps of one lookup: plain words and the named list, kept in step by addGap. */
export interface GapList {
  gaps: string[];
  gapDetails: EvidenceGap[];
}

/** Adds a gap once per part (the first reason wins); keeps the plain-words list in step. */
export function addGap(gaps: GapList, gap: EvidenceGap): void {
  if (gaps.gapDetails.some((g) => g.part === gap.part)) return;
  gaps.gapDetails.push(gap);
  gaps.gaps.push(gap.what);
}
