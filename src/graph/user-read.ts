/**
 * The user, licence and device part of a lookup: the batch items that read them (never
 * reports requests) and the mapping of Graph's answers to the domain's DirectoryUser and
 * DirectoryDevice, keeping only the selected properties.
 */
import type { DirectoryDevice, DirectoryUser, LicenseDetail, LookupFailure } from '../domain/directory';
import { GraphLookupError, type DirectoryArea } from './graph-failures';
import type { BatchItem, GraphResponse } from './graph-request';
import { nextLinkOf, valueOf } from './graph-shapes';

const USER_SELECT = 'id,displayName,userPrincipalName,mail,accountEnabled,createdDateTime,lastPasswordChangeDateTime,onPremisesSyncEnabled';
const LICENCE_SELECT = 'skuPartNumber,servicePlans';
const DEVICE_SELECT = 'id,deviceId,displayName,operatingSystem,isCompliant,isManaged,trustType,approximateLastSignInDateTime';

/** The user, licence and device reads of one lookup (batch items; never reports requests). */
export function userItems(userId: string): BatchItem[] {
  const uid = encodeURIComponent(userId);
  return [
    { id: 'user', url: `/users/${uid}?$select=${USER_SELECT}` },
    { id: 'licenceDetails', url: `/users/${uid}/licenseDetails?$select=${LICENCE_SELECT}` },
    { id: 'ownedDevices', url: `/users/${uid}/ownedDevices?$select=${DEVICE_SELECT}` },
    { id: 'registeredDevices', url: `/users/${uid}/registeredDevices?$select=${DEVICE_SELECT}` },
  ];
}

/**
 * Reads the user, licences and devices from a batch's answers (and checks the sign-in streams
 * named in `signInStreams` answered); throws the failure that explains a refusal.
 */
export function userParts(
  userId: string,
  response: (id: string) => GraphResponse,
  signInStreams: readonly string[],
  gaps: string[],
  failureFor: (area: DirectoryArea, response: GraphResponse) => LookupFailure,
): { user: DirectoryUser; devices: DirectoryDevice[] } {
  // The user first: a missing user explains everything else failing too.
  const userResponse = response('user');
  if (userResponse.status === 404) {
    throw new GraphLookupError({
      kind: 'user-not-found',
      message: "I couldn't find your account in the directory, so I can't read your sign-in logs.",
      adminDetail: `Microsoft Graph has no user with id ${userId} (404).`,
    });
  }
  if (userResponse.status !== 200) throw new GraphLookupError(failureFor('user', userResponse));
  for (const s of signInStreams) if (response(s).status !== 200) throw new GraphLookupError(failureFor('signIns', response(s)));
  for (const id of ['licenceDetails', 'ownedDevices', 'registeredDevices']) {
    if (response(id).status !== 200) throw new GraphLookupError(failureFor(id === 'licenceDetails' ? 'user' : 'devices', response(id)));
  }

  const user = pick(userResponse.body, USER_SELECT) as unknown as DirectoryUser;
  user.id ??= userId;
  user.licenseDetails = valueOf<LicenseDetail>(response('licenceDetails').body).map((l) => pick(l, LICENCE_SELECT) as LicenseDetail);
  if (nextLinkOf(response('licenceDetails').body)) gaps.push('Some licence details (more than one page)');

  const devices = new Map<string, DirectoryDevice>();
  for (const id of ['ownedDevices', 'registeredDevices']) {
    for (const raw of valueOf<DirectoryDevice>(response(id).body)) {
      const type = (raw as { '@odata.type'?: string })['@odata.type'];
      if (type && type !== '#microsoft.graph.device') continue;
      const device = pick(raw, DEVICE_SELECT) as DirectoryDevice;
      const key = device.id ?? device.deviceId ?? `device-${devices.size}`;
      if (!devices.has(key)) devices.set(key, device);
    }
  }
  return { user, devices: [...devices.values()] };
}

/** Keeps only the selected properties (Graph may add @odata annotations). */
function pick(source: unknown, select: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!source || typeof source !== 'object') return out;
  for (const key of select.split(',')) {
    if (key in source) out[key] = (source as Record<string, unknown>)[key];
  }
  return out;
}
