import { OFFICE_APP_IDS, ONEDRIVE_APP_IDS } from './apps';
import type { CauseId } from './causes';
import type { AuthenticationMethod, DirectoryDevice, EvidenceGap, EvidenceSnapshot, SignInEvent } from './directory';
import { entraCode, isBenignCode } from './entra-codes';

/** How recent a password change must be to count as "recent" (the question asks about two weeks). */
export const RECENT_PASSWORD_CHANGE_DAYS = 14;
/** How long ago an account must have been created to count as new (OneDrive provisioning lag). */
export const NEW_ACCOUNT_DAYS = 7;
const DAY = 86_400_000;

/** A sign-in failure Entra recorded for an app the diagnosis cares about. */
export interface ReadFailure {
  event: SignInEvent;
  code: number;
  causeId?: CauseId;
  /** Names of the Conditional Access policies whose result was `failure`. */
  failedPolicies: string[];
}

/** The licence picture for OneDrive. */
export type LicenceState = 'present' | 'pending' | 'missing' | 'unknown';

/** What the evidence says, in facts the diagnosis weighs. Pure data, computed once per lookup. */
export interface EvidenceAnalysis {
  /** OneDrive sync client events in the window, newest first. */
  oneDriveEvents: SignInEvent[];
  /** Office app (Office, Outlook, Teams) events in the window, newest first. */
  officeEvents: SignInEvent[];
  /** Meaningful OneDrive failures (benign codes left out), newest first. */
  oneDriveFailures: ReadFailure[];
  /** Meaningful Office app failures, newest first. */
  officeFailures: ReadFailure[];
  /** The newest OneDrive event is a success (the client can sign in now). */
  oneDriveSucceedingNow: boolean;
  /** Outlook / Teams / Office signed in within the last day. */
  officeSucceeding: boolean;
  /** Any OneDrive attempt reached Entra in the window. */
  oneDriveAttempts: boolean;
  passwordChangedAt?: Date;
  passwordChangedRecently: boolean;
  /** Failures after the last password change (the signature of stale saved credentials). */
  failuresAfterPasswordChange: number;
  hybrid: boolean;
  accountEnabled: boolean;
  licence: LicenceState;
  accountCreatedRecently: boolean;
  /** Policies that failed on OneDrive or Office sign-ins. */
  failedPolicies: string[];
  /** A failing OneDrive sign-in came from a device Entra marks non-compliant. */
  deviceNonCompliant: boolean;
  /** Failing OneDrive sign-ins carried no device trust although the user owns a joined device. */
  deviceTrustMissing: boolean;
  /** The user owns at least one Entra-joined or hybrid-joined device (a company PC). */
  ownsCompanyDevice: boolean;
  /**
   * The user signed in from an Entra-joined or hybrid-joined device the directory knows, found by
   * a sign-in's `deviceDetail.deviceId` (hybrid-joined PCs usually have no registered owner).
   */
  usesCompanyDevice: boolean;
  /** A device the user signed in from is disabled in Entra. */
  deviceDisabled: boolean;
  /** How the password is checked at sign-in (`hybrid-unknown` when synced but it could not be told). */
  authentication: AuthenticationMethod;
  /**
   * A password change can lag behind in Entra: the account is synced and password hash sync
   * checks it (or nothing says otherwise). False for cloud-only, pass-through and federated users.
   */
  passwordSyncPossible: boolean;
  /** The parts of the evidence that could not be read (named, with the permission that would fix each). */
  gaps: EvidenceGap[];
  /** The sign-ins carry no Conditional Access results (Graph leaves them out without a policy permission). */
  policyResultsMissing: boolean;
  /** Number of sign-in events read and the window, for "I read N events over …". */
  eventsRead: number;
  window: { from: Date; to: Date };
}

/** Service plans that carry OneDrive for work or school. SHAREPOINTWAC (Office for the web) does not. */
const ONEDRIVE_PLAN = /^(SHAREPOINT(STANDARD|ENTERPRISE|DESKLESS|_S_DEVELOPER|ONLINE|LITE|PLAN)|ONEDRIVE)/i;

function isOneDriveEvent(e: SignInEvent): boolean {
  return (e.appId !== undefined && ONEDRIVE_APP_IDS.includes(e.appId)) || /onedrive/i.test(e.appDisplayName ?? '');
}

function isOfficeEvent(e: SignInEvent): boolean {
  return (e.appId !== undefined && OFFICE_APP_IDS.includes(e.appId)) || /\b(outlook|teams|microsoft office|word|excel|powerpoint)\b/i.test(e.appDisplayName ?? '');
}

function newestFirst(a: SignInEvent, b: SignInEvent): number {
  return Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime);
}

function toFailure(event: SignInEvent): ReadFailure | undefined {
  const code = event.status?.errorCode ?? 0;
  if (isBenignCode(code)) return undefined;
  const failedPolicies = (event.appliedConditionalAccessPolicies ?? []).filter((p) => p.result === 'failure').map((p) => p.displayName ?? p.id ?? 'an unnamed policy');
  return { event, code, causeId: entraCode(code)?.causeId, failedPolicies };
}

function licenceState(snapshot: EvidenceSnapshot): LicenceState {
  const details = snapshot.user.licenseDetails;
  if (!details) return 'unknown';
  const plans = details.flatMap((d) => d.servicePlans ?? []).filter((p) => ONEDRIVE_PLAN.test(p.servicePlanName ?? ''));
  if (plans.some((p) => p.provisioningStatus === 'Success')) return 'present';
  if (plans.some((p) => p.provisioningStatus !== 'Disabled')) return 'pending';
  return 'missing';
}

const JOINED = /^(AzureAd|ServerAd|Azure AD joined|Hybrid Azure AD joined)$/i;

