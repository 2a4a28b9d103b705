/**
 * Keeps every card within Teams' message size limit. Teams refuses a bot message of more than
 * about 28 KB (HTTP 413), so a card is built to at most `CARD_BUDGET_BYTES` of JSON, which
 * leaves room for the activity around it.
 *
 * Two tools: `fitToBudget` builds a card from a state (usually limits: how many history
 * entries, how long a note) and shrinks that state step by step, card-specific and readable;
 * `shrinkCard` works on any rendered card, knows nothing about it, and is the last resort
 * (also for the outbox after a 413, with a smaller budget).
 */
import type { AdaptiveCard } from './adaptive-card';
import { truncate } from './plain-text';

/** The most bytes of card JSON (UTF-8) a card may take. */
export const CARD_BUDGET_BYTES = 26_000;

/** Body items whose `id` starts with this may be left out when a card is too large. */
export const OPTIONAL_ID_PREFIX = 'optional-';

/** Shown when `shrinkCard` had to leave sections out. */
export const TRIMMED_NOTICE = 'Part of this card was left out to fit Teams’ size limit.';

/** The size of a card as Teams receives it: UTF-8 bytes of its JSON. */
export function cardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/**
 * The smaller versions of `state` one kind of shrinking can make, mildest first (each smaller
 * than the one before, e.g. 14, 13, … 1 transcript lines); empty when it can do no more.
 */
export type Shrinker<S> = (state: S) => S[];

/**
 * Renders `state`; while the card is over `maxBytes`, tries each shrinker in turn and keeps
 * the mildest of its versions that fits (a binary search, so a card takes a handful of renders,
 * not one per step), or its smallest version and goes on to the next shrinker. If no shrinker
 * is enough, the card goes to `shrinkCard`. Never throws for size and never returns a card
 * over `maxBytes` (see `shrinkCard` for budgets below a minimal card). Errors from `render`
 * itself propagate.
 */
export function fitToBudget<S>(state: S, render: (state: S) => AdaptiveCard, shrinkers: ReadonlyArray<Shrinker<S>>, maxBytes: number = CARD_BUDGET_BYTES): AdaptiveCard {
  const fits = (card: AdaptiveCard): boolean => cardBytes(card) <= maxBytes;
  let current = state;
  let card = render(current);
  for (const shrink of shrinkers) {
    if (fits(card)) return card;
    const versions = shrink(current);
    if (versions.length === 0) continue;
    const smallest = render(versions[versions.length - 1]);
    if (!fits(smallest)) {
      current = versions[versions.length - 1];
      card = smallest;
      continue;
    }
    // versions[hi] fits; find the mildest that does.
    let lo = 0;
    let hi = versions.length - 1;
    let best = smallest;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const candidate = render(versions[mid]);
      if (fits(candidate)) {
        hi = mid;
        best = candidate;
      } else {
        lo = mid + 1;
      }
    }
    return best;
  }
  return fits(card) ? card : shrinkCard(card, maxBytes);
}

/**
 * A shrinker over fixed levels, each smaller than the one before (e.g. every limit of a card a
 * little lower): from `levels[i]` it offers the levels after it. Cutting everything a little
 * keeps more of the card than cutting one part to nothing.
 */
export function throughLevels<S>(levels: readonly S[]): Shrinker<S> {
  return (state) => {
    const at = levels.indexOf(state);
    return at < 0 ? [] : levels.slice(at + 1);
  };
}

/** A shrinker that lowers the number `state[key]` to each of `steps` below it, largest first. */
export function stepDown<S, K extends keyof S>(key: K, steps: readonly number[]): Shrinker<S> {
  const sorted = [...new Set(steps)].sort((a, b) => b - a);
  return (state) => sorted.filter((step) => step < (state[key] as unknown as number)).map((step) => ({ ...state, [key]: step }));
}

/** A shrinker for a plain length: halves it, again and again, never below `floor`. */
export function halveTo(floor: number): Shrinker<number> {
  return (length) => {
    const versions: number[] = [];
    for (let next = Math.floor(length / 2); next > floor && next < length; next = Math.floor(next / 2)) versions.push(next);
    if (length > floor) versions.push(floor);
    return versions;
  };
}

/** A shrinker that turns the flag `state[key]` off. */
export function turnOff<S, K extends keyof S>(key: K): Shrinker<S> {
  return (state) => (state[key] ? [{ ...state, [key]: false }] : []);
}

