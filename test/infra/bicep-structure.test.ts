import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseJsonc } from '../../scripts/check-infra';
import { modules, objectEntries, outputs, params, resources, statements, variable, type BicepStatement } from './bicep-text';

/*
 * Structure checks on the templates' text: what the deployment must contain (settings, outputs,
 * API versions, the split of the Graph permissions into their own deployment). That the templates
 * compile and lint cleanly is `npm run check:infra` (scripts/check-infra.ts, also in .ci/run).
 */

const ROOT = path.resolve(__dirname, '..', '..');
const INFRA = path.join(ROOT, 'infra');
const MAIN = path.join(INFRA, 'main.bicep');
const GRAPH_DIR = path.join(INFRA, 'graph-permissions');
const GRAPH_MAIN = path.join(GRAPH_DIR, 'main.bicep');

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return bicepFiles(full);
    return entry.name.endsWith('.bicep') ? [full] : [];
  });
}

const files = bicepFiles(INFRA);
const parsed = new Map<string, BicepStatement[]>(files.map((file) => [file, statements(readFileSync(file, 'utf8'))]));
const mainStatements = parsed.get(MAIN)!;
const mainModules = modules(mainStatements);
const rel = (file: string) => path.relative(ROOT, file);
const moduleFile = (modulePath: string) => path.resolve(INFRA, modulePath);
const source = (name: string) => readFileSync(path.join(INFRA, 'modules', name), 'utf8');

type BicepConfig = { extensions?: Record<string, string>; analyzers?: unknown };
const readConfig = (dir: string) => parseJsonc(readFileSync(path.join(dir, 'bicepconfig.json'), 'utf8')) as BicepConfig;

/** The environment variables the bot reads that a deployment fills (each must be a main.bicep output). */
const ENV_OUTPUTS = [
  'BOT_ID',
  'BOT_TENANT_ID',
  'BOT_TYPE',
  'AZURE_CLIENT_ID',
  'AZURE_STORAGE_ACCOUNT_NAME',
  'AZURE_STORAGE_BLOB_CONTAINER',
  'AZURE_STORAGE_TABLE_PREFIX',
  'HELPDESK_AGENTS_GROUP_ID',
  'BOT_DOMAIN',
];

/** App settings App Service itself reads, not the bot. */
const PLATFORM_SETTINGS = ['WEBSITE_RUN_FROM_PACKAGE', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'ApplicationInsightsAgent_EXTENSION_VERSION', 'NODE_COMPILE_CACHE'];

/** The API versions the templates are written against. */
const API_VERSIONS: Record<string, string> = {
  'Microsoft.BotService/botServices': '2022-09-15',
  'Microsoft.BotService/botServices/channels': '2022-09-15',
  'Microsoft.Web/sites': '2025-03-01',
  'Microsoft.Web/sites/basicPublishingCredentialsPolicies': '2025-03-01',
  'Microsoft.Web/serverfarms': '2025-03-01',
  'Microsoft.Storage/storageAccounts': '2025-01-01',
  'Microsoft.Storage/storageAccounts/blobServices': '2025-01-01',
  'Microsoft.Storage/storageAccounts/blobServices/containers': '2025-01-01',
  'Microsoft.Storage/storageAccounts/tableServices': '2025-01-01',
  'Microsoft.Storage/storageAccounts/tableServices/tables': '2025-01-01',
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2024-11-30',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
  'Microsoft.OperationalInsights/workspaces': '2025-02-01',
  'Microsoft.Insights/components': '2020-02-02',
  'Microsoft.Insights/diagnosticSettings': '2021-05-01-preview',
  'Microsoft.Graph/servicePrincipals': 'v1.0',
  'Microsoft.Graph/appRoleAssignedTo': 'v1.0',
};

