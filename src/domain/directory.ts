/**
 * The directory port and the Microsoft Graph shapes it returns. The shapes are a
 * subset of Graph's own (v1.0 plus beta's isInteractive / signInEventTypes), so the
 * demo tenant file and the real Graph client feed the diagnosis the same objects.
 */

/** Graph `licenseDetails` entry (subset). */
export interface LicenseDetail {
  skuPartNumber?: string;
  servicePlans?: Array<{ servicePlanName?: string; provisioningStatus?: string }>;
}

/** Graph `user` (subset the diagnosis reads). */
export interface DirectoryUser {
  id: string;
  displayName?: string;
  userPrincipalName?: string;
  mail?: string | null;
  accountEnabled?: boolean;
  createdDateTime?: string | null;
  lastPasswordChangeDateTime?: string | null;
  onPremisesSyncEnabled?: boolean | null;
  /** Absent when the licences could not be read (the evidence then has a `licences` gap). */
  licenseDetails?: LicenseDetail[];
}

/** Graph `conditionalAccessPolicy` result inside a sign-in (subset). */
export interface AppliedConditionalAccessPolicy {
  id?: string;
  displayName?: string;
  result?: string; // success | failure | notApplied | notEnabled | reportOnly… | unknownFutureValue
  enforcedGrantControls?: string[];
  enforcedSessionControls?: string[];
}

/** Graph `signIn` (subset). */
export interface SignInEvent {
  id: string;
  createdDateTime: string;
  userId?: string;
  userPrincipalName?: string;
  appId?: string;
  appDisplayName?: string;
  clientAppUsed?: string;
  resourceDisplayName?: string;
  ipAddress?: string;
  isInteractive?: boolean;
  signInEventTypes?: string[];
  conditionalAccessStatus?: string; // success | failure | notApplied
  status?: { errorCode?: number; failureReason?: string | null; additionalDetails?: string | null };
  deviceDetail?: {
    deviceId?: string;
    displayName?: string;
    operatingSystem?: string;
    browser?: string;
    isCompliant?: boolean | null;
    isManaged?: boolean | null;
    trustType?: string | null;
  };
  location?: { city?: string | null; state?: string | null; countryOrRegion?: string | null };
  /**
   * Absent (not merely empty) when the app may not read Conditional Access data: Graph omits
   * the field without Policy.Read.All, Policy.Read.ConditionalAccess or Policy.ReadWrite.ConditionalAccess.
   */
  appliedConditionalAccessPolicies?: AppliedConditionalAccessPolicy[];
  /** Beta: each authentication step ("Password" with "Password Hash Sync", "Pass-through Authentication", …). */
  authenticationDetails?: Array<{ authenticationMethod?: string | null; authenticationMethodDetail?: string | null; succeeded?: boolean | null }>;
  /** Beta: who issued the token (`AzureAD`, or `ADFederationServices` for a federated sign-in). */
  tokenIssuerType?: string | null;
}

/** Graph `device` (subset) plus the owners the demo file lists. */
export interface DirectoryDevice {
  id?: string;
  deviceId?: string;
  displayName?: string;
  operatingSystem?: string;
  isCompliant?: boolean | null;
  isManaged?: boolean | null;
  trustType?: string | null; // AzureAd | ServerAd | Workplace
  approximateLastSignInDateTime?: string | null;
  /** False when an admin disabled the device in Entra (sign-ins from it then fail with 135011). */
  accountEnabled?: boolean | null;
  registeredOwners?: string[];
  /**
   * How the lookup found it: `owner` (the user's owned or registered devices) or `sign-in` (by
   * a sign-in's `deviceDetail.deviceId`: hybrid-joined PCs usually have no registered owner).
   */
  foundBy?: 'owner' | 'sign-in';
}

/** Graph `conditionalAccessPolicy` (subset). */
export interface ConditionalAccessPolicy {
  id: string;
  displayName?: string;
  state?: string;
  conditions?: unknown;
  grantControls?: { operator?: string; builtInControls?: string[] } | null;
  sessionControls?: unknown;
}

