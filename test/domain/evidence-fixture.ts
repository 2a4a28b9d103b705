/**
 * Graph-shaped evidence for the domain tests, built with the demo tenant's own builder so the
 * diagnosis reads exactly the objects the directory would hand it. Not a test file itself.
 */
import type { AppliedConditionalAccessPolicy, EvidenceSnapshot, LicenseDetail } from '../../src/domain/directory';
import { analyzeEvidence, type EvidenceAnalysis } from '../../src/domain/evidence-analysis';
import { TenantBuilder, e3Licence, type DeviceSpec, type SignInSpec, type UserSpec } from '../../src/graph/tenant-builder';

/** A fixed clock, so every test reads the same window. */
export const NOW = new Date('2026-11-20T12:00:00.000Z');
/** The sign-in window the bot reads by default (SIGNIN_WINDOW_HOURS = 48). */
export const WINDOW_HOURS = 48;
export const USER_ID = 'domain-test-user';
/** The OneDrive sync client's app id, as Entra records it. */
export const ONEDRIVE_SYNC_APP_ID = 'ab9b8c07-8f02-4f72-87fa-80105867a763';

const DAY_HOURS = 24;
const SPOT = { ipAddress: '203.0.113.10', city: 'Chicago', state: 'Illinois', countryOrRegion: 'US' };

/** Licence with OneDrive (SharePoint Plan 2) only. */
export function sharePointLicence(status = 'Success'): LicenseDetail[] {
  return [
    {
      skuPartNumber: 'SPE_E3',
      servicePlans: [
        { servicePlanName: 'SHAREPOINTENTERPRISE', provisioningStatus: status },
        { servicePlanName: 'EXCHANGE_S_ENTERPRISE', provisioningStatus: 'Success' },
      ],
    },
  ];
}

/** Office for the web (SHAREPOINTWAC) and mail, but no OneDrive plan. */
export function webAppsOnlyLicence(): LicenseDetail[] {
  return [
    {
      skuPartNumber: 'O365_BUSINESS',
      servicePlans: [
        { servicePlanName: 'SHAREPOINTWAC', provisioningStatus: 'Success' },
        { servicePlanName: 'EXCHANGE_S_STANDARD', provisioningStatus: 'Success' },
      ],
    },
  ];
}

export interface CaseSpec {
  /** Overrides of the default cloud-only, E3-licensed, long-standing user. */
  user?: Partial<Omit<UserSpec, 'id'>>;
  /** A company PC the user owns (AzureAd-joined, compliant) unless null. Default: none. */
  device?: Partial<DeviceSpec> | null;
  /** OneDrive sync client sign-ins. */
  oneDrive?: Array<Omit<SignInSpec, 'app'>>;
  /** Outlook / Teams / Office sign-ins. Default: Outlook and Teams succeed 2 h and 1 h ago. */
  office?: SignInSpec[];
  /** Extra Conditional Access policies: name → result applied to every OneDrive failure. */
  failingPolicy?: string;
}

/** Outlook and Teams signed in normally in the last few hours. */
export const OFFICE_OK: SignInSpec[] = [
  { app: 'outlook', hoursAgo: 2 },
  { app: 'teams', hoursAgo: 1 },
];

/** Builds the snapshot the directory would return for one employee. */
export function makeSnapshot(spec: CaseSpec = {}): EvidenceSnapshot {
  const b = new TenantBuilder(NOW, 'd0d0test');
  b.addUser({
    id: USER_ID,
    displayName: 'Test Employee',
    userPrincipalName: 'test.employee@contoso.test',
    createdHoursAgo: 400 * DAY_HOURS,
    passwordChangedHoursAgo: 60 * DAY_HOURS,
    onPremisesSyncEnabled: false,
    licenseDetails: e3Licence(),
    spot: SPOT,
    ...spec.user,
  });
  if (spec.device !== undefined && spec.device !== null) {
    b.addDevice(USER_ID, { displayName: 'CONTOSO-PC001', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 1, ...spec.device });
  }
  let policies: AppliedConditionalAccessPolicy[] | undefined;
  if (spec.failingPolicy) {
    const policy = b.addPolicy({ displayName: spec.failingPolicy, grantControls: { operator: 'OR', builtInControls: ['block'] } });
    policies = [b.applied(policy, 'failure', ['Block'])];
  }
  for (const s of spec.oneDrive ?? []) {
    const failing = (s.errorCode ?? 0) !== 0;
    b.signIn(USER_ID, { ...s, app: 'oneDriveSync', policies: s.policies ?? (failing ? policies : undefined) });
  }
  for (const s of spec.office ?? OFFICE_OK) b.signIn(USER_ID, s);
  const tenant = b.build();
  const from = new Date(NOW.getTime() - WINDOW_HOURS * 3_600_000);
  return {
    user: tenant.users[0]!,
    signIns: tenant.signIns,
    devices: tenant.devices,
    conditionalAccessPolicies: tenant.conditionalAccessPolicies,
    window: { from: from.toISOString(), to: NOW.toISOString() },
    source: 'domain test',
    gaps: [],
  };
}

/** `makeSnapshot` read into the facts the diagnosis weighs, at NOW. */
export function makeEvidence(spec: CaseSpec = {}): EvidenceAnalysis {
  return analyzeEvidence(makeSnapshot(spec), NOW);
}

/** OneDrive sync-client failures with `code` at the given hours ago (default: 20, 8 and 1 hours ago). */
export function failures(code: number, hoursAgo: number[] = [20, 8, 1]): Array<Omit<SignInSpec, 'app'>> {
  return hoursAgo.map((h) => ({ hoursAgo: h, errorCode: code }));
}

/** A OneDrive success some while before the failures started. */
export const EARLIER_SUCCESS: Omit<SignInSpec, 'app'> = { hoursAgo: 30 };
