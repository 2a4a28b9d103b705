/**
 * Validates Adaptive Card JSON with the official `adaptivecards` library (the renderer the
 * Adaptive Cards Designer and Agents Playground use), for tests.
 *
 * The package's ESM build does not load in Node, so this loads its UMD bundle. Parsing and
 * property validation do not touch the DOM (only rendering does), so no `document` shim is
 * needed.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

/** The schema version every card of this bot targets. */
export const CARD_VERSION = '1.5';

/** Structural rules the library does not check but hosts (Teams, Playground) trip over. */
function structuralProblems(json: unknown): string[] {
  const problems: string[] = [];
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return ['The card is not a JSON object'];
  const card = json as Record<string, unknown>;
  if (card.type !== 'AdaptiveCard') problems.push(`type is ${JSON.stringify(card.type)}, expected "AdaptiveCard"`);
  if (card.version !== CARD_VERSION) problems.push(`version is ${JSON.stringify(card.version)}, expected "${CARD_VERSION}"`);
  const walk = (node: unknown, path: string): void => {
    if (node === null) {
      problems.push(`${path} is null (a template element whose $when was false outside an array?)`);
    } else if (typeof node === 'string') {
      if (node.includes('${')) problems.push(`${path} holds an unexpanded template expression: ${JSON.stringify(node)}`);
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$data' || key === '$when') problems.push(`${path} still has template key ${key}`);
        walk(value, `${path}.${key}`);
      }
    }
  };
  walk(json, '$');
  return problems;
}

/**
 * Problems with an Adaptive Card, empty when it is valid: parse warnings and errors (unknown
 * element or action types, invalid enum values, elements not allowed in `version`), property
 * validation (duplicate ids, required inputs without label, empty choice sets, …) and a few
 * structural checks (type, version, leftover `${…}` or template keys, nulls).
 */
export function validateAdaptiveCard(json: unknown): string[] {
  const problems = structuralProblems(json);
  if (problems.some((problem) => problem.startsWith('The card is not'))) return problems;

  const context = new AC.SerializationContext();
  context.targetVersion = AC.Versions.v1_5;
  const card = new AC.AdaptiveCard();
  try {
    card.parse(json, context);
  } catch (error) {
    return [...problems, `parse threw: ${error instanceof Error ? error.message : String(error)}`];
  }
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse: ${event.message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    problems.push(`validate: ${event.message}`);
  }
  return problems;
}
