/**
 * `npm run check:infra`: builds and lints every Bicep file under infra/ and fails on any warning or
 * error (Bicep's own exit code passes warnings, so the diagnostics are read). Also in .ci/run.
 *
 * The Bicep CLI: `bicep` from PATH when it is there (0.36.1 or later); otherwise the pinned
 * Azure.Bicep.CommandLine.<os>-<arch> package from NuGet (nuget.org only), fetched once with the
 * dotnet CLI into .tools/nuget (gitignored). Nothing else is downloaded.
 *
 * Every build runs with --no-restore, so Bicep itself never reaches a registry. A folder whose
 * bicepconfig.json declares an extension from a registry (infra/graph-permissions: the Microsoft
 * Graph extension on mcr.microsoft.com) is a separate deployment: it is compiled when the extension
 * is already in the local Bicep cache, or after `bicep restore` when BICEP_REGISTRY_RESTORE=1 allows
 * the network; otherwise it is reported as skipped, with the reason. Any other file that needs a
 * registry fails: the main deployment must build offline.
 *
 * Also: a self-check (a template with an unused parameter must fail, so the check is not vacuous),
 * and each `<name>.parameters.json` against the parameters of the compiled `<name>.bicep`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The Bicep CLI version fetched from NuGet when none is on PATH. */
export const BICEP_VERSION = '0.49.2';
/** The oldest Bicep on PATH that is used (the Microsoft Graph extension syntax needs 0.36.1). */
export const MIN_PATH_BICEP_VERSION = '0.36.1';
/** The only package source the Bicep CLI is fetched from. */
export const NUGET_SOURCE = 'https://api.nuget.org/v3/index.json';

const ROOT = path.resolve(__dirname, '..');
/** Where the templates are. */
export const INFRA_DIR = path.join(ROOT, 'infra');
/** The project's tool cache (gitignored): the NuGet package and the compiled ARM templates. */
export const TOOLS_DIR = path.join(ROOT, '.tools');

/** A problem that stops the check before any template is read (no Bicep CLI, a failed fetch). */
export class InfraCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfraCheckError';
  }
}

/** One line of Bicep's default diagnostics format: `file(line,col) : Level code: message`. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  level: 'Error' | 'Warning' | 'Info';
  code: string;
  message: string;
}

const DIAGNOSTIC = /^(.+)\((\d+),(\d+)\) : (Error|Warning|Info) ([A-Za-z0-9-]+): (.*)$/;

/** Splits Bicep's output into diagnostics and any other non-empty lines (which count as failures). */
export function parseDiagnostics(output: string): { diagnostics: Diagnostic[]; other: string[] } {
  const diagnostics: Diagnostic[] = [];
  const other: string[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const m = DIAGNOSTIC.exec(line);
    if (m) diagnostics.push({ file: m[1]!, line: Number(m[2]), column: Number(m[3]), level: m[4] as Diagnostic['level'], code: m[5]!, message: m[6]! });
    else other.push(line);
  }
  return { diagnostics, other };
}

/** The NuGet runtime id of the Bicep CLI package for this machine, e.g. linux-x64. */
export function bicepRuntimeId(platform: string = process.platform, arch: string = process.arch): string {
  const os = ({ linux: 'linux', darwin: 'osx', win32: 'win' } as Record<string, string>)[platform];
  const cpu = ({ x64: 'x64', arm64: 'arm64' } as Record<string, string>)[arch];
  if (!os || !cpu) throw new InfraCheckError(`NuGet has no Bicep CLI package for ${platform}/${arch}: put bicep on PATH (https://aka.ms/bicep-install)`);
  return `${os}-${cpu}`;
}

/** The NuGet package id of the Bicep CLI for a runtime id. */
export function bicepPackageId(runtimeId: string): string {
  return `Azure.Bicep.CommandLine.${runtimeId}`;
}

/** Where the restored package keeps the executable, under the project's tool cache. */
export function cachedBicepPath(toolsDir: string, runtimeId: string, version: string = BICEP_VERSION): string {
  const exe = runtimeId.startsWith('win-') ? 'bicep.exe' : 'bicep';
  return path.join(toolsDir, 'nuget', bicepPackageId(runtimeId).toLowerCase(), version, 'tools', exe);
}

/**
 * A project that restores one package and builds nothing: `PackageDownload` fetches the exact
 * version (the brackets), with no dependency resolution, into the folder given to `--packages`.
 */