/** A part of the evidence a lookup could not read, so the card can say what is missing and how to fix it. */
export type EvidenceGapPart = 'licences' | 'devices' | 'sign-in-devices' | 'policy-results' | 'policy-details' | 'older-sign-ins' | 'authentication-method';

/** One named gap in the evidence. */
export interface EvidenceGap {
  part: EvidenceGapPart;
  /** What could not be read, in plain words (the same text is in `gaps`). */
  what: string;
  /**
   * Why: `permission` (Graph refused: a permission is missing), `unavailable` (no usable answer:
   * an outage, throttling, or an answer that was not Graph's JSON), `limit` (cut short on purpose:
   * the page limit or the time budget).
   */
  reason: 'permission' | 'unavailable' | 'limit';
  /** Microsoft Graph application permissions, as Microsoft names them, any one of which would fix it. */
  permissions?: string[];
}

/** How the employee's password is checked at sign-in, which decides whether a password change can lag behind. */
export type AuthenticationMethod =
  /** A cloud-only account: Entra holds the password. */
  | 'cloud-only'
  /** Synced from on-premises with password hash sync: a new password reaches Entra with the next sync. */
  | 'password-hash-sync'
  /** Synced with pass-through authentication: an on-premises agent checks each password, nothing to sync. */
  | 'pass-through'
  /** A federated domain (AD FS or another provider): the provider checks the password, nothing to sync. */
  | 'federated'
  /** Synced from on-premises, but whether hash sync or pass-through checks the password could not be told. */
  | 'hybrid-unknown';

/** What the lookup learnt about how the employee authenticates. */
export interface AuthenticationInfo {
  method: AuthenticationMethod;
  /** The user's UPN domain, when it was read. */
  domain?: string;
  /** Where the method was read from: the domain's `authenticationType`, the sign-ins' authentication details, or the user alone. */
  source: 'domain' | 'sign-ins' | 'user';
}

/** Everything the directory said about one employee, read at one moment. */
export interface EvidenceSnapshot {
  user: DirectoryUser;
  signIns: SignInEvent[];
  devices: DirectoryDevice[];
  conditionalAccessPolicies: ConditionalAccessPolicy[];
  /** The window the sign-ins were read over. */
  window: { from: string; to: string };
  /** Where it came from, for the card's footnote ("demo tenant", "Microsoft Graph"). */
  source: string;
  /** Parts that could not be read (e.g. policies without Policy.Read.All), in plain words. */
  gaps: string[];
  /** The same gaps, named, with the permission that would fix each (absent from older snapshots). */
  gapDetails?: EvidenceGap[];
  /** How the employee's password is checked (absent when it was not read, e.g. the demo tenant without domains). */
  authentication?: AuthenticationInfo;
}

/** Why a lookup failed, in words for the employee and, separately, for the admin. */
export type LookupFailureKind = 'user-not-found' | 'permission-missing' | 'licence-required' | 'throttled' | 'unavailable' | 'timeout' | 'misconfigured';

/** A lookup that did not produce evidence. Triage carries on with questions. */
export interface LookupFailure {
  kind: LookupFailureKind;
  /** Plain words for the employee. */
  message: string;
  /** Detail for the admin log and the ticket (permission names, status codes); never tokens. */
  adminDetail?: string;
}

/** The result of a lookup: evidence, or a failure that says why. */
export type LookupResult = { ok: true; evidence: EvidenceSnapshot } | { ok: false; failure: LookupFailure };

/** Options of one lookup. */
export interface LookupOptions {
  now?: Date;
  signal?: AbortSignal;
  budgetMs?: number;
}

/**
 * The port every directory implements: the demo tenant file, or Microsoft Graph.
 * `userId` is always the authenticated activity's `from.aadObjectId`, never typed text.
 */
export interface DirectoryPort {
  /**
   * `budgetMs` overrides the directory's own time budget for this lookup (e.g. a longer one for a
   * lookup finished in the background); a lookup of the same user already running is shared.
   */
  lookup(userId: string, options?: LookupOptions): Promise<LookupResult>;
  /** Finds a user id by UPN, for agents' `lookup <UPN>`; undefined when absent. */
  findUserIdByUpn?(upn: string): Promise<string | undefined>;
}
