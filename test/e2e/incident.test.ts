import assert from 'node:assert/strict';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { BotHarness } from '../support/bot-harness';
import { cardsIn, cardText } from '../support/cards';
import { AGENT_A, AGENT_A_ENV, CHANNEL_ID, mention, TEAM_ID } from '../support/handoff-helpers';
import { driveTriage } from '../support/triage-driver';

/** The scenario tenant plus two more people blocked by the same Conditional Access policy. */
function tenantWithThreeBlocked(now: Date) {
  const tenant = buildScenarioTenant(now);
  const source = SCENARIOS.find((s) => s.causeId === 'conditional-access-block')!;
  const user = tenant.users.find((u) => u.id === source.userId)!;
  for (const n of [2, 3]) {
    const id = `${source.userId}-${n}`;
    tenant.users.push({ ...user, id, displayName: `Blocked Person ${n}`, userPrincipalName: `blocked${n}@contoso.test` });
    for (const s of tenant.signIns.filter((x) => x.userId === source.userId))
      tenant.signIns.push({ ...s, id: `${s.id}-${n}`, userId: id, userPrincipalName: `blocked${n}@contoso.test` });
  }
  return { tenant, source };
}

describe('e2e: several people with the same failing policy raise one incident', function () {
  this.timeout(60_000);
  const h = new BotHarness();
  const { tenant, source } = tenantWithThreeBlocked(new Date());
  before(async () => {
    await h.start({ OUTBOX_RETRY_BASE_MS: '20', ...AGENT_A_ENV }, tenant);
    h.connector.teamMembers.set(TEAM_ID, [AGENT_A]);
    await mention(h, AGENT_A, 'use this channel for tickets');
  });
  after(() => h.stop());

  it('when three people are diagnosed with the same blocked policy, then one "possible tenant-wide problem" card is posted', async () => {
    const ids = [source.userId, `${source.userId}-2`, `${source.userId}-3`];
    for (const [i, id] of ids.entries()) {
      const run = await driveTriage(h.chat({ aadObjectId: id, name: `Person ${i + 1}` }), source.firstMessage, source.answers);
      assert.equal(run.causeId, 'conditional-access-block');
    }
    // A fourth diagnosis of the same kind does not post a second card.
    await driveTriage(h.chat({ aadObjectId: source.userId, name: 'Person 1' }), source.firstMessage, source.answers);
    const incident = await h.connector.waitFor(
      (calls) =>
        calls.find((c) => c.conversationId.startsWith(`${CHANNEL_ID};messageid=`) && cardsIn(c.body).some((card) => cardText(card).includes('Possible tenant-wide problem'))),
      10_000,
      'incident card',
    );
    const text = cardsIn(incident.body).map(cardText).join('\n');
    assert.match(text, /Block unmanaged sync/);
    assert.match(text, /Person 1/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cards = h.connector.calls.filter((c) => cardsIn(c.body).some((card) => cardText(card).includes('Possible tenant-wide problem')));
    assert.equal(cards.length, 1);
  });
});
