/**
 * The causes the diagnosis can name. The ids are the public contract
 * (docs/contract.md §1): never rename one.
 */
export const CAUSE_IDS = [
  'stale-credentials',
  'password-sync-delay',
  'conditional-access-block',
  'device-not-compliant',
  'device-trust-broken',
  'mfa-required',
  'mfa-registration-required',
  'session-expired',
  'account-locked',
  'account-disabled',
  'password-expired',
  'network-blocked',
  'tls-or-network-stack',
  'no-internet',
  'license-missing',
  'onedrive-not-provisioned',
  'account-mismatch',
  'unknown',
] as const;

/** A cause id from the contract. */
export type CauseId = (typeof CAUSE_IDS)[number];

/** Narrows an untrusted string (card data, stored JSON) to a cause id. */
export function isCauseId(value: unknown): value is CauseId {
  return typeof value === 'string' && (CAUSE_IDS as readonly string[]).includes(value);
}

/** Causes that live on the network path rather than in the account: the sign-in never reaches Entra. */
export const NETWORK_CAUSES: readonly CauseId[] = ['network-blocked', 'tls-or-network-stack', 'no-internet'];

/** Causes whose failures Entra records in the sign-in log (the request reached Entra and was refused): the first eleven ids. */
export const AUTH_CAUSES: readonly CauseId[] = CAUSE_IDS.slice(0, CAUSE_IDS.indexOf('password-expired') + 1);

/** Causes that sit in the account itself, so every app and the browser fail too. */
export const ACCOUNT_WIDE_CAUSES: readonly CauseId[] = ['account-locked', 'account-disabled', 'password-expired'];
