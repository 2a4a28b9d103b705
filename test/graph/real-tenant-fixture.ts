/**
 * A small tenant with what real tenants have and the scenario tenant does not: a hybrid-joined
 * PC with no registered owner, a PC disabled in Entra, users who authenticate through password
 * hash sync, pass-through authentication and federation, and users failing different
 * Conditional Access policies. Built relative to `now` (ids `rt-…`, contoso.test UPNs).
 */
import { TenantBuilder, e3Licence, type DemoTenant, type NetworkSpot, type UserSpec } from '../../src/graph/tenant-builder';

const D = 24;
const OFFICE: NetworkSpot = { ipAddress: '203.0.113.80', city: 'Chicago', state: 'Illinois', countryOrRegion: 'US' };
const NO_DEVICE = { deviceId: '', displayName: '', isCompliant: false, isManaged: false, trustType: '' };

export function buildRealTenant(now: Date): DemoTenant {
  const b = new TenantBuilder(now, 'ab12cd34');
  b.addDomain('contoso.test', 'Managed');
  b.addDomain('pta.contoso.test', 'Managed');
  b.addDomain('fed.contoso.test', 'Federated');
  const block = b.addPolicy({ displayName: 'Block unmanaged sync', grantControls: { operator: 'OR', builtInControls: ['block'] } });
  const compliant = b.addPolicy({ displayName: 'Require compliant device', grantControls: { operator: 'OR', builtInControls: ['compliantDevice'] } });
  const mfa = b.addPolicy({ displayName: 'Require MFA off-site', grantControls: { operator: 'OR', builtInControls: ['mfa'] } });
  const person = (id: string, name: string, domain: string, extra: Partial<UserSpec> = {}): string => {
    b.addUser({
      id,
      displayName: name,
      userPrincipalName: `${name.toLowerCase().replace(/ /g, '.')}@${domain}`,
      createdHoursAgo: 400 * D,
      passwordChangedHoursAgo: 80 * D,
      licenseDetails: e3Licence(),
      spot: OFFICE,
      ...extra,
    });
    return id;
  };
  const officeWorks = (id: string): void => {
    b.signIn(id, { app: 'outlook', hoursAgo: 5, interactive: true });
    b.signIn(id, { app: 'teams', hoursAgo: 2 });
  };

  // A cloud user blocked by a Conditional Access policy, on an owned Entra-joined PC.
  const cloud = person('rt-cloud', 'Ada Brook', 'contoso.test');
  b.addDevice(cloud, { displayName: 'CONTOSO-AB01', isCompliant: true, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 1 });
  b.series(cloud, [20, 6, 1], { app: 'oneDriveSync', errorCode: 53003, policies: [b.applied(block, 'failure', ['Block'])] });
  officeWorks(cloud);

  // Two more users failing two other policies (the policies are read one at a time).
  const nc = person('rt-noncompliant', 'Ben Carter', 'contoso.test');
  b.addDevice(nc, { displayName: 'CONTOSO-BC01', isCompliant: false, isManaged: true, trustType: 'AzureAd', lastSignInHoursAgo: 1 });
  b.series(nc, [10, 2], { app: 'oneDriveSync', errorCode: 53000, policies: [b.applied(compliant, 'failure', ['RequireCompliantDevice'])] });
  officeWorks(nc);
  const away = person('rt-mfa', 'Cara Diaz', 'contoso.test');
  b.series(away, [9, 3], { app: 'oneDriveSync', errorCode: 50076, policies: [b.applied(mfa, 'failure', ['Mfa'])] });
  officeWorks(away);

  // A hybrid user on a hybrid-joined PC with NO registered owner: Outlook and Teams carry the
  // PC's identity, OneDrive's failing refreshes carry none (the hybrid 0x8004de40 case).
  const hybrid = person('rt-hybrid-pc', 'Dana Evans', 'contoso.test', { onPremisesSyncEnabled: true, authentication: 'password-hash-sync' });
  b.addDevice(hybrid, { displayName: 'CONTOSO-DE01', isCompliant: true, isManaged: true, trustType: 'ServerAd', lastSignInHoursAgo: 1, registeredOwner: false });
  b.series(hybrid, [12, 4, 1], { app: 'oneDriveSync', errorCode: 53001, device: NO_DEVICE });
  officeWorks(hybrid);

  // A PC an admin disabled in Entra: its sign-ins fail with 135011.
  const disabled = person('rt-disabled-pc', 'Eli Fox', 'contoso.test', { onPremisesSyncEnabled: true });
  b.addDevice(disabled, {
    displayName: 'CONTOSO-EF01',
    isCompliant: true,
    isManaged: true,
    trustType: 'ServerAd',
    lastSignInHoursAgo: 30,
    registeredOwner: false,
    accountEnabled: false,
  });
  b.series(disabled, [8, 3, 1], { app: 'oneDriveSync', errorCode: 135011 });
  officeWorks(disabled);

  // Synced users whose passwords Entra rejects, no change recorded in Entra: hash sync, pass-through, federation.
  for (const [id, name, domain, authentication] of [
    ['rt-phs', 'Finn Gray', 'contoso.test', 'password-hash-sync'],
    ['rt-pta', 'Gia Hill', 'pta.contoso.test', 'pass-through'],
    ['rt-fed', 'Hugo Ives', 'fed.contoso.test', 'federated'],
  ] as const) {
    const u = person(id, name, domain, { onPremisesSyncEnabled: true, authentication });
    b.addDevice(u, { displayName: `CONTOSO-${id.slice(3, 6).toUpperCase()}`, isCompliant: true, isManaged: true, trustType: 'ServerAd', lastSignInHoursAgo: 1 });
    b.series(u, [6, 3, 1], { app: 'oneDriveSync', errorCode: 50126 });
    b.signIn(u, { app: 'office', hoursAgo: 2, errorCode: 50126, interactive: true });
    b.signIn(u, { app: 'teams', hoursAgo: 7, interactive: true });
  }
  return b.build();
}
