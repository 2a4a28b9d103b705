import type { CauseId } from './causes';

/** OneDrive client error codes (answer ids of the `error-code` question) and what they imply. */
export const ONEDRIVE_CODES = ['0x8004de40', '0x8004de88', '0x8004de4a', '0x8004deef', '0x8004de90', '0x8004de85', '0x8004de8a', 'caa50021'] as const;

/** A OneDrive client error code the bot knows. */
export type OneDriveCode = (typeof ONEDRIVE_CODES)[number];

/** Codes that name their cause outright, whatever the logs say. */
export const CODE_CAUSES: Readonly<Partial<Record<OneDriveCode, CauseId>>> = {
  '0x8004de4a': 'license-missing',
  '0x8004deef': 'license-missing',
  '0x8004de90': 'onedrive-not-provisioned',
  '0x8004de85': 'account-mismatch',
  '0x8004de8a': 'account-mismatch',
};

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
