import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/*
 * Runs infra/grant-graph-permissions.sh against a fake `az` on PATH that answers like the Azure
 * CLI would and records every call, so the script's logic (lookups, options, skip-if-granted, the
 * POST bodies) is checked without Azure: tests reach nothing but loopback.
 */

const SCRIPT = path.resolve(__dirname, '..', '..', 'infra', 'grant-graph-permissions.sh');
const PRINCIPAL = '11111111-2222-4333-8444-555555555555';
const GRAPH_SP = '99999999-8888-4777-8666-555555555555';
const ROLE_IDS: Record<string, string> = {
  'AuditLog.Read.All': 'b0afded3-3588-46d8-8b3d-9842eff778da',
  'Directory.Read.All': '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  'Policy.Read.All': '246dd0d5-5bd0-4def-940b-0421030a5b68',
  'Policy.Read.ConditionalAccess': '37730810-e9ba-4e46-b07e-8ca78d182097',
  'GroupMember.Read.All': '98830695-27a2-44f7-8c18-0c3ebc9698f6',
};
const GROUP_ID = '44444444-5555-4666-8777-888888888888';

const FAKE_AZ = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$FAKE_AZ_LOG"
args="$*"
case "$args" in
  "deployment group show"*"MANAGED_IDENTITY_PRINCIPAL_ID"*) echo "${PRINCIPAL}" ;;
  "deployment group show"*"HELPDESK_AGENTS_GROUP_ID"*) echo "$FAKE_GROUP_ID" ;;
  *"servicePrincipals(appId="*) echo "${GRAPH_SP}" ;;
  *"select=appRoles"*)
    ${Object.entries(ROLE_IDS)
      .map(([name, id]) => `if [[ "$args" == *"value=='${name}'"* ]]; then echo "${id}"; fi`)
      .join('\n    ')} ;;
  *"--method GET"*"appRoleAssignments"*)
    n=0
    for granted in $FAKE_GRANTED; do
      if [[ "$args" == *"appRoleId=='$granted'"* ]]; then n=1; fi
    done
    echo "$n" ;;
  *"--method POST"*) : ;;
  *) echo "fake az: unexpected call: $args" >&2; exit 9 ;;
esac
`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
}

function run(args: string[], granted: string[] = [], groupId = ''): Run {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-az-'));
  try {
    const az = path.join(dir, 'az');
    writeFileSync(az, FAKE_AZ);
    chmodSync(az, 0o755);
    const log = path.join(dir, 'calls.log');
    const result = spawnSync('bash', [SCRIPT, ...args], {
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env.PATH ?? ''}`, FAKE_AZ_LOG: log, FAKE_GRANTED: granted.join(' '), FAKE_GROUP_ID: groupId },
      timeout: 20_000,
    });
    const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const posts = (r: Run) => r.calls.filter((c) => c.includes('--method POST'));
/** The app role ids granted by POST, in order. */
const grantedRoles = (r: Run) => posts(r).map((c) => (JSON.parse(/--body (\{.*\})/.exec(c)![1]!) as { appRoleId: string }).appRoleId);

