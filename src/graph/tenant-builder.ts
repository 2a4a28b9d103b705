/**
 * Builds Graph-shaped tenants relative to a clock: users, devices, Conditional Access
 * policies and sign-ins in Microsoft Graph's own shapes, with deterministic guid-like ids.
 * The shipped demo tenant (demo-tenant-data.ts) and the test fixtures are made with it.
 */
import { z } from 'zod';
import type { AppliedConditionalAccessPolicy, ConditionalAccessPolicy, DirectoryDevice, DirectoryUser, LicenseDetail, SignInEvent } from '../domain/directory';
import { KNOWN_APPS, type KnownAppKey } from '../domain/apps';
import entraFailures from './demo-tenant/entra-failures.json';
import { HOUR_MS } from './graph-shapes';

/** A Graph `domain` (subset): how users of the domain authenticate. */
export interface DemoDomain {
  id: string;
  /** `Managed` (Entra checks the password: cloud, hash sync or pass-through) or `Federated`. */
  authenticationType: string;
}

/** A tenant in Graph's shapes, as the demo directory and the fake Graph server serve it. */
export interface DemoTenant {
  users: DirectoryUser[];
  signIns: SignInEvent[];
  devices: DirectoryDevice[];
  conditionalAccessPolicies: ConditionalAccessPolicy[];
  /** The tenant's domains; when absent, every UPN domain is Managed. */
  domains?: DemoDomain[];
}

const entraFailuresSchema = z.record(
  z.string().regex(/^\d+$/, 'must be an Entra error code (digits)'),
  z.object({ failureReason: z.string().min(1), additionalDetails: z.string().min(1).optional() }).strict(),
);

/** Entra's wording for the codes the demo data uses (status.failureReason / additionalDetails), from demo-tenant/entra-failures.json. */
export const ENTRA_FAILURES: Readonly<Record<number, { failureReason: string; additionalDetails?: string }>> = parseEntraFailures(entraFailures);

function parseEntraFailures(raw: unknown): Record<number, { failureReason: string; additionalDetails?: string }> {
  const parsed = entraFailuresSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`src/graph/demo-tenant/entra-failures.json: ${issue?.path.join('.') || 'root'}: ${issue?.message}`);
  }
  return parsed.data;
}

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
  /**
   * How a synced user's password is checked, as their interactive sign-ins' authentication
   * details (and, federated, the token issuer) show it. Unset: nothing in the sign-ins says.
   */
  authentication?: 'password-hash-sync' | 'pass-through' | 'federated';
}

export interface DeviceSpec {
  displayName: string;
  isCompliant: boolean;
  isManaged: boolean;
  trustType: 'AzureAd' | 'ServerAd' | 'Workplace';
  lastSignInHoursAgo: number;
  operatingSystem?: string;
  /** False: the device has no registered owner (usual for hybrid-joined PCs); the user's sign-ins still report it. */
  registeredOwner?: boolean;
  /** False: an admin disabled the device in Entra. */
  accountEnabled?: boolean;
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
  private readonly domains: DemoDomain[] = [];
  private readonly userAuth = new Map<string, UserSpec['authentication']>();
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
    this.userAuth.set(spec.id, spec.authentication);
    return user;
  }

  /** Lists a domain and how it authenticates (`Managed` or `Federated`); once any is listed, only listed domains exist. */
  addDomain(id: string, authenticationType: 'Managed' | 'Federated'): DemoDomain {
    const domain = { id, authenticationType };
    this.domains.push(domain);
    return domain;
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
      ...(spec.accountEnabled === false ? { accountEnabled: false } : { accountEnabled: true }),
      registeredOwners: spec.registeredOwner === false ? [] : [ownerId],
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
    const appliedConditionalAccessPolicies = this.policies.map((p) => overrides.get(p.id) ?? this.applied(p, 'notApplied'));
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
      ...authenticationShape(this.userAuth.get(userId), interactive, errorCode),
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
      ...(this.domains.length > 0 ? { domains: [...this.domains] } : {}),
    };
  }
}

const METHOD_DETAIL = { 'password-hash-sync': 'Password Hash Sync', 'pass-through': 'Pass-through Authentication' } as const;

/** What a sign-in shows about how the password was checked (beta's authenticationDetails and tokenIssuerType). */
function authenticationShape(method: UserSpec['authentication'], interactive: boolean, errorCode: number): Partial<SignInEvent> {
  if (!method) return {};
  if (method === 'federated') return { tokenIssuerType: 'ADFederationServices' };
  if (!interactive)
    return { tokenIssuerType: 'AzureAD', authenticationDetails: [{ authenticationMethod: 'Previously satisfied', authenticationMethodDetail: null, succeeded: errorCode === 0 }] };
  return {
    tokenIssuerType: 'AzureAD',
    authenticationDetails: [{ authenticationMethod: 'Password', authenticationMethodDetail: METHOD_DETAIL[method], succeeded: errorCode === 0 }],
  };
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
