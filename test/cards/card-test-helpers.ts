/** Helpers the card tests share: walking a rendered card's actions and elements, and the checks every card must pass. */
import assert from 'node:assert/strict';
import { CARD_BUDGET_BYTES, isVerb, type AdaptiveCard } from '../../src/cards';
import { validateAdaptiveCard } from './adaptive-cards-validator';

export type Json = Record<string, unknown>;

export interface FoundAction {
  action: Json;
  path: string;
}

/** Every action in the card: `actions` arrays, ActionSets, selectActions, `refresh`, and inside ShowCard cards. */
export function collectActions(node: unknown, path = '$', found: FoundAction[] = []): FoundAction[] {
  if (Array.isArray(node)) {
    node.forEach((item, i) => collectActions(item, `${path}[${i}]`, found));
  } else if (node !== null && typeof node === 'object') {
    const object = node as Json;
    if (typeof object.type === 'string' && object.type.startsWith('Action.')) found.push({ action: object, path });
    for (const [key, value] of Object.entries(object)) collectActions(value, `${path}.${key}`, found);
  }
  return found;
}

/** Actions that send data to the bot (Submit / Execute). */
export function dataActions(card: unknown): Array<FoundAction & { data: Json }> {
  return collectActions(card)
    .filter(({ action }) => action.type === 'Action.Submit' || action.type === 'Action.Execute')
    .map((found) => ({ ...found, data: (found.action.data ?? {}) as Json }));
}

/** Every element (body items, columns, container items, ShowCard bodies) of the given type. */
export function elementsOfType(node: unknown, type: string, found: Json[] = []): Json[] {
  if (Array.isArray(node)) {
    for (const item of node) elementsOfType(item, type, found);
  } else if (node !== null && typeof node === 'object') {
    const object = node as Json;
    if (object.type === type) found.push(object);
    for (const value of Object.values(object)) elementsOfType(value, type, found);
  }
  return found;
}

/** A shown text: a TextBlock, or a RichTextBlock (its TextRuns joined; the style is its first run's). */
export interface ShownText {
  type: 'TextBlock' | 'RichTextBlock';
  text: string;
  color?: unknown;
  isSubtle?: unknown;
  weight?: unknown;
  size?: unknown;
  element: Json;
}

/** Every TextBlock and RichTextBlock, in document order. */
export function shownTexts(node: unknown, found: ShownText[] = []): ShownText[] {
  if (Array.isArray(node)) {
    for (const item of node) shownTexts(item, found);
  } else if (node !== null && typeof node === 'object') {
    const object = node as Json;
    if (object.type === 'TextBlock') {
      found.push({ type: 'TextBlock', text: String(object.text), color: object.color, isSubtle: object.isSubtle, weight: object.weight, size: object.size, element: object });
      return found;
    }
    if (object.type === 'RichTextBlock') {
      const runs = (object.inlines as Json[]).map((run) => (typeof run === 'string' ? { text: run } : run));
      const first = runs[0] ?? {};
      found.push({
        type: 'RichTextBlock',
        text: runs.map((run) => String(run.text)).join(''),
        color: first.color,
        isSubtle: first.isSubtle,
        weight: first.weight,
        size: first.size,
        element: object,
      });
      return found;
    }
    for (const value of Object.values(object)) shownTexts(value, found);
  }
  return found;
}

/** The text of every TextBlock and RichTextBlock, in order. */
export function texts(node: unknown): string[] {
  return shownTexts(node).map((shown) => shown.text);
}

/** The text of every TextBlock and RichTextBlock, one per line. */
export function allText(node: unknown): string {
  return texts(node).join('\n');
}

/** A fact line: a RichTextBlock whose first run is the bold "Title: " and whose second is the plain value. */
function factLine(block: Json): { title: string; value: string } | undefined {
  const runs = block.inlines as Json[];
  if (!Array.isArray(runs) || runs.length !== 2) return undefined;
  const [title, value] = runs;
  if (title.weight !== 'Bolder' || typeof title.text !== 'string' || !title.text.endsWith(': ') || value.weight !== undefined) return undefined;
  return { title: title.text.slice(0, -2), value: String(value.text) };
}

/** The facts of every FactSet and every fact line, in document order. */
export function factsOf(node: unknown, found: Array<{ title: string; value: string }> = []): Array<{ title: string; value: string }> {
  if (Array.isArray(node)) {
    for (const item of node) factsOf(item, found);
  } else if (node !== null && typeof node === 'object') {
    const object = node as Json;
    if (object.type === 'FactSet') {
      found.push(...(object.facts as Array<{ title: string; value: string }>));
      return found;
    }
    if (object.type === 'RichTextBlock') {
      const fact = factLine(object);
      if (fact) found.push(fact);
      return found;
    }
    for (const value of Object.values(object)) factsOf(value, found);
  }
  return found;
}

