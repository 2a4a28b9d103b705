/**
 * The demo tenant that ships with the bot (docs/contract.md §4): used when
 * neither Graph credentials nor DEMO_TENANT_FILE are configured, and written out by
 * scripts/write-demo-tenant.ts as a starting point for admins' own demo files.
 *
 * Everything is in Microsoft Graph's own shapes, and every timestamp is computed
 * from `now`, so the demo never goes stale. The first six users are the Microsoft 365
 * Agents Playground's default users (their ids are deliberately not valid GUIDs), each
 * with a different cause in their sign-in history.
 */
import type {
  AppliedConditionalAccessPolicy,
  ConditionalAccessPolicy,
  DirectoryDevice,
  DirectoryUser,
  LicenseDetail,
  SignInEvent,
} from '../domain/directory';
import { KNOWN_APPS, type KnownAppKey } from '../domain/apps';

export interface DemoTenant {
  users: DirectoryUser[];
  signIns: SignInEvent[];
  devices: DirectoryDevice[];
  conditionalAccessPolicies: ConditionalAccessPolicy[];
}

// ---------------------------------------------------------------------------
// Builder (also used by the test fixtures)
// ---------------------------------------------------------------------------

const HOUR_MS = 3_600_000;
const DAY_HOURS = 24;

/** Entra's wording for the codes the demo data uses (status.failureReason / additionalDetails). */
export const ENTRA_FAILURES: Readonly<Record<number, { failureReason: string; additionalDetails?: string }>> = {
  50053: {
    failureReason: 'Account is locked because user tried to sign in too many times with an incorrect user ID or password.',
    additionalDetails: 'The account is temporarily locked by smart lockout to prevent unauthorized use.',
  },
  50055: { failureReason: 'The password is expired.', additionalDetails: 'The user must change their password before they can sign in.' },
  50057: { failureReason: 'User account is disabled.', additionalDetails: 'The account has been disabled by an administrator.' },
  50058: {
    failureReason: 'Session information is not sufficient for single-sign-on.',
    additionalDetails:
      'This means that a user is not signed in. This is a common error that is expected when a user is unauthenticated and has not yet signed in.',
  },
  50074: { failureReason: 'Strong Authentication is required.', additionalDetails: 'The user was presented with an MFA prompt and did not complete it.' },
  50076: {
    failureReason:
      'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.',
    additionalDetails: 'MFA required in Azure AD. The refresh token could not satisfy the requirement silently.',
  },
  50079: {
    failureReason:
      'Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access the resource.',
    additionalDetails: 'The user must register security information before signing in.',
  },
  50097: { failureReason: 'Device authentication is required.', additionalDetails: 'The device did not present a valid device identity.' },
  50126: {
    failureReason: 'Invalid username or password or Invalid on-premise username or password.',
    additionalDetails: 'The user didn\'t enter the right credentials. It\'s expected to see some number of these errors in your logs due to users making mistakes.',
  },
  50129: { failureReason: 'Device is not workplace joined - Workplace join is required to register the device.' },
  50140: {
    failureReason: "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in.",
    additionalDetails: 'This is an expected part of the login flow, where a user is asked if they want to remain signed into this browser to make further logins easier.',
  },
  50173: {
    failureReason:
      'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
    additionalDetails: 'The refresh token was issued before the last password change.',
  },
  53000: {
    failureReason: 'Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant.',
    additionalDetails: 'The user must enroll their device with an approved MDM provider like Intune and make it compliant.',
  },
  53003: {
    failureReason: 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
    additionalDetails: 'One or more Conditional Access policies with a Block grant control applied to this sign-in.',
  },
  530003: { failureReason: 'Your device is required to be managed to access this resource.', additionalDetails: 'The device is managed but not compliant with the organization\'s policies.' },
  70043: {
    failureReason: 'The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.',
    additionalDetails: 'The user must sign in again interactively.',
  },
  700082: { failureReason: 'The refresh token has expired due to inactivity.', additionalDetails: 'The token was issued a long time ago and was not used.' },
  9002313: { failureReason: 'Invalid request. Request is malformed or invalid.' },
};

const RESOURCE_BY_APP: Readonly<Record<KnownAppKey, string>> = {
  oneDriveSync: 'Office 365 SharePoint Online',
  office: 'Microsoft Graph',
  outlook: 'Office 365 Exchange Online',
  teams: 'Microsoft Teams Services',
};

