import assert from 'node:assert/strict';
import { CAUSE_IDS } from '../../src/domain/causes';
import { KNOWN_APPS, OFFICE_APP_IDS, ONEDRIVE_APP_IDS } from '../../src/domain/apps';
import { getQuestion, isQuestionId } from '../../src/domain/questions';
import { buildDemoTenant, type DemoTenant } from '../../src/graph/demo-tenant-data';
import { SCENARIOS, buildScenarioTenant } from '../fixtures/scenario-tenant';

const NOW = new Date('2026-03-10T12:34:56.789Z');

const PLAYGROUND_USERS: Array<[string, string, string]> = [
  ['00000000-0000-0000-0000-0000000000020', 'Alex Wilber', 'alexw@example.com'],
  ['00000000-0000-0000-0000-0000000000021', 'Megan Bowen', 'meganb@example.com'],
  ['00000000-0000-0000-0000-0000000000022', 'Adele Vance', 'adelev@example.com'],
  ['00000000-0000-0000-0000-0000000000023', 'Isaiah Langer', 'isaiahl@example.com'],
  ['00000000-0000-0000-0000-0000000000024', 'Patti Fernandez', 'pattif@example.com'],
  ['00000000-0000-0000-0000-0000000000025', 'Lynne Robbins', 'lynner@example.com'],
];

/** Every timestamp in a tenant, with where it was found. */
function timestamps(tenant: DemoTenant): Array<[string, string | null | undefined]> {
  return [
    ...tenant.users.flatMap((u): Array<[string, string | null | undefined]> => [
      [`user ${u.id} createdDateTime`, u.createdDateTime],
      [`user ${u.id} lastPasswordChangeDateTime`, u.lastPasswordChangeDateTime],
    ]),
    ...tenant.signIns.map((s): [string, string] => [`sign-in ${s.id}`, s.createdDateTime]),
    ...tenant.devices.map((d): [string, string | null | undefined] => [`device ${d.id}`, d.approximateLastSignInDateTime]),
  ];
}

function checkIntegrity(name: string, build: (now: Date) => DemoTenant): void {
  describe(`${name} integrity`, () => {
    const tenant = build(NOW);
    const userIds = new Set(tenant.users.map((u) => u.id));

    it("when the tenant is built, then every sign-in belongs to one of its users under that user's UPN", () => {
      for (const s of tenant.signIns) {
        assert.ok(s.userId && userIds.has(s.userId), `sign-in ${s.id} has unknown userId ${s.userId}`);
        const user = tenant.users.find((u) => u.id === s.userId)!;
        assert.equal(s.userPrincipalName, user.userPrincipalName);
      }
    });

    it('when the tenant is built, then every device owner is one of its users', () => {
      for (const d of tenant.devices) {
        for (const owner of d.registeredOwners ?? []) assert.ok(userIds.has(owner), `device ${d.id} has unknown owner ${owner}`);
      }
    });

    it('when the tenant is built, then every timestamp parses and none is after now', () => {
      for (const [where, value] of timestamps(tenant)) {
        assert.equal(typeof value, 'string', `${where} is missing`);
        const t = Date.parse(value!);
        assert.ok(Number.isFinite(t), `${where} does not parse: ${value}`);
        assert.ok(t <= NOW.getTime(), `${where} is in the future: ${value}`);
      }
    });

    it('when the tenant is built, then user, sign-in, device and policy ids are unique', () => {
      const groups: Array<[string, Array<string | undefined>]> = [
        ['users', tenant.users.map((u) => u.id)],
        ['sign-ins', tenant.signIns.map((s) => s.id)],
        ['devices', tenant.devices.map((d) => d.id)],
        ['device ids', tenant.devices.map((d) => d.deviceId)],
        ['policies', tenant.conditionalAccessPolicies.map((p) => p.id)],
      ];
      for (const [what, ids] of groups) {
        assert.ok(
          ids.every((id) => typeof id === 'string' && id.length > 0),
          `${what} has an empty id`,
        );
        assert.equal(new Set(ids).size, ids.length, `${what} ids are not unique`);
      }
    });

    it('when a sign-in names a Conditional Access policy, then the tenant lists that policy', () => {
      const policyIds = new Set(tenant.conditionalAccessPolicies.map((p) => p.id));
      for (const s of tenant.signIns) {
        for (const p of s.appliedConditionalAccessPolicies ?? []) assert.ok(policyIds.has(p.id!), `sign-in ${s.id} names unknown policy ${p.id}`);
      }
    });

    it('when the tenant is built, then every sign-in comes from a known app with a Graph-shaped status', () => {
      const known = new Set([...ONEDRIVE_APP_IDS, ...OFFICE_APP_IDS]);
      for (const s of tenant.signIns) {
        assert.ok(known.has(s.appId!), `sign-in ${s.id} has unknown app ${s.appId}`);
        assert.equal(typeof s.status?.errorCode, 'number');
        assert.deepEqual(s.signInEventTypes, [s.isInteractive ? 'interactiveUser' : 'nonInteractiveUser']);
      }
    });

    it('when the tenant is built twice from the same clock, then it is the same tenant', () => {
      assert.deepEqual(build(NOW), tenant);
    });

    it('when the tenant is serialised to JSON, then it reads back unchanged', () => {
      assert.deepEqual(JSON.parse(JSON.stringify(tenant)), tenant);
    });
  });
}

