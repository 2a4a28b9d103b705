import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { modules, objectEntries, outputs, params, resources, statements, variable, type BicepStatement } from './bicep-text';

/*
 * No Bicep compiler can be installed where the tests run, so these checks read the templates as
 * text: what they catch is structure (modules, parameters, outputs, API versions, the settings
 * that matter), not type errors. infra/README.md says so too.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const INFRA = path.join(ROOT, 'infra');
const MAIN = path.join(INFRA, 'main.bicep');

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

/** The environment variables the bot reads that a deployment fills (each must be a main.bicep output). */
const ENV_OUTPUTS = ['BOT_ID', 'BOT_TENANT_ID', 'BOT_TYPE', 'AZURE_CLIENT_ID', 'AZURE_STORAGE_ACCOUNT_NAME', 'AZURE_STORAGE_BLOB_CONTAINER', 'AZURE_STORAGE_TABLE_PREFIX', 'BOT_DOMAIN'];

/** The API versions the templates are written against. */
const API_VERSIONS: Record<string, string> = {
  'Microsoft.BotService/botServices': '2022-09-15',
  'Microsoft.BotService/botServices/channels': '2022-09-15',
  'Microsoft.Web/sites': '2023-12-01',
  'Microsoft.Web/sites/basicPublishingCredentialsPolicies': '2023-12-01',
  'Microsoft.Web/serverfarms': '2023-12-01',
  'Microsoft.Storage/storageAccounts': '2023-05-01',
  'Microsoft.Storage/storageAccounts/blobServices': '2023-05-01',
  'Microsoft.Storage/storageAccounts/blobServices/containers': '2023-05-01',
  'Microsoft.Storage/storageAccounts/tableServices': '2023-05-01',
  'Microsoft.Storage/storageAccounts/tableServices/tables': '2023-05-01',
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2023-01-31',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
  'Microsoft.OperationalInsights/workspaces': '2023-09-01',
  'Microsoft.Insights/components': '2020-02-02',
  'Microsoft.Insights/diagnosticSettings': '2021-05-01-preview',
  'Microsoft.Graph/servicePrincipals': 'v1.0',
  'Microsoft.Graph/appRoleAssignedTo': 'v1.0',
};

