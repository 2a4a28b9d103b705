/**
 * The JSON of conversation-state items, handed between the bot's turn state and a storage that
 * keeps JSON (SQLite), so that a turn serialises its state once. teams-ai's own turn state turns
 * a scope into JSON when it is loaded (to remember how it looked), again to see whether it
 * changed, and the storage a third time to write it: a 10 KB case, three times a turn.
 *
 * Keyed by the item objects themselves (weakly): the storage notes the JSON an item was read
 * from; the turn state notes the JSON it found changed, which the write then takes (once).
 */
const readFrom = new WeakMap<object, string>();
const toWrite = new WeakMap<object, string>();

/** The storage read `item` from `json` (its stored form, without the eTag). */
export function noteReadJson(item: object, json: string): void {
  readFrom.set(item, json);
}

/** The JSON `item` was read from, if a storage noted it. */
export function readJsonOf(item: object): string | undefined {
  return readFrom.get(item);
}

/** `item` is about to be written and serialises to `json` (without the eTag). */
export function noteWriteJson(item: object, json: string): void {
  toWrite.set(item, json);
}

/** The JSON noted for writing `item`, forgotten once taken (a later change must serialise again). */
export function takeWriteJson(item: object): string | undefined {
  const json = toWrite.get(item);
  toWrite.delete(item);
  return json;
}