describe('demo tenant data', () => {
  checkIntegrity('the shipped demo tenant', buildDemoTenant);
  checkIntegrity('the scenario tenant', buildScenarioTenant);

  it('when the demo tenant is built, then the six Agents Playground users exist with their exact ids', () => {
    const tenant = buildDemoTenant(NOW);
    for (const [id, displayName, upn] of PLAYGROUND_USERS) {
      const user = tenant.users.find((u) => u.id === id);
      assert.ok(user, `missing Playground user ${id}`);
      assert.equal(user.displayName, displayName);
      assert.equal(user.userPrincipalName, upn);
    }
  });

  it('when the demo tenant is built from a later clock, then its timestamps move with it', () => {
    const later = new Date(NOW.getTime() + 7 * 24 * 3600e3);
    const a = buildDemoTenant(NOW);
    const b = buildDemoTenant(later);
    assert.equal(Date.parse(b.signIns[0]!.createdDateTime) - Date.parse(a.signIns[0]!.createdDateTime), 7 * 24 * 3600e3);
  });

  it('when Isaiah is looked at, then no OneDrive sign-in is in the last 48 hours but Outlook and Teams are', () => {
    const tenant = buildDemoTenant(NOW);
    const recent = tenant.signIns.filter((s) => s.userId === '00000000-0000-0000-0000-0000000000023' && NOW.getTime() - Date.parse(s.createdDateTime) <= 48 * 3600e3);
    assert.equal(recent.filter((s) => s.appId === KNOWN_APPS.oneDriveSync.appId).length, 0);
    assert.ok(recent.some((s) => s.appId === KNOWN_APPS.outlook.appId && s.status?.errorCode === 0));
    assert.ok(recent.some((s) => s.appId === KNOWN_APPS.teams.appId && s.status?.errorCode === 0));
  });

  it('when the scenarios are listed, then there is exactly one per cause id and each user exists', () => {
    const tenant = buildScenarioTenant(NOW);
    assert.deepEqual(SCENARIOS.map((s) => s.causeId).sort(), [...CAUSE_IDS].sort());
    for (const s of SCENARIOS) {
      assert.equal(s.userId, `scn-${s.causeId}`);
      const user = tenant.users.find((u) => u.id === s.userId);
      assert.ok(user, `scenario ${s.causeId} names missing user ${s.userId}`);
      assert.match(user.userPrincipalName ?? '', /@contoso\.test$/);
      assert.ok(s.firstMessage.trim().length > 0);
    }
  });

  it('when a scenario gives answers, then each is a valid answer id for a contract question', () => {
    for (const s of SCENARIOS) {
      for (const [questionId, answer] of Object.entries(s.answers)) {
        assert.ok(isQuestionId(questionId), `scenario ${s.causeId}: unknown question ${questionId}`);
        assert.ok(
          getQuestion(questionId).answers.some((a) => a.id === answer),
          `scenario ${s.causeId}: ${answer} is not an answer to ${questionId}`,
        );
      }
    }
  });
});
