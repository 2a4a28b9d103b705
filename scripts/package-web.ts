/**
 * `npm run package:web`: builds the zip App Service runs (WEBSITE_RUN_FROM_PACKAGE=1, started with
 * `node dist/index.js`; see infra/README.md). Nothing is built or installed on the server.
 *
 *   build/web/app/              the staging folder (the Agents Toolkit's deploy step zips it too)
 *   build/web/helpdesk-bot.zip  the package: dist/ (compiled fresh from src/), content/ (the knowledge
 *                               files the bot reads at start-up), package.json, node_modules/ with
 *                               production dependencies only, and checks/ (`npm run check:graph`
 *                               compiled, to run on the web app where the managed identity works)
 *
 * Steps: compile with tsconfig.build.json into the staging folder (type errors stop it), copy
 * content/ and package.json + package-lock.json, `npm ci --omit=dev` there (install scripts run:
 * better-sqlite3 compiles its native module from source, so nothing is fetched from outside the
 * npm registry), drop build intermediates, zip. Then it checks its own output: no package marked
 * dev in the installed tree; unzipped into a temporary folder, the Graph check loads and the bot
 * starts and answers /healthz and /readyz on a free loopback port.
 *
 * better-sqlite3's native module is compiled for the Node that runs this script. App Service runs
 * Node 22, and the bot loads SQLite only with STORAGE_BACKEND=sqlite: to use it there, build the
 * package on Node 22 (the script says so when it runs on another major version).
 *
 *   npm run package:web [-- --out-dir <dir>]
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { PARSED_YAML_CACHE_NAME, writeParsedYamlCache } from '../src/content/parsed-yaml-cache';

const ROOT = path.resolve(__dirname, '..');
/** Where the package is written by default. */
export const DEFAULT_OUT_DIR = path.join(ROOT, 'build', 'web');
/** The file name of the package. */
export const ZIP_NAME = 'helpdesk-bot.zip';
/** The Node major version App Service runs (infra/modules/webapp.bicep: NODE|22-lts). */
export const PRODUCTION_NODE_MAJOR = 22;

