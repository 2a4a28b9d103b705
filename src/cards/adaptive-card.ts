import type * as ACData from 'adaptivecards-templating';

/*
 * The templating engine (adaptivecards-templating with adaptive-expressions and its ANTLR
 * parser) takes about 160 ms to load: it is required at the first render, or earlier by
 * `warmUpCardEngine` once the server is listening, so it is off the path to ready.
 */
let engine: typeof ACData | undefined;
function cardEngine(): typeof ACData {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
  engine ??= require('adaptivecards-templating') as typeof ACData;
  return engine;
}

/** Loads the templating engine now (call after start-up, so the first card does not pay for it). */
export function warmUpCardEngine(): void {
  cardEngine();
}

/** Adaptive Card JSON, ready to attach (`CardFactory.adaptiveCard(card)`). */
export type AdaptiveCard = Record<string, unknown>;

/** A template left an expression unexpanded (a missing field or a typo in the template). */
export class CardTemplateError extends Error {
  override readonly name = 'CardTemplateError';
}

/*
 * Data strings that themselves contain "${" (a user's text, a PowerShell line) are swapped for
 * private-use tokens before expansion and put back afterwards. The templating engine never
 * re-evaluates data, but the "no ${ left" check below would otherwise mistake them for an
 * unexpanded expression. Strings that contain the token marker are shielded too, so restoring
 * can never touch genuine text.
 */
const TOKEN_START = '\uE000';
const TOKEN_END = '\uE001';
const TOKEN_PATTERN = /\uE000(\d+)\uE001/g;

function needsShield(value: string): boolean {
  return value.includes('${') || value.includes(TOKEN_START);
}

function shield(value: unknown, originals: string[]): unknown {
  if (typeof value === 'string') {
    if (!needsShield(value)) return value;
    originals.push(value);
    return `${TOKEN_START}${originals.length - 1}${TOKEN_END}`;
  }
  if (Array.isArray(value)) return value.map((item) => shield(item, originals));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = shield(item, originals);
    return result;
  }
  return value;
}

/** Thrown inside `restore` when a string or key still holds "${"; `renderTemplate` then names where. */
class Unexpanded extends Error {}

/**
 * Puts shielded strings back into the expanded card, in place, in one walk that also checks that
 * nothing is left unexpanded (throws `Unexpanded`). In place is safe: the engine builds every
 * object and array of the card anew, and what it takes from the data comes from `shield`'s copy,
 * so the card shares nothing with the caller's model or the template, and trimming it for size
 * can never change either.
 */
function restore(value: unknown, originals: readonly string[]): unknown {
  if (typeof value === 'string') {
    if (value.includes('${')) throw new Unexpanded();
    return originals.length === 0 || !value.includes(TOKEN_START) ? value : value.replace(TOKEN_PATTERN, (token, index: string) => originals[Number(index)] ?? token);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object') restore(item, originals);
      else if (typeof item === 'string') value[i] = restore(item, originals);
    }
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (key.includes('${')) throw new Unexpanded();
      const item = record[key];
      if (item !== null && typeof item === 'object') restore(item, originals);
      else if (typeof item === 'string') record[key] = restore(item, originals);
    }
  }
  return value;
}

/** Path and text of the first string (or key) that still holds "${", if any. */
function findUnexpanded(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('${') ? `${path}: ${JSON.stringify(value)}` : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnexpanded(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('${')) return `${path}: key ${JSON.stringify(key)}`;
      const found = findUnexpanded(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/*
 * `new Template(json)` parses every `${…}` in the template with adaptive-expressions' ANTLR
 * parser, which cost more than the expansion itself (milliseconds per card). A Template holds
 * only the parsed payload and is meant to be expanded again and again, so each template object
 * is prepared once, at its first render. Keyed by identity (the bot's templates are imported
 * JSON modules, alive for the whole process); a WeakMap lets a one-off template object go.
 * Expansion is synchronous, so the engine's per-expansion fields on the shared instance
 * (context, warnings) never overlap between renders.
 */
const prepared = new WeakMap<object, ACData.Template>();

function preparedTemplate(template: object): ACData.Template {
  let ready = prepared.get(template);
  if (!ready) {
    ready = new (cardEngine().Template)(template);
    prepared.set(template, ready);
  }
  return ready;
}

/**
 * Expands an Adaptive Card template (adaptivecards-templating) with `data` as `$root`.
 * Throws a CardTemplateError when an expression is left unexpanded: the engine leaves
 * `${field}` in place for a missing field rather than failing. The template's expressions are
 * parsed at its first render and reused: a template object must not be changed after that.
 */
export function renderTemplate(template: object, data: object): AdaptiveCard {
  const originals: string[] = [];
  const shielded = shield(data, originals);
  const expanded: unknown = preparedTemplate(template).expand({ $root: shielded });
  if (expanded === null || typeof expanded !== 'object' || Array.isArray(expanded)) {
    throw new CardTemplateError('Card template did not expand to an object');
  }
  try {
    return restore(expanded, originals) as AdaptiveCard;
  } catch (error) {
    if (!(error instanceof Unexpanded)) throw error;
    // Rare (a template bug): walk again to name the place.
    throw new CardTemplateError(`Card template left an unexpanded expression at ${findUnexpanded(expanded, '$') ?? '$'}`);
  }
}
