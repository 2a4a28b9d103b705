import type { Storage, StoreItems, TurnContext } from 'botbuilder';
import { TurnState, TurnStateEntry, type DefaultConversationState, type DefaultTempState, type DefaultUserState } from './teams-ai';
import type { ConversationData } from '../dialogs/conversation-state';
import type { LookupResult } from '../domain/directory';
import { noteWriteJson, readJsonOf, withoutETag, writesCostBySize } from '../store/state-json';

/** What the bot keeps per conversation (the employee flows' typed state, src/dialogs/conversation-state.ts). */
export type HelpdeskConversation = ConversationData & DefaultConversationState;

/** The parts of teams-ai 1.7's TurnState that `load` and `save` use (private in its typings, plain fields at run time). */
interface TurnStateFields {
  _scopes: Record<string, TurnStateEntry>;
  _isLoaded: boolean;
  _loadingPromise?: Promise<boolean>;
}

/** teams-ai's scope names, and the bot's own scope for the case's directory lookup. */
const CONVERSATION_SCOPE = 'conversation';
const TEMP_SCOPE = 'temp';
const CASE_LOOKUP_SCOPE = 'caseLookup';

/** teams-ai 1.7's message when a turn state is saved before it was loaded. */
const NOT_LOADED = "TurnState hasn't been loaded. Call load() first.";

/**
 * A scope read from the JSON a storage noted (src/store/state-json.ts): whether it changed is
 * decided by serialising it once and comparing with that JSON, and the write reuses the same
 * JSON. teams-ai's own entry serialises the scope when it is loaded, again to compare and the
 * storage a third time. Without noted JSON (a new scope, another storage) the comparison is with
 * the JSON of the value as loaded, as teams-ai's entry does.
 *
 * `storedForm` gives what goes to storage: the value itself, or for the conversation the value
 * without the case's lookup (kept apart, see CaseLookupScope).
 */
class StoredScope extends TurnStateEntry {
  private readonly loadedJson: string;

  constructor(
    value: Record<string, unknown> | undefined,
    storageKey: string,
    private readonly storedForm: (value: Record<string, unknown>) => Record<string, unknown> = (v) => v,
  ) {
    // teams-ai's entry would serialise `value` here to remember it: this entry remembers its stored form's JSON once.
    super(undefined, storageKey);
    this.replace(value);
    this.loadedJson = (value && readJsonOf(value)) ?? JSON.stringify(withoutETag(storedForm(this.value)));
  }

  /** What to write: the stored form of the value, its JSON noted for a storage that keeps JSON. */
  changedItem(): Record<string, unknown> | undefined {
    const stored = this.storedForm(this.value);
    const json = JSON.stringify(withoutETag(stored));
    if (json === this.loadedJson) return undefined;
    noteWriteJson(stored, json);
    return stored;
  }

  override get hasChanged(): boolean {
    return this.changedItem() !== undefined;
  }
}

/** The conversation as stored: the case without its lookup. */
function conversationWithoutLookup(value: Record<string, unknown>): Record<string, unknown> {
  const conversation = value as HelpdeskConversation;
  if (conversation.caseFile?.lookup === undefined) return value;
  return { ...conversation, caseFile: { ...conversation.caseFile, lookup: undefined } };
}

/** How a case's lookup is stored. */
interface StoredLookup {
  lookup?: LookupResult;
  eTag?: string;
}

/**
 * The case's directory lookup (the employee's sign-ins, devices, licences: most of a case's
 * size, and far more in a tenant with many sign-ins a day), in a storage item of its own beside
 * the conversation, in a storage whose writes cost by size (SQLite). It is written only when a
 * turn puts a new lookup on the case, not on every turn with the rest of the conversation. A
 * turn replaces the lookup, never changes it in place (src/dialogs/triage-flow.ts,
 * src/desk/channel-commands.ts): a new object is a change.
 */
class CaseLookupScope extends TurnStateEntry {
  private readonly loaded: LookupResult | undefined;

  constructor(
    private readonly item: StoredLookup | undefined,
    storageKey: string,
    private readonly conversation: () => HelpdeskConversation,
  ) {
    super({}, storageKey);
    const caseFile = conversation().caseFile;
    // A conversation saved before the lookup was kept apart still carries it inline: that one is current.
    if (caseFile && caseFile.lookup === undefined && item?.lookup !== undefined) caseFile.lookup = item.lookup;
    this.loaded = caseFile && item?.lookup !== undefined && caseFile.lookup === item.lookup ? item.lookup : undefined;
  }

