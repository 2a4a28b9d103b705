import { knowledge } from '../content/knowledge';
import type { CauseId } from './causes';
import { QUESTION_ANSWER_IDS } from './question-ids';

/** OneDrive client error codes (answer ids of the `error-code` question, except `other`). */
export const ONEDRIVE_CODES = QUESTION_ANSWER_IDS['error-code'].filter((code) => code !== 'other') as readonly OneDriveCode[];

/** A OneDrive client error code the bot knows. */
export type OneDriveCode = '0x8004de40' | '0x8004de88' | '0x8004de4a' | '0x8004deef' | '0x8004de90' | '0x8004de85' | '0x8004de8a' | 'caa50021';

/** The cause a code names outright, whatever the logs say (content/<locale>/onedrive-codes.yaml); undefined when the code alone does not decide. */
export function codeCause(code: string | undefined): CauseId | undefined {
  if (!code) return undefined;
  return knowledge().oneDriveCodes[code]?.causeId ?? undefined;
}

/** What a code means, in plain words. */
export function codeMeaning(code: string, locale?: string): string | undefined {
  return knowledge(locale).oneDriveCodes[code]?.meaning;
}

/** Finds a known code in free text ("0x8004DE40", "8004de40", "CAA50021"). */
export function findOneDriveCode(text: string): OneDriveCode | undefined {
  const lower = text.toLowerCase();
  const caa = /\bcaa50021\b/.exec(lower);
  if (caa) return 'caa50021';
  const match = /\b(?:0x)?(8004de[0-9a-f]{2})\b/.exec(lower);
  if (!match) return undefined;
  const code = `0x${match[1]}`;
  return (ONEDRIVE_CODES as readonly string[]).includes(code) ? (code as OneDriveCode) : undefined;
}

/** True when the text carries any 0x8004de.. code, known or not. */
export function mentionsAnyOneDriveCode(text: string): boolean {
  return /\b(?:0x)?8004de[0-9a-f]{2}\b|\bcaa\d{5}\b/i.test(text);
}