/** Where a sign-in came from. IPs are from the documentation ranges (RFC 5737). */
export interface NetworkSpot {
  ipAddress: string;
  city: string;
  state: string;
  countryOrRegion: string;
}

export type SignInDeviceDetail = NonNullable<SignInEvent['deviceDetail']>;

/** Graph `device.trustType` → the words Entra shows in `signIn.deviceDetail.trustType`. */
const SIGN_IN_TRUST_TYPE: Readonly<Record<string, string>> = {
  AzureAd: 'Azure AD joined',
  ServerAd: 'Hybrid Azure AD joined',
  Workplace: 'Azure AD registered',
};

export interface UserSpec {
  id: string;
  displayName: string;
  userPrincipalName: string;
  accountEnabled?: boolean;
  createdHoursAgo: number;
  passwordChangedHoursAgo: number;
  onPremisesSyncEnabled?: boolean;
  licenseDetails: LicenseDetail[];
  /** Where this user's sign-ins come from unless a sign-in says otherwise. */
  spot: NetworkSpot;
}

export interface DeviceSpec {
  displayName: string;
  isCompliant: boolean;
  isManaged: boolean;
  trustType: 'AzureAd' | 'ServerAd' | 'Workplace';
  lastSignInHoursAgo: number;
  operatingSystem?: string;
}

export interface SignInSpec {
  app: KnownAppKey;
  hoursAgo: number;
  /** 0 (the default) is a success. */
  errorCode?: number;
  interactive?: boolean;
  spot?: NetworkSpot;
  /** Overrides (parts of) the user's device as this sign-in reports it. */
  device?: Partial<SignInDeviceDetail>;
  /** Policies whose result differs from `notApplied` for this sign-in. */
  policies?: AppliedConditionalAccessPolicy[];
  conditionalAccessStatus?: 'success' | 'failure' | 'notApplied';
  additionalDetails?: string | null;
}

/**
 * Builds a Graph-shaped tenant relative to `now`, with deterministic, guid-like ids
 * (`seed` is 8 hex digits and keeps one tenant's ids apart from another's).
 */
export class TenantBuilder {
  private readonly users: DirectoryUser[] = [];
  private readonly signIns: SignInEvent[] = [];
  private readonly devices: DirectoryDevice[] = [];
  private readonly policies: ConditionalAccessPolicy[] = [];
  private readonly userSpot = new Map<string, NetworkSpot>();
  private readonly userDevice = new Map<string, SignInDeviceDetail>();
  private readonly counters = new Map<string, number>();

  constructor(
    private readonly now: Date,
    private readonly seed: string,
  ) {}

  /** An ISO timestamp `hours` before now. */
  ago(hours: number): string {
    if (hours < 0) throw new Error(`demo timestamps must not be in the future (${hours} h)`);
    return new Date(this.now.getTime() - Math.round(hours * HOUR_MS)).toISOString();
  }

