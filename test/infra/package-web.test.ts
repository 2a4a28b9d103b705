import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { PackageWebError, devPackagesInstalled, extractToTemp, pruneNativeBuilds, startBot } from '../../scripts/package-web';

/*
 * The checks scripts/package-web.ts (`npm run package:web`) runs on its own output. Building the
 * real package takes minutes (npm ci and a native compile), so package:web runs its start check on
 * the real zip itself; here each check is run on small folders made for the case: an app that
 * serves, one that crashes, one that never gets ready.
 */

let work: string;

/** An app folder whose dist/index.js is `code`. */
function app(code: string): string {
  const dir = path.join(work, 'app');
  mkdirSync(path.join(dir, 'dist'), { recursive: true });
  writeFileSync(path.join(dir, 'dist', 'index.js'), code);
  return dir;
}

/** dist/index.js of an app that answers /healthz and /readyz, each with the given status. */
function server(readyStatus: string): string {
  return `
    const http = require('node:http');
    const ready = ${readyStatus};
    http.createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? 200 : req.url === '/readyz' ? ready : 404;
      res.end();
    }).listen(Number(process.env.PORT), '127.0.0.1');
  `;
}

/** True when something accepts connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('scripts/package-web.ts (npm run package:web) checks', function () {
  this.timeout(60_000);
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'package-web-test-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('when the app answers /healthz and /readyz, then the start check passes, having given it only NODE_ENV=production, PORT, DATA_DIR and no setting from this shell, and stops it', async () => {
    process.env.BOT_ID = '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';
    try {
      // Ready only if the environment is what App Service-like start-up promises.
      const dir = app(
        server(
          "process.env.NODE_ENV === 'production' && process.env.ALLOW_SQLITE_IN_PRODUCTION === 'true' && process.env.DATA_DIR === " +
            JSON.stringify(path.join(work, 'data')) +
            ' && process.env.BOT_ID === undefined ? 200 : 500',
        ),
      );
      const result = await startBot(dir, path.join(work, 'data'), 20_000);
      assert.deepEqual({ healthz: result.healthz, readyz: result.readyz }, { healthz: 200, readyz: 200 });
      assert.equal(await listening(result.port), false, 'the app is still running after the check');
    } finally {
      delete process.env.BOT_ID;
    }
  });

  it('when the app exits at start-up, then the start check fails with what the app printed', async () => {
    const dir = app("console.error('ConfigError: STORAGE_BACKEND: is sqlite but NODE_ENV is production'); process.exit(1);");
    await assert.rejects(startBot(dir, path.join(work, 'data'), 20_000), (error: unknown) => {
      assert.ok(error instanceof PackageWebError);
      assert.match(error.message, /exited \(code 1\)/);
      assert.match(error.message, /ConfigError: STORAGE_BACKEND/);
      return true;
    });
  });

  it('when /readyz never answers 200, then the start check fails naming the last answers, and the app is stopped', async () => {
    const dir = app(server('503'));
    let port = 0;
    await assert.rejects(startBot(dir, path.join(work, 'data'), 1500), (error: unknown) => {
      assert.ok(error instanceof PackageWebError);
      assert.match(error.message, /did not answer \/healthz and \/readyz with 200 on 127\.0\.0\.1:\d+ within 1500 ms \(last: 200, 503\)/);
      port = Number(/127\.0\.0\.1:(\d+)/.exec(error.message)![1]);
      return true;
    });
    assert.equal(await listening(port), false, 'the app is still running after the check');
  });

  it('when the installed tree holds a package npm marks as dev, then it is reported; a production-only tree reports none', () => {
    const dir = path.join(work, 'staging');
    mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
    const write = (packages: object) => writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages }));
    write({ '': { name: 'x' }, 'node_modules/zod': {}, 'node_modules/@types/node': { dev: true }, 'node_modules/fsevents': { devOptional: true } });
    assert.deepEqual(devPackagesInstalled(dir), ['@types/node', 'fsevents']);
    write({ '': { name: 'x' }, 'node_modules/zod': {}, 'node_modules/@types/node': {} });
    assert.deepEqual(devPackagesInstalled(dir), []);
    rmSync(path.join(dir, 'node_modules', '.package-lock.json'));
    assert.throws(() => devPackagesInstalled(dir), PackageWebError);
  });

  it('when native builds are trimmed, then only build/Release/*.node stays, in plain and scoped packages, and other packages are untouched', () => {
    const nm = path.join(work, 'node_modules');
    const files = {
      'better-sqlite3/binding.gyp': '',
      'better-sqlite3/lib/index.js': '',
      'better-sqlite3/build/Makefile': '',
      'better-sqlite3/build/Release/better_sqlite3.node': 'x',
      'better-sqlite3/build/Release/sqlite3.a': 'x',
      'better-sqlite3/build/Release/obj.target/sqlite3.o': 'x',
      '@scope/native/binding.gyp': '',
      '@scope/native/build/Release/addon.node': 'x',
      '@scope/native/build/config.gypi': '',
      'plain/build/keep.txt': '',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(nm, file)), { recursive: true });
      writeFileSync(path.join(nm, file), text);
    }
    assert.deepEqual(pruneNativeBuilds(nm).sort(), [path.join('@scope', 'native'), 'better-sqlite3']);
    assert.deepEqual(readdirSync(path.join(nm, 'better-sqlite3', 'build')), ['Release']);
    assert.deepEqual(readdirSync(path.join(nm, 'better-sqlite3', 'build', 'Release')), ['better_sqlite3.node']);
    assert.deepEqual(readdirSync(path.join(nm, '@scope', 'native', 'build')), ['Release']);
    assert.ok(existsSync(path.join(nm, 'better-sqlite3', 'lib', 'index.js')));
    assert.ok(existsSync(path.join(nm, 'plain', 'build', 'keep.txt')), 'a package without binding.gyp is left alone');
  });

  it('when a zip is extracted for the start check, then its files land in a fresh temporary folder', () => {
    const zip = new AdmZip();
    zip.addFile('dist/index.js', Buffer.from('// app'));
    zip.addFile('content/en/causes/a.yaml', Buffer.from('id: a'));
    const zipPath = path.join(work, 'app.zip');
    zip.writeZip(zipPath);
    const { dir, appDir } = extractToTemp(zipPath);
    try {
      assert.ok(existsSync(path.join(appDir, 'dist', 'index.js')));
      assert.ok(existsSync(path.join(appDir, 'content', 'en', 'causes', 'a.yaml')));
      assert.notEqual(path.dirname(appDir), work);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
