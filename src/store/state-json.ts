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

/** An item as stored: without the eTag the storage adds when it reads it (the item itself when it has none). */
export function withoutETag(item: Record<string, unknown>): Record<string, unknown> {
  if (!('eTag' in item)) return item;
  const { eTag: _eTag, ...value } = item;
  return value;
}

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

/**
 * A storage whose writes cost by their size (SQLite: every page of a row goes to the log) rather
 * than by their number (Azure Storage: one request per item). The turn state keeps the case's
 * lookup in an item of its own only in such a storage (src/bot/turn-state.ts): there it saves
 * writing the lookup on every turn; in Azure Storage it would cost one more request a turn.
 */
export interface WritesCostBySize {
  readonly writesCostBySize: true;
}

/** Whether `storage` declares that its writes cost by their size. */
export function writesCostBySize(storage: unknown): storage is WritesCostBySize {
  return typeof storage === 'object' && storage !== null && (storage as Partial<WritesCostBySize>).writesCostBySize === true;
}