describe('infra/grant-graph-permissions.sh (with a fake az)', () => {
  it('when given the principal id, then it grants AuditLog.Read.All, Directory.Read.All and Policy.Read.All on Microsoft Graph to it', () => {
    const r = run([PRINCIPAL]);
    assert.equal(r.status, 0, r.stderr);
    const bodies = posts(r).map((c) => {
      assert.ok(c.includes(`/v1.0/servicePrincipals/${PRINCIPAL}/appRoleAssignments`), c);
      return JSON.parse(/--body (\{.*\})/.exec(c)![1]!) as Record<string, string>;
    });
    assert.deepEqual(
      bodies,
      [ROLE_IDS['AuditLog.Read.All']!, ROLE_IDS['Directory.Read.All']!, ROLE_IDS['Policy.Read.All']!].map((appRoleId) => ({
        principalId: PRINCIPAL,
        resourceId: GRAPH_SP,
        appRoleId,
      })),
    );
    assert.ok(
      r.calls.every((c) => c.startsWith('rest --resource https://graph.microsoft.com ')),
      r.calls.join('\n'),
    );
  });

  it('when --no-policy or --policy none is given, then no policy permission is granted', () => {
    for (const args of [['--no-policy'], ['--policy', 'none']]) {
      const r = run([PRINCIPAL, ...args]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(grantedRoles(r), [ROLE_IDS['AuditLog.Read.All'], ROLE_IDS['Directory.Read.All']]);
    }
  });

  it('when --policy conditional-access is given, then Policy.Read.ConditionalAccess is granted instead of Policy.Read.All', () => {
    const r = run([PRINCIPAL, '--policy', 'conditional-access']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(grantedRoles(r), [ROLE_IDS['AuditLog.Read.All'], ROLE_IDS['Directory.Read.All'], ROLE_IDS['Policy.Read.ConditionalAccess']]);
  });

  it('when --policy has another value, then it stops before calling Azure and names the choices', () => {
    const r = run([PRINCIPAL, '--policy', 'everything']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--policy must be all, conditional-access or none/);
    assert.equal(r.calls.length, 0);
  });

  it('when --group-members is given, then GroupMember.Read.All is granted too', () => {
    const r = run([PRINCIPAL, '--group-members']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(grantedRoles(r), [ROLE_IDS['AuditLog.Read.All'], ROLE_IDS['Directory.Read.All'], ROLE_IDS['Policy.Read.All'], ROLE_IDS['GroupMember.Read.All']]);
  });

  it('when a permission is already granted, then it is left alone and the rest are granted', () => {
    const r = run([PRINCIPAL], [ROLE_IDS['AuditLog.Read.All']!, ROLE_IDS['Directory.Read.All']!]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(posts(r).length, 1);
    assert.ok(posts(r)[0]!.includes(ROLE_IDS['Policy.Read.All']!));
    assert.match(r.stdout, /AuditLog\.Read\.All: already granted/);
  });

  it('when --resource-group is given, then the principal comes from the deployment output MANAGED_IDENTITY_PRINCIPAL_ID', () => {
    const r = run(['--resource-group', 'rg-helpdesk']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.calls[0]!, /^deployment group show --resource-group rg-helpdesk --name main --query properties\.outputs\.MANAGED_IDENTITY_PRINCIPAL_ID\.value/);
    assert.equal(posts(r).length, 3);
    assert.ok(!grantedRoles(r).includes(ROLE_IDS['GroupMember.Read.All']!), 'no agents group in the deployment: no GroupMember.Read.All');
  });

  it('when the deployment set HELPDESK_AGENTS_GROUP_ID, then GroupMember.Read.All is added without being asked', () => {
    const r = run(['--resource-group', 'rg-helpdesk', '--deployment', 'prod'], [], GROUP_ID);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.calls.some((c) => /^deployment group show --resource-group rg-helpdesk --name prod --query properties\.outputs\.HELPDESK_AGENTS_GROUP_ID\.value/.test(c)));
    assert.match(r.stdout, /HELPDESK_AGENTS_GROUP_ID is set/);
    assert.deepEqual(grantedRoles(r), [ROLE_IDS['AuditLog.Read.All'], ROLE_IDS['Directory.Read.All'], ROLE_IDS['Policy.Read.All'], ROLE_IDS['GroupMember.Read.All']]);
  });

  it('when it runs a second time after every grant went through, then nothing is posted and each permission says already granted', () => {
    const r = run(['--resource-group', 'rg-helpdesk'], Object.values(ROLE_IDS), GROUP_ID);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(posts(r).length, 0);
    for (const permission of ['AuditLog.Read.All', 'Directory.Read.All', 'Policy.Read.All', 'GroupMember.Read.All'])
      assert.match(r.stdout, new RegExp(`${permission.replace(/\./g, '\\.')}: already granted`));
  });

  it('when the principal id is missing or not a GUID, then it stops before calling Graph', () => {
    for (const args of [[], ['not-a-guid']]) {
      const r = run(args);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /principal \(object\) id/);
      assert.equal(r.calls.length, 0);
    }
  });
});