/** The fact titles of each group of facts (a FactSet, or the fact lines of one Container), e.g. one per sign-in event. */
export function factGroups(node: unknown): string[][] {
  return elementsOfType(node, 'Container')
    .map((container) => (container.items as Json[]).filter((item) => item.type === 'RichTextBlock').map((item) => factLine(item)?.title))
    .filter((titles): titles is string[] => titles.length > 0 && titles.every((title) => title !== undefined));
}

/** The UTF-8 size of a card's JSON, as Teams measures a message. */
export function jsonBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/** Two OneDrive sign-ins blocked by Conditional Access, the first naming the policy: sample events for the diagnosis and lookup cards. */
export const BLOCKED_SIGN_INS = [
  {
    when: 'Today 09:14',
    app: 'Microsoft OneDrive',
    outcome: 'Failed',
    reason: '53003: access has been blocked by Conditional Access policies',
    policy: 'Require compliant device for SharePoint',
  },
  { when: 'Today 09:02', app: 'Microsoft OneDrive', outcome: 'Failed', reason: '53003: blocked by Conditional Access' },
] as const;

export const LONG = 'OneDrive keeps asking me to sign in again and again, and every time I type my password the window closes and shows the same error a few seconds later. '
  .repeat(6)
  .trim();

export interface CardCheckOptions {
  /** The longest button title allowed; 24 (what Teams shows) unless told. */
  maxTitle?: number;
  /** `validateAdaptiveCard` problems that are known to be harmless for this card. */
  acceptedProblems?: readonly string[];
}

/** The checks every card must pass. */
export function assertValidCard(card: AdaptiveCard, options: CardCheckOptions = {}): void {
  const json = JSON.stringify(card);
  assert.ok(!json.includes('${'), `unexpanded template expression in ${json}`);
  assert.equal(card.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
  assert.equal(card.type, 'AdaptiveCard');
  assert.equal(card.version, '1.5');
  assert.equal(card.msteams, undefined, 'msteams (full width) is not supported by Agents Playground');

  const accepted = options.acceptedProblems ?? [];
  const problems = validateAdaptiveCard(card).filter((problem) => !accepted.includes(problem));
  assert.deepEqual(problems, [], `Adaptive Card problems:\n  ${problems.join('\n  ')}\n${JSON.stringify(card, null, 2)}`);

  for (const { action, path } of collectActions(card)) {
    assert.ok(['Action.Submit', 'Action.Execute', 'Action.ShowCard'].includes(String(action.type)), `${path}: unexpected action type ${String(action.type)}`);
    assert.ok(typeof action.title === 'string' && action.title.trim().length > 0, `${path}: action without a title`);
    assert.ok(String(action.title).length <= (options.maxTitle ?? 24), `${path}: button title "${String(action.title)}" is too long for Teams`);
  }
  for (const { data, path } of dataActions(card)) {
    assert.ok(isVerb(data.verb), `${path}: data.verb ${JSON.stringify(data.verb)} is not one of Verbs`);
  }
  for (const [key, value] of Object.entries(card)) {
    assert.notEqual(value, null, `top-level ${key} is null`);
  }
  if ('actions' in card) {
    const actions = card.actions as unknown[];
    assert.ok(actions.length > 0, 'an empty actions array');
    assert.ok(
      actions.every((action) => action !== null && typeof action === 'object'),
      'a null action',
    );
  }
  for (const block of elementsOfType(card, 'TextBlock')) {
    assert.equal(typeof block.text, 'string', 'TextBlock text must be a string');
  }
  for (const block of elementsOfType(card, 'RichTextBlock')) {
    const inlines = block.inlines as Json[];
    assert.ok(Array.isArray(inlines) && inlines.length > 0, 'a RichTextBlock without inlines');
    for (const run of inlines) {
      assert.equal(run.type, 'TextRun', 'RichTextBlock inlines are TextRuns');
      assert.equal(typeof run.text, 'string', 'TextRun text must be a string');
    }
  }
  assert.ok(jsonBytes(card) <= CARD_BUDGET_BYTES, `the card is ${jsonBytes(card)} bytes, over the ${CARD_BUDGET_BYTES}-byte budget`);
}

/** The card inside the ShowCard action titled `title` (fails the test when there is none). */
export function showCardBody(card: Json, title: string): Json {
  const found = collectActions(card).find(({ action }) => action.type === 'Action.ShowCard' && action.title === title);
  assert.ok(found, `no ShowCard "${title}"`);
  return found.action.card as Json;
}
