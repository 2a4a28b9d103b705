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
  appliedConditionalAccessPolicies?: AppliedConditionalAccessPolicy[];
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
  registeredOwners?: string[];
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
}

/** Why a lookup failed, in words for the employee and, separately, for the admin. */
export type LookupFailureKind =
  | 'user-not-found'
  | 'permission-missing'
  | 'licence-required'
  | 'throttled'
  | 'unavailable'
  | 'timeout'
  | 'misconfigured';

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

/**
 * The port every directory implements: the demo tenant file, or Microsoft Graph.
 * `userId` is always the authenticated activity's `from.aadObjectId`, never typed text.
 */
export interface DirectoryPort {
  lookup(userId: string, options?: { now?: Date; signal?: AbortSignal }): Promise<LookupResult>;
  /** Finds a user id by UPN, for agents' `lookup <UPN>`; undefined when absent. */
  findUserIdByUpn?(upn: string): Promise<string | undefined>;
}
