import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_OUT_DIR as APP_PACKAGE_OUT_DIR } from '../../scripts/package-app';
import { DEFAULT_OUT_DIR as WEB_OUT_DIR } from '../../scripts/package-web';
import { outputs, statements } from './bicep-text';

/*
 * m365agents.yml, the Microsoft 365 Agents Toolkit project file. No package in node_modules ships
 * the Toolkit's JSON schema, so this test checks the file against what the schema documents for
 * version v1.11 (https://aka.ms/m365-agents-toolkits/v1.11/yaml.schema.json: the top-level keys,
 * and for each action used here its `uses`, required and allowed `with` keys and outputs), and
 * then that it points at this repository's real files, scripts and deployment outputs.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const FILE = path.join(ROOT, 'm365agents.yml');

/** The top-level keys the v1.11 schema allows (additionalProperties: false; "version" required). */
const TOP_LEVEL = ['version', 'projectId', 'environmentFolderPath', 'additionalMetadata', 'provision', 'deploy', 'publish', 'share'];

interface ActionSchema {
  /** Keys of `with` the schema requires, and all it allows (additionalProperties: false). */
  required: string[];
  allowed: string[];
  /** `writeToEnvironmentFile` keys the schema requires, when the action has that block. */
  outputs?: string[];
}

/** The v1.11 definitions of the actions this project uses. Every action also allows `name` and `env`. */
const ACTIONS: Record<string, ActionSchema> = {
  'arm/deploy': { required: ['subscriptionId', 'resourceGroupName', 'templates'], allowed: ['subscriptionId', 'resourceGroupName', 'templates', 'bicepCliVersion'] },
  'cli/runNpmCommand': { required: ['args'], allowed: ['args', 'workingDirectory'] },
  'azureAppService/zipDeploy': {
    required: ['artifactFolder', 'resourceId'],
    allowed: ['artifactFolder', 'resourceId', 'workingDirectory', 'ignoreFile', 'dryRun', 'outputZipFile'],
  },
  'teamsApp/publishAppPackage': { required: ['appPackagePath'], allowed: ['appPackagePath'], outputs: ['publishedAppId'] },
};
/** arm/deploy `templates[]` items: required and allowed keys. */
const TEMPLATE_REQUIRED = ['deploymentName', 'path'];
const TEMPLATE_ALLOWED = ['deploymentName', 'path', 'parameters'];
/** The schema's envVarName: what writeToEnvironmentFile values must look like. */
const ENV_VAR_NAME = /^[A-Z][A-Z0-9_]*$/;
/** Variables the Toolkit itself fills before provisioning (it asks for the subscription and resource group). */
const TOOLKIT_VARIABLES = ['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP_NAME'];

type Action = { uses: string; name?: string; env?: Record<string, string>; with: Record<string, unknown>; writeToEnvironmentFile?: Record<string, string> };
type Project = Record<string, unknown> & { version: string; environmentFolderPath?: string; provision?: Action[]; deploy?: Action[]; publish?: Action[] };

const text = readFileSync(FILE, 'utf8');
const project = parse(text) as Project;
const stages = ['provision', 'deploy', 'publish', 'share'] as const;
const allActions = stages.flatMap((stage) => ((project[stage] as Action[] | undefined) ?? []).map((action) => ({ stage, action })));
const rel = (p: string) => path.relative(ROOT, p).split(path.sep).join('/');
const mainOutputs = new Set(outputs(statements(readFileSync(path.join(ROOT, 'infra', 'main.bicep'), 'utf8'))).map((o) => o.name));

/** Problems of one action against the documented schema. */
function schemaProblems(action: Action): string[] {
  const schema = ACTIONS[action.uses];
  if (!schema) return [`uses "${action.uses}" is not an action this test knows from the schema`];
  const problems: string[] = [];
  const topAllowed = ['uses', 'name', 'env', 'with', ...(schema.outputs ? ['writeToEnvironmentFile'] : [])];
  for (const key of Object.keys(action)) if (!topAllowed.includes(key)) problems.push(`${action.uses}: "${key}" is not allowed`);
  if (action.name !== undefined && typeof action.name !== 'string') problems.push(`${action.uses}: name must be a string`);
  if (!action.with || typeof action.with !== 'object') return [...problems, `${action.uses}: "with" is required`];
  for (const key of schema.required) if (!(key in action.with)) problems.push(`${action.uses}: with.${key} is required`);
  for (const key of Object.keys(action.with)) if (!schema.allowed.includes(key)) problems.push(`${action.uses}: with.${key} is not allowed`);
  if (schema.outputs) {
    for (const key of schema.outputs) {
      const value = action.writeToEnvironmentFile?.[key];
      if (typeof value !== 'string' || !ENV_VAR_NAME.test(value)) problems.push(`${action.uses}: writeToEnvironmentFile.${key} must be an environment variable name`);
    }
  }
  return problems;
}