export function restoreProjectXml(packageId: string, version: string, targetFramework: string): string {
  return [
    '<Project Sdk="Microsoft.NET.Sdk">',
    '  <!-- Written by scripts/check-infra.ts: downloads the pinned Bicep CLI package; builds nothing. -->',
    '  <PropertyGroup>',
    `    <TargetFramework>${targetFramework}</TargetFramework>`,
    '  </PropertyGroup>',
    '  <ItemGroup>',
    `    <PackageDownload Include="${packageId}" Version="[${version}]" />`,
    '  </ItemGroup>',
    '</Project>',
    '',
  ].join('\n');
}

/** The NuGet.Config beside it: nuget.org and nothing else (no machine-wide sources or fallbacks). */
export function nugetConfigXml(source: string = NUGET_SOURCE): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<configuration>',
    '  <packageSources>',
    '    <clear />',
    `    <add key="nuget.org" value="${source}" protocolVersion="3" />`,
    '  </packageSources>',
    '  <fallbackPackageFolders>',
    '    <clear />',
    '  </fallbackPackageFolders>',
    '</configuration>',
    '',
  ].join('\n');
}

/** -1, 0 or 1 as version a is lower, equal or higher than b (x.y.z, numeric parts only). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The version in `bicep --version` output ("Bicep CLI version 0.49.2 (b34271ac51)"). */
export function readBicepVersion(output: string): string | undefined {
  return /Bicep CLI version (\d+\.\d+\.\d+)/.exec(output)?.[1];
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: options.cwd, env: options.env ?? process.env, timeout: 300_000 });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', error: result.error };
}

function versionOf(bicep: string): string | undefined {
  const r = run(bicep, ['--version']);
  return r.status === 0 ? readBicepVersion(r.stdout + r.stderr) : undefined;
}

/** The Bicep CLI in use and where it came from. */
export interface BicepCli {
  path: string;
  version: string;
  source: 'PATH' | 'cache' | 'NuGet';
}

/** Fetches the pinned Bicep CLI package from nuget.org with `dotnet restore` into `toolsDir/nuget`. */
function fetchFromNuGet(toolsDir: string, runtimeId: string, log: (line: string) => void): void {
  const dotnet = run('dotnet', ['--version']);
  if (dotnet.status !== 0) {
    throw new InfraCheckError(
      'No Bicep CLI: bicep is not on PATH and the .NET SDK (dotnet) is not installed to fetch it from NuGet. Install either one (https://aka.ms/bicep-install).',
    );
  }
  const major = /^(\d+)\./.exec(dotnet.stdout.trim())?.[1];
  if (!major) throw new InfraCheckError(`Cannot read the .NET SDK version from "${dotnet.stdout.trim()}"`);
  const projectDir = path.join(toolsDir, 'bicep-restore');
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(path.join(projectDir, 'bicep-restore.csproj'), restoreProjectXml(bicepPackageId(runtimeId), BICEP_VERSION, `net${major}.0`));
  writeFileSync(path.join(projectDir, 'NuGet.Config'), nugetConfigXml());
  log(`Fetching ${bicepPackageId(runtimeId)} ${BICEP_VERSION} from ${NUGET_SOURCE} with dotnet restore (once; cached in ${path.relative(ROOT, toolsDir)}/nuget)...`);
  const restore = run(
    'dotnet',
    [
      'restore',
      path.join(projectDir, 'bicep-restore.csproj'),
      '--packages',
      path.join(toolsDir, 'nuget'),
      '--configfile',
      path.join(projectDir, 'NuGet.Config'),
      '--nologo',
      '--verbosity',
      'minimal',
    ],
    { env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1', DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1' } },
  );
  if (restore.status !== 0) throw new InfraCheckError(`dotnet restore of the Bicep CLI failed:\n${(restore.stdout + restore.stderr).trim()}`);
}

/**
 * `bicep` from PATH (when 0.36.1 or later), else the pinned package from the tool cache, fetched
 * from NuGet first when it is not there yet (only when `allowFetch`).
 */
