import assert from 'node:assert/strict';
import { DemoTenantDirectory } from '../../src/graph/demo-tenant-directory';

describe('demo tenant directory', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const tenant = {
    users: [{ id: 'u1', userPrincipalName: 'Pat@Contoso.test', accountEnabled: true }],
    signIns: [
      { id: 's1', createdDateTime: '2026-11-22T10:00:00Z', userPrincipalName: 'pat@contoso.test', appId: 'x', status: { errorCode: 0 } },
      { id: 's2', createdDateTime: '2026-11-22T11:00:00Z', userId: 'u1', status: { errorCode: 0 } },
      { id: 's3', createdDateTime: '2026-11-22T11:00:00Z', userId: 'someone-else', userPrincipalName: 'pat@contoso.test', status: { errorCode: 0 } },
      { id: 's4', createdDateTime: '2026-11-18T11:00:00Z', userId: 'u1', status: { errorCode: 0 } },
    ],
    devices: [
      { id: 'd1', registeredOwners: ['u1'] },
      { id: 'd2', registeredOwners: ['u2'] },
    ],
    conditionalAccessPolicies: [],
  };
  const directory = new DemoTenantDirectory(tenant as never, { windowHours: 48, source: 'test' });

  it("when a sign-in names the user only by UPN, then it is the user's; a userId always wins; old ones fall outside the window", async () => {
    const result = await directory.lookup('u1', { now });
    assert.ok(result.ok);
    assert.deepEqual(result.evidence.signIns.map((s) => s.id).sort(), ['s1', 's2']);
    assert.deepEqual(
      result.evidence.devices.map((d) => d.id),
      ['d1'],
    );
  });

  it('when the user is not in the file, then the lookup fails as user-not-found in plain words', async () => {
    const result = await directory.lookup('nobody', { now });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.failure.kind, 'user-not-found');
      assert.match(result.failure.message, /couldn't find your account/);
    }
  });

  it('when an agent looks someone up by UPN, then the match ignores case', async () => {
    assert.equal(await directory.findUserIdByUpn('PAT@contoso.TEST'), 'u1');
    assert.equal(await directory.findUserIdByUpn('nobody@contoso.test'), undefined);
  });
});
