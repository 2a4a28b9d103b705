/**
 * The devices a user's sign-ins came from, found by `deviceDetail.deviceId`
 * (`/devices?$filter=deviceId eq '…'`). Hybrid-joined PCs usually have no registered owner, so
 * they never appear among the user's owned or registered devices; without this read the
 * device-trust finding is lost in the commonest hybrid 0x8004de40 case.
 */
import type { DirectoryDevice, SignInEvent } from '../domain/directory';
import { addGap, evidenceGap, type GapList } from './graph-failures';
import { notGraphResponse, type BatchItem, type GraphResponse } from './graph-request';
import { collectionOf, isJsonObject, odataString } from './graph-shapes';
import { DEVICE_SELECT, pickDevice } from './user-read';

/** Devices looked up per lookup at most (the newest sign-ins' devices first). */
export const MAX_SIGN_IN_DEVICES = 3;
const ITEM_PREFIX = 'device-';
/** Entra device ids are GUIDs; anything else (empty, all zeros, junk) is not looked up. */
const DEVICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_GUID = '00000000-0000-0000-0000-000000000000';

/**
 * The device ids of the newest sign-ins that are not among `known` devices (and not already
 * `asked`), newest first, at most `max`.
 */
export function unknownSignInDeviceIds(signIns: readonly SignInEvent[], known: readonly DirectoryDevice[], asked: ReadonlySet<string>, max = MAX_SIGN_IN_DEVICES): string[] {
  const knownIds = new Set(known.map((d) => d.deviceId?.toLowerCase()).filter((id): id is string => Boolean(id)));
  const out: string[] = [];
  const newestFirst = [...signIns].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
  for (const e of newestFirst) {
    const id = e.deviceDetail?.deviceId?.trim().toLowerCase();
    if (!id || !DEVICE_ID.test(id) || id === NIL_GUID || knownIds.has(id) || asked.has(id) || out.includes(id)) continue;
    out.push(id);
    if (out.length + asked.size >= max) break;
  }
  return out;
}

/** The batch item that finds the device with `deviceId` (same path on v1.0 and beta). */
export function deviceItem(deviceId: string): BatchItem {
  const filter = encodeURIComponent(`deviceId eq ${odataString(deviceId)}`);
  return { id: `${ITEM_PREFIX}${deviceId}`, url: `/devices?$filter=${filter}&$select=${DEVICE_SELECT}` };
}

/**
 * Takes the answers to device items: found devices join `devices` (marked `foundBy: 'sign-in'`);
 * a refused or unusable answer is a `sign-in-devices` gap. A device that is not found is simply
 * absent (it may have been deleted, which sign-ins then show as 700003).
 */
export function takeSignInDevices(results: Map<string, GraphResponse>, devices: DirectoryDevice[], gaps: GapList): void {
  for (const [id, res] of results) {
    if (!id.startsWith(ITEM_PREFIX)) continue;
    const list = res.status === 200 ? collectionOf<unknown>(res.body) : undefined;
    if (!list) {
      addGap(gaps, evidenceGap('sign-in-devices', { response: res.status === 200 ? notGraphResponse('no value list') : res }));
      continue;
    }
    for (const raw of list.filter(isJsonObject)) {
      const device: DirectoryDevice = { ...pickDevice(raw), foundBy: 'sign-in' };
      const dup = devices.some((d) => (device.id && d.id === device.id) || (device.deviceId && d.deviceId?.toLowerCase() === device.deviceId.toLowerCase()));
      if (!dup) devices.push(device);
    }
  }
}
