/**
 * The demo tenant that ships with the bot (docs/contract.md §4): used when neither Graph
 * credentials nor DEMO_TENANT_FILE are configured, and written out by
 * scripts/write-demo-tenant.ts as a starting point for admins' own demo files.
 *
 * The people, devices, policies and each user's sign-in story are data, in
 * demo-tenant/demo-tenant.json, with every time written as an offset from now. This module
 * checks that file and builds it into Graph's own shapes relative to the clock, so the demo
 * never goes stale. The first six users are the Microsoft 365 Agents Playground's default
 * users (their ids are deliberately not valid GUIDs), each with a different cause.
 */
import { z } from 'zod';
import { KNOWN_APPS, type KnownAppKey } from '../domain/apps';
import { CAUSE_IDS } from '../domain/causes';
import demoTenantFile from './demo-tenant/demo-tenant.json';
import { TenantBuilder, type DemoTenant, type NetworkSpot, type SignInDeviceDetail, type SignInSpec } from './tenant-builder';

// Other folders have always imported these from here (the builder lives in tenant-builder.ts).
export { e3Licence, exchangeOnlyLicence, type DemoTenant } from './tenant-builder';

const FILE = 'src/graph/demo-tenant/demo-tenant.json';
const DAY_HOURS = 24;

const hours = z.number().finite().nonnegative();
/** A moment written as an offset from now. */
const ago = z.union([z.object({ daysAgo: hours }).strict(), z.object({ hoursAgo: hours }).strict()]);
const appKey = z.enum(Object.keys(KNOWN_APPS) as [KnownAppKey, ...KnownAppKey[]]);

const placeSchema = z.object({ ipAddress: z.string().ip(), city: z.string().min(1), state: z.string().min(1), countryOrRegion: z.string().min(2) }).strict();

const licenceSchema = z.array(
  z
    .object({
      skuPartNumber: z.string().min(1),
      servicePlans: z.array(z.object({ servicePlanName: z.string().min(1), provisioningStatus: z.string().min(1) }).strict()).min(1),
    })
    .strict(),
);

const policySchema = z
  .object({
    /** How sign-ins in this file name the policy; not part of Graph's shape. */
    key: z.string().min(1),
    displayName: z.string().min(1),
    conditions: z.record(z.unknown()),
    grantControls: z
      .object({ operator: z.string(), builtInControls: z.array(z.string()) })
      .strict()
      .nullable(),
    sessionControls: z.record(z.unknown()).optional(),
  })
  .strict();

const appliedPolicySchema = z
  .object({
    policy: z.string().min(1),
    result: z.enum(['success', 'failure', 'notApplied', 'reportOnlyFailure']),
    grantControls: z.array(z.string()).optional(),
    sessionControls: z.array(z.string()).optional(),
  })
  .strict();

const signInSchema = z
  .object({
    app: appKey,
    /** One moment, or several moments of the same sign-in. */
    hoursAgo: z.union([hours, z.array(hours).min(1)]),
    errorCode: z.number().int().nonnegative().optional(),
    interactive: z.boolean().optional(),
    /** Where this sign-in came from, when not the user's usual place. */
    place: z.string().optional(),
    /** Parts of the user's device as this sign-in reports them. */
    device: z
      .object({
        deviceId: z.string(),
        displayName: z.string(),
        operatingSystem: z.string(),
        browser: z.string(),
        isCompliant: z.boolean(),
        isManaged: z.boolean(),
        trustType: z.string(),
      })
      .partial()
      .strict()
      .optional(),
    policies: z.array(appliedPolicySchema).optional(),
    conditionalAccessStatus: z.enum(['success', 'failure', 'notApplied']).optional(),
    additionalDetails: z.string().nullable().optional(),
  })
  .strict();

const userSchema = z
  .object({
    id: z.string().min(1),
    displayName: z.string().min(1),
    userPrincipalName: z.string().email(),
    /** The cause this user's sign-ins show (null: nothing wrong). */
    cause: z.enum(CAUSE_IDS).nullable(),
    /** The story in a sentence or two, for whoever edits this file. */
    story: z.string().min(1),
    accountEnabled: z.boolean().optional(),
    created: ago,
    passwordChanged: ago,
    onPremisesSyncEnabled: z.boolean().optional(),
    licence: z.string().min(1),
    place: z.string().min(1),
    device: z
      .object({
        displayName: z.string().min(1),
        isCompliant: z.boolean(),
        isManaged: z.boolean(),
        trustType: z.enum(['AzureAd', 'ServerAd', 'Workplace']),
        lastSignInHoursAgo: hours,
        operatingSystem: z.string().optional(),
      })
      .strict()
      .optional(),
    signIns: z.array(signInSchema),
  })
  .strict();