  /** A deterministic guid-like id; `kind` (4 hex digits) separates id families. */
  guid(kind: string): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return `${this.seed}-${kind}-4000-8000-${n.toString(16).padStart(12, '0')}`;
  }

  addUser(spec: UserSpec): DirectoryUser {
    const user: DirectoryUser = {
      id: spec.id,
      displayName: spec.displayName,
      userPrincipalName: spec.userPrincipalName,
      mail: spec.userPrincipalName,
      accountEnabled: spec.accountEnabled ?? true,
      createdDateTime: this.ago(spec.createdHoursAgo),
      lastPasswordChangeDateTime: this.ago(spec.passwordChangedHoursAgo),
      onPremisesSyncEnabled: spec.onPremisesSyncEnabled ?? false,
      licenseDetails: spec.licenseDetails,
    };
    this.users.push(user);
    this.userSpot.set(spec.id, spec.spot);
    return user;
  }

  /** Registers a device owned by `ownerId`; the owner's sign-ins report it unless told otherwise. */
  addDevice(ownerId: string, spec: DeviceSpec): DirectoryDevice {
    const device: DirectoryDevice = {
      id: this.guid('de71'),
      deviceId: this.guid('d1d0'),
      displayName: spec.displayName,
      operatingSystem: spec.operatingSystem ?? 'Windows',
      isCompliant: spec.isCompliant,
      isManaged: spec.isManaged,
      trustType: spec.trustType,
      approximateLastSignInDateTime: this.ago(spec.lastSignInHoursAgo),
      registeredOwners: [ownerId],
    };
    this.devices.push(device);
    this.userDevice.set(ownerId, {
      deviceId: device.deviceId,
      displayName: spec.displayName,
      operatingSystem: 'Windows 11',
      browser: '',
      isCompliant: spec.isCompliant,
      isManaged: spec.isManaged,
      trustType: SIGN_IN_TRUST_TYPE[spec.trustType] ?? '',
    });
    return device;
  }

  addPolicy(policy: Omit<ConditionalAccessPolicy, 'id'> & { id?: string }): ConditionalAccessPolicy {
    const full: ConditionalAccessPolicy = { id: policy.id ?? this.guid('ca00'), state: 'enabled', ...policy };
    this.policies.push(full);
    return full;
  }

  /** A policy's result inside one sign-in. */
  applied(
    policy: ConditionalAccessPolicy,
    result: 'success' | 'failure' | 'notApplied' | 'reportOnlyFailure',
    enforcedGrantControls: string[] = [],
    enforcedSessionControls: string[] = [],
  ): AppliedConditionalAccessPolicy {
    return { id: policy.id, displayName: policy.displayName, result, enforcedGrantControls, enforcedSessionControls };
  }

  signIn(userId: string, spec: SignInSpec): SignInEvent {
    const user = this.users.find((u) => u.id === userId);
    if (!user) throw new Error(`unknown demo user ${userId}`);
    const app = KNOWN_APPS[spec.app];
    const errorCode = spec.errorCode ?? 0;
    const known = ENTRA_FAILURES[errorCode];
    const interactive = spec.interactive ?? false;
    const spot = spec.spot ?? this.userSpot.get(userId)!;
    const baseDevice: SignInDeviceDetail = this.userDevice.get(userId) ?? {
      deviceId: '',
      displayName: '',
      operatingSystem: 'Windows 11',
      browser: '',
      isCompliant: false,
      isManaged: false,
      trustType: '',
    };
    const overrides = new Map((spec.policies ?? []).map((p) => [p.id, p]));
    const appliedConditionalAccessPolicies = this.policies.map(
      (p) => overrides.get(p.id) ?? this.applied(p, 'notApplied'),
    );
    const conditionalAccessStatus =
      spec.conditionalAccessStatus ??
      (appliedConditionalAccessPolicies.some((p) => p.result === 'failure')
        ? 'failure'
        : appliedConditionalAccessPolicies.some((p) => p.result === 'success')
          ? 'success'
          : 'notApplied');
    const event: SignInEvent = {
      id: this.guid('5160'),
      createdDateTime: this.ago(spec.hoursAgo),
      userId,
      userPrincipalName: user.userPrincipalName,
      appId: app.appId,
      appDisplayName: app.name,
      clientAppUsed: 'Mobile Apps and Desktop clients',
      resourceDisplayName: RESOURCE_BY_APP[spec.app],
      ipAddress: spot.ipAddress,
      isInteractive: interactive,
      signInEventTypes: [interactive ? 'interactiveUser' : 'nonInteractiveUser'],
      conditionalAccessStatus,
      status: {
        errorCode,
        failureReason: errorCode === 0 ? null : (known?.failureReason ?? 'Other.'),
        additionalDetails: spec.additionalDetails !== undefined ? spec.additionalDetails : (known?.additionalDetails ?? null),
      },
      deviceDetail: { ...baseDevice, ...spec.device },
      location: { city: spot.city, state: spot.state, countryOrRegion: spot.countryOrRegion },
      appliedConditionalAccessPolicies,
    };
    this.signIns.push(event);
    return event;
  }

  /** The same sign-in at several moments. */
  series(userId: string, hoursAgo: number[], spec: Omit<SignInSpec, 'hoursAgo'>): void {
    for (const h of hoursAgo) this.signIn(userId, { ...spec, hoursAgo: h });
  }

  /** The tenant, sign-ins newest first as Graph returns them. */
  build(): DemoTenant {
    const signIns = [...this.signIns].sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
    return {
      users: [...this.users],
      signIns,
      devices: [...this.devices],
      conditionalAccessPolicies: [...this.policies],
    };
  }
}

