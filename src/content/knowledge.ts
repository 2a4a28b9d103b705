/**
 * The knowledge the running bot uses: loaded from content/ on first use, or installed once by
 * the composition root (src/index.ts) so a broken file stops start-up before the server listens.
 */
import { loadKnowledge, type Knowledge, type KnowledgeBase } from './load-content';
import type { Messages } from './messages';

let installed: KnowledgeBase | undefined;

/** Makes `base` the knowledge every lookup uses (start-up, or a test with its own content). */
export function installKnowledge(base: KnowledgeBase): void {
  installed = base;
}

/** The knowledge for `locale` (an activity's locale such as `en-GB`), falling back to English. */
export function knowledge(locale?: string): Knowledge {
  installed ??= loadKnowledge();
  return installed.forLocale(locale);
}

/** What the bot says in `locale` (an activity's locale), falling back to English message by message. */
export function messages(locale?: string): Messages {
  return knowledge(locale).messages;
}
