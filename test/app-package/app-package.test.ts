import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { AppPackageError, bundledSchemaPath, buildAppPackage, loadBundledSchema, validateManifest, type AppPackageResult } from '../../scripts/package-app';
import { drawColorIcon, drawOutlineIcon, encodePng } from '../../scripts/make-icons';
import { decodePng } from './png';

const APP_PACKAGE_DIR = path.resolve(__dirname, '..', '..', 'appPackage');
const SAMPLE_ENV = { BOT_ID: '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b', BOT_DOMAIN: 'helpdesk.example.com' };

type Bot = { botId: string; scopes: string[]; commandLists: Array<{ scopes: string[]; commands: Array<{ title: string; description: string }> }> };

/** Runs `fn` with global fetch replaced by one that fails the test: proves nothing is fetched. */
async function offline<T>(fn: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = (async (input: unknown) => {
    throw new Error(`the test tried to fetch ${String(input)}: schema validation must be offline`);
  }) as typeof fetch;
  try {
    return await fn();
  } finally {
    globalThis.fetch = original;
  }
}

/** Expects `promise` to reject with an AppPackageError naming `variable`. */
async function assertRejectsNaming(promise: Promise<unknown>, variable: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AppPackageError, `expected an AppPackageError, got ${String(error)}`);
    assert.equal(error.variable, variable);
    assert.match(error.message, new RegExp(`\\b${variable}\\b`));
    return true;
  });
}

