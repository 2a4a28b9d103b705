/**
 * Builds the Teams app package to upload (Teams admin center → Manage apps → Upload, or
 * Teams → Apps → Manage your apps → Upload an app):
 *
 *   BOT_ID=<bot's Microsoft App ID> BOT_DOMAIN=<web app host name> npm run package
 *
 * Reads appPackage/manifest.json, fills its ${{NAME}} placeholders from the environment, validates
 * the result offline against the official Teams manifest JSON schema bundled in
 * @microsoft/app-manifest, checks the icons, and writes
 *
 *   appPackage/build/manifest.json     the filled-in manifest
 *   appPackage/build/appPackage.zip    manifest.json + color.png + outline.png, at the zip's root
 *
 * Variables (see infra/README.md; the deployment's outputs carry the first two):
 *   BOT_ID                 required, a GUID: the bot's Microsoft App ID (the managed identity's client id)
 *   BOT_DOMAIN             required, a host name only (no https://, path or port): where the bot runs
 *   TEAMS_APP_ID           the Teams app's id, a GUID; defaults to BOT_ID
 *   APP_VERSION            the app's version, x.y.z; defaults to 1.0.0 (raise it for every update you upload)
 *   DEVELOPER_NAME         shown in the app's details; defaults to "IT Help Desk"
 *   DEVELOPER_WEBSITE_URL  https URL shown in the app's details; defaults to https://BOT_DOMAIN/
 *   DEVELOPER_PRIVACY_URL, DEVELOPER_TERMS_URL
 *                          https URLs of the privacy statement and terms of use; default to the pages
 *                          the bot serves itself, https://BOT_DOMAIN/privacy and https://BOT_DOMAIN/terms
 *
 * A missing or bad variable stops it with a message naming the variable, and exit code 1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { AppManifestUtils } from '@microsoft/app-manifest';

/** A problem with the inputs, naming the variable (or file) at fault. */
export class AppPackageError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'AppPackageError';
  }
}

/** The folder holding the manifest template and the icons. */
export const APP_PACKAGE_DIR = path.resolve(__dirname, '..', 'appPackage');
/** Where `npm run package` writes by default. */
export const DEFAULT_OUT_DIR = path.join(APP_PACKAGE_DIR, 'build');

/** The icons the package holds: file name, and the size Teams requires. */
export const ICONS = [
  { file: 'color.png', width: 192, height: 192 },
  { file: 'outline.png', width: 32, height: 32 },
] as const;

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function required(env: Env, name: string, what: string): string {
  const value = read(env, name);
  if (!value) throw new AppPackageError(name, `is required: ${what}`);
  return value;
}

function guid(name: string, value: string): string {
  if (!GUID.test(value)) throw new AppPackageError(name, `must be a GUID like 00000000-0000-0000-0000-000000000000, got "${value}"`);
  return value.toLowerCase();
}

/** True for a DNS host name with at least two labels (RFC 1123 labels, no scheme, path or port). */
export function isHostName(value: string): boolean {
  if (value.length > 253) return false;
  const labels = value.split('.');
  if (labels.length < 2) return false;
  return labels.every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label)) && !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

function hostName(name: string, value: string): string {
  if (/^[a-z]+:\/\//i.test(value)) throw new AppPackageError(name, `must be a host name only, without "${value.split('//')[0]}//", got "${value}"`);
  if (/[/:?#]/.test(value)) throw new AppPackageError(name, `must be a host name only, without a path or port, got "${value}"`);
  if (!isHostName(value)) throw new AppPackageError(name, `must be a host name such as helpdesk-bot.azurewebsites.net, got "${value}"`);
  return value.toLowerCase();
}

function httpsUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppPackageError(name, `must be an https URL, got "${value}"`);
  }
  if (url.protocol !== 'https:') throw new AppPackageError(name, `must be an https URL, got "${value}"`);
  return url.toString();
}

/** Reads and checks every variable the manifest template may use. Throws an AppPackageError naming the first bad one. */
export function resolveVariables(env: Env): Record<string, string> {
  const botId = guid('BOT_ID', required(env, 'BOT_ID', "the bot's Microsoft App ID (a GUID; the deployment output BOT_ID)"));
  const botDomain = hostName('BOT_DOMAIN', required(env, 'BOT_DOMAIN', "the bot's host name, e.g. helpdesk-bot.azurewebsites.net (the deployment output BOT_DOMAIN)"));
  const teamsAppId = guid('TEAMS_APP_ID', read(env, 'TEAMS_APP_ID') ?? botId);
  const appVersion = read(env, 'APP_VERSION') ?? '1.0.0';
  if (!SEMVER.test(appVersion)) throw new AppPackageError('APP_VERSION', `must be a version like 1.0.0, got "${appVersion}"`);
  const developerName = read(env, 'DEVELOPER_NAME') ?? 'IT Help Desk';
  if (developerName.length > 32) throw new AppPackageError('DEVELOPER_NAME', `must be at most 32 characters, got ${developerName.length}`);
  const site = `https://${botDomain}/`;
  return {
    BOT_ID: botId,
    BOT_DOMAIN: botDomain,
    TEAMS_APP_ID: teamsAppId,
    APP_VERSION: appVersion,
    DEVELOPER_NAME: developerName,
    DEVELOPER_WEBSITE_URL: httpsUrl('DEVELOPER_WEBSITE_URL', read(env, 'DEVELOPER_WEBSITE_URL') ?? site),
    DEVELOPER_PRIVACY_URL: httpsUrl('DEVELOPER_PRIVACY_URL', read(env, 'DEVELOPER_PRIVACY_URL') ?? `${site}privacy`),
    DEVELOPER_TERMS_URL: httpsUrl('DEVELOPER_TERMS_URL', read(env, 'DEVELOPER_TERMS_URL') ?? `${site}terms`),
  };
}

/** Replaces each ${{NAME}} in the template text with its JSON-escaped value; an unknown name is an error. */
export function fillPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new AppPackageError(name, 'is used in appPackage/manifest.json but package-app.ts does not know it');
    return JSON.stringify(value).slice(1, -1);
  });
}

