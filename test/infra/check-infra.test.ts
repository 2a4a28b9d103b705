import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BICEP_VERSION,
  INFRA_DIR,
  InfraCheckError,
  bicepRuntimeId,
  cachedBicepPath,
  checkParametersFile,
  compareVersions,
  locateBicep,
  nearestBicepConfig,
  nugetConfigXml,
  parseDiagnostics,
  parseJsonc,
  readBicepVersion,
  registryExtensions,
  restoreProjectXml,
  runInfraCheck,
  type BicepCli,
} from '../../scripts/check-infra';

/*
 * scripts/check-infra.ts (`npm run check:infra`). The pure parts are checked directly. The runs
 * use the real Bicep CLI when this machine already has one (on PATH or in .tools/, where
 * check:infra puts it); tests never download it and never let Bicep reach a registry
 * (restoreAllowed stays false), so without a CLI those runs are skipped and check:infra itself,
 * run by .ci/run, is the check.
 */

/** Output lines exactly as Bicep 0.49 prints them. */
const BICEP_OUTPUT = [
  "/work/main/infra/modules/webapp.bicep(194,61) : Info use-recent-api-versions: Use more recent API version for 'Microsoft.Insights/diagnosticSettings'. [https://aka.ms/bicep/linter-diagnostics#use-recent-api-versions]",
  '/tmp/canary/c.bicep(1,7) : Warning no-unused-params: Parameter "unused" is declared but never used. [https://aka.ms/bicep/linter-diagnostics#no-unused-params]',
  '/work/main/infra/graph-permissions/main.bicep(16,11) : Error BCP190: The artifact with reference "br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0" has not been restored. [https://aka.ms/bicep/core-diagnostics#BCP190]',
  '',
  'Unhandled exception. Something else went wrong',
].join('\n');