const demoTenantSchema = z
  .object({
    $comment: z.string().optional(),
    /** 8 hex digits that keep this tenant's generated ids apart from other tenants'. */
    seed: z.string().regex(/^[0-9a-f]{8}$/),
    places: z.record(placeSchema),
    licences: z.record(licenceSchema),
    conditionalAccessPolicies: z.array(policySchema),
    users: z.array(userSchema).min(1),
  })
  .strict()
  .superRefine((data, ctx) => {
    // Names that point elsewhere in the file must exist there.
    const check = (known: Record<string, unknown> | Set<string>, name: string | undefined, what: string, path: Array<string | number>): void => {
      if (name === undefined) return;
      const has = known instanceof Set ? known.has(name) : Object.hasOwn(known, name);
      if (!has) ctx.addIssue({ code: z.ZodIssueCode.custom, path, message: `unknown ${what} "${name}"` });
    };
    const policyKeys = new Set(data.conditionalAccessPolicies.map((p) => p.key));
    const userIds = new Set<string>();
    data.users.forEach((u, i) => {
      if (userIds.has(u.id)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['users', i, 'id'], message: `duplicate user id "${u.id}"` });
      userIds.add(u.id);
      check(data.licences, u.licence, 'licence', ['users', i, 'licence']);
      check(data.places, u.place, 'place', ['users', i, 'place']);
      u.signIns.forEach((s, j) => {
        check(data.places, s.place, 'place', ['users', i, 'signIns', j, 'place']);
        s.policies?.forEach((p, k) => check(policyKeys, p.policy, 'policy', ['users', i, 'signIns', j, 'policies', k, 'policy']));
      });
    });
  });

/** The checked contents of demo-tenant.json. */
export type DemoTenantData = z.infer<typeof demoTenantSchema>;

/**
 * Checks a demo tenant data file (the shipped one by default). The error names the file and
 * the field, e.g. `users.3.signIns.2.policies.0.policy: unknown policy "mfa-outsde"`.
 */
export function parseDemoTenantData(raw: unknown, file = FILE): DemoTenantData {
  const parsed = demoTenantSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') || 'root'}: ${issue?.message}`);
  }
  return parsed.data;
}

let shipped: DemoTenantData | undefined;

/** The shipped demo tenant's data, checked once. */
export function demoTenantData(): DemoTenantData {
  shipped ??= parseDemoTenantData(demoTenantFile);
  return shipped;
}

const hoursAgoOf = (moment: z.infer<typeof ago>): number => ('daysAgo' in moment ? moment.daysAgo * DAY_HOURS : moment.hoursAgo);

/** Builds a demo tenant's data into Graph's shapes, every time relative to `now`. */
export function buildTenantFromData(data: DemoTenantData, now: Date): DemoTenant {
  const b = new TenantBuilder(now, data.seed);
  const place = (name: string): NetworkSpot => ({ ...data.places[name]! });
  const policies = new Map(data.conditionalAccessPolicies.map(({ key, ...policy }) => [key, b.addPolicy(structuredClone(policy))]));

  for (const u of data.users) {
    b.addUser({
      id: u.id,
      displayName: u.displayName,
      userPrincipalName: u.userPrincipalName,
      ...(u.accountEnabled !== undefined ? { accountEnabled: u.accountEnabled } : {}),
      createdHoursAgo: hoursAgoOf(u.created),
      passwordChangedHoursAgo: hoursAgoOf(u.passwordChanged),
      ...(u.onPremisesSyncEnabled !== undefined ? { onPremisesSyncEnabled: u.onPremisesSyncEnabled } : {}),
      licenseDetails: structuredClone(data.licences[u.licence]!),
      spot: place(u.place),
    });
    if (u.device) b.addDevice(u.id, u.device);
    for (const s of u.signIns) {
      const spec: Omit<SignInSpec, 'hoursAgo'> = {
        app: s.app,
        ...(s.errorCode !== undefined ? { errorCode: s.errorCode } : {}),
        ...(s.interactive !== undefined ? { interactive: s.interactive } : {}),
        ...(s.place !== undefined ? { spot: place(s.place) } : {}),
        ...(s.device !== undefined ? { device: s.device as Partial<SignInDeviceDetail> } : {}),
        ...(s.conditionalAccessStatus !== undefined ? { conditionalAccessStatus: s.conditionalAccessStatus } : {}),
        ...(s.additionalDetails !== undefined ? { additionalDetails: s.additionalDetails } : {}),
        ...(s.policies !== undefined ? { policies: s.policies.map((p) => b.applied(policies.get(p.policy)!, p.result, p.grantControls ?? [], p.sessionControls ?? [])) } : {}),
      };
      b.series(u.id, Array.isArray(s.hoursAgo) ? s.hoursAgo : [s.hoursAgo], spec);
    }
  }
  return b.build();
}

/** The shipped demo tenant, with every timestamp relative to `now`. */
export function buildDemoTenant(now: Date): DemoTenant {
  return buildTenantFromData(demoTenantData(), now);
}
