/**
 * `npm run check:graph`: checks, for an admin connecting the bot to a real tenant, that the
 * bot's Graph identity can read what the diagnosis needs. It reads the same environment
 * variables as the bot (GRAPH_TENANT_ID or BOT_TENANT_ID, GRAPH_CLIENT_ID with
 * GRAPH_CLIENT_SECRET or GRAPH_CERTIFICATE_PATH, or GRAPH_ENABLED=true with a managed identity
 * and optional AZURE_CLIENT_ID, GRAPH_BASE_URL, AZURE_AUTHORITY_HOST), gets a token, lists the
 * application permissions (the token's `roles` claim), then makes one small call per permission
 * and prints PASS / FAIL lines with the plain reason. Exit code 1 when a required check fails.
 *
 * It never prints the token, the secret or any directory data (only counts and status codes).
 */
import type { TokenCredential } from '@azure/identity';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { cloudOf, createGraphCredential } from '../src/graph/graph-credential';
import { CLOUD_HINT, credentialFailure, graphError, readAnswer, redact } from '../src/graph/graph-http';
import { GRAPH_PERMISSIONS, permissionPhrase, rolesSatisfy } from '../src/graph/graph-permissions';
import { NOT_GRAPH_CODE } from '../src/graph/graph-request';
import { TenantSignInFeed } from '../src/graph/tenant-signin-feed';

export type CheckStatus = 'PASS' | 'FAIL' | 'WARN' | 'INFO';

export interface CheckLine {
  status: CheckStatus;
  /** What was checked, e.g. "AuditLog.Read.All" or "read sign-in logs". */
  name: string;
  /** The plain reason. */
  detail: string;
  /** A FAIL here fails the run. */
  required: boolean;
}

export interface CheckOptions {
  /** The environment to read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The credential to use instead of the one the environment describes (tests). */
  credential?: TokenCredential;
  fetch?: typeof fetch;
  /** Where lines go; default console.log. */
  print?: (line: string) => void;
  /** Per-call timeout; default 20 000 ms. */
  timeoutMs?: number;
}

export interface CheckResult {
  ok: boolean;
  exitCode: 0 | 1;
  lines: CheckLine[];
  /** The application permissions the token carries. */
  roles: string[];
}

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

const PERMISSIONS = {
  auditLog: 'AuditLog.Read.All',
  directory: 'Directory.Read.All',
  policy: 'Policy.Read.All',
} as const;

/** The claims of a JWT, or undefined when it is not one. Signature not checked: only for reporting. */
export function decodeJwtClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