export function locateBicep(options: { toolsDir?: string; allowFetch?: boolean; usePath?: boolean; log?: (line: string) => void } = {}): BicepCli {
  const toolsDir = options.toolsDir ?? TOOLS_DIR;
  const log = options.log ?? (() => undefined);
  if (options.usePath !== false) {
    const onPath = versionOf('bicep');
    if (onPath && compareVersions(onPath, MIN_PATH_BICEP_VERSION) >= 0) return { path: 'bicep', version: onPath, source: 'PATH' };
    if (onPath) log(`bicep ${onPath} on PATH is older than ${MIN_PATH_BICEP_VERSION}: using the pinned ${BICEP_VERSION} instead.`);
  }
  const runtimeId = bicepRuntimeId();
  const cached = cachedBicepPath(toolsDir, runtimeId);
  let source: BicepCli['source'] = 'cache';
  if (!existsSync(cached)) {
    if (options.allowFetch === false) throw new InfraCheckError(`No Bicep CLI on PATH or in ${path.relative(ROOT, cached)}`);
    fetchFromNuGet(toolsDir, runtimeId, log);
    source = 'NuGet';
    if (!existsSync(cached)) throw new InfraCheckError(`dotnet restore succeeded but ${cached} is missing`);
  }
  // NuGet extracts files without their execute bit.
  if (process.platform !== 'win32') chmodSync(cached, 0o755);
  const version = versionOf(cached);
  if (version !== BICEP_VERSION) throw new InfraCheckError(`${cached} reports version ${version ?? '(none)'}, expected ${BICEP_VERSION}`);
  return { path: cached, version, source };
}

/** JSON with // and /* *\/ comments (bicepconfig.json allows them) parsed; strings are respected. */
export function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += ch;
  }
  return JSON.parse(out) as unknown;
}

/** The bicepconfig.json Bicep uses for `file`: the nearest one in its folder or above, up to `root`. */
export function nearestBicepConfig(file: string, root: string = ROOT): string | undefined {
  let dir = path.dirname(path.resolve(file));
  const stop = path.resolve(root);
  for (;;) {
    const candidate = path.join(dir, 'bicepconfig.json');
    if (existsSync(candidate)) return candidate;
    if (dir === stop || path.dirname(dir) === dir) return undefined;
    dir = path.dirname(dir);
  }
}

/** The registry artifacts (br:…) a bicepconfig.json declares as extensions. */
export function registryExtensions(configFile: string | undefined): string[] {
  if (!configFile) return [];
  const config = parseJsonc(readFileSync(configFile, 'utf8')) as { extensions?: Record<string, unknown> };
  return Object.values(config.extensions ?? {}).filter((v): v is string => typeof v === 'string' && /^br[:/]/.test(v));
}

/** Every .bicep file under `dir`, sorted. */
export function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return bicepFiles(full);
      return entry.name.endsWith('.bicep') ? [full] : [];
    })
    .sort();
}

/** The parameters of a compiled ARM template, as far as a parameters file can be checked against them. */
interface TemplateParameter {
  type: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  minValue?: number;
  maxValue?: number;
  minLength?: number;
  maxLength?: number;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'number';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

/**
 * Problems of a deployment parameters file against the compiled template's parameters: unknown
 * names, missing required ones, wrong types, values outside the allowed list or range.
 */
export function checkParametersFile(template: { parameters?: Record<string, TemplateParameter> }, parametersFile: { parameters?: Record<string, { value?: unknown }> }): string[] {
  const declared = template.parameters ?? {};
  const given = parametersFile.parameters ?? {};
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(given)) {
    const p = declared[name];
    if (!p) {
      problems.push(`${name}: not a parameter of the template`);
      continue;
    }
    if (!entry || !('value' in entry)) {
      problems.push(`${name}: has no "value"`);
      continue;
    }
    const value = entry.value;
    const expected = p.type.toLowerCase().replace(/^secure/, '');
    if (jsonType(value) !== expected) {
      problems.push(`${name}: is ${jsonType(value)}, the template wants ${expected}`);
      continue;
    }
    if (p.allowedValues && !p.allowedValues.some((a) => JSON.stringify(a) === JSON.stringify(value)))
      problems.push(`${name}: ${JSON.stringify(value)} is not one of ${JSON.stringify(p.allowedValues)}`);
    if (typeof value === 'number' && ((p.minValue !== undefined && value < p.minValue) || (p.maxValue !== undefined && value > p.maxValue))) {
      problems.push(`${name}: ${value} is outside ${p.minValue ?? '…'}..${p.maxValue ?? '…'}`);
    }
    const length = typeof value === 'string' || Array.isArray(value) ? value.length : undefined;
    if (length !== undefined && ((p.minLength !== undefined && length < p.minLength) || (p.maxLength !== undefined && length > p.maxLength))) {
      problems.push(`${name}: length ${length} is outside ${p.minLength ?? '…'}..${p.maxLength ?? '…'}`);
    }
  }
  for (const [name, p] of Object.entries(declared)) if (!('defaultValue' in p) && !(name in given)) problems.push(`${name}: required by the template (no default) but not set`);
  return problems;
}