/** Microsoft 365 E3: OneDrive (SharePoint), Exchange, Teams and the Office apps. */
export function e3Licence(sharePointStatus = 'Success'): LicenseDetail[] {
  return [
    {
      skuPartNumber: 'SPE_E3',
      servicePlans: [
        { servicePlanName: 'SHAREPOINTENTERPRISE', provisioningStatus: sharePointStatus },
        { servicePlanName: 'EXCHANGE_S_ENTERPRISE', provisioningStatus: 'Success' },
        { servicePlanName: 'TEAMS1', provisioningStatus: 'Success' },
        { servicePlanName: 'OFFICESUBSCRIPTION', provisioningStatus: 'Success' },
      ],
    },
  ];
}

/** Exchange Online (Plan 1) only: mail, no OneDrive. */
export function exchangeOnlyLicence(): LicenseDetail[] {
  return [{ skuPartNumber: 'EXCHANGESTANDARD', servicePlans: [{ servicePlanName: 'EXCHANGE_S_STANDARD', provisioningStatus: 'Success' }] }];
}

// ---------------------------------------------------------------------------
// The shipped demo tenant
// ---------------------------------------------------------------------------

/** The Agents Playground's default users' ids (not valid GUIDs on purpose). */
export const PLAYGROUND_USER_IDS = {
  alexw: '00000000-0000-0000-0000-0000000000020',
  meganb: '00000000-0000-0000-0000-0000000000021',
  adelev: '00000000-0000-0000-0000-0000000000022',
  isaiahl: '00000000-0000-0000-0000-0000000000023',
  pattif: '00000000-0000-0000-0000-0000000000024',
  lynner: '00000000-0000-0000-0000-0000000000025',
} as const;

const OFFICE: NetworkSpot = { ipAddress: '203.0.113.24', city: 'Redmond', state: 'Washington', countryOrRegion: 'US' };
const OFFICE_2: NetworkSpot = { ipAddress: '203.0.113.57', city: 'Redmond', state: 'Washington', countryOrRegion: 'US' };
const VPN_EGRESS: NetworkSpot = { ipAddress: '203.0.113.200', city: 'Seattle', state: 'Washington', countryOrRegion: 'US' };
const home = (n: number, city = 'Seattle'): NetworkSpot => ({ ipAddress: `198.51.100.${n}`, city, state: 'Washington', countryOrRegion: 'US' });
const TRAVEL: NetworkSpot = { ipAddress: '198.51.100.203', city: 'Lisbon', state: 'Lisboa', countryOrRegion: 'PT' };

const SHAREPOINT_ONLINE_APP = '00000003-0000-0ff1-ce00-000000000000';

