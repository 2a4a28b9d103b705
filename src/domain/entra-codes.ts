import type { CauseId } from './causes';

/** What one AADSTS code means, in plain words, and which cause it points to. */
export interface EntraCodeMeaning {
  readonly causeId: CauseId;
  /** Plain-language reason shown to the employee ("your saved password is wrong"). */
  readonly plain: string;
}

/**
 * AADSTS codes the diagnosis reads (contract §1, "typical evidence").
 * Codes not listed here are still shown as failures but point to no cause.
 */
export const ENTRA_CODES: Readonly<Record<number, EntraCodeMeaning>> = {
  50126: { causeId: 'stale-credentials', plain: 'the password OneDrive sent was wrong' },
  50133: { causeId: 'stale-credentials', plain: 'the saved session ended because the password changed' },
  50173: { causeId: 'stale-credentials', plain: 'the saved sign-in was revoked after a password change' },
  53003: { causeId: 'conditional-access-block', plain: 'a Conditional Access policy blocked the sign-in' },
  53000: { causeId: 'device-not-compliant', plain: 'a policy needs a compliant device and this one is not' },
  530003: { causeId: 'device-not-compliant', plain: 'a policy needs a managed device to reach this app' },
  53001: { causeId: 'device-trust-broken', plain: 'a policy needs a domain-joined device and Entra did not recognise this one' },
  50097: { causeId: 'device-trust-broken', plain: 'Entra asked the device to prove itself and it could not' },
  50129: { causeId: 'device-trust-broken', plain: 'the device is not joined to the organisation' },
  50076: { causeId: 'mfa-required', plain: 'multi-factor authentication is needed' },
  50074: { causeId: 'mfa-required', plain: 'strong authentication is needed' },
  50158: { causeId: 'mfa-required', plain: 'an extra security check was not completed' },
  50079: { causeId: 'mfa-registration-required', plain: 'you need to register your security info first' },
  70043: { causeId: 'session-expired', plain: 'the saved sign-in expired under the sign-in frequency policy' },
  70044: { causeId: 'session-expired', plain: 'the session expired under the sign-in frequency policy' },
  700082: { causeId: 'session-expired', plain: 'the saved sign-in expired after a long time unused' },
  50053: { causeId: 'account-locked', plain: 'the account is locked after too many attempts' },
  50057: { causeId: 'account-disabled', plain: 'the account is disabled' },
  50055: { causeId: 'password-expired', plain: 'the password has expired' },
  50144: { causeId: 'password-expired', plain: 'the on-premises password has expired' },
};

/**
 * Codes that show up in healthy sign-in logs and must not count as failures:
 * 0 success, 50140 "keep me signed in" interrupt, 50058 no session yet (silent probe),
 * 50199 and 16000/16001 account-picker interrupts, 81010/81012 seamless SSO fall-backs.
 */
export const BENIGN_CODES: ReadonlySet<number> = new Set([0, 50140, 50058, 50199, 16000, 16001, 81010, 81012]);

/** True when an event's error code means nothing went wrong for the diagnosis. */
export function isBenignCode(code: number | undefined): boolean {
  return code === undefined || BENIGN_CODES.has(code);
}

/** Plain words for any code: the mapped meaning, or a neutral description. */
export function describeCode(code: number | undefined, failureReason?: string | null): string {
  if (code === undefined || code === 0) return 'signed in';
  const known = ENTRA_CODES[code];
  if (known) return known.plain;
  if (BENIGN_CODES.has(code)) return 'an ordinary sign-in prompt, not an error';
  return failureReason ? `Entra refused it: ${failureReason}` : `Entra refused it (code ${code})`;
}
