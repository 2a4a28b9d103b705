/**
 * The user, licence and device part of a lookup: the batch items that read them (never
 * reports requests) and the mapping of Graph's answers to the domain's DirectoryUser and
 * DirectoryDevice, keeping only the selected properties. Only the user itself is essential:
 * licences or devices that cannot be read become named gaps on the evidence, and the rest of
 * the lookup is kept.
 */
import type { DirectoryDevice, DirectoryUser, LicenseDetail, LookupFailure } from '../domain/directory';
import { GraphLookupError, addGap, evidenceGap, type DirectoryArea, type GapList } from './graph-failures';
import { notGraphResponse, type BatchItem, type GraphResponse } from './graph-request';
import { collectionOf, isJsonObject, nextLinkOf } from './graph-shapes';

const USER_SELECT = 'id,displayName,userPrincipalName,mail,accountEnabled,createdDateTime,lastPasswordChangeDateTime,onPremisesSyncEnabled';
const LICENCE_SELECT = 'skuPartNumber,servicePlans';
/** The device properties read (also by device-read.ts). */
export const DEVICE_SELECT = 'id,deviceId,displayName,operatingSystem,isCompliant,isManaged,trustType,approximateLastSignInDateTime,accountEnabled';

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
 * Reads the user, licences and devices from a batch's answers. Throws the failure that
 * explains a missing or refused user (nothing else makes sense without it); a licence or device
 * read that failed becomes a gap, and the licences are then left unknown, never "none".
 */
export function userParts(
  userId: string,
  response: (id: string) => GraphResponse,
  gaps: GapList,
  failureFor: (area: DirectoryArea, response: GraphResponse) => LookupFailure,
): { user: DirectoryUser; devices: DirectoryDevice[] } {
  const userResponse = response('user');
  if (userResponse.status === 404) {
    throw new GraphLookupError({
      kind: 'user-not-found',
      message: "I couldn't find your account in the directory, so I can't read your sign-in logs.",
      adminDetail: `Microsoft Graph has no user with id ${userId} (404).`,
    });
  }
  if (userResponse.status !== 200) throw new GraphLookupError(failureFor('user', userResponse));
  const body = userResponse.body;
  if (!isJsonObject(body) || typeof body.id !== 'string') throw new GraphLookupError(failureFor('user', notGraphResponse('a user without an id')));

  const user = pick(body, USER_SELECT) as unknown as DirectoryUser;
  const licences = response('licenceDetails');
  const licenceList = licences.status === 200 ? collectionOf<LicenseDetail>(licences.body) : undefined;
  if (licenceList) {
    user.licenseDetails = licenceList.filter(isJsonObject).map((l) => pick(l, LICENCE_SELECT) as LicenseDetail);
    if (nextLinkOf(licences.body)) addGap(gaps, evidenceGap('licences', { reason: 'limit', detail: 'more than one page' }));
  } else {
    delete user.licenseDetails;
    addGap(gaps, evidenceGap('licences', { response: licences.status === 200 ? notGraphResponse('no value list') : licences }));
  }

  const devices = new Map<string, DirectoryDevice>();
  for (const id of ['ownedDevices', 'registeredDevices']) {
    const res = response(id);
    const list = res.status === 200 ? collectionOf<DirectoryDevice>(res.body) : undefined;
    if (!list) {
      addGap(gaps, evidenceGap('devices', { response: res.status === 200 ? notGraphResponse('no value list') : res }));
      continue;
    }
    for (const raw of list) {
      if (!isJsonObject(raw)) continue;
      const type = (raw as { '@odata.type'?: string })['@odata.type'];
      if (type && type !== '#microsoft.graph.device') continue;
      const device = { ...pickDevice(raw), foundBy: 'owner' as const };
      const key = device.id ?? device.deviceId ?? `device-${devices.size}`;
      if (!devices.has(key)) devices.set(key, device);
    }
  }
  return { user, devices: [...devices.values()] };
}

/** A device's selected properties. */
export function pickDevice(raw: unknown): DirectoryDevice {
  return pick(raw, DEVICE_SELECT) as DirectoryDevice;
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