function ownsJoinedDevice(devices: DirectoryDevice[]): boolean {
  return devices.some((d) => d.foundBy !== 'sign-in' && JOINED.test(d.trustType ?? ''));
}

/** How the password is checked: what the lookup read, else cloud-only or "synced, method unknown". */
function authenticationOf(snapshot: EvidenceSnapshot): AuthenticationMethod {
  const read = snapshot.authentication?.method;
  if (read) return read;
  return snapshot.user.onPremisesSyncEnabled === true ? 'hybrid-unknown' : 'cloud-only';
}

/** Reads a snapshot into the facts the diagnosis weighs. `now` is the current clock. */
export function analyzeEvidence(snapshot: EvidenceSnapshot, now: Date): EvidenceAnalysis {
  const from = new Date(snapshot.window.from);
  const to = new Date(snapshot.window.to);
  const inWindow = snapshot.signIns.filter((e) => {
    const t = Date.parse(e.createdDateTime);
    return Number.isFinite(t) && t >= from.getTime() && t <= now.getTime() + 60_000;
  });
  const oneDriveEvents = inWindow.filter(isOneDriveEvent).sort(newestFirst);
  const officeEvents = inWindow.filter((e) => !isOneDriveEvent(e) && isOfficeEvent(e)).sort(newestFirst);
  const oneDriveFailures = oneDriveEvents.map(toFailure).filter((f): f is ReadFailure => f !== undefined);
  const officeFailures = officeEvents.map(toFailure).filter((f): f is ReadFailure => f !== undefined);

  const newestOneDrive = oneDriveEvents.find((e) => (e.status?.errorCode ?? 0) === 0 || !isBenignCode(e.status?.errorCode));
  const oneDriveSucceedingNow = newestOneDrive !== undefined && (newestOneDrive.status?.errorCode ?? 0) === 0;
  const officeSucceeding = officeEvents.some((e) => (e.status?.errorCode ?? 0) === 0 && now.getTime() - Date.parse(e.createdDateTime) <= DAY);

  const changed = snapshot.user.lastPasswordChangeDateTime ? new Date(snapshot.user.lastPasswordChangeDateTime) : undefined;
  const passwordChangedAt = changed && Number.isFinite(changed.getTime()) ? changed : undefined;
  const passwordChangedRecently = passwordChangedAt !== undefined && now.getTime() - passwordChangedAt.getTime() <= RECENT_PASSWORD_CHANGE_DAYS * DAY;
  const failuresAfterPasswordChange = passwordChangedAt ? oneDriveFailures.filter((f) => Date.parse(f.event.createdDateTime) >= passwordChangedAt.getTime()).length : 0;

  const created = snapshot.user.createdDateTime ? Date.parse(snapshot.user.createdDateTime) : NaN;
  const failing = [...oneDriveFailures, ...officeFailures];
  const failedPolicies = [...new Set(failing.flatMap((f) => f.failedPolicies))];
  const ownsCompanyDevice = ownsJoinedDevice(snapshot.devices);
  const signInDevices = snapshot.devices.filter((d) => d.foundBy === 'sign-in');
  const usesCompanyDevice = signInDevices.some((d) => JOINED.test(d.trustType ?? '') && d.accountEnabled !== false);
  const authentication = authenticationOf(snapshot);
  const hybrid = snapshot.user.onPremisesSyncEnabled === true;

  return {
    oneDriveEvents,
    officeEvents,
    oneDriveFailures,
    officeFailures,
    oneDriveSucceedingNow,
    officeSucceeding,
    oneDriveAttempts: oneDriveEvents.length > 0,
    passwordChangedAt,
    passwordChangedRecently,
    failuresAfterPasswordChange,
    hybrid,
    accountEnabled: snapshot.user.accountEnabled !== false,
    licence: licenceState(snapshot),
    accountCreatedRecently: Number.isFinite(created) && now.getTime() - created <= NEW_ACCOUNT_DAYS * DAY,
    failedPolicies,
    // Graph reports isCompliant false for any device Entra does not know, so only a known (managed or joined) device counts.
    deviceNonCompliant: oneDriveFailures.some(
      (f) => f.event.deviceDetail?.isCompliant === false && (f.event.deviceDetail.isManaged === true || Boolean(f.event.deviceDetail.trustType)),
    ),
    deviceTrustMissing: (ownsCompanyDevice || usesCompanyDevice) && oneDriveFailures.some((f) => !f.event.deviceDetail?.trustType),
    ownsCompanyDevice,
    usesCompanyDevice,
    deviceDisabled: signInDevices.some((d) => d.accountEnabled === false),
    authentication,
    passwordSyncPossible: hybrid && (authentication === 'password-hash-sync' || authentication === 'hybrid-unknown'),
    gaps: [...(snapshot.gapDetails ?? [])],
    policyResultsMissing: inWindow.length > 0 && inWindow.every((e) => e.appliedConditionalAccessPolicies === undefined),
    eventsRead: inWindow.length,
    window: { from, to },
  };
}

/** The few events worth showing: newest meaningful OneDrive failures, then the newest successes. */
export function keyEvents(analysis: EvidenceAnalysis, limit = 4): SignInEvent[] {
  const picked: SignInEvent[] = analysis.oneDriveFailures.slice(0, 3).map((f) => f.event);
  const oneDriveSuccess = analysis.oneDriveEvents.find((e) => (e.status?.errorCode ?? 0) === 0);
  const officeSuccess = analysis.officeEvents.find((e) => (e.status?.errorCode ?? 0) === 0);
  const officeFailure = analysis.officeFailures[0]?.event;
  for (const e of [oneDriveSuccess, officeFailure, officeSuccess]) if (e && !picked.includes(e)) picked.push(e);
  return picked.slice(0, limit).sort(newestFirst);
}