export async function checkGraphPermissions(options: CheckOptions = {}): Promise<CheckResult> {
  const print = options.print ?? ((line: string) => console.log(line));
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 20_000;
  const lines: CheckLine[] = [];
  let roles: string[] = [];
  const add = (status: CheckStatus, name: string, detail: string, required = true): void => {
    const line: CheckLine = { status, name, detail, required };
    lines.push(line);
    print(`${status.padEnd(4)}  ${name}: ${detail}`);
  };
  const finish = (): CheckResult => {
    const failed = lines.filter((l) => l.status === 'FAIL' && l.required);
    print('');
    print(
      failed.length === 0
        ? 'RESULT: PASS. The bot can read what the diagnosis needs from this tenant.'
        : `RESULT: FAIL. ${failed.length} required check${failed.length === 1 ? '' : 's'} failed: ${failed.map((l) => l.name).join(', ')}. Fix ${failed.length === 1 ? 'it' : 'them'} and run npm run check:graph again (new permissions can take a few minutes to reach new tokens).`,
    );
    return { ok: failed.length === 0, exitCode: failed.length === 0 ? 0 : 1, lines, roles };
  };

  // 1. The configuration, exactly as the bot reads it.
  let config: Config;
  try {
    config = loadConfig(options.env ?? process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    add('FAIL', 'configuration', `${error.message}.`);
    return finish();
  }
  const graph = config.graph;
  if (!graph) {
    add(
      'FAIL',
      'configuration',
      'Microsoft Graph is not configured. Set GRAPH_TENANT_ID (or BOT_TENANT_ID), GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (or GRAPH_CERTIFICATE_PATH); or GRAPH_ENABLED=true to use a managed identity (AZURE_CLIENT_ID for a user-assigned one).',
    );
    return finish();
  }
  const baseUrl = graph.baseUrl.replace(/\/+$/, '');
  const scope = `${baseUrl}/.default`;
  const who =
    graph.credential.kind === 'managed-identity'
      ? `managed identity${graph.credential.clientId ? ` ${graph.credential.clientId}` : ' (system-assigned)'}`
      : `app registration ${graph.credential.clientId} (${graph.credential.kind})`;
  add('INFO', 'configuration', `Graph ${baseUrl}, sign-in authority ${graph.authorityHost}, tenant ${graph.tenantId ?? '(from the managed identity)'}, ${who}.`, false);
  if (config.demoTenantFile)
    add('WARN', 'configuration', `DEMO_TENANT_FILE is set (${config.demoTenantFile}): the bot answers from that file and does not use Graph until you remove it.`, false);

  // 2. Same cloud for the sign-in authority and Graph.
  const graphHost = hostOf(baseUrl) ?? '';
  const graphCloud = cloudOf(graphHost, 'graph');
  const loginCloud = cloudOf(hostOf(graph.authorityHost) ?? '', 'login');
  if (graphCloud && loginCloud && graphCloud !== loginCloud) {
    add(
      'FAIL',
      'cloud',
      `Wrong cloud: AZURE_AUTHORITY_HOST ${graph.authorityHost} is the ${loginCloud} cloud but GRAPH_BASE_URL ${baseUrl} is the ${graphCloud} cloud; ${CLOUD_HINT}.`,
    );
    return finish();
  }

  // 3. A token.
  const credential = options.credential ?? createGraphCredential(graph);
  let token: string;
  try {
    const result = await credential.getToken(scope);
    if (!result?.token) throw Object.assign(new Error(`no access token returned for ${scope}`), { name: 'CredentialUnavailableError' });
    token = result.token;
  } catch (error) {
    add('FAIL', 'token', credentialFailure(error, baseUrl, scope).adminDetail ?? 'Getting a token failed.');
    return finish();
  }
  add('PASS', 'token', `got an app-only token for ${scope}.`, false);

  // 4. The application permissions in the token (its `roles` claim).
  const claims = decodeJwtClaims(token);
  if (!claims) {
    add('WARN', 'permissions', 'The token is not a readable JWT, so its permissions cannot be listed; the calls below still tell.', false);
  } else {
    const aud = typeof claims.aud === 'string' ? claims.aud : '';
    const audHost = hostOf(aud);
    if (audHost && audHost !== graphHost && aud !== GRAPH_APP_ID) {
      add('FAIL', 'cloud', `Wrong cloud: the token is for ${aud} but GRAPH_BASE_URL is ${baseUrl}; ${CLOUD_HINT}.`);
    }
    roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
    const has = (...names: string[]): boolean => names.some((n) => roles.includes(n));
    if (roles.length === 0) {
      add(
        'FAIL',
        'permissions',
        'The token carries no application permissions (no roles claim): add the Microsoft Graph application permissions below to the app registration (or managed identity) and grant admin consent.',
      );
    } else {
      add('INFO', 'permissions', `the token carries ${roles.length} application permission${roles.length === 1 ? '' : 's'}: ${[...roles].sort().join(', ')}.`, false);
    }
    add(
      has(PERMISSIONS.auditLog) ? 'PASS' : 'FAIL',
      PERMISSIONS.auditLog,
      has(PERMISSIONS.auditLog)
        ? 'granted (reads the sign-in logs).'
        : `not granted: add the Microsoft Graph application permission AuditLog.Read.All and grant admin consent (the sign-in logs cannot be read without it; Microsoft documents ${permissionPhrase(GRAPH_PERMISSIONS.signIns)} for them).`,
    );
    if (has(PERMISSIONS.directory, 'Directory.ReadWrite.All'))
      add('PASS', PERMISSIONS.directory, 'granted (reads users, licences, devices and domains; Microsoft documents it next to AuditLog.Read.All for sign-in logs).');
    else if (has('User.Read.All', 'User.ReadWrite.All') && has('Device.Read.All', 'Device.ReadWrite.All')) {
      add(
        'PASS',
        `${PERMISSIONS.directory} (or User.Read.All + Device.Read.All)`,
        'User.Read.All and Device.Read.All granted (reads users, licences and devices). Microsoft documents Directory.Read.All next to AuditLog.Read.All for sign-in logs; the sign-in call below tells whether this tenant needs it.',
      );
    } else {
      add(
        'FAIL',
        PERMISSIONS.directory,
        `not granted: add the Microsoft Graph application permission Directory.Read.All (or User.Read.All and Device.Read.All) and grant admin consent (users: ${permissionPhrase(GRAPH_PERMISSIONS.user)}; devices: ${permissionPhrase(GRAPH_PERMISSIONS.devices)}).`,
      );
    }
    const caResults = rolesSatisfy(roles, GRAPH_PERMISSIONS.policyResults);
    add(
      caResults ? 'PASS' : 'WARN',
      'Conditional Access results in sign-ins',
      caResults
        ? `granted (${GRAPH_PERMISSIONS.policyResults.anyOf.filter((r) => roles.includes(r)).join(', ')}): sign-ins carry the policies that applied, so cards can name a blocking policy.`
        : `not granted (optional): without ${permissionPhrase(GRAPH_PERMISSIONS.policyResults)}, Graph leaves the Conditional Access results out of every sign-in, so cards cannot name the policy that blocked OneDrive (the evidence says so).`,
      false,
    );
    add(
      has(PERMISSIONS.policy) ? 'PASS' : 'WARN',
      PERMISSIONS.policy,
      has(PERMISSIONS.policy)
        ? 'granted (reads the details of a Conditional Access policy that blocked a sign-in).'
        : `not granted (optional): the controls of a blocking policy cannot be read (GET /identity/conditionalAccess/policies/{id} needs Policy.Read.All)${caResults ? '; cards still name the policy from the sign-in log' : ''}.`,
      false,
    );
    const domains = rolesSatisfy(roles, GRAPH_PERMISSIONS.domains) || has('Directory.ReadWrite.All', 'Domain.ReadWrite.All');
    add(
      domains ? 'PASS' : 'WARN',
      `${permissionPhrase(GRAPH_PERMISSIONS.domains)}`,
      domains
        ? 'granted (reads which domains are federated, to tell federation from password hash sync and pass-through).'
        : 'not granted (optional): federated domains cannot be recognised; the sign-ins still tell pass-through from password hash sync.',
      false,
    );
  }

  // 5. One small call per permission.
  const call = async (path: string): Promise<{ status: number; code: string; message: string; body?: unknown; error?: string }> => {
    try {
      const res = await doFetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
      // The same reading as the bot's: an answer that is not Graph's JSON (a proxy's page) is not an answer.
      const answer = readAnswer(res.status, res.headers.get('content-type') ?? '', await res.text(), {});
      return { status: answer.status, ...graphError(answer.body), body: answer.body };
    } catch (error) {
      return { status: 0, code: '', message: '', error: redact(`${(error as Error).name}: ${(error as Error).message}`) };
    }
  };
  const explain = (r: Awaited<ReturnType<typeof call>>, permission: string, area: 'signIns' | 'other'): string => {
    const said = `Graph ${r.status}${r.code ? ` ${r.code}` : ''}${r.message ? `: ${r.message}` : ''}`;
    if (r.status === 0) return `could not reach ${baseUrl} (${r.error}). Check GRAPH_BASE_URL, DNS and any proxy; for a national cloud use its Graph URL.`;
    if (r.code === NOT_GRAPH_CODE)
      return `the answer was not Microsoft Graph's (${r.message}): a proxy, firewall or captive portal is answering for ${baseUrl}. Let the bot reach it directly, without TLS inspection.`;
    if (r.status === 401) return `${said}. Graph refused the token: it was issued for another cloud or tenant. ${CLOUD_HINT}.`;
    if (r.status === 403 && area === 'signIns' && /NonPremium|premium|B2C/i.test(`${r.code} ${r.message}`)) {
      return `${said}. The tenant has no Microsoft Entra ID P1 or P2 licence: reading sign-in logs through Microsoft Graph needs the tenant to have Microsoft Entra ID P1 or P2 (included in Microsoft 365 E3/E5 and Business Premium).`;
    }
    if (r.status === 403) return `${said}. Missing permission: grant the Microsoft Graph application permission ${permission} and admin consent.`;
    if (r.status === 429) return `${said}. Graph is throttling this tenant right now; try again in a minute.`;
    return `${said}.`;
  };

  const users = await call('/v1.0/users?$top=1&$select=id');
  if (users.status === 200) add('PASS', 'read users (GET /v1.0/users?$top=1)', 'users, licences and devices can be read.');
  else add('FAIL', 'read users (GET /v1.0/users?$top=1)', explain(users, 'Directory.Read.All (or User.Read.All and Device.Read.All)', 'other'));

  const signIns = await call('/v1.0/auditLogs/signIns?$top=1');
  if (signIns.status === 200) {
    add('PASS', 'read sign-in logs (GET /v1.0/auditLogs/signIns?$top=1)', 'the sign-in logs can be read.');
    const first = (signIns.body as { value?: unknown[] } | undefined)?.value?.[0] as Record<string, unknown> | undefined;
    if (first && !('appliedConditionalAccessPolicies' in first)) {
      add(
        'WARN',
        'Conditional Access results in a sign-in',
        `the sign-in came without appliedConditionalAccessPolicies: Graph leaves them out until the app has ${permissionPhrase(GRAPH_PERMISSIONS.policyResults)} (optional).`,
        false,
      );
    } else if (first) add('PASS', 'Conditional Access results in a sign-in', 'the sign-in carries the Conditional Access results.', false);
  } else add('FAIL', 'read sign-in logs (GET /v1.0/auditLogs/signIns?$top=1)', explain(signIns, 'AuditLog.Read.All (with Directory.Read.All)', 'signIns'));

  const devices = await call('/v1.0/devices?$top=1&$select=id');
  if (devices.status === 200) add('PASS', 'read devices (GET /v1.0/devices?$top=1)', 'the PCs that sign-ins came from can be found by their device id.', false);
  else
    add(
      'WARN',
      'read devices (GET /v1.0/devices?$top=1)',
      `${explain(devices, permissionPhrase(GRAPH_PERMISSIONS.devices), 'other')} Hybrid-joined PCs without an owner are then not evaluated (optional).`,
      false,
    );

  const domainList = await call('/v1.0/domains?$select=id,authenticationType');
  if (domainList.status === 200) add('PASS', 'read domains (GET /v1.0/domains)', 'federated domains are recognised.', false);
  else add('WARN', 'read domains (GET /v1.0/domains)', `${explain(domainList, permissionPhrase(GRAPH_PERMISSIONS.domains), 'other')} (optional).`, false);

  const policies = await call('/v1.0/identity/conditionalAccess/policies?$top=1');
  if (policies.status === 200) add('PASS', 'read Conditional Access policies (GET /v1.0/identity/conditionalAccess/policies?$top=1)', 'policy details can be shown.', false);
  else add('WARN', 'read Conditional Access policies (GET /v1.0/identity/conditionalAccess/policies?$top=1)', `${explain(policies, 'Policy.Read.All', 'other')} (optional)`, false);

  // 6. The tenant-wide query the bot uses in bursts (beta, filtered by app and time).
  if (signIns.status === 200) {
    const filter = `createdDateTime ge ${new Date(Date.now() - 3_600_000).toISOString()} and ${TenantSignInFeed.filterFor()}`;
    const feed = await call(`/beta/auditLogs/signIns?$filter=${encodeURIComponent(filter)}&$top=1`);
    if (feed.status === 200)
      add('PASS', 'burst feed query (GET /beta/auditLogs/signIns filtered by app)', 'the tenant-wide read used when many employees ask at once is accepted.', false);
    else {
      add(
        'WARN',
        'burst feed query (GET /beta/auditLogs/signIns filtered by app)',
        `${explain(feed, 'AuditLog.Read.All', 'signIns')} The bot then reads each employee separately, which a burst of requests will find throttled (optional).`,
        false,
      );
    }
  }
  return finish();
}

if (require.main === module) {
  checkGraphPermissions().then(
    (result) => process.exit(result.exitCode),
    (error: unknown) => {
      console.error(`check:graph failed unexpectedly: ${redact((error as Error)?.message ?? String(error))}`);
      process.exit(1);
    },
  );
}