  private get current(): LookupResult | undefined {
    return this.conversation().caseFile?.lookup;
  }

  override get hasChanged(): boolean {
    return this.current !== undefined && this.current !== this.loaded;
  }

  /** A stored lookup no case holds any more ("start over", a new case): it must not come back with the next case. */
  override get isDeleted(): boolean {
    return this.current === undefined && this.item?.lookup !== undefined;
  }

  /** The item to write: the current lookup, with the eTag it was read with (a concurrent write then conflicts). */
  override get value(): Record<string, unknown> {
    return { lookup: this.current, ...(this.item?.eTag !== undefined ? { eTag: this.item.eTag } : {}) };
  }
}

/**
 * The bot's turn state (teams-ai), typed. Scopes serialise once per turn (StoredScope), and in a
 * storage whose writes cost by size the case's lookup is stored apart from the conversation
 * (CaseLookupScope); in another (Azure Storage: one request per item) it stays in the conversation.
 */
export class HelpdeskTurnState extends TurnState<HelpdeskConversation, DefaultUserState, DefaultTempState> {
  /** teams-ai's keys, and the case lookup's: its own namespace, so no conversation id can name it. */
  protected override async onComputeStorageKeys(context: TurnContext): Promise<Record<string, string>> {
    const keys = await super.onComputeStorageKeys(context);
    const { channelId, recipient, conversation } = context.activity;
    keys[CASE_LOOKUP_SCOPE] = `${channelId}/${recipient.id}/case-lookups/${conversation.id}`;
    return keys;
  }

  /** teams-ai 1.7's `load`, step for step, building StoredScope entries and the case lookup's. */
  override load(context: TurnContext, storage?: Storage): Promise<boolean> {
    const fields = this as unknown as TurnStateFields;
    if (fields._isLoaded) return Promise.resolve(false);
    fields._loadingPromise ??= (async () => {
      try {
        fields._isLoaded = true;
        const scopes = await this.onComputeStorageKeys(context);
        // Only a storage whose writes cost by size keeps the lookup apart (src/store/state-json.ts).
        const apart = writesCostBySize(storage);
        if (!apart) delete scopes[CASE_LOOKUP_SCOPE];
        const items = storage ? await storage.read(Object.values(scopes)) : {};
        for (const [scope, storageKey] of Object.entries(scopes)) {
          if (scope === CASE_LOOKUP_SCOPE) continue;
          const item = items[storageKey] as Record<string, unknown> | undefined;
          fields._scopes[scope] = new StoredScope(item, storageKey, apart && scope === CONVERSATION_SCOPE ? conversationWithoutLookup : undefined);
        }
        if (apart) {
          const conversation = fields._scopes[CONVERSATION_SCOPE]!;
          fields._scopes[CASE_LOOKUP_SCOPE] = new CaseLookupScope(
            items[scopes[CASE_LOOKUP_SCOPE]!] as StoredLookup | undefined,
            scopes[CASE_LOOKUP_SCOPE]!,
            () => conversation.value as HelpdeskConversation,
          );
        }
        fields._scopes[TEMP_SCOPE] = new TurnStateEntry({});
        fields._loadingPromise = undefined;
        return true;
      } catch (error) {
        fields._loadingPromise = undefined;
        throw error;
      }
    })();
    return fields._loadingPromise;
  }

  /** teams-ai 1.7's `save`, writing each StoredScope's stored form (the conversation without the case lookup). */
  override async save(_context: TurnContext, storage?: Storage): Promise<void> {
    const fields = this as unknown as TurnStateFields;
    if (!fields._isLoaded && fields._loadingPromise) await fields._loadingPromise;
    if (!fields._isLoaded) throw new Error(NOT_LOADED);
    const changes: StoreItems = {};
    const deletions: string[] = [];
    for (const entry of Object.values(fields._scopes)) {
      if (!entry.storageKey) continue;
      if (entry.isDeleted) {
        deletions.push(entry.storageKey);
        continue;
      }
      const item = entry instanceof StoredScope ? entry.changedItem() : entry.hasChanged ? entry.value : undefined;
      if (item) changes[entry.storageKey] = item;
    }
    if (!storage) return;
    const pending: Array<Promise<void>> = [];
    if (Object.keys(changes).length > 0) pending.push(storage.write(changes));
    if (deletions.length > 0) pending.push(storage.delete(deletions));
    await Promise.all(pending);
  }
}

/** Builds a fresh turn state for teams-ai. */
export function createTurnState(): HelpdeskTurnState {
  return new HelpdeskTurnState();
}
