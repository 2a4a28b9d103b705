/**
 * The Microsoft first-party client applications whose sign-ins the diagnosis reads.
 * App ids are the well-known, tenant-independent ids Entra records in `signIn.appId`.
 */

export interface KnownApp {
  readonly appId: string;
  readonly name: string;
}

export const KNOWN_APPS = {
  /** The OneDrive desktop sync client (what shows 0x8004de40). */
  oneDriveSync: { appId: 'ab9b8c07-8f02-4f72-87fa-80105867a763', name: 'OneDrive SyncEngine' },
  /** Microsoft Office desktop apps (Word, Excel… and the shared Office sign-in). */
  office: { appId: 'd3590ed6-52b3-4102-aeff-aad2292ab01c', name: 'Microsoft Office' },
  outlook: { appId: '5d661950-3475-41cd-a2c3-d671a3162bc1', name: 'Microsoft Outlook' },
  teams: { appId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264', name: 'Microsoft Teams' },
} as const satisfies Record<string, KnownApp>;

export type KnownAppKey = keyof typeof KNOWN_APPS;

/** App ids whose sign-ins are OneDrive's own. */
export const ONEDRIVE_APP_IDS: readonly string[] = [KNOWN_APPS.oneDriveSync.appId];

/** App ids of the other Office clients: if these sign in, the account and network are working. */
export const OFFICE_APP_IDS: readonly string[] = [KNOWN_APPS.office.appId, KNOWN_APPS.outlook.appId, KNOWN_APPS.teams.appId];