// ---------------------------------------------------------------------------------------------
// shrinkCard: generic, on a rendered card

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every shown text that may be shortened: TextBlock and TextRun texts and fact values, with a setter. */
function textSlots(node: unknown, found: Array<{ get: () => string; set: (text: string) => void }> = []): Array<{ get: () => string; set: (text: string) => void }> {
  if (Array.isArray(node)) {
    for (const item of node) textSlots(item, found);
  } else if (isObject(node)) {
    if ((node.type === 'TextBlock' || node.type === 'TextRun') && typeof node.text === 'string') {
      found.push({ get: () => node.text as string, set: (text) => (node.text = text) });
    }
    if (node.type === 'FactSet' && Array.isArray(node.facts)) {
      for (const fact of node.facts) {
        if (isObject(fact) && typeof fact.value === 'string') found.push({ get: () => fact.value as string, set: (text) => (fact.value = text) });
      }
    }
    for (const value of Object.values(node)) if (typeof value === 'object') textSlots(value, found);
  }
  return found;
}

/**
 * Cuts every text longer than three quarters of the longest one (never below `floor`), so the
 * longest texts shrink first and a card with many long texts needs only a few rounds; false
 * when no text is longer than `floor`.
 */
function shortenLongest(card: Json, floor: number): boolean {
  const slots = textSlots(card);
  const longest = slots.reduce((max, slot) => Math.max(max, slot.get().length), 0);
  if (longest <= floor) return false;
  const cap = Math.max(floor, Math.floor(longest * 0.75));
  for (const slot of slots) if (slot.get().length > cap) slot.set(truncate(slot.get(), cap));
  return true;
}

/** The path (array and index) of the last body item, at any depth of containers, whose id marks it optional. */
function lastOptional(items: unknown): { list: unknown[]; index: number } | undefined {
  if (!Array.isArray(items)) return undefined;
  for (let i = items.length - 1; i >= 0; i--) {
    const item: unknown = items[i];
    if (!isObject(item)) continue;
    const nested = lastOptional(item.items) ?? (Array.isArray(item.columns) ? lastInColumns(item.columns) : undefined);
    if (nested) return nested;
    if (typeof item.id === 'string' && item.id.startsWith(OPTIONAL_ID_PREFIX)) return { list: items, index: i };
  }
  return undefined;
}

function lastInColumns(columns: unknown[]): { list: unknown[]; index: number } | undefined {
  for (let i = columns.length - 1; i >= 0; i--) {
    const column = columns[i];
    const found = isObject(column) ? lastOptional(column.items) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** The smallest useful card: the notice, then the card's refresh and actions while they fit. */
function minimalCard(card: Json, maxBytes: number): AdaptiveCard {
  const notice = { type: 'TextBlock', text: 'This card was too large for Teams, so its content was left out.', wrap: true };
  const candidates: Json[] = [];
  const base: Json = { $schema: card.$schema, type: 'AdaptiveCard', version: card.version ?? '1.5', body: [notice] };
  if (base.$schema === undefined) delete base.$schema;
  if (card.refresh !== undefined && card.actions !== undefined) candidates.push({ ...base, refresh: card.refresh, actions: card.actions });
  if (card.actions !== undefined) candidates.push({ ...base, actions: card.actions });
  if (card.refresh !== undefined) candidates.push({ ...base, refresh: card.refresh });
  candidates.push(base, { type: 'AdaptiveCard', version: base.version, body: [notice] }, { type: 'AdaptiveCard', version: base.version, body: [] });
  return candidates.find((candidate) => cardBytes(candidate) <= maxBytes) ?? candidates[candidates.length - 1];
}

/**
 * Makes a rendered card fit `maxBytes` without knowing what it shows: first shortens its texts,
 * the longest first (down to 200 characters), then leaves out body items marked optional (an `id` that
 * starts with "optional-"), last first, then shortens texts down to 40 characters, and as a
 * last resort returns a minimal card that says its content was left out (keeping `refresh`
 * and `actions` when they fit). Returns `card` itself when it already fits; never throws.
 * Below about 50 bytes no Adaptive Card fits: the smallest one is returned then.
 */
export function shrinkCard(card: AdaptiveCard, maxBytes: number): AdaptiveCard {
  if (cardBytes(card) <= maxBytes) return card;
  const copy = JSON.parse(JSON.stringify(card)) as Json;
  const fits = (): boolean => cardBytes(copy) <= maxBytes;

  while (!fits() && shortenLongest(copy, 200));
  let dropped = false;
  while (!fits()) {
    const found = lastOptional(copy.body);
    if (!found) break;
    found.list.splice(found.index, 1);
    dropped = true;
  }
  if (dropped && Array.isArray(copy.body)) {
    copy.body.push({ type: 'TextBlock', text: TRIMMED_NOTICE, size: 'Small', isSubtle: true, wrap: true });
  }
  while (!fits() && shortenLongest(copy, 40));
  return fits() ? copy : minimalCard(copy, maxBytes);
}
