/**
 * Microsoft Entra (AADSTS) codes the diagnosis reads. What each means, and the cause it points
 * to, lives in content/<locale>/entra-codes.yaml.
 */
import { knowledge } from '../content/knowledge';
import type { EntraCodeMeaning } from '../content/load-content';

export type { EntraCodeMeaning } from '../content/load-content';

/** What a code means and the cause it points to; undefined for codes the content does not list. */
export function entraCode(code: number | undefined, locale?: string): EntraCodeMeaning | undefined {
  return code === undefined ? undefined : knowledge(locale).entraCodes.get(code);
}

/** Every listed failure code (the cause-bearing ones). */
export function entraCodeNumbers(): number[] {
  return [...knowledge().entraCodes.keys()];
}

/** True when an event's error code means nothing went wrong for the diagnosis. */
export function isBenignCode(code: number | undefined): boolean {
  return code === undefined || knowledge().benignCodes.has(code);
}

/** Plain words for any code: the listed meaning, or a neutral description. */
export function describeCode(code: number | undefined, failureReason?: string | null, locale?: string): string {
  const k = knowledge(locale);
  const benign = k.benignCodes.get(code ?? 0);
  if (code === undefined || code === 0) return benign ?? 'signed in';
  const known = k.entraCodes.get(code);
  if (known) return known.plain;
  if (benign) return benign;
  return failureReason ? `Entra refused it: ${failureReason}` : `Entra refused it (code ${code})`;
}
