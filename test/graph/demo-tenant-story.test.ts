import assert from 'node:assert/strict';
import { KNOWN_APPS, type KnownAppKey } from '../../src/domain/apps';
import type { CauseId } from '../../src/domain/causes';
import { diagnose } from '../../src/domain/diagnosis';
import { analyzeEvidence } from '../../src/domain/evidence-analysis';
import type { Answers } from '../../src/domain/questions';
import { buildDemoTenant, buildTenantFromData, demoTenantData, parseDemoTenantData, type DemoTenantData } from '../../src/graph/demo-tenant-data';
import { DemoTenantDirectory } from '../../src/graph/demo-tenant-directory';

const NOW = new Date('2026-03-10T12:34:56.789Z');
const HOUR = 3_600_000;
const APP_BY_ID = new Map<string, KnownAppKey>(Object.entries(KNOWN_APPS).map(([key, app]) => [app.appId, key as KnownAppKey]));

/**
 * Every demo user's story, pinned: the cause their sign-ins show, how many sign-ins they have
 * and which Entra error codes each app got. `answers` are what the employee says when the
 * story needs it (a password changed on-premises looks like stale credentials until then).
 */
const STORIES: Array<{ id: string; name: string; cause: CauseId | null; signIns: number; failures: Partial<Record<KnownAppKey, number[]>>; answers?: Answers }> = [
  {
    id: '00000000-0000-0000-0000-0000000000020',
    name: 'Alex Wilber',
    cause: 'stale-credentials',
    signIns: 20,
    failures: { oneDriveSync: [50126, 50173], office: [50058], outlook: [50140] },
  },
  { id: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen', cause: 'conditional-access-block', signIns: 13, failures: { oneDriveSync: [53003], outlook: [50140] } },
  { id: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance', cause: 'device-not-compliant', signIns: 12, failures: { oneDriveSync: [53000, 530003], teams: [53000] } },
  { id: '00000000-0000-0000-0000-0000000000023', name: 'Isaiah Langer', cause: 'network-blocked', signIns: 13, failures: { office: [50058] } },
  { id: '00000000-0000-0000-0000-0000000000024', name: 'Patti Fernandez', cause: 'mfa-required', signIns: 10, failures: { oneDriveSync: [50074, 50076] } },
  { id: '00000000-0000-0000-0000-0000000000025', name: 'Lynne Robbins', cause: 'license-missing', signIns: 6, failures: {} },
  { id: 'demo-user-hybrid', name: 'Nestor Wilke', cause: 'password-sync-delay', signIns: 9, failures: { oneDriveSync: [50126] }, answers: { 'password-changed': 'yes' } },
  { id: 'demo-user-disabled', name: 'Joni Sherman', cause: 'account-disabled', signIns: 8, failures: { oneDriveSync: [50057], outlook: [50057], teams: [50057] } },
  { id: 'demo-user-locked', name: 'Lee Gu', cause: 'account-locked', signIns: 9, failures: { oneDriveSync: [50053], outlook: [50053], teams: [50053] } },
  { id: 'demo-user-password-expired', name: 'Lidia Holloway', cause: 'password-expired', signIns: 8, failures: { oneDriveSync: [50055], outlook: [50055], teams: [50055] } },
  { id: 'demo-user-device-trust', name: 'Diego Siciliani', cause: 'device-trust-broken', signIns: 12, failures: { oneDriveSync: [50097, 50129], teams: [50140] } },
  { id: 'demo-user-session', name: 'Johanna Lorenz', cause: 'session-expired', signIns: 8, failures: { oneDriveSync: [70043, 700082], office: [50058] } },
  { id: 'demo-user-mfa-registration', name: 'Miriam Graham', cause: 'mfa-registration-required', signIns: 6, failures: { oneDriveSync: [50079] } },
  { id: 'demo-user-new', name: 'Pradeep Gupta', cause: 'onedrive-not-provisioned', signIns: 6, failures: { office: [50140] } },
  { id: 'demo-user-healthy', name: 'Henrietta Mueller', cause: null, signIns: 7, failures: {} },
];

/** A deep copy of the shipped data with the value at `path` replaced, for the broken-file tests. */
function brokenData(path: Array<string | number>, value: unknown): unknown {
  const copy: unknown = structuredClone(demoTenantData());
  let at = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

describe('demo tenant story (data file → Graph shapes)', () => {
  const tenant = buildDemoTenant(NOW);

  it('when the demo tenant is built, then it holds 15 users, 147 sign-ins, 15 devices and 4 Conditional Access policies', () => {
    assert.equal(tenant.users.length, 15);
    assert.equal(tenant.signIns.length, 147);
    assert.equal(tenant.devices.length, 15);
    assert.equal(tenant.conditionalAccessPolicies.length, 4);
  });

  it('when the demo tenant is built, then the users come in the pinned order with their ids and names', () => {
    assert.deepEqual(
      tenant.users.map((u) => [u.id, u.displayName]),
      STORIES.map((s) => [s.id, s.name]),
    );
  });

  it('when the demo tenant is built, then policy, device and sign-in ids are the deterministic de40de40 family', () => {
    assert.deepEqual(
      tenant.conditionalAccessPolicies.map((p) => [p.id, p.displayName, p.state]),
      [
        ['de40de40-ca00-4000-8000-000000000001', 'Block sync from untrusted locations', 'enabled'],
        ['de40de40-ca00-4000-8000-000000000002', 'Require MFA outside trusted locations', 'enabled'],
        ['de40de40-ca00-4000-8000-000000000003', 'Require compliant device for Office 365', 'enabled'],
        ['de40de40-ca00-4000-8000-000000000004', 'Sign-in frequency: every 8 hours for field staff', 'enabled'],
      ],
    );
    const hex = (n: number): string => n.toString(16).padStart(12, '0');
    assert.deepEqual(
      tenant.devices.map((d) => [d.id, d.deviceId, d.registeredOwners]),
      STORIES.map((s, i) => [`de40de40-de71-4000-8000-${hex(i + 1)}`, `de40de40-d1d0-4000-8000-${hex(i + 1)}`, [s.id]]),
    );
    assert.deepEqual(tenant.signIns.map((s) => s.id).sort(), Array.from({ length: 147 }, (_, i) => `de40de40-5160-4000-8000-${hex(i + 1)}`).sort());
  });

  for (const story of STORIES) {
    it(`when ${story.name}'s sign-ins are read, then they are ${story.signIns} with the pinned failures, and the data file names ${story.cause ?? 'no cause'}`, () => {
      const mine = tenant.signIns.filter((s) => s.userId === story.id);
      assert.equal(mine.length, story.signIns);
      const failures: Partial<Record<KnownAppKey, number[]>> = {};
      for (const s of mine) {
        const code = s.status?.errorCode ?? 0;
        if (code === 0) continue;
        const app = APP_BY_ID.get(s.appId!)!;
        const codes = (failures[app] ??= []);
        if (!codes.includes(code)) codes.push(code);
      }
      for (const codes of Object.values(failures)) codes.sort((a, b) => a - b);
      assert.deepEqual(failures, story.failures);
      assert.equal(demoTenantData().users.find((u) => u.id === story.id)?.cause, story.cause);
    });

    it(`when ${story.name} asks for help, then the directory evidence${story.answers ? ' and their answer' : ''} lead to ${story.cause ?? 'unknown'}`, async () => {
      const directory = new DemoTenantDirectory(tenant, { windowHours: 48, source: 'demo tenant' });
      const result = await directory.lookup(story.id, { now: NOW });
      assert.ok(result.ok, 'lookup worked');
      const diagnosis = diagnose({ answers: story.answers ?? {}, evidence: analyzeEvidence(result.evidence, NOW) });
      assert.equal(
        diagnosis.leading,
        story.cause ?? 'unknown',
        diagnosis.ranked
          .slice(0, 3)
          .map((r) => `${r.causeId}:${r.score}`)
          .join(', '),
      );
    });
  }

  it('when the directory facts behind the stories are read, then they hold relative to the clock', () => {
    const user = (id: string) => tenant.users.find((u) => u.id === id)!;
    const hoursBefore = (iso: string | null | undefined): number => (NOW.getTime() - Date.parse(iso!)) / HOUR;
    assert.equal(hoursBefore(user('00000000-0000-0000-0000-0000000000020').lastPasswordChangeDateTime), 48, 'Alex changed his password 2 days ago');
    assert.equal(user('demo-user-disabled').accountEnabled, false);
    assert.equal(user('demo-user-hybrid').onPremisesSyncEnabled, true);
    assert.equal(hoursBefore(user('demo-user-password-expired').lastPasswordChangeDateTime), 91 * 24);
    assert.equal(hoursBefore(user('demo-user-new').createdDateTime), 24);
    assert.equal(hoursBefore(user('demo-user-new').lastPasswordChangeDateTime), 23);
    const plans = (id: string) => user(id).licenseDetails!.flatMap((l) => l.servicePlans ?? []);
    assert.ok(!plans('00000000-0000-0000-0000-0000000000025').some((p) => p.servicePlanName === 'SHAREPOINTENTERPRISE'), 'Lynne has no OneDrive plan');
    assert.equal(plans('demo-user-new').find((p) => p.servicePlanName === 'SHAREPOINTENTERPRISE')?.provisioningStatus, 'PendingProvisioning');
    const device = (owner: string) => tenant.devices.find((d) => d.registeredOwners?.includes(owner))!;
    assert.equal(device('00000000-0000-0000-0000-0000000000022').isCompliant, false, "Adele's laptop is not compliant");
    assert.equal(device('demo-user-hybrid').trustType, 'ServerAd');
  });

  it('when a sign-in fails with a code Entra words, then it carries that wording', () => {
    const locked = tenant.signIns.find((s) => s.status?.errorCode === 50053)!;
    assert.match(locked.status!.failureReason!, /Account is locked/);
    const megan = tenant.signIns.find((s) => s.userId === '00000000-0000-0000-0000-0000000000021' && s.status?.errorCode === 53003)!;
    assert.equal(megan.location?.city, 'Lisbon');
    assert.deepEqual(
      megan.appliedConditionalAccessPolicies?.filter((p) => p.result !== 'notApplied').map((p) => [p.displayName, p.result]),
      [
        ['Block sync from untrusted locations', 'failure'],
        ['Require MFA outside trusted locations', 'success'],
      ],
    );
  });

  it('when the data is built from a given clock, then the same data and clock give the same tenant as the shipped one', () => {
    assert.deepEqual(buildTenantFromData(demoTenantData(), NOW), tenant);
  });

  describe('a broken data file', () => {
    const cases: Array<[string, Array<string | number>, unknown, RegExp]> = [
      [
        'a sign-in names a policy that is not in the file',
        ['users', 1, 'signIns', 2, 'policies', 0, 'policy'],
        'mfa-outsde',
        /demo-tenant\.json: users\.1\.signIns\.2\.policies\.0\.policy: unknown policy "mfa-outsde"/,
      ],
      ['a sign-in names an app the bot does not know', ['users', 0, 'signIns', 0, 'app'], 'oneDrive', /demo-tenant\.json: users\.0\.signIns\.0\.app: /],
      ['a time is in the future', ['users', 0, 'signIns', 0, 'hoursAgo'], [72, -1], /demo-tenant\.json: users\.0\.signIns\.0\.hoursAgo/],
      ['a user names a licence that is not in the file', ['users', 3, 'licence'], 'e5', /demo-tenant\.json: users\.3\.licence: unknown licence "e5"/],
      ['a user names a place that is not in the file', ['users', 4, 'place'], 'moon', /demo-tenant\.json: users\.4\.place: unknown place "moon"/],
      ['a cause is misspelt', ['users', 0, 'cause'], 'stale-credential', /demo-tenant\.json: users\.0\.cause: /],
      ['a field is misspelt', ['users', 0, 'signIns', 0, 'errorcode'], 50126, /demo-tenant\.json: users\.0\.signIns\.0: Unrecognized key/],
      ['two users share an id', ['users', 1, 'id'], STORIES[0]!.id, /demo-tenant\.json: users\.1\.id: duplicate user id/],
    ];
    for (const [what, path, value, message] of cases) {
      it(`when ${what}, then checking it fails naming the file and the field`, () => {
        assert.throws(() => parseDemoTenantData(brokenData(path, value)), message);
      });
    }

    it('when the shipped file is checked, then it passes', () => {
      const data: DemoTenantData = parseDemoTenantData(structuredClone(demoTenantData()));
      assert.equal(data.users.length, 15);
    });
  });
});
