/**
 * Untrusted text (from an employee, an agent, Graph or a card) made safe to show in a card.
 *
 * Why TextRuns, not escaping: Teams renders Markdown in `TextBlock.text`, `Fact.title` and
 * `Fact.value` ("Text formatting in cards", learn.microsoft.com/microsoftteams/platform/
 * task-modules-and-cards/cards/cards-format), and documents no escape syntax. Backslash escapes
 * are CommonMark, but Teams clients have honoured them inconsistently (microsoft/AdaptiveCards
 * #5590, #7474: `\*` shown literally on Android and iOS), and a client that ignores the
 * backslash would still render `\[text](url)` as a link. A `TextRun` inside a `RichTextBlock`
 * is documented as "Text to display. Markdown is not supported" (Adaptive Cards schema,
 * TextRun.text), and the `adaptivecards` renderer sets it with `innerText`, so HTML-ish text and
 * `<at>…</at>` stay text too (and a card without `msteams.entities` has no mentions anyway).
 *
 * So the rule is: every untrusted string goes through `plainText` / `plainLine` where the view
 * model is built, and the templates put it only in a `TextRun` (or in places Teams never
 * formats: choice titles, input labels and placeholders). TextBlocks and FactSets carry only
 * the bot's own words. `plainText` itself does what a TextRun leaves to us: it bounds the
 * length, drops control and bidirectional-override characters (which could disguise a name),
 * repairs broken UTF-16, and breaks `{{` so the Adaptive Cards `{{DATE(…)}}` / `{{TIME(…)}}`
 * functions cannot rewrite the text.
 */

/** Length limits, in characters, for untrusted strings in view models. */
export const TEXT_LIMITS = {
  /** A person's or an app's display name, a UPN, a device or policy name. */
  name: 100,
  /** A title: a cause, a card or an incident title. */
  title: 200,
  /** One line: an evidence line, a transcript line, a finding. */
  line: 500,
  /** A note: ticket details, a history note, a resolution note, a message. */
  note: 2000,
  /** A message an agent or the bot sends (the reply box allows 4000). */
  message: 4000,
} as const;

const ELLIPSIS = '…';

// C0 controls except tab and newline, DEL and C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are stripped.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// Bidirectional embeddings, overrides and isolates, and the marks that steer them.
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// A word joiner between the braces: invisible, and no longer the start of a {{DATE()}} call.
const DOUBLE_BRACE = /\{(?=\{)/g;

function normalise(value: unknown): string {
  if (value === undefined || value === null) return '';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any value a card sends is shown as text; an object reads as '[object Object]', harmless.
  return String(value).replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(CONTROL, '').replace(BIDI, '').replace(LONE_SURROGATE, '\uFFFD').replace(DOUBLE_BRACE, '{\u2060');
}

/** Cuts `text` to at most `max` characters with "…", never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return max === 1 ? ELLIPSIS : '';
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}${ELLIPSIS}`;
}

/**
 * Untrusted text for a `TextRun`, keeping its line breaks (at most one blank line in a row):
 * trimmed, cleaned and cut to `max` characters with "…". Idempotent.
 */
export function plainText(value: unknown, max: number = TEXT_LIMITS.note): string {
  const text = normalise(value)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return truncate(text, max);
}

/** Like `plainText`, on one line: every run of whitespace (line breaks too) becomes one space. For names and fact values. */
export function plainLine(value: unknown, max: number = TEXT_LIMITS.line): string {
  return truncate(normalise(value).replace(/\s+/g, ' ').trim(), max);
}
