import assert from 'node:assert/strict';
import { checkGraphPermissions, decodeJwtClaims, type CheckResult } from '../../scripts/check-graph-permissions';
import { buildScenarioTenant } from '../fixtures/scenario-tenant';
import { FakeGraphServer } from '../support/fake-graph-server';
import { fakeJwt, tokenDouble } from './graph-test-kit';

const ALL_ROLES = ['AuditLog.Read.All', 'Directory.Read.All', 'Policy.Read.All'];

describe('npm run check:graph (scripts/check-graph-permissions.ts) against the fake Graph', () => {
  let server: FakeGraphServer;

  before(async () => {
    server = await FakeGraphServer.start(buildScenarioTenant(new Date()), { reportsLimit: false });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  async function check(roles: string[] | undefined, options: { aud?: string; env?: Record<string, string> } = {}): Promise<{ result: CheckResult; output: string; token: string }> {
    const token = fakeJwt({ aud: options.aud ?? server.url, tid: 'tenant-1', appid: 'app-1', ...(roles ? { roles } : {}) });
    server.requireToken = token;
    const printed: string[] = [];
    const credential = tokenDouble({ token });
    const result = await checkGraphPermissions({
      env: { GRAPH_ENABLED: 'true', GRAPH_BASE_URL: server.url, ...options.env },
      credential,
      print: (line) => printed.push(line),
    });
    return { result, output: printed.join('\n'), token };
  }

  const line = (result: CheckResult, name: RegExp) => {
    const found = result.lines.find((l) => name.test(l.name));
    assert.ok(found, `a line for ${name}: ${result.lines.map((l) => l.name).join(' | ')}`);
    return found;
  };

  it('when every permission is granted and Graph answers, then every check passes and the exit code is 0', async () => {
    const { result, output, token } = await check(ALL_ROLES);
    assert.equal(result.exitCode, 0, output);
    assert.deepEqual([...result.roles].sort(), [...ALL_ROLES].sort());
    for (const name of [
      /^AuditLog\.Read\.All$/,
      /^Directory\.Read\.All$/,
      /^Policy\.Read\.All$/,
      /^Conditional Access results in sign-ins$/,
      /^Conditional Access results in a sign-in$/,
      /^Domain\.Read\.All or Directory\.Read\.All$/,
      /read users/,
      /read sign-in logs/,
      /read devices/,
      /read domains/,
      /read Conditional Access policies/,
      /burst feed/,
    ]) {
      assert.equal(line(result, name).status, 'PASS', `${name}: ${output}`);
    }
    assert.match(output, /^PASS {2}read sign-in logs \(GET \/v1\.0\/auditLogs\/signIns\?\$top=1\)/m);
    assert.match(output, /RESULT: PASS/);
    assert.ok(!output.includes(token), 'the token is never printed');
    assert.deepEqual(
      server.httpRequests.map((r) => r.url.split('?')[0]),
      ['/v1.0/users', '/v1.0/auditLogs/signIns', '/v1.0/devices', '/v1.0/domains', '/v1.0/identity/conditionalAccess/policies', '/beta/auditLogs/signIns'],
      'one small call per permission, then the burst query',
    );
  });

  it('when AuditLog.Read.All is missing and Graph denies the sign-ins with its error body, then both lines FAIL naming the permission and the exit code is 1', async () => {
    server.denyNext(/auditLogs\/signIns/);
    const { result, output } = await check(['Directory.Read.All']);
    assert.equal(result.exitCode, 1, output);
    const role = line(result, /^AuditLog\.Read\.All$/);
    assert.equal(role.status, 'FAIL', output);
    assert.match(role.detail, /not granted: add the Microsoft Graph application permission AuditLog\.Read\.All and grant admin consent/);
    const call = line(result, /read sign-in logs/);
    assert.equal(call.status, 'FAIL', output);
    assert.match(
      call.detail,
      /Graph 403 Authorization_RequestDenied: Insufficient privileges.*Missing permission: grant the Microsoft Graph application permission AuditLog\.Read\.All/,
    );
    assert.equal(line(result, /read users/).status, 'PASS', output);
    assert.equal(line(result, /^Policy\.Read\.All$/).status, 'WARN', 'Policy.Read.All is optional');
    assert.ok(!result.lines.some((l) => /burst feed/.test(l.name)), 'no burst query without sign-in access');
    assert.match(output, /^FAIL {2}read sign-in logs/m);
    assert.match(output, /RESULT: FAIL\. 2 required checks failed: AuditLog\.Read\.All, read sign-in logs/);
  });

  it('when the tenant has no Entra ID P1/P2, then the sign-in line FAILs saying a P1 or P2 licence is needed', async () => {
    server.denyNext(/auditLogs\/signIns/, Infinity, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license");
    const { result, output } = await check(ALL_ROLES);
    assert.equal(result.exitCode, 1, output);
    assert.match(line(result, /read sign-in logs/).detail, /no Microsoft Entra ID P1 or P2 licence/);
  });

  it('when only Policy.Read.All is missing, then it is a warning and the exit code stays 0', async () => {
    server.denyNext(/conditionalAccess/);
    const { result, output } = await check(['AuditLog.Read.All', 'Directory.Read.All']);
    assert.equal(result.exitCode, 0, output);
    assert.equal(line(result, /^Policy\.Read\.All$/).status, 'WARN', output);
    assert.equal(line(result, /Conditional Access/).status, 'WARN', output);
  });

  it('when only Policy.Read.ConditionalAccess is granted, then the Conditional Access results pass (Microsoft documents it as enough), and only the policy details warn', async () => {
    const { result, output } = await check(['AuditLog.Read.All', 'Directory.Read.All', 'Policy.Read.ConditionalAccess']);
    assert.equal(result.exitCode, 0, output);
    assert.equal(line(result, /^Conditional Access results in sign-ins$/).status, 'PASS', output);
    assert.match(line(result, /^Conditional Access results in sign-ins$/).detail, /Policy\.Read\.ConditionalAccess/);
    assert.equal(line(result, /^Policy\.Read\.All$/).status, 'WARN', output);
    assert.match(line(result, /^Policy\.Read\.All$/).detail, /cards still name the policy from the sign-in log/);
  });

  it('when no policy permission is granted, then it warns that sign-ins come without Conditional Access results and cards cannot name the blocking policy, naming every permission that fixes it', async () => {
    server.policyPermission = false;
    const { result, output } = await check(['AuditLog.Read.All', 'Directory.Read.All']);
    assert.equal(result.exitCode, 0, `optional: ${output}`);
    const results = line(result, /^Conditional Access results in sign-ins$/);
    assert.equal(results.status, 'WARN', output);
    assert.match(results.detail, /Policy\.Read\.All, Policy\.Read\.ConditionalAccess or Policy\.ReadWrite\.ConditionalAccess/);
    assert.match(results.detail, /cards cannot name the policy that blocked OneDrive/);
    assert.equal(line(result, /^Conditional Access results in a sign-in$/).status, 'WARN', 'seen in the sign-in Graph returned');
    assert.doesNotMatch(output, /name a blocking policy only as the sign-in log does/, 'no promise the missing permission cannot keep');
  });

  it('when a company proxy answers Graph calls with an HTML page, then the calls FAIL saying the answer was not from Microsoft Graph', async () => {
    server.htmlProxy = { pattern: /^\/(v1\.0|beta)\// };
    const { result, output } = await check(ALL_ROLES);
    assert.equal(result.exitCode, 1, output);
    assert.match(line(result, /read sign-in logs/).detail, /not Microsoft Graph's \(HTTP 200 with text\/html.*proxy/);
  });

  it('when User.Read.All and Device.Read.All stand in for Directory.Read.All, then the directory line passes', async () => {
    const { result, output } = await check(['AuditLog.Read.All', 'User.Read.All', 'Device.Read.All']);
    assert.equal(line(result, /^Directory\.Read\.All \(or/).status, 'PASS', output);
    assert.equal(result.exitCode, 0, output);
  });

  it('when the token carries no roles at all, then it says no application permission has admin consent', async () => {
    const { result, output } = await check(undefined);
    assert.equal(result.exitCode, 1, output);
    assert.match(line(result, /^permissions$/).detail, /no application permissions/);
  });

  it('when the token is for another cloud, then it FAILs as a wrong cloud', async () => {
    const { result, output } = await check(ALL_ROLES, { aud: 'https://graph.microsoft.us' });
    assert.equal(result.exitCode, 1, output);
    assert.match(line(result, /^cloud$/).detail, /Wrong cloud: the token is for https:\/\/graph\.microsoft\.us/);
  });

  it('when the authority host and the Graph URL are different clouds, then it FAILs before asking for a token', async () => {
    const printed: string[] = [];
    const credential = tokenDouble();
    const result = await checkGraphPermissions({
      env: { GRAPH_ENABLED: 'true', GRAPH_BASE_URL: 'https://graph.microsoft.com', AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us' },
      credential,
      print: (l) => printed.push(l),
    });
    assert.equal(result.exitCode, 1, printed.join('\n'));
    assert.match(line(result, /^cloud$/).detail, /US Government.*global/);
    assert.equal(credential.calls, 0, 'no token asked for');
  });

  it('when the credential cannot sign in to the tenant, then the token line FAILs naming the authority or cloud', async () => {
    const printed: string[] = [];
    const result = await checkGraphPermissions({
      env: { GRAPH_ENABLED: 'true', GRAPH_BASE_URL: server.url },
      credential: tokenDouble({ fail: Object.assign(new Error("AADSTS90002: Tenant 'contoso.us' not found."), { name: 'AuthenticationError' }) }),
      print: (l) => printed.push(l),
    });
    assert.equal(result.exitCode, 1, printed.join('\n'));
    assert.match(line(result, /^token$/).detail, /authority or a sovereign cloud mismatch/);
    assert.equal(server.httpRequests.length, 0, 'no Graph call without a token');
  });

  it('when Graph is not configured, then the configuration line says which variables to set', async () => {
    const result = await checkGraphPermissions({ env: {}, print: () => undefined });
    assert.equal(result.exitCode, 1, 'fails');
    assert.match(line(result, /^configuration$/).detail, /GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET/);
  });

  it('when a token is decoded, then its claims come back; junk is not a JWT', () => {
    assert.deepEqual(decodeJwtClaims(fakeJwt({ roles: ['A'] })), { roles: ['A'] });
    assert.equal(decodeJwtClaims('not-a-jwt'), undefined);
  });
});