/** What happened to one file. */
export interface FileResult {
  file: string;
  status: 'pass' | 'fail' | 'skip';
  /** Why it failed or was skipped. */
  reasons: string[];
  /** Info-level diagnostics: printed, never failing. */
  notes: string[];
  /** The compiled ARM template, when it built. */
  armTemplate?: string;
}

function formatDiagnostic(d: Diagnostic): string {
  return `${path.relative(ROOT, d.file)}(${d.line},${d.column}) ${d.level} ${d.code}: ${d.message}`;
}

/**
 * Builds (into `armDir`, keeping the folder layout) and lints every .bicep file under `dir`, with
 * --no-restore, in one `bicep build --pattern` and one `bicep lint --pattern` run. Each file's
 * result comes from the diagnostics that name it: any warning or error fails it (Info is a note),
 * and so does a missing ARM template or output Bicep printed that is not a diagnostic.
 */
export function buildAndLint(bicep: BicepCli, dir: string, armDir: string): FileResult[] {
  mkdirSync(armDir, { recursive: true });
  const files = bicepFiles(dir);
  const diagnostics: Array<Diagnostic & { step: string }> = [];
  const stray: string[] = [];
  for (const args of [
    ['build', '--pattern', '**/*.bicep', '--no-restore', '--outdir', armDir],
    ['lint', '--pattern', '**/*.bicep', '--no-restore'],
  ]) {
    const r = run(bicep.path, args, { cwd: dir });
    if (r.error) throw new InfraCheckError(`Cannot run ${bicep.path}: ${r.error.message}`);
    const parsed = parseDiagnostics(`${r.stdout}\n${r.stderr}`);
    diagnostics.push(...parsed.diagnostics.map((d) => ({ ...d, step: args[0]! })));
    stray.push(...parsed.other.map((line) => `${args[0]}: ${line}`));
  }
  const real = (file: string) => (existsSync(file) ? realpathSync(file) : path.resolve(file));
  return files.map((file) => {
    const own = diagnostics.filter((d) => real(d.file) === real(file));
    const reasons = [...new Set(own.filter((d) => d.level !== 'Info').map((d) => `${d.step}: ${formatDiagnostic(d)}`))];
    const notes = [...new Set(own.filter((d) => d.level === 'Info').map(formatDiagnostic))];
    const unrestored = [...new Set(own.filter((d) => d.code === 'BCP190').map((d) => /"(br[:/][^"]+)"/.exec(d.message)?.[1] ?? d.message))];
    if (unrestored.length > 0) reasons.unshift(`needs ${unrestored.join(', ')} from a registry (not restored)`);
    const armTemplate = path.join(armDir, path.relative(dir, file).replace(/\.bicep$/, '.json'));
    if (reasons.length === 0 && !existsSync(armTemplate)) reasons.push(`bicep build wrote no ${path.relative(ROOT, armTemplate)}`);
    // Output Bicep printed outside any diagnostic cannot be pinned on one file: it fails them all.
    reasons.push(...stray);
    return reasons.length > 0 ? { file, status: 'fail', reasons, notes } : { file, status: 'pass', reasons, notes, armTemplate };
  });
}

/** Checks that a warning really fails: a template with an unused parameter, under infra/bicepconfig.json's rules. */
export function selfCheck(bicep: BicepCli, infraDir: string = INFRA_DIR): string | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'check-infra-'));
  try {
    writeFileSync(path.join(dir, 'bicepconfig.json'), readFileSync(path.join(infraDir, 'bicepconfig.json')));
    writeFileSync(path.join(dir, 'canary.bicep'), "@description('Declared and never used: the linter must warn.')\nparam unused string\n");
    const [result] = buildAndLint(bicep, dir, path.join(dir, 'arm'));
    if (result?.status !== 'fail' || !result.reasons.some((r) => r.includes('Warning no-unused-params'))) {
      return `a template with an unused parameter was not reported (${result?.status}: ${result?.reasons.join('; ') || 'no diagnostics'}): the check would miss warnings`;
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The outcome of the whole check. */
export interface InfraCheckResult {
  ok: boolean;
  bicep: BicepCli;
  files: FileResult[];
  /** Problems outside any one template (self-check, parameters files). */
  problems: string[];
}

/** Runs the check over `infraDir`; `restoreAllowed` lets Bicep restore registry artifacts (network). */
export function runInfraCheck(options: { infraDir?: string; toolsDir?: string; restoreAllowed?: boolean; bicep?: BicepCli; log?: (line: string) => void } = {}): InfraCheckResult {
  const infraDir = options.infraDir ?? INFRA_DIR;
  const toolsDir = options.toolsDir ?? TOOLS_DIR;
  const log = options.log ?? ((line: string) => console.log(line));
  const bicep = options.bicep ?? locateBicep({ toolsDir, log });
  log(
    `Bicep CLI ${bicep.version} (${bicep.source === 'PATH' ? 'bicep on PATH' : `${bicep.source === 'NuGet' ? 'fetched from NuGet into' : 'cached in'} ${path.relative(ROOT, path.join(toolsDir, 'nuget'))}`})`,
  );
  const problems: string[] = [];
  const canary = selfCheck(bicep, infraDir);
  if (canary) problems.push(`self-check: ${canary}`);
  else log('ok    self-check: a template with an unused parameter fails the check');

  const files: FileResult[] = [];
  const armDir = path.join(toolsDir, 'arm');
  const report = (f: FileResult) => {
    files.push(f);
    const rel = path.relative(ROOT, f.file);
    if (f.status === 'pass') log(`ok    ${rel} (build, lint)`);
    else if (f.status === 'skip') log(`SKIP  ${rel}: ${f.reasons.join('; ')}`);
    else log(`FAIL  ${rel}\n        ${f.reasons.join('\n        ')}`);
    for (const note of f.notes) log(`note  ${note}`);
  };
  const registryFiles = new Map(bicepFiles(infraDir).map((file) => [file, registryExtensions(nearestBicepConfig(file, infraDir))] as const));
  const restoreFailed = new Map<string, string>();
  if (options.restoreAllowed) {
    for (const [file, extensions] of registryFiles) {
      if (extensions.length === 0) continue;
      const restore = run(bicep.path, ['restore', file]);
      if (restore.status !== 0) restoreFailed.set(file, `bicep restore (BICEP_REGISTRY_RESTORE=1) failed: ${(restore.stdout + restore.stderr).trim()}`);
    }
  }
  rmSync(armDir, { recursive: true, force: true });
  for (const result of buildAndLint(bicep, infraDir, armDir)) {
    const extensions = registryFiles.get(result.file) ?? [];
    const failedRestore = restoreFailed.get(result.file);
    if (failedRestore) report({ file: result.file, status: 'fail', reasons: [failedRestore, ...result.reasons], notes: [] });
    else if (result.status === 'fail' && extensions.length > 0 && result.reasons[0]?.startsWith('needs ')) {
      // Only these separate deployments may need a registry; without it they cannot be compiled at all.
      report({
        file: result.file,
        status: 'skip',
        reasons: [`needs ${extensions.join(', ')}, which is not in the local Bicep cache; BICEP_REGISTRY_RESTORE=1 lets Bicep restore it (network)`],
        notes: [],
      });
    } else report(result);
  }

  for (const file of files.filter((f) => f.armTemplate)) {
    const parametersFile = file.file.replace(/\.bicep$/, '.parameters.json');
    if (!existsSync(parametersFile)) continue;
    const template = JSON.parse(readFileSync(file.armTemplate!, 'utf8')) as Parameters<typeof checkParametersFile>[0];
    const found = checkParametersFile(template, JSON.parse(readFileSync(parametersFile, 'utf8')) as Parameters<typeof checkParametersFile>[1]);
    if (found.length > 0) problems.push(`${path.relative(ROOT, parametersFile)}: ${found.join('; ')}`);
    else log(`ok    ${path.relative(ROOT, parametersFile)} matches the parameters of ${path.relative(ROOT, file.file)}`);
  }

  for (const p of problems) log(`FAIL  ${p}`);
  const ok = problems.length === 0 && files.every((f) => f.status !== 'fail') && files.some((f) => f.status === 'pass');
  const count = (s: FileResult['status']) => files.filter((f) => f.status === s).length;
  log(
    `check:infra ${ok ? 'passed' : 'FAILED'}: ${count('pass')} built and linted with no warning, ${count('fail')} failed, ${count('skip')} skipped; compiled templates in ${path.relative(ROOT, armDir)}/`,
  );
  return { ok, bicep, files, problems };
}

if (require.main === module) {
  try {
    const result = runInfraCheck({ restoreAllowed: process.env.BICEP_REGISTRY_RESTORE === '1' });
    process.exit(result.ok ? 0 : 1);
  } catch (error) {
    console.error(error instanceof InfraCheckError ? `check:infra: ${error.message}` : error);
    process.exit(1);
  }
}
