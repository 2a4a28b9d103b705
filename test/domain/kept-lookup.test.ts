import assert from 'node:assert/strict';
import { keptLookup } from '../../src/domain/case-file';
import { analyzeEvidence } from '../../src/domain/evidence-analysis';
import { selectNextQuestion } from '../../src/domain/question-selector';
import { DemoTenantDirectory } from '../../src/graph/demo-tenant-directory';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';

const NOW = new Date();

/** What the kept lookup leaves out of each sign-in event (and `additionalDetails` out of its status). */
const DROPPED_EVENT_FIELDS = new Set([
  'ipAddress',
  'userPrincipalName',
  'userId',
  'clientAppUsed',
  'resourceDisplayName',
  'signInEventTypes',
  'conditionalAccessStatus',
  'additionalDetails',
]);

/** The analysis as JSON without what the kept lookup leaves out of each event it quotes. */
function comparable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => {
      if (DROPPED_EVENT_FIELDS.has(key)) return undefined;
      if (key === 'appliedConditionalAccessPolicies' && Array.isArray(v)) return (v as Array<{ result?: string }>).filter((p) => p.result === 'failure' || p.result === 'success');
      return v;
    }),
  );
}

describe('the lookup a case keeps between turns', () => {
  const directory = new DemoTenantDirectory(buildScenarioTenant(NOW), { windowHours: 48, source: 'test' });

  for (const s of SCENARIOS) {
    it(`when the ${s.causeId} employee's lookup is kept, then the evidence analysis and the diagnosis are the same as from the full lookup, and it is smaller`, async () => {
      const full = await directory.lookup(s.userId, { now: NOW });
      assert.ok(full.ok);
      const kept = keptLookup(full);
      assert.ok(kept.ok);
      const before = analyzeEvidence(full.evidence, NOW);
      const after = analyzeEvidence(kept.evidence, NOW);
      assert.deepEqual(comparable(after), comparable(before));
      assert.deepEqual(selectNextQuestion({ answers: {}, evidence: after }, []).diagnosis, selectNextQuestion({ answers: {}, evidence: before }, []).diagnosis);
      if (full.evidence.signIns.length > 0) assert.ok(JSON.stringify(kept).length < JSON.stringify(full).length);
      const named = new Set(kept.evidence.signIns.flatMap((e) => (e.appliedConditionalAccessPolicies ?? []).map((p) => p.id)));
      assert.deepEqual(
        kept.evidence.conditionalAccessPolicies.map((p) => p.id),
        full.evidence.conditionalAccessPolicies.filter((p) => named.has(p.id)).map((p) => p.id),
        'only the policies a kept sign-in names are kept',
      );
      for (const event of kept.evidence.signIns) {
        for (const field of DROPPED_EVENT_FIELDS) assert.equal(field in event || field in (event.status ?? {}), false, `${field} is not kept`);
        assert.equal(event.ipAddress, undefined, 'no IP address is kept');
        for (const p of event.appliedConditionalAccessPolicies ?? []) assert.ok(p.result === 'failure' || p.result === 'success');
      }
    });
  }

  it('when a lookup failed, then it is kept as it is', () => {
    const failed = { ok: false as const, failure: { kind: 'timeout' as const, message: 'slow', adminDetail: 'x' } };
    assert.equal(keptLookup(failed), failed);
  });
});
