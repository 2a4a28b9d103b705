import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CULTURE_CODES, DEFERRED_MODULES } from '../src/deferred-modules';

const ROOT = join(__dirname, '..');
const DEFERRED = join(ROOT, 'src', 'deferred-modules.ts');

/**
 * Runs `body` in a fresh Node process (this one has loaded the stack already) and returns the
 * JSON it passes to `report`. With `defer`, the stand-ins are installed first, as src/index.ts does;
 * without, the real packages load as they would without this module.
 */
function inFreshProcess(body: string, defer: boolean): Record<string, unknown> {
  const script = `
    const { createRequire } = require('node:module');
    const report = (value) => { process.stdout.write('\\n@@' + JSON.stringify(value)); };
    const deferred = require(${JSON.stringify(DEFERRED)});
    ${defer ? 'deferred.deferUnusedModules();' : ''}
    const fileOf = (spec) => {
      const from = spec.requiredBy === 'botbuilder-dialogs'
        ? createRequire(require.resolve('@microsoft/teams-ai/lib/Application')).resolve('botbuilder-dialogs')
        : require.resolve(spec.requiredBy);
      return createRequire(from).resolve(spec.name);
    };
    const notLoaded = (spec) => require.cache[fileOf(spec)]?.exports?.[deferred.NOT_LOADED_YET] === true;
    ${body}
  `;
  const result = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, `child failed: ${result.stderr.slice(-2000)}`);
  const line = result.stdout.split('\n').find((l) => l.startsWith('@@'));
  assert.ok(line, `child reported nothing: ${result.stdout.slice(-500)} ${result.stderr.slice(-1000)}`);
  return JSON.parse(line.slice(2)) as Record<string, unknown>;
}

describe('deferred modules (start-up)', function () {
  this.timeout(120_000);

  it('when the bot and its stack are loaded, then none of the deferred packages has been evaluated', () => {
    const seen = inFreshProcess(
      `require(${JSON.stringify(join(ROOT, 'src', 'index.ts'))});
       require('botbuilder'); require('restify'); require('@microsoft/teams-ai/lib/Application');
       report(Object.fromEntries(deferred.DEFERRED_MODULES.map((spec) => [spec.name, notLoaded(spec)])));`,
      true,
    );
    assert.deepEqual(seen, Object.fromEntries(DEFERRED_MODULES.map((spec) => [spec.name, true])));
  });

  it('when each real package is loaded, then it has the shape its stand-in declares (exports kind, __esModule) and the suite the culture codes the stand-in answers', () => {
    const real = inFreshProcess(
      `const shapes = {};
       for (const spec of deferred.DEFERRED_MODULES) {
         const m = require(fileOf(spec));
         shapes[spec.name] = { exports: typeof m, esModule: m.__esModule, deferred: m[deferred.NOT_LOADED_YET] };
       }
       const suite = require(fileOf(deferred.DEFERRED_MODULES[0]));
       const base = createRequire(fileOf(deferred.DEFERRED_MODULES[0]))('@microsoft/recognizers-text');
       const names = Object.getOwnPropertyNames(base.Culture).filter((k) => k !== 'name' && typeof base.Culture[k] === 'string');
       report({ shapes, codes: Object.fromEntries(names.map((k) => [k, suite.Culture[k]])) });`,
      false,
    );
    const shapes = real.shapes as Record<string, { exports: string; esModule?: boolean; deferred?: boolean }>;
    for (const spec of DEFERRED_MODULES) {
      assert.equal(shapes[spec.name]?.exports, spec.exports, `${spec.name}: exports`);
      assert.equal(shapes[spec.name]?.esModule, spec.esModule, `${spec.name}: __esModule`);
    }
    assert.deepEqual(real.codes, CULTURE_CODES);
  });

  it('when the bot uses a deferred package, then the stand-in loads the real one and behaves as it does', () => {
    const used = inFreshProcess(
      `const dialogs = require('botbuilder-dialogs');
       const cultures = dialogs.PromptCultureModels.getSupportedCultures().map((c) => c.locale);
       const chosen = dialogs.recognizeChoices('the second one', ['red', 'blue'])[0]?.resolution?.index;
       const byName = Object.fromEntries(deferred.DEFERRED_MODULES.map((spec) => [spec.name, require(fileOf(spec))]));
       const dates = byName['@microsoft/recognizers-text-date-time'].recognizeDateTime('tomorrow at 5pm', 'en-us').length;
       const yes = byName['@microsoft/recognizers-text-choice'].recognizeBoolean('yes please', 'en-us')[0]?.resolution?.value;
       const three = byName['@microsoft/recognizers-text-suite'].recognizeNumber('three', 'en-us')[0]?.resolution?.value;
       const html = byName.htmlparser2.parseDocument('<speak><b>x</b></speak>').children.length;
       const yaml = byName.yaml.parse('a: 1').a;
       const axiosKeys = Object.keys(byName.axios).includes('create') && typeof byName.axios.create === 'function';
       const sendStream = typeof byName.send({ url: '/x', headers: {} }, '/x').pipe;
       const spdy = typeof byName.spdy.createServer;
       const signature = typeof byName['http-signature'].parseRequest;
       const form = byName.qs.parse('a=1&b=two').b;
       const identity = typeof byName['@azure/identity'].ManagedIdentityCredential;
       const msal = typeof byName['@azure/msal-node'].ConfidentialClientApplication;
       const fsExtra = byName['fs-extra'].pathExistsSync(__filename);
       const colour = typeof byName['json-colorizer']('{"a":1}');
       const token = byName.jsonwebtoken.decode(byName.jsonwebtoken.sign({ sub: 'x' }, 'secret')).sub;
       const proxy = typeof byName['https-proxy-agent'].HttpsProxyAgent;
       report({ cultures, chosen, dates, yes, three, html, yaml, axiosKeys, sendStream, spdy, signature, form, identity, msal, fsExtra, colour, token, proxy,
         stillDeferred: deferred.DEFERRED_MODULES.filter(notLoaded).map((s) => s.name) });`,
      true,
    );
    assert.deepEqual(used.cultures, ['zh-cn', 'nl-nl', 'en-us', 'fr-fr', 'de-de', 'it-it', 'ja-jp', 'pt-br', 'es-es']);
    assert.equal(used.chosen, 1);
    assert.ok((used.dates as number) > 0);
    assert.equal(used.yes, true);
    assert.equal(used.three, '3');
    assert.equal(used.html, 1);
    assert.equal(used.yaml, 1);
    assert.equal(used.axiosKeys, true);
    assert.equal(used.sendStream, 'function');
    assert.equal(used.spdy, 'function');
    assert.equal(used.signature, 'function');
    assert.equal(used.form, 'two');
    assert.equal(used.identity, 'function');
    assert.equal(used.msal, 'function');
    assert.equal(used.fsExtra, false);
    assert.equal(used.colour, 'string');
    assert.equal(used.token, 'x');
    assert.equal(used.proxy, 'function');
    assert.deepEqual(used.stillDeferred, []);
  });

  it('when a package was loaded before the stand-ins were installed, then it is left as it is', () => {
    const kept = inFreshProcess(
      `const yamlSpec = deferred.DEFERRED_MODULES.find((s) => s.name === 'yaml');
       const before = require(fileOf(yamlSpec));
       deferred.deferUnusedModules();
       report({ same: require(fileOf(yamlSpec)) === before, deferred: notLoaded(yamlSpec) });`,
      false,
    );
    assert.deepEqual(kept, { same: true, deferred: false });
  });
});
