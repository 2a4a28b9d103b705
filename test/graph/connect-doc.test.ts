import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evidenceGap } from '../../src/graph/graph-failures';
import { GRAPH_PERMISSIONS, permissionPhrase } from '../../src/graph/graph-permissions';
import { POLICY_GAP } from '../../src/graph/policy-cache';

/** docs/connect-to-your-tenant.md names the permissions and the gaps exactly as the code does. */
describe('docs/connect-to-your-tenant.md and the code agree', () => {
  // Line breaks inside a sentence are spaces.
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'connect-to-your-tenant.md'), 'utf8').replace(/\s+/g, ' ');

  it('when the doc lists what the bot reads, then every read names its permissions as the code (and Microsoft) does', () => {
    for (const [read, need] of Object.entries(GRAPH_PERMISSIONS)) assert.ok(doc.includes(permissionPhrase(need)), `${read}: "${permissionPhrase(need)}" is in the doc`);
  });

  it('when the doc quotes an evidence gap, then it is the text the evidence carries', () => {
    assert.ok(doc.includes(evidenceGap('policy-results', { reason: 'permission' }).what), 'the policy results gap');
    assert.ok(doc.includes(evidenceGap('devices', { reason: 'permission' }).what), 'the devices gap');
    assert.ok(doc.includes(POLICY_GAP), 'the policy details gap');
  });

  it('when the doc describes a missing Conditional Access permission, then it no longer promises that cards still name the blocking policy', () => {
    assert.doesNotMatch(doc, /name the policy only as the sign-in log does/);
  });
});