export function buildDemoTenant(now: Date): DemoTenant {
  const b = new TenantBuilder(now, 'de40de40');
  const D = DAY_HOURS;

  // Conditional Access policies (group-scoped, so most users' sign-ins show them as notApplied).
  const blockSync = b.addPolicy({
    displayName: 'Block sync from untrusted locations',
    conditions: {
      users: { includeGroups: ['de40de40-9000-4000-8000-000000000001'] },
      applications: { includeApplications: [SHAREPOINT_ONLINE_APP] },
      clientAppTypes: ['mobileAppsAndDesktopClients'],
      locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] },
    },
    grantControls: { operator: 'OR', builtInControls: ['block'] },
  });
  const mfaOutside = b.addPolicy({
    displayName: 'Require MFA outside trusted locations',
    conditions: {
      users: { includeGroups: ['de40de40-9000-4000-8000-000000000004'] },
      applications: { includeApplications: ['Office365'] },
      locations: { includeLocations: ['All'], excludeLocations: ['AllTrusted'] },
    },
    grantControls: { operator: 'OR', builtInControls: ['mfa'] },
  });
  const compliant = b.addPolicy({
    displayName: 'Require compliant device for Office 365',
    conditions: {
      users: { includeGroups: ['de40de40-9000-4000-8000-000000000002'] },
      applications: { includeApplications: ['Office365'] },
      platforms: { includePlatforms: ['windows'] },
    },
    grantControls: { operator: 'OR', builtInControls: ['compliantDevice'] },
  });
  const signInFrequency = b.addPolicy({
    displayName: 'Sign-in frequency: every 8 hours for field staff',
    conditions: {
      users: { includeGroups: ['de40de40-9000-4000-8000-000000000003'] },
      applications: { includeApplications: ['All'] },
    },
    grantControls: null,
    sessionControls: { signInFrequency: { value: 8, type: 'hours', isEnabled: true } },
  });

  // --- Alex Wilber: stale-credentials ------------------------------------------------
  const alex = PLAYGROUND_USER_IDS.alexw;
  b.addUser({
    id: alex,
    displayName: 'Alex Wilber',
    userPrincipalName: 'alexw@example.com',
    createdHoursAgo: 400 * D,
    passwordChangedHoursAgo: 2 * D,
    onPremisesSyncEnabled: false,
    licenseDetails: e3Licence(),
    spot: OFFICE,
  });
  b.addDevice(alex, { displayName: 'ALEXW-LT01', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 1 });
  b.series(alex, [72, 60, 50], { app: 'oneDriveSync' });
  b.signIn(alex, { app: 'outlook', hoursAgo: 47.6, errorCode: 50140, interactive: true });
  b.signIn(alex, { app: 'outlook', hoursAgo: 47.5, interactive: true });
  b.signIn(alex, { app: 'teams', hoursAgo: 47, interactive: true });
  b.series(alex, [46, 30, 22, 14, 7, 1.5], { app: 'oneDriveSync', errorCode: 50173 });
  b.series(alex, [20, 9, 3], { app: 'oneDriveSync', errorCode: 50126 });
  b.signIn(alex, { app: 'office', hoursAgo: 12, errorCode: 50058 });
  b.series(alex, [5, 2], { app: 'outlook' });
  b.series(alex, [4, 0.8], { app: 'teams' });

  // --- Megan Bowen: conditional-access-block -----------------------------------------
  const megan = PLAYGROUND_USER_IDS.meganb;
  b.addUser({
    id: megan,
    displayName: 'Megan Bowen',
    userPrincipalName: 'meganb@example.com',
    createdHoursAgo: 380 * D,
    passwordChangedHoursAgo: 60 * D,
    licenseDetails: e3Licence(),
    spot: TRAVEL,
  });
  b.addDevice(megan, { displayName: 'MEGANB-LT02', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 0.3 });
  b.series(megan, [80, 76], { app: 'oneDriveSync', spot: OFFICE });
  b.signIn(megan, { app: 'outlook', hoursAgo: 30.1, errorCode: 50140, interactive: true });
  b.signIn(megan, {
    app: 'outlook',
    hoursAgo: 30,
    interactive: true,
    policies: [b.applied(mfaOutside, 'success', ['Mfa'])],
    additionalDetails: 'MFA completed in Azure AD',
  });
  b.series(megan, [29, 6, 1], { app: 'teams', policies: [b.applied(mfaOutside, 'success', ['Mfa'])] });
  b.series(megan, [29.5, 20, 12, 5, 2, 0.3], {
    app: 'oneDriveSync',
    errorCode: 53003,
    policies: [b.applied(blockSync, 'failure', ['Block']), b.applied(mfaOutside, 'success', ['Mfa'])],
  });

  // --- Adele Vance: device-not-compliant ---------------------------------------------
  const adele = PLAYGROUND_USER_IDS.adelev;
  b.addUser({
    id: adele,
    displayName: 'Adele Vance',
    userPrincipalName: 'adelev@example.com',
    createdHoursAgo: 500 * D,
    passwordChangedHoursAgo: 120 * D,
    licenseDetails: e3Licence(),
    spot: OFFICE_2,
  });
  b.addDevice(adele, { displayName: 'ADELEV-SP7', isCompliant: false, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 1 });
  // Before the device fell out of compliance.
  b.series(adele, [96, 80], { app: 'oneDriveSync', device: { isCompliant: true }, policies: [b.applied(compliant, 'success', ['RequireCompliantDevice'])] });
  b.series(adele, [75, 52], { app: 'outlook', device: { isCompliant: true }, policies: [b.applied(compliant, 'success', ['RequireCompliantDevice'])] });
  b.signIn(adele, { app: 'teams', hoursAgo: 50, interactive: true, device: { isCompliant: true }, policies: [b.applied(compliant, 'success', ['RequireCompliantDevice'])] });
  // Since then.
  b.series(adele, [26, 18, 10, 3, 1], {
    app: 'oneDriveSync',
    errorCode: 530003,
    policies: [b.applied(compliant, 'failure', ['RequireCompliantDevice'])],
  });
  b.signIn(adele, {
    app: 'oneDriveSync',
    hoursAgo: 2.5,
    errorCode: 53000,
    interactive: true,
    policies: [b.applied(compliant, 'failure', ['RequireCompliantDevice'])],
  });
  b.signIn(adele, { app: 'teams', hoursAgo: 4, errorCode: 53000, policies: [b.applied(compliant, 'failure', ['RequireCompliantDevice'])] });

  // --- Isaiah Langer: network path (nothing from OneDrive reaches Entra) --------------
  const isaiah = PLAYGROUND_USER_IDS.isaiahl;
  b.addUser({
    id: isaiah,
    displayName: 'Isaiah Langer',
    userPrincipalName: 'isaiahl@example.com',
    createdHoursAgo: 450 * D,
    passwordChangedHoursAgo: 30 * D,
    licenseDetails: e3Licence(),
    spot: VPN_EGRESS,
  });
  b.addDevice(isaiah, { displayName: 'ISAIAHL-LT03', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 0.5 });
  b.series(isaiah, [130, 121, 120], { app: 'oneDriveSync', spot: home(42, 'Kirkland') });
  b.series(isaiah, [45, 30, 20, 8, 3, 0.5], { app: 'outlook' });
  b.signIn(isaiah, { app: 'teams', hoursAgo: 26, interactive: true });
  b.series(isaiah, [6, 1], { app: 'teams' });
  b.signIn(isaiah, { app: 'office', hoursAgo: 10, errorCode: 50058 });

  // --- Patti Fernandez: mfa-required -------------------------------------------------
  const patti = PLAYGROUND_USER_IDS.pattif;
  b.addUser({
    id: patti,
    displayName: 'Patti Fernandez',
    userPrincipalName: 'pattif@example.com',
    createdHoursAgo: 420 * D,
    passwordChangedHoursAgo: 45 * D,
    licenseDetails: e3Licence(),
    spot: OFFICE,
  });
  b.addDevice(patti, { displayName: 'PATTIF-LT04', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 2 });
  b.signIn(patti, { app: 'oneDriveSync', hoursAgo: 90 });
  b.signIn(patti, { app: 'teams', hoursAgo: 30, interactive: true, additionalDetails: 'MFA completed in Azure AD' });
  b.series(patti, [36, 24, 16, 8, 2], { app: 'oneDriveSync', errorCode: 50076 });
  b.signIn(patti, { app: 'oneDriveSync', hoursAgo: 11, errorCode: 50074 });
  b.signIn(patti, { app: 'teams', hoursAgo: 3 });
  b.signIn(patti, { app: 'outlook', hoursAgo: 5 });

  // --- Lynne Robbins: license-missing ------------------------------------------------
  const lynne = PLAYGROUND_USER_IDS.lynner;
  b.addUser({
    id: lynne,
    displayName: 'Lynne Robbins',
    userPrincipalName: 'lynner@example.com',
    createdHoursAgo: 200 * D,
    passwordChangedHoursAgo: 20 * D,
    licenseDetails: exchangeOnlyLicence(),
    spot: home(17, 'Bellevue'),
  });
  b.addDevice(lynne, { displayName: 'LYNNER-LT05', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 1 });
  b.series(lynne, [30, 10, 2], { app: 'outlook' });
  b.signIn(lynne, { app: 'office', hoursAgo: 3.2, interactive: true });
  b.series(lynne, [3, 1], { app: 'oneDriveSync' });

  // --- Extra demo users --------------------------------------------------------------

  // Nestor Wilke: password-sync-delay (hybrid; the on-premises change has not synced).
  const nestor = 'demo-user-hybrid';
  b.addUser({
    id: nestor,
    displayName: 'Nestor Wilke',
    userPrincipalName: 'nestorw@example.com',
    createdHoursAgo: 900 * D,
    passwordChangedHoursAgo: 40 * D,
    onPremisesSyncEnabled: true,
    licenseDetails: e3Licence(),
    spot: OFFICE,
  });
  b.addDevice(nestor, { displayName: 'NESTORW-DT01', isCompliant: true, isManaged: true, trustType: 'ServerAd', lastSignInHoursAgo: 0.5 });
  b.series(nestor, [30, 26], { app: 'oneDriveSync' });
  b.series(nestor, [5, 2], { app: 'oneDriveSync', errorCode: 50126 });
  b.series(nestor, [4.5, 0.5], { app: 'oneDriveSync', errorCode: 50126, interactive: true });
  b.series(nestor, [6, 1], { app: 'outlook' });
  b.signIn(nestor, { app: 'teams', hoursAgo: 3 });

  // Joni Sherman: account-disabled.
  const joni = 'demo-user-disabled';
  b.addUser({
    id: joni,
    displayName: 'Joni Sherman',
    userPrincipalName: 'jonis@example.com',
    accountEnabled: false,
    createdHoursAgo: 300 * D,
    passwordChangedHoursAgo: 50 * D,
    licenseDetails: e3Licence(),
    spot: home(61),
  });
  b.addDevice(joni, { displayName: 'JONIS-LT06', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 80 });
  b.series(joni, [100, 80], { app: 'oneDriveSync' });
  b.signIn(joni, { app: 'outlook', hoursAgo: 85 });
  b.series(joni, [20, 8, 1], { app: 'oneDriveSync', errorCode: 50057 });
  b.signIn(joni, { app: 'outlook', hoursAgo: 7, errorCode: 50057, interactive: true });
  b.signIn(joni, { app: 'teams', hoursAgo: 6, errorCode: 50057, interactive: true });

  // Lee Gu: account-locked.
  const lee = 'demo-user-locked';
  b.addUser({
    id: lee,
    displayName: 'Lee Gu',
    userPrincipalName: 'leeg@example.com',
    createdHoursAgo: 600 * D,
    passwordChangedHoursAgo: 70 * D,
    licenseDetails: e3Licence(),
    spot: OFFICE_2,
  });
  b.addDevice(lee, { displayName: 'LEEG-LT07', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 0.4 });
  b.series(lee, [60, 52], { app: 'oneDriveSync' });
  b.signIn(lee, { app: 'teams', hoursAgo: 55 });
  b.series(lee, [5, 3, 1, 0.4], { app: 'oneDriveSync', errorCode: 50053 });
  b.signIn(lee, { app: 'outlook', hoursAgo: 2, errorCode: 50053, interactive: true });
  b.signIn(lee, { app: 'teams', hoursAgo: 1.5, errorCode: 50053, interactive: true });

  // Lidia Holloway: password-expired (90-day expiry policy).
  const lidia = 'demo-user-password-expired';
  b.addUser({
    id: lidia,
    displayName: 'Lidia Holloway',
    userPrincipalName: 'lidiah@example.com',
    createdHoursAgo: 700 * D,
    passwordChangedHoursAgo: 91 * D,
    licenseDetails: e3Licence(),
    spot: home(88, 'Redmond'),
  });
  b.addDevice(lidia, { displayName: 'LIDIAH-LT08', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 1 });
  b.series(lidia, [40, 30], { app: 'oneDriveSync' });
  b.signIn(lidia, { app: 'outlook', hoursAgo: 32 });
  b.series(lidia, [10, 4, 1], { app: 'oneDriveSync', errorCode: 50055, interactive: true });
  b.signIn(lidia, { app: 'outlook', hoursAgo: 6, errorCode: 50055, interactive: true });
  b.signIn(lidia, { app: 'teams', hoursAgo: 5, errorCode: 50055, interactive: true });

  // Diego Siciliani: device-trust-broken (company PC whose Entra join no longer works).
  const diego = 'demo-user-device-trust';
  b.addUser({
    id: diego,
    displayName: 'Diego Siciliani',
    userPrincipalName: 'diegos@example.com',
    createdHoursAgo: 650 * D,
    passwordChangedHoursAgo: 25 * D,
    licenseDetails: e3Licence(),
    spot: OFFICE,
  });
  b.addDevice(diego, { displayName: 'DIEGOS-LT09', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 170 });
  const noDeviceIdentity: Partial<SignInDeviceDetail> = { deviceId: '', displayName: '', isCompliant: false, isManaged: false, trustType: '' };
  b.series(diego, [200, 180], { app: 'oneDriveSync' });
  b.series(diego, [30, 18, 6, 1], { app: 'oneDriveSync', errorCode: 50097, device: noDeviceIdentity });
  b.series(diego, [17.9, 5.9], { app: 'oneDriveSync', errorCode: 50129, interactive: true, device: noDeviceIdentity });
  b.series(diego, [8, 2], { app: 'outlook', device: noDeviceIdentity });
  b.signIn(diego, { app: 'teams', hoursAgo: 3, interactive: true, device: noDeviceIdentity });
  b.signIn(diego, { app: 'teams', hoursAgo: 3.1, errorCode: 50140, interactive: true, device: noDeviceIdentity });

  // Johanna Lorenz: session-expired (8-hour sign-in frequency, idle refresh token).
  const johanna = 'demo-user-session';
  b.addUser({
    id: johanna,
    displayName: 'Johanna Lorenz',
    userPrincipalName: 'johannal@example.com',
    createdHoursAgo: 350 * D,
    passwordChangedHoursAgo: 35 * D,
    licenseDetails: e3Licence(),
    spot: home(120, 'Tacoma'),
  });
  b.addDevice(johanna, { displayName: 'JOHANNAL-LT10', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 1 });
  const freq = [b.applied(signInFrequency, 'success', [], ['SignInFrequency'])];
  b.signIn(johanna, { app: 'oneDriveSync', hoursAgo: 34, interactive: true, policies: freq });
  b.series(johanna, [20, 9, 2], { app: 'oneDriveSync', errorCode: 70043, policies: freq });
  b.signIn(johanna, { app: 'oneDriveSync', hoursAgo: 1, errorCode: 700082 });
  b.signIn(johanna, { app: 'office', hoursAgo: 4, errorCode: 50058, policies: freq });
  b.signIn(johanna, { app: 'teams', hoursAgo: 3, interactive: true, policies: freq });
  b.signIn(johanna, { app: 'outlook', hoursAgo: 2.5, interactive: true, policies: freq });

  // Miriam Graham: mfa-registration-required.
  const miriam = 'demo-user-mfa-registration';
  b.addUser({
    id: miriam,
    displayName: 'Miriam Graham',
    userPrincipalName: 'miriamg@example.com',
    createdHoursAgo: 40 * D,
    passwordChangedHoursAgo: 40 * D,
    licenseDetails: e3Licence(),
    spot: OFFICE_2,
  });
  b.addDevice(miriam, { displayName: 'MIRIAMG-LT11', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 1 });
  b.signIn(miriam, { app: 'teams', hoursAgo: 40, interactive: true });
  b.series(miriam, [28, 12, 3], { app: 'oneDriveSync', errorCode: 50079 });
  b.signIn(miriam, { app: 'oneDriveSync', hoursAgo: 1, errorCode: 50079, interactive: true });
  b.signIn(miriam, { app: 'outlook', hoursAgo: 6 });

  // Pradeep Gupta: onedrive-not-provisioned (joined yesterday, SharePoint plan still provisioning).
  const pradeep = 'demo-user-new';
  b.addUser({
    id: pradeep,
    displayName: 'Pradeep Gupta',
    userPrincipalName: 'pradeepg@example.com',
    createdHoursAgo: 1 * D,
    passwordChangedHoursAgo: 23,
    licenseDetails: e3Licence('PendingProvisioning'),
    spot: OFFICE,
  });
  b.addDevice(pradeep, { displayName: 'PRADEEPG-LT12', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 1 });
  b.signIn(pradeep, { app: 'office', hoursAgo: 22.1, errorCode: 50140, interactive: true });
  b.signIn(pradeep, { app: 'office', hoursAgo: 22, interactive: true });
  b.signIn(pradeep, { app: 'teams', hoursAgo: 21.8, interactive: true });
  b.signIn(pradeep, { app: 'outlook', hoursAgo: 21.5 });
  b.series(pradeep, [20, 2], { app: 'oneDriveSync' });

  // Henrietta Mueller: healthy account (account-mismatch and "nothing wrong here" demos).
  const henrietta = 'demo-user-healthy';
  b.addUser({
    id: henrietta,
    displayName: 'Henrietta Mueller',
    userPrincipalName: 'henriettam@example.com',
    createdHoursAgo: 800 * D,
    passwordChangedHoursAgo: 15 * D,
    licenseDetails: e3Licence(),
    spot: OFFICE,
  });
  b.addDevice(henrietta, { displayName: 'HENRIETTAM-LT13', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 0.5 });
  b.series(henrietta, [30, 20, 8, 0.5], { app: 'oneDriveSync' });
  b.series(henrietta, [9, 2], { app: 'outlook' });
  b.signIn(henrietta, { app: 'teams', hoursAgo: 1, interactive: true });

  return b.build();
}
