import assert from 'node:assert/strict';
import { CARD_CASES } from '../../bench/card-models';
import { actionsIn, type Json } from '../support/cards';

/** Action styles Teams renders; it ignores "positive". */
const TEAMS_STYLES = new Set([undefined, 'default', 'destructive']);

describe('cards follow Teams conventions', () => {
  for (const { name, render } of CARD_CASES) {
    it(`when the ${name} card is rendered, then every button is a Universal Action (Action.Execute with its verb) in a style Teams supports`, () => {
      const card = render() as Json;
      const actions = [...actionsIn(card.actions ?? []), ...actionsIn(card.body ?? [])];
      for (const action of actions) {
        assert.ok(TEAMS_STYLES.has(action.style as string | undefined), `${name}: style ${String(action.style)}`);
        if (action.type === 'Action.ShowCard' || action.type === 'Action.OpenUrl' || action.type === 'Action.ToggleVisibility') continue;
        assert.equal(action.type, 'Action.Execute', `${name}: ${JSON.stringify(action).slice(0, 200)}`);
        assert.equal(action.verb, (action.data as Json | undefined)?.verb, `${name}: the action's verb is its data's verb`);
      }
    });
  }
});
