/**
 * What the bot says, in one language: `messages(locale).text('chat.empty.title')`. The words come
 * from content/<locale>/messages.yaml (a translation may hold only some messages; the rest are
 * English); the keys and their placeholders are fixed by src/content/message-keys.ts.
 */
import type { MessageArgs, MessageKey } from './message-keys';

/** The messages of one locale. */
export interface Messages {
  readonly locale: string;
  /**
   * The message `key` with its `{name}` placeholders filled in. Values go in as given: pass
   * plain text (what a card shows is made plain where its view model is built).
   */
  text<K extends MessageKey>(key: K, ...args: MessageArgs<K>): string;
}

/** Fills `{name}` placeholders from `params`; a placeholder without a value stays as written. */
export function fillPlaceholders(template: string, params: Readonly<Record<string, string | number>> | undefined): string {
  if (!params) return template;
  return template.replace(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g, (whole, name: string) => (Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole));
}

/** Messages over a validated, complete map (a translation already merged over English). */
export function createMessages(locale: string, texts: ReadonlyMap<MessageKey, string>): Messages {
  return {
    locale,
    text<K extends MessageKey>(key: K, ...args: MessageArgs<K>): string {
      const template = texts.get(key);
      // Unreachable with validated content (every key is required in English); a key name beats a crash mid-conversation.
      if (template === undefined) return key;
      return fillPlaceholders(template, args[0] as Readonly<Record<string, string | number>> | undefined);
    },
  };
}