/** The path of the official Teams manifest schema for `manifestVersion`, as bundled in @microsoft/app-manifest. */
export function bundledSchemaPath(manifestVersion: string): string {
  const packageRoot = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  return path.join(packageRoot, 'build', 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
}

/** Loads the bundled schema from disk: never from the network. */
export function loadBundledSchema(manifestVersion: string): Record<string, unknown> {
  if (!/^1\.\d+$/.test(manifestVersion)) throw new AppPackageError('manifestVersion', `must be a released version like 1.22, got "${manifestVersion}"`);
  const file = bundledSchemaPath(manifestVersion);
  if (!existsSync(file)) throw new AppPackageError('manifestVersion', `${manifestVersion} has no schema bundled in @microsoft/app-manifest (looked for ${file})`);
  // The same clean-up @microsoft/app-manifest applies: a few published schemas hold regex escapes JSON does not allow.
  const text = readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Validates a manifest offline against the bundled official schema of its manifestVersion, with
 * @microsoft/app-manifest's own validator (ajv, draft-04). Returns the schema errors; empty when valid.
 */
export async function validateManifest(manifest: Record<string, unknown>): Promise<string[]> {
  const version = typeof manifest.manifestVersion === 'string' ? manifest.manifestVersion : '';
  const schema = loadBundledSchema(version);
  const expectedSchemaUrl = `https://developer.microsoft.com/en-us/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`;
  const errors: string[] = [];
  if (manifest.$schema !== expectedSchemaUrl) errors.push(`/$schema must be ${expectedSchemaUrl} to match manifestVersion ${version}`);
  type Validate = typeof AppManifestUtils.validateAgainstSchema;
  const found = await AppManifestUtils.validateAgainstSchema(manifest as unknown as Parameters<Validate>[0], schema as unknown as Parameters<Validate>[1]);
  return [...errors, ...found];
}

/** Width, height, bit depth and colour type from a PNG's IHDR chunk. */
export function readPngHeader(bytes: Buffer): { width: number; height: number; bitDepth: number; colorType: number } {
  const signature = '89504e470d0a1a0a';
  if (bytes.length < 33 || bytes.subarray(0, 8).toString('hex') !== signature || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') {
    throw new Error('not a PNG file');
  }
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), bitDepth: bytes[24]!, colorType: bytes[25]! };
}

function readIcon(appPackageDir: string, icon: (typeof ICONS)[number]): Buffer {
  const file = path.join(appPackageDir, icon.file);
  if (!existsSync(file)) throw new AppPackageError(icon.file, `is missing from ${appPackageDir}: run npx tsx scripts/make-icons.ts`);
  const bytes = readFileSync(file);
  let header: ReturnType<typeof readPngHeader>;
  try {
    header = readPngHeader(bytes);
  } catch (error) {
    throw new AppPackageError(icon.file, (error as Error).message);
  }
  if (header.width !== icon.width || header.height !== icon.height) {
    throw new AppPackageError(icon.file, `must be ${icon.width}×${icon.height} pixels, is ${header.width}×${header.height}`);
  }
  return bytes;
}

/** What buildAppPackage wrote. */
export interface AppPackageResult {
  zipPath: string;
  manifestPath: string;
  manifest: Record<string, unknown>;
}

/**
 * Fills the manifest from `env`, validates it against the bundled schema, and writes
 * `outDir/manifest.json` and `outDir/appPackage.zip`. Throws an AppPackageError naming the
 * variable at fault, or listing the schema errors.
 */
export async function buildAppPackage(env: Env, outDir: string = DEFAULT_OUT_DIR, appPackageDir: string = APP_PACKAGE_DIR): Promise<AppPackageResult> {
  const values = resolveVariables(env);
  const template = readFileSync(path.join(appPackageDir, 'manifest.json'), 'utf8');
  const manifest = JSON.parse(fillPlaceholders(template, values)) as Record<string, unknown>;

  const errors = await validateManifest(manifest);
  if (errors.length > 0) {
    throw new AppPackageError('manifest.json', `does not match the Teams manifest schema v${String(manifest.manifestVersion)}:\n  ${errors.join('\n  ')}`);
  }
  const icons = ICONS.map((icon) => ({ name: icon.file, bytes: readIcon(appPackageDir, icon) }));

  mkdirSync(outDir, { recursive: true });
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const manifestPath = path.join(outDir, 'manifest.json');
  writeFileSync(manifestPath, manifestText, 'utf8');

  const zip = new AdmZip();
  zip.addFile('manifest.json', Buffer.from(manifestText, 'utf8'));
  for (const icon of icons) zip.addFile(icon.name, icon.bytes);
  const zipPath = path.join(outDir, 'appPackage.zip');
  zip.writeZip(zipPath);
  return { zipPath, manifestPath, manifest };
}

if (require.main === module) {
  buildAppPackage(process.env).then(
    (result) => {
      console.log(
        `Wrote ${path.relative(process.cwd(), result.zipPath)} (manifest v${String(result.manifest.manifestVersion)}, app id ${String(result.manifest.id)}, version ${String(result.manifest.version)}).`,
      );
      console.log('Upload it in the Teams admin center (Teams apps → Manage apps → Upload new app) or in Teams (Apps → Manage your apps → Upload an app).');
    },
    (error: unknown) => {
      console.error(error instanceof AppPackageError ? `Cannot build the app package. ${error.message}` : error);
      process.exit(1);
    },
  );
}