describe('scripts/check-infra.ts (npm run check:infra)', () => {
  it("when Bicep's output is read, then each diagnostic gets its file, position, level and code, and any other line is kept as a failure", () => {
    const { diagnostics, other } = parseDiagnostics(BICEP_OUTPUT);
    assert.deepEqual(
      diagnostics.map((d) => [path.basename(d.file), d.line, d.column, d.level, d.code]),
      [
        ['webapp.bicep', 194, 61, 'Info', 'use-recent-api-versions'],
        ['c.bicep', 1, 7, 'Warning', 'no-unused-params'],
        ['main.bicep', 16, 11, 'Error', 'BCP190'],
      ],
    );
    assert.match(diagnostics[2]!.message, /br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph/);
    assert.deepEqual(other, ['Unhandled exception. Something else went wrong']);
  });

  it('when the machine is read, then the NuGet package matches its OS and CPU, and an unsupported one is refused with what to do', () => {
    assert.equal(bicepRuntimeId('linux', 'x64'), 'linux-x64');
    assert.equal(bicepRuntimeId('linux', 'arm64'), 'linux-arm64');
    assert.equal(bicepRuntimeId('darwin', 'arm64'), 'osx-arm64');
    assert.equal(bicepRuntimeId('win32', 'x64'), 'win-x64');
    assert.throws(
      () => bicepRuntimeId('freebsd', 'x64'),
      (e: unknown) => e instanceof InfraCheckError && /put bicep on PATH/.test(e.message),
    );
    assert.throws(() => bicepRuntimeId('linux', 'ia32'), InfraCheckError);
  });

  it('when the cached CLI is located, then it is under .tools/nuget in NuGet’s lower-case layout for the pinned version', () => {
    assert.equal(cachedBicepPath('/p/.tools', 'linux-x64'), path.join('/p/.tools', 'nuget', 'azure.bicep.commandline.linux-x64', BICEP_VERSION, 'tools', 'bicep'));
    assert.equal(path.basename(cachedBicepPath('/p/.tools', 'win-x64')), 'bicep.exe');
    assert.equal(BICEP_VERSION, '0.49.2');
  });

  it('when the restore project is written, then it downloads exactly the pinned package, from nuget.org only', () => {
    const project = restoreProjectXml('Azure.Bicep.CommandLine.linux-x64', '0.49.2', 'net10.0');
    assert.match(project, /<PackageDownload Include="Azure\.Bicep\.CommandLine\.linux-x64" Version="\[0\.49\.2\]" \/>/);
    assert.equal(project.match(/<PackageDownload /g)?.length, 1);
    assert.doesNotMatch(project, /PackageReference/);
    assert.match(project, /<TargetFramework>net10\.0<\/TargetFramework>/);
    const config = nugetConfigXml();
    assert.match(config, /<packageSources>\s*<clear \/>\s*<add key="nuget\.org" value="https:\/\/api\.nuget\.org\/v3\/index\.json"/);
    assert.equal(config.match(/<add /g)?.length, 1);
  });

  it('when versions are compared, then they order numerically, and "bicep --version" is read', () => {
    assert.equal(compareVersions('0.49.2', '0.36.1'), 1);
    assert.equal(compareVersions('0.9.0', '0.36.1'), -1);
    assert.equal(compareVersions('0.36.1', '0.36.1'), 0);
    assert.equal(readBicepVersion('Bicep CLI version 0.49.2 (b34271ac51)\n'), '0.49.2');
    assert.equal(readBicepVersion('bicep: command not found'), undefined);
  });

  it('when a bicepconfig.json with comments is read, then comments go and strings that look like comments stay', () => {
    const value = parseJsonc('{\n  // a note\n  "a": "http://x/*y*/", /* block\n */ "b": [1, 2] // end\n}');
    assert.deepEqual(value, { a: 'http://x/*y*/', b: [1, 2] });
  });

  it('when the infra files are classified, then only infra/graph-permissions needs a registry (the Graph extension on mcr.microsoft.com)', () => {
    const graph = path.join(INFRA_DIR, 'graph-permissions', 'main.bicep');
    assert.equal(nearestBicepConfig(graph, INFRA_DIR), path.join(INFRA_DIR, 'graph-permissions', 'bicepconfig.json'));
    assert.deepEqual(registryExtensions(nearestBicepConfig(graph, INFRA_DIR)), ['br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:1.0.0']);
    for (const file of ['main.bicep', 'modules/webapp.bicep', 'modules/storage.bicep']) {
      const config = nearestBicepConfig(path.join(INFRA_DIR, file), INFRA_DIR);
      assert.equal(config, path.join(INFRA_DIR, 'bicepconfig.json'));
      assert.deepEqual(registryExtensions(config), [], file);
    }
  });

  it('when a parameters file is checked against a compiled template, then unknown, missing, mistyped and out-of-range values are each named', () => {
    const template = {
      parameters: {
        name: { type: 'string', minLength: 2, maxLength: 5 },
        sku: { type: 'string', defaultValue: 'B1', allowedValues: ['B1', 'S1'] },
        count: { type: 'int', defaultValue: 1, minValue: 1, maxValue: 10 },
        on: { type: 'bool', defaultValue: true },
        tags: { type: 'object', defaultValue: {} },
        secret: { type: 'securestring', defaultValue: '' },
      },
    };
    assert.deepEqual(
      checkParametersFile(template, {
        parameters: { name: { value: 'abc' }, sku: { value: 'S1' }, count: { value: 10 }, on: { value: false }, tags: { value: { a: 'b' } }, secret: { value: 'x' } },
      }),
      [],
    );
    const problems = checkParametersFile(template, { parameters: { sku: { value: 'P9' }, count: { value: 11 }, on: { value: 'yes' }, extra: { value: 1 }, tags: {} } });
    assert.deepEqual(problems.sort(), [
      'count: 11 is outside 1..10',
      'extra: not a parameter of the template',
      'name: required by the template (no default) but not set',
      'on: is string, the template wants bool',
      'sku: "P9" is not one of ["B1","S1"]',
      'tags: has no "value"',
    ]);
    assert.deepEqual(checkParametersFile(template, { parameters: { name: { value: 'abcdef' } } }), ['name: length 6 is outside 2..5']);
  });

  describe('with the Bicep CLI this machine already has (never downloaded by a test)', function () {
    this.timeout(180_000);
    let bicep: BicepCli;
    let work: string;
    const quiet = () => undefined;

    before(function () {
      try {
        bicep = locateBicep({ allowFetch: false });
      } catch (error) {
        if (error instanceof InfraCheckError) this.skip();
        throw error;
      }
    });

    beforeEach(() => {
      work = mkdtempSync(path.join(tmpdir(), 'check-infra-test-'));
    });

    afterEach(() => rmSync(work, { recursive: true, force: true }));

    /** A small infra folder: the real bicepconfig.json plus the given files. */
    function infraWith(files: Record<string, string>): string {
      const dir = path.join(work, 'infra');
      mkdirSync(dir, { recursive: true });
      copyFileSync(path.join(INFRA_DIR, 'bicepconfig.json'), path.join(dir, 'bicepconfig.json'));
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), text);
      }
      return dir;
    }

    const CLEAN = "@description('Where.')\nparam location string\n\n@description('The location, echoed.')\noutput where string = location\n";

    it('when the real infra/ is checked, then every file of the main deployment builds and lints with no warning, and the Graph deployment passes or is skipped with its reason', () => {
      const lines: string[] = [];
      const result = runInfraCheck({ bicep, toolsDir: path.join(work, 'tools'), restoreAllowed: false, log: (l) => lines.push(l) });
      assert.equal(result.ok, true, lines.join('\n'));
      assert.deepEqual(result.problems, []);
      const main = result.files.filter((f) => !f.file.includes(`${path.sep}graph-permissions${path.sep}`));
      assert.equal(main.length, 6);
      for (const f of main) assert.equal(f.status, 'pass', `${f.file}: ${f.reasons.join('; ')}`);
      const graph = result.files.find((f) => f.file.endsWith(path.join('graph-permissions', 'main.bicep')))!;
      if (graph.status === 'skip')
        assert.match(graph.reasons[0]!, /br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:1\.0\.0.*not in the local Bicep cache.*BICEP_REGISTRY_RESTORE=1/);
      else assert.equal(graph.status, 'pass', graph.reasons.join('; '));
      assert.ok(lines.some((l) => /^ok {4}self-check/.test(l)));
      assert.ok(lines.some((l) => /infra\/main\.parameters\.json matches the parameters of infra\/main\.bicep/.test(l)));
      const compiled = JSON.parse(readFileSync(path.join(work, 'tools', 'arm', 'main.json'), 'utf8')) as { parameters: Record<string, unknown> };
      assert.ok('retentionDays' in compiled.parameters);
    });

    it('when a template has a linter warning, then the check fails and names the file and the rule', () => {
      const infraDir = infraWith({ 'main.bicep': `${CLEAN}\n@description('Declared, never used.')\nparam unused string\n` });
      const result = runInfraCheck({ infraDir, bicep, toolsDir: path.join(work, 'tools'), log: quiet });
      assert.equal(result.ok, false);
      const file = result.files[0]!;
      assert.equal(file.status, 'fail');
      assert.ok(
        file.reasons.some((r) => /main\.bicep\(\d+,\d+\) Warning no-unused-params/.test(r)),
        file.reasons.join('\n'),
      );
    });

    it('when a file of the main deployment needs a registry, then it fails instead of being skipped', () => {
      const infraDir = infraWith({
        'main.bicep': `${CLEAN}\nmodule remote 'br:mcr.microsoft.com/bicep/avm/res/managed-identity/user-assigned-identity:0.4.0' = {\n  params: {\n    name: 'x'\n    location: location\n  }\n}\n`,
      });
      const result = runInfraCheck({ infraDir, bicep, toolsDir: path.join(work, 'tools'), log: quiet });
      assert.equal(result.ok, false);
      assert.equal(result.files[0]!.status, 'fail');
      assert.match(result.files[0]!.reasons[0]!, /^needs br:mcr\.microsoft\.com\/bicep\/avm\/res\/managed-identity\/user-assigned-identity:0\.4\.0 from a registry/);
    });

    it('when a parameters file sets a parameter the template does not have, then the check fails naming it', () => {
      const parameters = {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
        contentVersion: '1.0.0.0',
        parameters: { location: { value: 'westeurope' }, locaton: { value: 'x' } },
      };
      const infraDir = infraWith({ 'main.bicep': CLEAN, 'main.parameters.json': JSON.stringify(parameters) });
      const result = runInfraCheck({ infraDir, bicep, toolsDir: path.join(work, 'tools'), log: quiet });
      assert.equal(result.files[0]!.status, 'pass');
      assert.equal(result.ok, false);
      assert.match(result.problems.join('\n'), /main\.parameters\.json: locaton: not a parameter of the template/);
    });
  });
});
