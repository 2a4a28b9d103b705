import assert from 'node:assert/strict';
import { CARD_ROUTES, COMMAND_ROUTES } from '../../src/bot/routes';
import { Verbs } from '../../src/cards';

describe('routes: one table for every card verb and typed command', () => {
  it('when the verbs of src/cards/verbs.ts are listed, then each has a row, and a verb with two rows serves two different places with one schema', () => {
    for (const verb of Object.values(Verbs)) {
      const rows = CARD_ROUTES.filter((r) => r.verb === verb);
      assert.ok(rows.length >= 1, `${verb} has no route`);
      assert.equal(new Set(rows.map((r) => r.where)).size, rows.length, `${verb} has two rows for one place`);
      assert.equal(new Set(rows.map((r) => r.schema)).size, 1, `${verb} validates differently by place`);
    }
    assert.deepEqual(new Set(CARD_ROUTES.map((r) => r.verb)), new Set(Object.values(Verbs)), 'a row names a verb that verbs.ts does not list');
  });

  it("when the contract's agent verbs are looked up, then each is for agents only, in any place", () => {
    for (const verb of [
      Verbs.ticketClaim,
      Verbs.ticketTransfer,
      Verbs.ticketReply,
      Verbs.ticketResolve,
      Verbs.ticketReopen,
      Verbs.ticketSendFix,
      Verbs.ticketAskInfo,
      Verbs.ticketHandBack,
    ]) {
      const rows = CARD_ROUTES.filter((r) => r.verb === verb);
      assert.deepEqual(
        rows.map((r) => [r.who, r.where]),
        [['agent', 'any']],
        verb,
      );
    }
  });

  it('when the typed commands are listed, then the channel ones needing an agent are marked so and none is listed twice for one place', () => {
    const keys = COMMAND_ROUTES.map((r) => `${r.where}:${r.command}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const command of ['tickets', 'retry deliveries', 'lookup', 'thread reply']) {
      assert.equal(COMMAND_ROUTES.find((r) => r.where === 'channel' && r.command === command)?.who, 'agent', command);
    }
  });
});