describe('infra Bicep templates (text checks, no compiler)', () => {
  it('when infra/ is listed, then main.bicep, its modules, main.parameters.json, bicepconfig.json, the Graph script and the README are there', () => {
    for (const file of ['main.bicep', 'main.parameters.json', 'bicepconfig.json', 'grant-graph-permissions.sh', 'README.md']) {
      assert.ok(existsSync(path.join(INFRA, file)), `infra/${file} is missing`);
    }
    const used = new Set(mainModules.map((m) => path.basename(m.path)));
    for (const name of ['identity.bicep', 'bot.bicep', 'webapp.bicep', 'storage.bicep', 'monitoring.bicep', 'graph-permissions.bicep']) {
      assert.ok(used.has(name), `main.bicep does not use modules/${name}`);
    }
  });

  it('when main.bicep references a module, then the module file exists', () => {
    assert.ok(mainModules.length >= 6);
    for (const m of mainModules) {
      assert.match(m.path, /^\.\/modules\/[a-z0-9-]+\.bicep$/, `module ${m.symbol} path ${m.path}`);
      assert.ok(existsSync(moduleFile(m.path)), `module ${m.symbol}: ${m.path} does not exist`);
    }
    for (const file of files.filter((f) => f !== MAIN)) {
      assert.ok(
        mainModules.some((m) => moduleFile(m.path) === file),
        `${rel(file)} is not used by main.bicep`,
      );
    }
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

  it('when main.bicep outputs are read, then they cover the environment variables the app reads, each one a variable src/config.ts knows', () => {
    const names = outputs(mainStatements).map((o) => o.name);
    const config = readFileSync(path.join(ROOT, 'src', 'config.ts'), 'utf8');
    for (const env of ENV_OUTPUTS) {
      assert.ok(names.includes(env), `main.bicep has no output ${env}`);
      if (env !== 'BOT_DOMAIN') assert.match(config, new RegExp(`\\b${env}:`), `src/config.ts does not read ${env}`);
    }
    for (const o of outputs(mainStatements)) assert.match(o.name, /^[A-Z][A-Z0-9_]*$/, `output ${o.name} is not named like an environment variable`);
  });

  it('when any output is read, then neither its name nor its value mentions a key, secret, password or connection string', () => {
    for (const [file, stmts] of parsed) {
      for (const o of outputs(stmts)) {
        assert.doesNotMatch(o.name, /key|secret|password|connectionstring|connection_string|listkeys/i, `${rel(file)}:${o.line} output ${o.name}`);
        assert.doesNotMatch(o.value, /key|secret|password|connectionstring|listkeys|listsecrets/i, `${rel(file)}:${o.line} output ${o.name} = ${o.value}`);
        assert.ok(o.decorators.some((d) => d.startsWith('@description(')), `${rel(file)}:${o.line} output ${o.name} has no @description`);
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
    assert.ok(count >= 15, `only ${count} resources found`);
  });

  it('when main.parameters.json is read, then it is a deployment parameters file whose parameters are all declared in main.bicep', () => {
    const file = JSON.parse(readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8')) as { $schema: string; contentVersion: string; parameters: Record<string, { value: unknown }> };
    assert.match(file.$schema, /deploymentParameters\.json#$/);
    assert.equal(file.contentVersion, '1.0.0.0');
    const declared = new Map(params(mainStatements).map((p) => [p.name, p]));
    assert.ok(Object.keys(file.parameters).length > 0);
    for (const [name, entry] of Object.entries(file.parameters)) {
      assert.ok(declared.has(name), `main.parameters.json sets ${name}, which main.bicep does not declare`);
      assert.ok(entry && 'value' in entry, `main.parameters.json ${name} has no value`);
    }
    for (const p of declared.values()) if (!p.hasDefault) assert.ok(p.name in file.parameters, `main.bicep param ${p.name} has no default and is not in main.parameters.json`);
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

  it('when the web app is read, then it is HTTPS only, Linux Node 20, Always On, with the health check on /readyz', () => {
    const text = source('webapp.bicep');
    assert.match(text, /httpsOnly:\s*true/);
    assert.match(text, /healthCheckPath:\s*'\/readyz'/);
    assert.match(text, /alwaysOn:\s*true/);
    assert.match(text, /reserved:\s*true/);
    assert.match(text, /kind:\s*'app,linux'/);
    assert.match(readFileSync(MAIN, 'utf8'), /linuxFxVersion:\s*'NODE\|20-lts'/);
    assert.match(text, /param linuxFxVersion string = 'NODE\|20-lts'/);
    assert.match(text, /type:\s*'UserAssigned'/);
  });

  it('when the web app settings are read, then every variable the bot needs is wired and none is a credential', () => {
    const stmts = statements(source('webapp.bicep'));
    const value = variable(stmts, 'appSettings');
    assert.ok(value, 'webapp.bicep has no var appSettings');
    const settings = new Map([...value.matchAll(/\{\s*name:\s*'([^']+)',\s*value:\s*([^}]+?)\s*\}/g)].map((m) => [m[1]!, m[2]!]));
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
      NODE_ENV: /^'production'$/,
      WEBSITE_NODE_DEFAULT_VERSION: /^'~20'$/,
      SCM_DO_BUILD_DURING_DEPLOYMENT: /^'true'$/,
      APPLICATIONINSIGHTS_CONNECTION_STRING: /^appInsights\.properties\.ConnectionString$/,
    };
    for (const [name, pattern] of Object.entries(expected)) {
      assert.ok(settings.has(name), `app setting ${name} is missing`);
      assert.match(settings.get(name)!, pattern, `app setting ${name} = ${settings.get(name)}`);
    }
    for (const name of settings.keys()) {
      if (name === 'APPLICATIONINSIGHTS_CONNECTION_STRING') continue;
      assert.doesNotMatch(name, /PASSWORD|SECRET|KEY|CONNECTION_STRING|CERTIFICATE/i, `app setting ${name} looks like a credential`);
    }
    assert.match(variable(stmts, 'appSettings')!, /^\[/);
    assert.match(source('webapp.bicep'), /appSettings:\s*appSettings/);
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

  it('when the Graph permissions are read, then the extension grants AuditLog.Read.All, Directory.Read.All and optionally Policy.Read.All to the identity', () => {
    const text = source('graph-permissions.bicep');
    assert.match(text, /^extension microsoftGraphV1$/m);
    const config = JSON.parse(readFileSync(path.join(INFRA, 'bicepconfig.json'), 'utf8')) as { extensions: Record<string, string> };
    assert.match(config.extensions.microsoftGraphV1!, /^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:\d+\.\d+\.\d+/);
    for (const permission of ['AuditLog.Read.All', 'Directory.Read.All', 'Policy.Read.All']) assert.ok(text.includes(`'${permission}'`), permission);
    assert.match(text, /grantPolicyRead \? \['Policy\.Read\.All'\] : \[\]/);
    assert.match(text, /appId:\s*graphAppId/);
    assert.match(text, /'00000003-0000-0000-c000-000000000000'/);
    const graph = mainModules.find((m) => m.path === './modules/graph-permissions.bicep')!;
    assert.equal(graph.params.get('principalId'), 'identity.outputs.principalId');
    const script = readFileSync(path.join(INFRA, 'grant-graph-permissions.sh'), 'utf8');
    for (const permission of ['AuditLog.Read.All', 'Directory.Read.All', 'Policy.Read.All']) assert.ok(script.includes(permission), `script lacks ${permission}`);
    assert.match(script, /az rest/);
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
      '    two: { nested: [', "      'v'", '    ] }',
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
