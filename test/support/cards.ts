/** Helpers to read Adaptive Cards the bot sent, as a client would. */

export type Json = Record<string, unknown>;

/** Every Adaptive Card in an activity. */
export function cardsIn(activity: Json): Json[] {
  const attachments = (activity.attachments as Json[] | undefined) ?? [];
  return attachments.filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content as Json);
}

/** Every action in a card (including inside ShowCard and selectAction), depth first. */
export function actionsIn(node: unknown, found: Json[] = []): Json[] {
  if (Array.isArray(node)) {
    for (const item of node) actionsIn(item, found);
  } else if (node && typeof node === 'object') {
    const o = node as Json;
    if (typeof o.type === 'string' && o.type.startsWith('Action.')) found.push(o);
    for (const [key, value] of Object.entries(o)) if (key !== 'data') actionsIn(value, found);
  }
  return found;
}

/** The data of every action in a card. */
export function actionData(card: Json): Json[] {
  return actionsIn(card)
    .map((a) => a.data as Json | undefined)
    .filter((d): d is Json => d !== undefined);
}

/** All visible text in a card, joined. */
export function cardText(node: unknown): string {
  const parts: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Json;
      for (const key of ['text', 'title', 'value', 'placeholder', 'label']) if (typeof o[key] === 'string') parts.push(o[key] as string);
      for (const [k, v] of Object.entries(o)) if (k !== 'data' && typeof v === 'object') walk(v);
    }
  };
  walk(node);
  return parts.join('\n');
}