describe('Teams app package', () => {
  let outDir: string;
  let result: AppPackageResult;
  let manifest: Record<string, unknown>;

  before(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), 'app-package-'));
    result = await offline(() => buildAppPackage({ ...SAMPLE_ENV }, outDir));
    manifest = JSON.parse(readFileSync(result.manifestPath, 'utf8')) as Record<string, unknown>;
  });

  after(() => rmSync(outDir, { recursive: true, force: true }));

  it('when the package is built with a sample BOT_ID and BOT_DOMAIN, then it writes the zip and the manifest into the output folder', () => {
    assert.equal(result.zipPath, path.join(outDir, 'appPackage.zip'));
    assert.equal(result.manifestPath, path.join(outDir, 'manifest.json'));
    assert.deepEqual(manifest, result.manifest);
  });

  it('when the generated manifest is validated offline against the official schema bundled in @microsoft/app-manifest, then there is no schema error', async () => {
    const schemaFile = bundledSchemaPath(String(manifest.manifestVersion));
    assert.match(schemaFile, /node_modules[\\/]@microsoft[\\/]app-manifest[\\/]build[\\/]json-schemas[\\/]teams[\\/]v1\.\d+[\\/]MicrosoftTeams\.schema\.json$/);
    const schema = loadBundledSchema(String(manifest.manifestVersion));
    assert.equal((schema.properties as { manifestVersion: { const?: string } }).manifestVersion.const, manifest.manifestVersion);
    const errors = await offline(() => validateManifest(manifest));
    assert.deepEqual(errors, []);
  });

  it('when a manifest breaks the schema, then the validator reports it (the check is not vacuous)', async () => {
    const broken = structuredClone(manifest) as Record<string, unknown> & { bots: Bot[] };
    delete broken.developer;
    broken.bots[0]!.scopes = ['personal', 'everywhere'];
    broken.accentColor = 'blue';
    const errors = await offline(() => validateManifest(broken));
    assert.ok(
      errors.some((e) => /developer/.test(e)),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/bots/0/scopes')),
      errors.join('\n'),
    );
    assert.ok(
      errors.some((e) => e.startsWith('/accentColor')),
      errors.join('\n'),
    );
  });

  it('when the manifest is read, then it uses schema 1.19 or later and every placeholder is filled from the environment', () => {
    const [major, minor] = String(manifest.manifestVersion).split('.').map(Number);
    assert.ok(major! > 1 || (major === 1 && minor! >= 19), `manifestVersion ${String(manifest.manifestVersion)} is older than 1.19`);
    assert.equal(manifest.$schema, `https://developer.microsoft.com/en-us/json-schemas/teams/v${String(manifest.manifestVersion)}/MicrosoftTeams.schema.json`);
    assert.doesNotMatch(JSON.stringify(manifest), /\$\{\{/);
    assert.equal(manifest.id, SAMPLE_ENV.BOT_ID, 'TEAMS_APP_ID defaults to BOT_ID');
    const bots = manifest.bots as Bot[];
    assert.equal(bots.length, 1);
    assert.equal(bots[0]!.botId, SAMPLE_ENV.BOT_ID);
  });

  it('when the bot is declared, then it is in the personal and team scopes', () => {
    const bot = (manifest.bots as Bot[])[0]!;
    assert.ok(bot.scopes.includes('personal'));
    assert.ok(bot.scopes.includes('team'));
  });

  it('when the command lists are read, then employees get help, start over and my tickets, and the help desk channel gets use this channel for tickets, tickets and lookup', () => {
    const lists = (manifest.bots as Bot[])[0]!.commandLists;
    const titles = (scope: string) => lists.filter((l) => l.scopes.includes(scope)).flatMap((l) => l.commands.map((c) => c.title));
    for (const command of ['help', 'start over', 'my tickets']) assert.ok(titles('personal').includes(command), `personal commands lack "${command}"`);
    for (const command of ['use this channel for tickets', 'tickets', 'lookup']) assert.ok(titles('team').includes(command), `team commands lack "${command}"`);
  });

  it('when no developer URLs are set, then privacy and terms point to the pages the bot serves (/privacy, /terms) and the website to its root', () => {
    const developer = manifest.developer as { websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
    assert.equal(developer.privacyUrl, `https://${SAMPLE_ENV.BOT_DOMAIN}/privacy`);
    assert.equal(developer.termsOfUseUrl, `https://${SAMPLE_ENV.BOT_DOMAIN}/terms`);
    assert.equal(developer.websiteUrl, `https://${SAMPLE_ENV.BOT_DOMAIN}/`);
  });

  it('when DEVELOPER_PRIVACY_URL and DEVELOPER_TERMS_URL are set, then the manifest uses them; when one is not https, building fails naming it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'app-package-'));
    try {
      const privacy = 'https://contoso.example/legal/privacy?app=helpdesk';
      const terms = 'https://contoso.example/legal/terms';
      const built = await offline(() => buildAppPackage({ ...SAMPLE_ENV, DEVELOPER_PRIVACY_URL: privacy, DEVELOPER_TERMS_URL: terms }, dir));
      const developer = built.manifest.developer as { privacyUrl: string; termsOfUseUrl: string };
      assert.equal(developer.privacyUrl, privacy);
      assert.equal(developer.termsOfUseUrl, terms);
      await assertRejectsNaming(buildAppPackage({ ...SAMPLE_ENV, DEVELOPER_PRIVACY_URL: 'http://contoso.example/privacy' }, dir), 'DEVELOPER_PRIVACY_URL');
      await assertRejectsNaming(buildAppPackage({ ...SAMPLE_ENV, DEVELOPER_TERMS_URL: 'not a url' }, dir), 'DEVELOPER_TERMS_URL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when validDomains is read, then it holds BOT_DOMAIN', () => {
    assert.ok((manifest.validDomains as string[]).includes(SAMPLE_ENV.BOT_DOMAIN));
  });

  it('when the zip is opened, then it holds exactly manifest.json, color.png and outline.png at its root, the manifest as written', () => {
    const zip = new AdmZip(result.zipPath);
    const names = zip
      .getEntries()
      .map((e) => e.entryName)
      .sort();
    assert.deepEqual(names, ['color.png', 'manifest.json', 'outline.png']);
    assert.deepEqual(JSON.parse(zip.readAsText('manifest.json')), manifest);
    assert.deepEqual(zip.readFile('color.png'), readFileSync(path.join(APP_PACKAGE_DIR, 'color.png')));
    assert.deepEqual(zip.readFile('outline.png'), readFileSync(path.join(APP_PACKAGE_DIR, 'outline.png')));
  });

  it('when the packaged icons are decoded, then color.png is 192×192 and outline.png is 32×32 RGBA, only white or transparent', () => {
    const zip = new AdmZip(result.zipPath);
    const color = decodePng(zip.readFile('color.png')!);
    assert.equal(color.width, 192);
    assert.equal(color.height, 192);
    const outline = decodePng(zip.readFile('outline.png')!);
    assert.equal(outline.width, 32);
    assert.equal(outline.height, 32);
    assert.equal(outline.colorType, 6, 'outline.png must carry an alpha channel');
    assert.equal(outline.bitDepth, 8);
    let opaque = 0;
    let transparent = 0;
    for (let i = 0; i < outline.rgba.length; i += 4) {
      const [r, g, b, a] = [outline.rgba[i]!, outline.rgba[i + 1]!, outline.rgba[i + 2]!, outline.rgba[i + 3]!];
      if (a === 0) transparent++;
      else {
        assert.deepEqual([r, g, b], [255, 255, 255], `pixel ${i / 4} is visible but not white`);
        if (a === 255) opaque++;
      }
    }
    assert.ok(opaque > 100, 'the outline glyph should be drawn');
    assert.ok(transparent > 100, 'the outline background should be transparent');
    const centre = (16 * 32 + 4) * 4; // left of the keyhole, inside the cloud
    assert.ok(outline.rgba[centre + 3]! > 0);
  });

  it('when the icons are redrawn by scripts/make-icons.ts, then they match the files in appPackage byte for byte', () => {
    assert.deepEqual(encodePng(drawColorIcon()), readFileSync(path.join(APP_PACKAGE_DIR, 'color.png')));
    assert.deepEqual(encodePng(drawOutlineIcon()), readFileSync(path.join(APP_PACKAGE_DIR, 'outline.png')));
  });

  it('when BOT_ID is missing, then building fails with an error naming BOT_ID', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'app-package-'));
    try {
      await assertRejectsNaming(buildAppPackage({ BOT_DOMAIN: SAMPLE_ENV.BOT_DOMAIN }, dir), 'BOT_ID');
      await assertRejectsNaming(buildAppPackage({ BOT_ID: '  ', BOT_DOMAIN: SAMPLE_ENV.BOT_DOMAIN }, dir), 'BOT_ID');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when BOT_DOMAIN is missing or not a host name, then building fails with an error naming BOT_DOMAIN', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'app-package-'));
    try {
      for (const domain of [
        undefined,
        'https://helpdesk.example.com',
        'helpdesk.example.com/api',
        'helpdesk.example.com:443',
        'localhost',
        'bad_host.example.com',
        '-x.example.com',
      ]) {
        await assertRejectsNaming(buildAppPackage({ BOT_ID: SAMPLE_ENV.BOT_ID, BOT_DOMAIN: domain }, dir), 'BOT_DOMAIN');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when BOT_ID or TEAMS_APP_ID is not a GUID, then building fails with an error naming it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'app-package-'));
    try {
      await assertRejectsNaming(buildAppPackage({ ...SAMPLE_ENV, BOT_ID: 'my-bot' }, dir), 'BOT_ID');
      await assertRejectsNaming(buildAppPackage({ ...SAMPLE_ENV, TEAMS_APP_ID: 'not-a-guid' }, dir), 'TEAMS_APP_ID');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when TEAMS_APP_ID and APP_VERSION are set, then the manifest uses them and the bot keeps BOT_ID', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'app-package-'));
    try {
      const teamsAppId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
      const built = await offline(() => buildAppPackage({ ...SAMPLE_ENV, TEAMS_APP_ID: teamsAppId, APP_VERSION: '1.2.3' }, dir));
      assert.equal(built.manifest.id, teamsAppId);
      assert.equal(built.manifest.version, '1.2.3');
      assert.equal((built.manifest.bots as Bot[])[0]!.botId, SAMPLE_ENV.BOT_ID);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
