import assert from 'node:assert/strict';
import { GraphGroupMembership } from '../../src/graph/group-membership';
import { buildScenarioTenant } from '../fixtures/scenario-tenant';
import { FakeGraphServer } from '../support/fake-graph-server';
import { tokenDouble } from './graph-test-kit';

const GROUP = '3a9e4c2b-1d7f-4e6a-8b5c-9d0e1f2a3b4c';
const TOKEN = 'membership-test-token';

function recordingLog(): {
  entries: Array<{ level: string; obj: Record<string, unknown>; msg?: string }>;
  info: (o: object, m?: string) => void;
  warn: (o: object, m?: string) => void;
} {
  const entries: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  return {
    entries,
    info: (obj, msg) => entries.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    warn: (obj, msg) => entries.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  };
}

describe('GraphGroupMembership: HELPDESK_AGENTS_GROUP_ID read through checkMemberGroups on a Graph-shaped server', () => {
  let graph: FakeGraphServer;
  let now = 1_000_000;
  const members = ['agent-1', 'agent-2', 'agent-3'];

  before(async () => {
    const tenant = buildScenarioTenant(new Date());
    const template = tenant.users[0]!;
    for (const id of [...members, 'employee-1']) tenant.users.push({ ...template, id, displayName: id, userPrincipalName: `${id}@contoso.test` });
    graph = await FakeGraphServer.start(tenant, { requireToken: TOKEN });
    graph.groups.set(GROUP, members);
    graph.groups.set('some-other-group', ['employee-1']);
  });
  after(() => graph.close());
  beforeEach(() => graph.reset());

  const membership = (log = recordingLog()) =>
    new GraphGroupMembership({ credential: tokenDouble({ token: TOKEN }), baseUrl: graph.url, groupId: GROUP, log, clock: () => now, ttlMs: 300_000, failureTtlMs: 30_000 });

  it('when a member and a non-member are checked, then Graph answers for each once and the answers are reused until the TTL ends', async () => {
    const m = membership();
    assert.equal(await m.isMember('agent-1'), true);
    assert.equal(await m.isMember('employee-1'), false, 'in another group only');
    assert.equal(await m.isMember('AGENT-1'), true, 'ids compare without case');
    assert.equal(await m.isMember('employee-1'), false);
    assert.equal(graph.count(/checkMemberGroups/), 2);
    const seen = graph.routed.filter((r) => /checkMemberGroups/.test(r.url));
    assert.ok(
      seen.every((r) => r.method === 'POST' && r.url.startsWith('/v1.0/users/')),
      JSON.stringify(seen),
    );

    graph.groups.set(GROUP, ['agent-2', 'agent-3']); // agent-1 leaves the group
    now += 301_000;
    assert.equal(await m.isMember('agent-1'), false, 'read again after the TTL');
    graph.groups.set(GROUP, members);
  });

  it('when several checks of one person run at once, then one request serves them all', async () => {
    const m = membership();
    const answers = await Promise.all([m.isMember('agent-2'), m.isMember('agent-2'), m.isMember('agent-2')]);
    assert.deepEqual(answers, [true, true, true]);
    assert.equal(graph.count(/checkMemberGroups/), 1);
  });

  it('when the person is not in the directory (404), then they are not a member and nothing is logged', async () => {
    const log = recordingLog();
    assert.equal(await membership(log).isMember('nobody-here'), false);
    assert.deepEqual(log.entries, []);
  });

  it('when Graph refuses (403) or is down, then nobody is a member, one warning names the permission, and the answer is retried only after a short while', async () => {
    const log = recordingLog();
    const m = membership(log);
    graph.denyNext(/checkMemberGroups/);
    assert.equal(await m.isMember('agent-1'), false);
    assert.equal(await m.isMember('agent-2'), false);
    assert.equal(await m.isMember('agent-1'), false, 'cached failure');
    assert.equal(graph.count(/checkMemberGroups/), 2);
    const warnings = log.entries.filter((e) => e.level === 'warn');
    assert.equal(warnings.length, 1, 'one warning for the run of failures');
    assert.equal(warnings[0]!.obj.status, 403);
    assert.match(String(warnings[0]!.obj.hint), /GroupMember\.Read\.All/);
    assert.doesNotMatch(JSON.stringify(log.entries), new RegExp(TOKEN), 'the token is never logged');

    graph.clearFaults();
    now += 31_000;
    assert.equal(await m.isMember('agent-1'), true, 'asked again once the failure expired');
    assert.ok(log.entries.some((e) => e.level === 'info' && /can be read from Microsoft Graph again/.test(e.msg ?? '')));

    graph.unavailableNext(/checkMemberGroups/, 1, 503);
    assert.equal(await m.isMember('agent-3'), false, 'an outage is "not a member", never an error');
  });

  it('when Graph does not answer in time, then the check ends as "not a member"', async () => {
    const log = recordingLog();
    const m = new GraphGroupMembership({ credential: tokenDouble({ token: TOKEN }), baseUrl: graph.url, groupId: GROUP, log, clock: () => now, timeoutMs: 200 });
    graph.delayMs = 2000;
    try {
      assert.equal(await m.isMember('agent-1'), false);
    } finally {
      graph.delayMs = 0;
    }
    assert.equal(log.entries.filter((e) => e.level === 'warn')[0]?.obj.code, 'Timeout');
  });

  it('when an id is not shaped like a directory id, then Graph is not asked at all', async () => {
    const m = membership();
    for (const id of ['', '..', '../groups/x', 'a b', 'x'.repeat(200), 'agent-1/../../me']) assert.equal(await m.isMember(id), false, id);
    assert.equal(graph.httpRequests.length, 0);
    assert.throws(() => new GraphGroupMembership({ credential: tokenDouble(), baseUrl: graph.url, groupId: 'not a/guid', log: recordingLog() }), RangeError);
  });
});