/** The web app's settings: name → value expression. */
function appSettings(): Map<string, string> {
  const value = variable(statements(source('webapp.bicep')), 'appSettings');
  assert.ok(value, 'webapp.bicep has no var appSettings');
  return new Map([...value.matchAll(/\{\s*name:\s*'([^']+)',\s*value:\s*([^}]+?)\s*\}/g)].map((m) => [m[1]!, m[2]!]));
}

describe('infra Bicep templates (structure)', () => {
  it('when infra/ is listed, then the main deployment, its modules, the Graph permissions deployment, the script and the README are there', () => {
    for (const file of [
      'main.bicep',
      'main.parameters.json',
      'bicepconfig.json',
      'grant-graph-permissions.sh',
      'README.md',
      'graph-permissions/main.bicep',
      'graph-permissions/bicepconfig.json',
    ]) {
      assert.ok(existsSync(path.join(INFRA, file)), `infra/${file} is missing`);
    }
    const used = new Set(mainModules.map((m) => path.basename(m.path)));
    for (const name of ['identity.bicep', 'bot.bicep', 'webapp.bicep', 'storage.bicep', 'monitoring.bicep']) {
      assert.ok(used.has(name), `main.bicep does not use modules/${name}`);
    }
  });

  it('when main.bicep references a module, then the module file exists, and every file in modules/ is used', () => {
    assert.equal(mainModules.length, 5);
    for (const m of mainModules) {
      assert.match(m.path, /^\.\/modules\/[a-z0-9-]+\.bicep$/, `module ${m.symbol} path ${m.path}`);
      assert.ok(existsSync(moduleFile(m.path)), `module ${m.symbol}: ${m.path} does not exist`);
    }
    for (const file of files.filter((f) => path.dirname(f) === path.join(INFRA, 'modules'))) {
      assert.ok(
        mainModules.some((m) => moduleFile(m.path) === file),
        `${rel(file)} is not used by main.bicep`,
      );
    }
    assert.deepEqual(
      files.filter((f) => f !== MAIN && path.dirname(f) !== path.join(INFRA, 'modules')),
      [GRAPH_MAIN],
      'the only other Bicep file is the Graph permissions deployment',
    );
  });

  it('when the main deployment is read, then it grants no Graph permission and needs nothing from a registry (no extension, no br: module)', () => {
    for (const file of files.filter((f) => f !== GRAPH_MAIN)) {
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /^\s*(extension|import)\s/m, `${rel(file)} declares an extension`);
      assert.doesNotMatch(text, /'br[:/]|'ts[:/]/, `${rel(file)} references a registry`);
      assert.doesNotMatch(text, /Microsoft\.Graph\//, `${rel(file)} declares a Graph resource`);
    }
    assert.equal(readConfig(INFRA).extensions, undefined, 'infra/bicepconfig.json must declare no extension: the main deployment builds offline');
    assert.ok(!mainModules.some((m) => /graph/i.test(m.path)), 'main.bicep must not deploy the Graph permissions');
    assert.ok(!params(mainStatements).some((p) => /graph/i.test(p.name)), 'main.bicep has a Graph permissions parameter left');
  });

  it('when any .bicep file declares a param, then an @description decorator precedes it', () => {
    for (const [file, stmts] of parsed) {
      for (const p of params(stmts)) {
        assert.ok(
          p.decorators.some((d) => /^@(sys\.)?description\(\s*'.+'\s*\)$/s.test(d)),
          `${rel(file)}:${p.line} param ${p.name} has no @description`,
        );
      }
    }
  });

  it('when main.bicep passes params to a module, then the module declares each of them, and every param without a default is passed', () => {
    for (const m of mainModules) {
      const declared = params(parsed.get(moduleFile(m.path))!);
      const names = new Set(declared.map((p) => p.name));
      for (const passed of m.params.keys()) assert.ok(names.has(passed), `module ${m.symbol} (${m.path}) is passed "${passed}" but does not declare it`);
      for (const p of declared.filter((d) => !d.hasDefault)) assert.ok(m.params.has(p.name), `module ${m.symbol} needs "${p.name}" (no default) but main.bicep does not pass it`);
    }
  });

  it('when main.bicep reads a module output, then the module declares that output', () => {
    const text = readFileSync(MAIN, 'utf8');
    const bySymbol = new Map(mainModules.map((m) => [m.symbol, new Set(outputs(parsed.get(moduleFile(m.path))!).map((o) => o.name))]));
    const uses = [...text.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)/g)];
    assert.ok(uses.length > 10);
    for (const [, symbol, output] of uses) {
      assert.ok(bySymbol.has(symbol!), `${symbol}.outputs.${output}: ${symbol} is not a module`);
      assert.ok(bySymbol.get(symbol!)!.has(output!), `${symbol}.outputs.${output}: the module has no such output`);
    }
  });

  it('when main.bicep outputs are read, then they cover the environment variables the app reads (each one src/config.ts knows), the principal for step 3 and the web app id for the Toolkit', () => {
    const names = outputs(mainStatements).map((o) => o.name);
    const config = readFileSync(path.join(ROOT, 'src', 'config.ts'), 'utf8');
    for (const env of ENV_OUTPUTS) {
      assert.ok(names.includes(env), `main.bicep has no output ${env}`);
      if (env !== 'BOT_DOMAIN') assert.match(config, new RegExp(`\\b${env}:`), `src/config.ts does not read ${env}`);
    }
    for (const name of ['MANAGED_IDENTITY_PRINCIPAL_ID', 'WEB_APP_NAME', 'WEB_APP_RESOURCE_ID']) assert.ok(names.includes(name), `main.bicep has no output ${name}`);
    for (const o of outputs(mainStatements)) assert.match(o.name, /^[A-Z][A-Z0-9_]*$/, `output ${o.name} is not named like an environment variable`);
  });

  it('when any output is read, then neither its name nor its value mentions a key, secret, password or connection string', () => {
    for (const [file, stmts] of parsed) {
      for (const o of outputs(stmts)) {
        assert.doesNotMatch(o.name, /key|secret|password|connectionstring|connection_string|listkeys/i, `${rel(file)}:${o.line} output ${o.name}`);
        assert.doesNotMatch(o.value, /key|secret|password|connectionstring|listkeys|listsecrets/i, `${rel(file)}:${o.line} output ${o.name} = ${o.value}`);
        assert.ok(
          o.decorators.some((d) => d.startsWith('@description(')),
          `${rel(file)}:${o.line} output ${o.name} has no @description`,
        );
      }
    }
    for (const file of files) assert.doesNotMatch(readFileSync(file, 'utf8'), /\blist(Keys|Secrets|ConnectionStrings)\s*\(/i, `${rel(file)} reads keys`);
  });

  it('when a resource is declared, then it names an explicit API version, the one the templates are written against', () => {
    let count = 0;
    for (const [file, stmts] of parsed) {
      for (const r of resources(stmts)) {
        count++;
        assert.match(r.apiVersion, /^(\d{4}-\d{2}-\d{2}(-preview)?|v1\.0|beta)$/, `${rel(file)}:${r.line} resource ${r.symbol} '${r.type}' has no explicit API version`);
        assert.ok(r.type in API_VERSIONS, `${rel(file)}:${r.line} resource type ${r.type} is not in the list this test knows`);
        assert.equal(r.apiVersion, API_VERSIONS[r.type], `${rel(file)}:${r.line} ${r.type}`);
      }
    }
    assert.ok(count >= 17, `only ${count} resources found`);
  });

  it('when main.parameters.json is read, then it is a deployment parameters file whose parameters are all declared in main.bicep', () => {
    const file = JSON.parse(readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8')) as {
      $schema: string;
      contentVersion: string;
      parameters: Record<string, { value: unknown }>;
    };
    assert.match(file.$schema, /deploymentParameters\.json#$/);
    assert.equal(file.contentVersion, '1.0.0.0');
    const declared = new Map(params(mainStatements).map((p) => [p.name, p]));
    assert.ok(Object.keys(file.parameters).length > 0);
    for (const [name, entry] of Object.entries(file.parameters)) {
      assert.ok(declared.has(name), `main.parameters.json sets ${name}, which main.bicep does not declare`);
      assert.ok(entry && 'value' in entry, `main.parameters.json ${name} has no value`);
    }
    for (const p of declared.values()) if (!p.hasDefault) assert.ok(p.name in file.parameters, `main.bicep param ${p.name} has no default and is not in main.parameters.json`);
    for (const name of ['allowedTenantIds', 'helpdeskAgentsGroupId', 'retentionDays']) assert.ok(name in file.parameters, `main.parameters.json does not show ${name}`);
  });

  it('when the storage account is read, then shared-key access is off, and the identity gets Storage Blob and Table Data Contributor on it', () => {
    const text = source('storage.bicep');
    assert.match(text, /allowSharedKeyAccess:\s*false/);
    assert.doesNotMatch(text, /allowSharedKeyAccess:\s*true/);
    assert.match(text, /allowBlobPublicAccess:\s*false/);
    assert.match(text, /'ba92f5b4-2d11-453d-a403-e96b0029c9fe'/, 'Storage Blob Data Contributor');
    assert.match(text, /'0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'/, 'Storage Table Data Contributor');
    const assignments = resources(statements(text)).filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
    assert.equal(assignments.length, 2);
    for (const a of assignments) {
      assert.match(a.text, /scope:\s*storage\b/);
      assert.match(a.text, /principalType:\s*'ServicePrincipal'/);
    }
    const types = resources(statements(text)).map((r) => r.type);
    assert.ok(types.includes('Microsoft.Storage/storageAccounts/blobServices/containers'));
    assert.ok(types.includes('Microsoft.Storage/storageAccounts/tableServices/tables'));
  });

  it('when the web app is read, then it is Linux on Node 22 LTS, HTTPS only, Always On, health check /readyz, started as package.json starts the bot', () => {
    const text = source('webapp.bicep');
    assert.match(text, /httpsOnly:\s*true/);
    assert.match(text, /healthCheckPath:\s*'\/readyz'/);
    assert.match(text, /alwaysOn:\s*true/);
    assert.match(text, /reserved:\s*true/);
    assert.match(text, /kind:\s*'app,linux'/);
    assert.match(readFileSync(MAIN, 'utf8'), /linuxFxVersion:\s*'NODE\|22-lts'/);
    assert.match(text, /param linuxFxVersion string = 'NODE\|22-lts'/);
    assert.doesNotMatch(readFileSync(MAIN, 'utf8') + text, /NODE\|20/);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(/appCommandLine:\s*'([^']*)'/.exec(text)?.[1], pkg.scripts.start);
    assert.match(text, /type:\s*'UserAssigned'/);
    assert.match(text, /ftpsState:\s*'Disabled'/);
  });

  it('when the start command is read, then it runs what npm run build writes (tsconfig.build.json outDir + src/index.ts) and what package.json starts', () => {
    const build = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { rootDir: string; outDir: string } };
    assert.equal(path.posix.join(build.compilerOptions.outDir, 'index.js'), 'dist/index.js');
    assert.equal(build.compilerOptions.rootDir, 'src');
    assert.ok(existsSync(path.join(ROOT, 'src', 'index.ts')));
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    assert.equal(pkg.main, 'dist/index.js');
    // Only V8 heap sizes may come between node and the entry point (docs/capacity.md §2).
    assert.match(pkg.scripts.start, /^node( --max-(old|semi)-space-size=\d+)* dist\/index\.js$/);
  });

  it('when the publishing credentials policies are read, then basic authentication is off for both FTP and SCM', () => {
    const policies = resources(statements(source('webapp.bicep'))).filter((r) => r.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    assert.deepEqual(policies.map((p) => /name:\s*'([a-z]+)'/.exec(p.text)?.[1]).sort(), ['ftp', 'scm']);
    for (const p of policies) {
      assert.match(p.text, /parent:\s*webApp\b/);
      assert.match(p.text, /allow:\s*false/);
    }
  });

  it('when the web app settings are read, then the bot runs from the package with every variable it needs wired, no build settings, and no credential', () => {
    const settings = appSettings();
    const expected: Record<string, RegExp> = {
      BOT_ID: /^identityClientId$/,
      BOT_TENANT_ID: /^tenantId$/,
      BOT_TYPE: /^'UserAssignedMsi'$/,
      AZURE_CLIENT_ID: /^identityClientId$/,
      STORAGE_BACKEND: /^'azure'$/,
      AZURE_STORAGE_ACCOUNT_NAME: /^storageAccountName$/,
      AZURE_STORAGE_BLOB_CONTAINER: /^blobContainerName$/,
      AZURE_STORAGE_TABLE_PREFIX: /^tablePrefix$/,
      GRAPH_ENABLED: /^'true'$/,
      SIGNIN_WINDOW_HOURS: /^string\(signInWindowHours\)$/,
      HELPDESK_AGENTS: /^helpdeskAgents$/,
      HELPDESK_AGENTS_GROUP_ID: /^helpdeskAgentsGroupId$/,
      ALLOWED_TENANT_IDS: /^empty\(allowedTenantIds\) \? tenantId : allowedTenantIds$/,
      RETENTION_DAYS: /^string\(retentionDays\)$/,
      NODE_ENV: /^'production'$/,
      // Node's own compile cache (22.1+), on the instance's local disk, not the shared /home.
      NODE_COMPILE_CACHE: /^'\/tmp\/[\w-]+'$/,
      WEBSITE_RUN_FROM_PACKAGE: /^'1'$/,
      APPLICATIONINSIGHTS_CONNECTION_STRING: /^appInsights\.properties\.ConnectionString$/,
    };
    for (const [name, pattern] of Object.entries(expected)) {
      assert.ok(settings.has(name), `app setting ${name} is missing`);
      assert.match(settings.get(name)!, pattern, `app setting ${name} = ${settings.get(name)}`);
    }
    for (const gone of ['WEBSITE_NODE_DEFAULT_VERSION', 'SCM_DO_BUILD_DURING_DEPLOYMENT', 'NPM_CONFIG_INCLUDE', 'ENABLE_ORYX_BUILD'])
      assert.ok(!settings.has(gone), `app setting ${gone} must go`);
    for (const name of settings.keys()) {
      if (name === 'APPLICATIONINSIGHTS_CONNECTION_STRING') continue;
      assert.doesNotMatch(name, /PASSWORD|SECRET|KEY|CONNECTION_STRING|CERTIFICATE/i, `app setting ${name} looks like a credential`);
    }
    assert.match(source('webapp.bicep'), /appSettings:\s*appSettings/);
  });

  it('when each app setting is read, then it is either a variable src/config.ts reads or one App Service reads (no typo goes unnoticed)', () => {
    const config = readFileSync(path.join(ROOT, 'src', 'config.ts'), 'utf8');
    for (const name of appSettings().keys()) {
      if (PLATFORM_SETTINGS.includes(name)) continue;
      assert.match(config, new RegExp(`^\\s*${name}:`, 'm'), `app setting ${name} is not read by src/config.ts`);
    }
  });

  it('when the Azure Bot is read, then it uses the user-assigned identity (UserAssignedMSI), the /api/messages endpoint and the Teams channel', () => {
    const text = source('bot.bicep');
    assert.match(text, /msaAppType:\s*'UserAssignedMSI'/);
    assert.match(text, /msaAppMSIResourceId:\s*identityId/);
    assert.match(text, /msaAppId:\s*identityClientId/);
    assert.match(text, /msaAppTenantId:\s*tenantId/);
    assert.match(text, /endpoint:\s*'https:\/\/\$\{botDomain\}\/api\/messages'/);
    assert.match(text, /channelName:\s*'MsTeamsChannel'/);
    assert.match(text, /isEnabled:\s*true/);
    const bot = mainModules.find((m) => m.path === './modules/bot.bicep')!;
    assert.equal(bot.params.get('botDomain'), 'webApp.outputs.defaultHostName');
  });

  it('when the Graph permissions deployment is read, then it grants AuditLog.Read.All and Directory.Read.All, a chosen policy permission, and GroupMember.Read.All on request, with the extension declared beside it', () => {
    const text = readFileSync(GRAPH_MAIN, 'utf8');
    assert.match(text, /^extension microsoftGraphV1$/m);
    const config = readConfig(GRAPH_DIR);
    assert.match(config.extensions?.microsoftGraphV1 ?? '', /^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:\d+\.\d+\.\d+$/);
    for (const permission of ['AuditLog.Read.All', 'Directory.Read.All']) assert.ok(text.includes(`'${permission}'`), permission);
    const stmts = parsed.get(GRAPH_MAIN)!;
    const policy = params(stmts).find((p) => p.name === 'policyPermission')!;
    assert.ok(policy.hasDefault);
    assert.match(text, /param policyPermission string = 'Policy\.Read\.All'/);
    const allowed = policy.decorators.find((d) => d.startsWith('@allowed('))!;
    for (const value of ['Policy.Read.All', 'Policy.Read.ConditionalAccess', 'none']) assert.ok(allowed.includes(`'${value}'`), `policyPermission does not allow ${value}`);
    assert.match(text, /param grantGroupMemberRead bool = false/);
    assert.match(text, /grantGroupMemberRead \? \['GroupMember\.Read\.All'\] : \[\]/);
    assert.match(text, /policyPermission == 'none' \? \[\] : \[policyPermission\]/);
    assert.match(text, /appId:\s*graphAppId/);
    assert.match(text, /'00000003-0000-0000-c000-000000000000'/);
    assert.ok(
      params(stmts).some((p) => p.name === 'principalId' && !p.hasDefault),
      'principalId is required',
    );
  });

  it('when the two bicepconfig.json files are read, then their linter rules are the same (Bicep reads only the nearest one)', () => {
    assert.deepEqual(readConfig(GRAPH_DIR).analyzers, readConfig(INFRA).analyzers);
    assert.ok(readConfig(INFRA).analyzers, 'infra/bicepconfig.json sets the linter rules');
  });

  it('when a linter rule is set below warning in bicepconfig.json, then a comment right above it says why', () => {
    const text = readFileSync(path.join(INFRA, 'bicepconfig.json'), 'utf8');
    const lines = text.split('\n');
    const rules = (readConfig(INFRA).analyzers as { core: { rules: Record<string, { level: string }> } }).core.rules;
    for (const [rule, { level }] of Object.entries(rules)) {
      if (level === 'warning' || level === 'error') continue;
      const at = lines.findIndex((l) => l.includes(`"${rule}"`));
      assert.ok(at > 0 && lines[at - 1]!.trim().startsWith('//'), `${rule} is "${level}" without a reason written above it`);
    }
  });

  it('when the text reader meets tricky Bicep, then it keeps strings, interpolations and comments apart', () => {
    const sample = [
      "// a comment with an apostrophe: it's fine { [",
      "@description('It\\'s a {brace} in a string')",
      '@minLength(1)',
      "param a string = 'x${b}y'",
      '',
      '/* block',
      '   comment */',
      "module m './modules/m.bicep' = if (a == 'x') {",
      "  name: 'm-${a}'",
      '  params: {',
      "    one: '${a}}'",
      '    two: { nested: [',
      "      'v'",
      '    ] }',
      '    three: 3',
      '  }',
      '}',
    ].join('\n');
    const stmts = statements(sample);
    assert.equal(stmts.length, 2);
    assert.deepEqual(params(stmts)[0]!.decorators, ["@description('It\\'s a {brace} in a string')", '@minLength(1)']);
    const m = modules(stmts)[0]!;
    assert.deepEqual([...m.params.keys()], ['one', 'two', 'three']);
    assert.deepEqual([...objectEntries('{ a: 1, b: { c: 2 } }', 0).keys()], ['a', 'b']);
  });
});