/** A step that failed, with what to do about it. */
export class PackageWebError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageWebError';
  }
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; what: string }): string {
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new PackageWebError(`${options.what}: cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new PackageWebError(`${options.what} failed (exit code ${result.status}):\n${(result.stdout + result.stderr).trim()}`);
  return result.stdout;
}

/** The npm that runs this script (`npm run` sets npm_execpath), else npm from PATH. */
function npmCommand(): string[] {
  const cli = process.env.npm_execpath;
  return cli && /\.c?js$/.test(cli) ? [process.execPath, cli] : ['npm'];
}

/**
 * The installed packages npm marks as dev in the staging folder's hidden lockfile
 * (node_modules/.package-lock.json): with --omit=dev there must be none.
 */
export function devPackagesInstalled(appDir: string): string[] {
  const file = path.join(appDir, 'node_modules', '.package-lock.json');
  if (!existsSync(file)) throw new PackageWebError(`${file} is missing: npm ci did not complete`);
  const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages?: Record<string, { dev?: boolean; devOptional?: boolean }> };
  return Object.entries(lock.packages ?? {})
    .filter(([name, info]) => name !== '' && (info.dev === true || info.devOptional === true))
    .map(([name]) => name.replace(/^node_modules\//, ''));
}

/** The package folders under node_modules (scoped ones included) that hold a node-gyp build. */
function nativeBuildDirs(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  return readdirSync(nodeModules, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .flatMap((e) => (e.name.startsWith('@') ? readdirSync(path.join(nodeModules, e.name)).map((n) => path.join(nodeModules, e.name, n)) : [path.join(nodeModules, e.name)]))
    .filter((dir) => existsSync(path.join(dir, 'binding.gyp')) && existsSync(path.join(dir, 'build')));
}

/**
 * Removes what a native build leaves besides the loadable module: object files, static libraries,
 * makefiles. Keeps build/Release/*.node, which is what `bindings` loads. Returns the folders pruned.
 */
export function pruneNativeBuilds(nodeModules: string): string[] {
  const pruned: string[] = [];
  for (const dir of nativeBuildDirs(nodeModules)) {
    const build = path.join(dir, 'build');
    for (const entry of readdirSync(build)) {
      if (entry !== 'Release') rmSync(path.join(build, entry), { recursive: true, force: true });
    }
    const release = path.join(build, 'Release');
    if (existsSync(release)) for (const entry of readdirSync(release)) if (!entry.endsWith('.node')) rmSync(path.join(release, entry), { recursive: true, force: true });
    pruned.push(path.relative(nodeModules, dir));
  }
  return pruned;
}

/** Where the compiled `npm run check:graph` lands in the package (run it on the web app over SSH). */
export const GRAPH_CHECK_ENTRY = 'checks/scripts/check-graph-permissions.js';

/**
 * Compiles scripts/check-graph-permissions.ts (and the src/ files it imports) into `<app>/checks`:
 * a managed identity only works inside Azure, so the permission check has to run on the web app,
 * where there is no tsx. Same compiler options as the bot (a tsconfig extending tsconfig.build.json).
 */
function compileGraphCheck(outDir: string, appDir: string): void {
  const tsconfig = path.join(outDir, 'tsconfig.checks.json');
  const config = {
    extends: path.join(ROOT, 'tsconfig.build.json'),
    compilerOptions: { rootDir: ROOT, outDir: path.join(appDir, 'checks') },
    include: [],
    files: [path.join(ROOT, 'scripts', 'check-graph-permissions.ts')],
  };
  writeFileSync(tsconfig, `${JSON.stringify(config, null, 2)}\n`);
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { cwd: ROOT, what: 'tsc (check:graph)' });
  if (!existsSync(path.join(appDir, GRAPH_CHECK_ENTRY))) throw new PackageWebError(`tsc wrote no ${GRAPH_CHECK_ENTRY}`);
}

/**
 * Runs the packaged Graph check with no Graph settings: it must load (every module it needs is in
 * the package) and report the missing configuration, not crash.
 */
export function graphCheckLoads(appDir: string): void {
  const result = spawnSync(process.execPath, [GRAPH_CHECK_ENTRY], { cwd: appDir, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 30_000 });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 1 || !/Microsoft Graph is not configured/.test(output)) {
    throw new PackageWebError(`the packaged ${GRAPH_CHECK_ENTRY} did not run as expected (exit code ${result.status}):\n${output.trim()}`);
  }
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

async function status(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

/** Unzips `zipPath` into a new temporary folder (the caller removes it) and returns the app's folder in it. */
export function extractToTemp(zipPath: string): { dir: string; appDir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'package-web-start-'));
  const appDir = path.join(dir, 'app');
  new AdmZip(zipPath).extractAllTo(appDir, true);
  return { dir, appDir };
}

/**
 * Starts `node dist/index.js` in `appDir` the way App Service would (NODE_ENV=production, PORT
 * set), with SQLite in `dataDir` so that no Azure account is needed, and nothing else from this
 * shell's environment. Resolves once /healthz and /readyz answer 200; rejects with the bot's output
 * when it exits first or does not answer within `timeoutMs`. The process is always stopped.
 */
export async function startBot(appDir: string, dataDir: string, timeoutMs = 60_000): Promise<{ port: number; healthz: number; readyz: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/index.js'], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH ?? '',
      ...(process.env.SystemRoot ? { SystemRoot: process.env.SystemRoot } : {}),
      NODE_ENV: 'production',
      ALLOW_SQLITE_IN_PRODUCTION: 'true',
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited !== undefined) throw new PackageWebError(`the packaged bot exited (code ${exited}) before answering /healthz and /readyz:\n${output.trim()}`);
      const healthz = await status(`http://127.0.0.1:${port}/healthz`);
      const readyz = healthz === 200 ? await status(`http://127.0.0.1:${port}/readyz`) : undefined;
      if (healthz === 200 && readyz === 200) return { port, healthz, readyz };
      if (Date.now() > deadline) {
        throw new PackageWebError(
          `the packaged bot did not answer /healthz and /readyz with 200 on 127.0.0.1:${port} within ${timeoutMs} ms (last: ${healthz ?? 'no answer'}, ${readyz ?? '-'}):\n${output.trim()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    }
  }
}

function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += sizeOf(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** What packageWeb built. */
export interface PackageWebResult {
  zipPath: string;
  appDir: string;
  zipBytes: number;
  unpackedBytes: number;
  packages: number;
  start: { port: number; healthz: number; readyz: number };
}

/** Builds, installs, zips and checks the package; see the file comment. */
export async function packageWeb(options: { outDir?: string; log?: (line: string) => void } = {}): Promise<PackageWebResult> {
  const outDir = path.resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const log = options.log ?? ((line: string) => console.log(line));
  const appDir = path.join(outDir, 'app');
  const zipPath = path.join(outDir, ZIP_NAME);
  rmSync(appDir, { recursive: true, force: true });
  rmSync(zipPath, { force: true });
  mkdirSync(appDir, { recursive: true });

  log('1/5 Compiling src/ with tsconfig.build.json...');
  // A fresh output folder: files of deleted sources in ./dist never reach the package.
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(appDir, 'dist')], { cwd: ROOT, what: 'tsc' });
  if (!existsSync(path.join(appDir, 'dist', 'index.js'))) throw new PackageWebError('tsc wrote no dist/index.js: check "rootDir" in tsconfig.build.json');
  compileGraphCheck(outDir, appDir);

  log('2/5 Copying content/ (and its knowledge files parsed, as npm run build does), package.json and package-lock.json...');
  cpSync(path.join(ROOT, 'content'), path.join(appDir, 'content'), { recursive: true });
  writeParsedYamlCache(path.join(appDir, 'content'), path.join(appDir, 'dist', PARSED_YAML_CACHE_NAME));
  for (const file of ['package.json', 'package-lock.json']) cpSync(path.join(ROOT, file), path.join(appDir, file));

  log('3/5 npm ci --omit=dev (production dependencies only; native modules compiled from source)...');
  const [npm, ...npmArgs] = npmCommand();
  run(npm!, [...npmArgs, 'ci', '--omit=dev', '--ignore-scripts=false', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: appDir,
    // prebuild-install would download better-sqlite3's binary from GitHub; compile it instead,
    // unless the caller chose otherwise.
    env: { ...process.env, npm_config_build_from_source: process.env.npm_config_build_from_source ?? 'true', npm_config_update_notifier: 'false' },
    what: 'npm ci --omit=dev',
  });
  const dev = devPackagesInstalled(appDir);
  if (dev.length > 0) throw new PackageWebError(`development packages were installed: ${dev.slice(0, 10).join(', ')}${dev.length > 10 ? ', …' : ''}`);
  const packages = Object.keys((JSON.parse(readFileSync(path.join(appDir, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: object }).packages).length - 1;
  const pruned = pruneNativeBuilds(path.join(appDir, 'node_modules'));
  // Command shims are not needed to run the bot, and a zip stores their symlinks poorly.
  rmSync(path.join(appDir, 'node_modules', '.bin'), { recursive: true, force: true });
  rmSync(path.join(appDir, 'package-lock.json'));
  log(`    ${packages} production packages, no dev package${pruned.length > 0 ? `; native builds trimmed to their .node files: ${pruned.join(', ')}` : ''}`);

  log(`4/5 Zipping ${path.relative(ROOT, appDir)}...`);
  const zip = new AdmZip();
  zip.addLocalFolder(appDir);
  zip.writeZip(zipPath);
  const zipBytes = statSync(zipPath).size;
  const unpackedBytes = sizeOf(appDir);

  log(`5/5 Start check: unzipping into a temporary folder, loading ${GRAPH_CHECK_ENTRY}, running node dist/index.js...`);
  const { dir, appDir: unzipped } = extractToTemp(zipPath);
  let start: PackageWebResult['start'];
  try {
    graphCheckLoads(unzipped);
    start = await startBot(unzipped, path.join(dir, 'data'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log(`    /healthz ${start.healthz}, /readyz ${start.readyz} on 127.0.0.1:${start.port}; stopped`);

  log(`Wrote ${path.relative(ROOT, zipPath)}: ${mb(zipBytes)} (${mb(unpackedBytes)} unpacked).`);
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== PRODUCTION_NODE_MAJOR) {
    log(
      `Note: built on Node ${process.versions.node} (module ABI ${process.versions.modules}); App Service runs Node ${PRODUCTION_NODE_MAJOR}. better-sqlite3's native module only loads on the Node it was compiled for, and only STORAGE_BACKEND=sqlite loads it. With the Azure storage the templates set, this package runs as is; to use SQLite on App Service, build the package on Node ${PRODUCTION_NODE_MAJOR}.`,
    );
  }
  return { zipPath, appDir, zipBytes, unpackedBytes, packages, start };
}

function outDirArgument(argv: string[]): string | undefined {
  const i = argv.indexOf('--out-dir');
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (!value) throw new PackageWebError('--out-dir needs a folder');
  return value;
}

if (require.main === module) {
  Promise.resolve()
    .then(() => packageWeb({ outDir: outDirArgument(process.argv.slice(2)) }))
    .then(
      (result) => {
        console.log(`Deploy it: az webapp deploy --resource-group <rg> --name <WEB_APP_NAME> --src-path ${path.relative(process.cwd(), result.zipPath)} --type zip`);
      },
      (error: unknown) => {
        console.error(error instanceof PackageWebError ? `package:web: ${error.message}` : error);
        process.exit(1);
      },
    );
}