describe('m365agents.yml (Microsoft 365 Agents Toolkit project file)', () => {
  it('when the file is read, then it declares schema version v1.11 (also in its yaml-language-server line), only keys the schema allows, and provision and deploy stages', () => {
    assert.equal(project.version, 'v1.11');
    assert.match(text.split('\n')[0]!, /^# yaml-language-server: \$schema=https:\/\/aka\.ms\/m365-agents-toolkits\/v1\.11\/yaml\.schema\.json$/);
    for (const key of Object.keys(project)) assert.ok(TOP_LEVEL.includes(key), `top-level "${key}" is not in the schema`);
    assert.ok(Array.isArray(project.provision) && project.provision.length > 0, 'no provision stage');
    assert.ok(Array.isArray(project.deploy) && project.deploy.length > 0, 'no deploy stage');
  });

  it('when every action is checked against its schema definition, then each has its required keys and nothing else', () => {
    assert.ok(allActions.length >= 4);
    const problems = allActions.flatMap(({ stage, action }) => schemaProblems(action).map((p) => `${stage}: ${p}`));
    assert.deepEqual(problems, []);
  });

  it('when an action breaks the schema, then the check names it (it is not vacuous)', () => {
    assert.deepEqual(schemaProblems({ uses: 'azureAppService/zipDeploy', with: { artifactFolder: './x', resourceID: 'y' } }), [
      'azureAppService/zipDeploy: with.resourceId is required',
      'azureAppService/zipDeploy: with.resourceID is not allowed',
    ]);
    assert.deepEqual(schemaProblems({ uses: 'teamsApp/publishAppPackage', with: { appPackagePath: 'a.zip' }, writeToEnvironmentFile: { publishedAppId: 'teams-app' } }), [
      'teamsApp/publishAppPackage: writeToEnvironmentFile.publishedAppId must be an environment variable name',
    ]);
    assert.deepEqual(schemaProblems({ uses: 'cli/runNpmCommand', with: { args: 'test' }, writeToEnvironmentFile: { x: 'X' } }), [
      'cli/runNpmCommand: "writeToEnvironmentFile" is not allowed',
    ]);
  });

  it('when provision is read, then it deploys infra/main.bicep with infra/main.parameters.json (the same Bicep as infra/README.md) and builds the Teams app package', () => {
    const arm = project.provision!.filter((a) => a.uses === 'arm/deploy');
    assert.equal(arm.length, 1);
    const templates = arm[0]!.with.templates as Array<Record<string, string>>;
    assert.equal(templates.length, 1);
    const template = templates[0]!;
    for (const key of TEMPLATE_REQUIRED) assert.ok(key in template, `templates[0].${key} is required`);
    for (const key of Object.keys(template)) assert.ok(TEMPLATE_ALLOWED.includes(key), `templates[0].${key} is not allowed`);
    assert.equal(path.normalize(template.path!), path.normalize('./infra/main.bicep'));
    assert.equal(path.normalize(template.parameters!), path.normalize('./infra/main.parameters.json'));
    assert.equal(template.deploymentName, 'main', 'the same deployment name as infra/README.md, so the grant script finds its outputs');
    for (const file of [template.path!, template.parameters!]) assert.ok(existsSync(path.join(ROOT, file)), `${file} does not exist`);
    assert.equal(arm[0]!.with.subscriptionId, '${{AZURE_SUBSCRIPTION_ID}}');
    assert.equal(arm[0]!.with.resourceGroupName, '${{AZURE_RESOURCE_GROUP_NAME}}');
    assert.ok(!('bicepCliVersion' in arm[0]!.with), 'no bicepCliVersion: the Toolkit would download Bicep from GitHub; it uses the bicep on PATH');
    const packaged = project.provision!.findIndex((a) => a.uses === 'cli/runNpmCommand' && a.with.args === 'run package');
    assert.ok(packaged > project.provision!.indexOf(arm[0]!), 'the Teams app package is built after the deployment wrote BOT_ID and BOT_DOMAIN');
    assert.ok(!project.provision!.some((a) => /graph-permissions/.test(JSON.stringify(a))), 'the Graph permissions stay a separate step');
  });

  it('when deploy is read, then it builds the package with npm run package:web and uploads its staging folder to the web app from the deployment outputs', () => {
    const steps = project.deploy!.map((a) => a.uses);
    assert.deepEqual(steps, ['cli/runNpmCommand', 'azureAppService/zipDeploy']);
    assert.equal(project.deploy![0]!.with.args, 'run package:web');
    const zipDeploy = project.deploy![1]!.with as { artifactFolder: string; resourceId: string };
    assert.equal(rel(path.join(ROOT, zipDeploy.artifactFolder)), rel(path.join(WEB_OUT_DIR, 'app')), 'the folder package:web stages');
    assert.equal(zipDeploy.resourceId, '${{WEB_APP_RESOURCE_ID}}');
  });

  it('when publish is read, then it submits the zip npm run package writes', () => {
    const publish = project.publish!.find((a) => a.uses === 'teamsApp/publishAppPackage')!;
    assert.equal(rel(path.join(ROOT, publish.with.appPackagePath as string)), rel(path.join(APP_PACKAGE_OUT_DIR, 'appPackage.zip')));
  });

  it('when a ${{VARIABLE}} is used, then the Toolkit fills it or the main deployment outputs it, and every npm script it runs exists', () => {
    const used = [...text.matchAll(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]!);
    assert.ok(used.length >= 3);
    for (const name of used) assert.ok(TOOLKIT_VARIABLES.includes(name) || mainOutputs.has(name), `${name} is neither filled by the Toolkit nor an output of infra/main.bicep`);
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const { action } of allActions.filter(({ action }) => action.uses === 'cli/runNpmCommand')) {
      const script = /^run ([\w:-]+)$/.exec(action.with.args as string)?.[1];
      assert.ok(script && script in scripts, `npm ${String(action.with.args)}: no such script in package.json`);
    }
  });

  it('when the environment folder is read, then env/.env.dev exists and holds the Toolkit variables and no secret', () => {
    assert.equal(project.environmentFolderPath, './env');
    const env = readFileSync(path.join(ROOT, 'env', '.env.dev'), 'utf8');
    const names = env
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split('=')[0]!);
    for (const name of TOOLKIT_VARIABLES) assert.ok(names.includes(name), `env/.env.dev lacks ${name}`);
    for (const name of names) assert.doesNotMatch(name, /SECRET|PASSWORD|KEY/, `${name} in a committed env file`);
  });
});
