import type { Storage, TurnContext } from 'botbuilder';
import { TurnState, TurnStateEntry, type DefaultConversationState, type DefaultTempState, type DefaultUserState } from './teams-ai';
import type { ConversationData } from '../dialogs/conversation-state';
import { noteWriteJson, readJsonOf } from '../store/state-json';

/** What the bot keeps per conversation (the employee flows' typed state, src/dialogs/conversation-state.ts). */
export type HelpdeskConversation = ConversationData & DefaultConversationState;

/** The parts of teams-ai 1.7's TurnState that `load` sets (private in its typings, plain fields at run time). */
interface TurnStateFields {
  _scopes: Record<string, TurnStateEntry>;
  _isLoaded: boolean;
  _loadingPromise?: Promise<boolean>;
}

/**
 * A scope read from the JSON a storage noted (src/store/state-json.ts): whether it changed is
 * decided by serialising it once and comparing with that JSON, and the write reuses the same
 * JSON. teams-ai's own entry serialises the scope when it is loaded, again to compare and the
 * storage a third time. Without noted JSON (a new scope, another storage) it is teams-ai's entry.
 */
class StoredScope extends TurnStateEntry {
  private readonly stored: string | undefined;

  constructor(value: Record<string, unknown> | undefined, storageKey: string) {
    const stored = value ? readJsonOf(value) : undefined;
    // With stored JSON there is nothing to remember: teams-ai's entry would serialise `value` here.
    super(stored === undefined ? value : undefined, storageKey);
    this.stored = stored;
    if (stored !== undefined) this.replace(value);
  }

  override get hasChanged(): boolean {
    if (this.stored === undefined) return super.hasChanged;
    const { eTag: _eTag, ...data } = this.value;
    const json = JSON.stringify(data);
    if (json === this.stored) return false;
    noteWriteJson(this.value, json);
    return true;
  }
}

/** The bot's turn state (teams-ai), typed, with scopes that serialise once per turn (StoredScope). */
export class HelpdeskTurnState extends TurnState<HelpdeskConversation, DefaultUserState, DefaultTempState> {
  /** teams-ai 1.7's `load`, step for step, building StoredScope entries for the stored scopes. */
  override load(context: TurnContext, storage?: Storage): Promise<boolean> {
    const fields = this as unknown as TurnStateFields;
    if (fields._isLoaded) return Promise.resolve(false);
    fields._loadingPromise ??= (async () => {
      try {
        fields._isLoaded = true;
        const scopes = await this.onComputeStorageKeys(context);
        const items = storage ? await storage.read(Object.values(scopes)) : {};
        for (const [scope, storageKey] of Object.entries(scopes)) fields._scopes[scope] = new StoredScope(items[storageKey] as Record<string, unknown> | undefined, storageKey);
        fields._scopes.temp = new TurnStateEntry({});
        fields._loadingPromise = undefined;
        return true;
      } catch (error) {
        fields._loadingPromise = undefined;
        throw error;
      }
    })();
    return fields._loadingPromise;
  }
}

/** Builds a fresh turn state for teams-ai. */
export function createTurnState(): HelpdeskTurnState {
  return new HelpdeskTurnState();
}
