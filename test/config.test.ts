import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

/** Asserts that loading `env` throws a ConfigError naming `variable`. */
function assertRejects(env: Record<string, string>, variable: string): ConfigError {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError for ${JSON.stringify(env)}, got ${String(caught)}`);
  assert.equal(caught.variable, variable);
  assert.match(caught.message, new RegExp(`\\b${variable}\\b`));
  return caught;
}

describe('config', () => {
  it('when nothing is set, then the defaults apply: port 3978, ./data, a 48-hour window, unauthenticated', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3978);
    assert.equal(config.dataDir, './data');
    assert.equal(config.signInWindowHours, 48);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.helpdeskAgents, []);
    assert.equal(config.demoTenantFile, undefined);
    assert.equal(config.bot.authenticated, false);
    assert.equal(config.bot.type, 'MultiTenant');
    assert.equal(config.production, false);
  });

  it('when variables are empty strings, then the defaults apply', () => {
    const config = loadConfig({ PORT: '', DATA_DIR: '  ', SIGNIN_WINDOW_HOURS: '', BOT_ID: '', BOT_PASSWORD: '' });
    assert.equal(config.port, 3978);
    assert.equal(config.dataDir, './data');
    assert.equal(config.signInWindowHours, 48);
    assert.equal(config.bot.authenticated, false);
  });

  it('when valid values are set, then they are used', () => {
    const config = loadConfig({
      PORT: '8080',
      DATA_DIR: '/var/helpdesk',
      SIGNIN_WINDOW_HOURS: '72',
      LOG_LEVEL: 'warn',
      DEMO_TENANT_FILE: 'tenant.json',
      NODE_ENV: 'production',
      ALLOW_SQLITE_IN_PRODUCTION: 'true',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, '/var/helpdesk');
    assert.equal(config.signInWindowHours, 72);
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.demoTenantFile, 'tenant.json');
    assert.equal(config.production, true);
  });

  it('when PORT is "abc", then a ConfigError names PORT', () => {
    const error = assertRejects({ PORT: 'abc' }, 'PORT');
    assert.match(error.message, /abc/);
  });

  it('when PORT is out of range or not whole, then a ConfigError names PORT', () => {
    for (const PORT of ['70000', '-1', '80.5']) assertRejects({ PORT }, 'PORT');
  });

  it('when SIGNIN_WINDOW_HOURS is not a number in range, then a ConfigError names it', () => {
    for (const SIGNIN_WINDOW_HOURS of ['0', 'two days', '100000']) assertRejects({ SIGNIN_WINDOW_HOURS }, 'SIGNIN_WINDOW_HOURS');
  });

  it('when BOT_TYPE is not one of the Teams Toolkit types, then a ConfigError names BOT_TYPE', () => {
    assertRejects({ BOT_TYPE: 'SomeTenant' }, 'BOT_TYPE');
  });

  it('when LOG_LEVEL is unknown, then a ConfigError names LOG_LEVEL', () => {
    assertRejects({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
  });

  it('when BOT_ID is set without BOT_PASSWORD, then a ConfigError names BOT_PASSWORD', () => {
    assertRejects({ BOT_ID: '11111111-2222-3333-4444-555555555555' }, 'BOT_PASSWORD');
  });

  it('when BOT_PASSWORD is set without BOT_ID, then a ConfigError names BOT_ID', () => {
    assertRejects({ BOT_PASSWORD: 'secret' }, 'BOT_ID');
  });

  it('when BOT_TYPE is SingleTenant with BOT_ID but no BOT_TENANT_ID, then a ConfigError names BOT_TENANT_ID', () => {
    assertRejects({ BOT_TYPE: 'SingleTenant', BOT_ID: 'app', BOT_PASSWORD: 'secret' }, 'BOT_TENANT_ID');
  });

  it('when BOT_TYPE is UserAssignedMsi with BOT_ID and no password, then it is accepted and authenticated', () => {
    const config = loadConfig({ BOT_TYPE: 'UserAssignedMsi', BOT_ID: 'msi-client-id' });
    assert.equal(config.bot.type, 'UserAssignedMsi');
    assert.equal(config.bot.authenticated, true);
    assert.equal(config.bot.password, undefined);
  });

  it('when BOT_ID and BOT_PASSWORD are set, then the bot is authenticated', () => {
    const config = loadConfig({ BOT_ID: 'app', BOT_PASSWORD: 'secret', BOT_TENANT_ID: 'tenant' });
    assert.deepEqual(config.bot, { appId: 'app', password: 'secret', tenantId: 'tenant', type: 'MultiTenant', authenticated: true });
  });

  it('when HELPDESK_AGENTS is a comma-separated list with spaces and empty entries, then it is read as the trimmed ids', () => {
    assert.deepEqual(loadConfig({ HELPDESK_AGENTS: ' aaa-1 , bbb-2,,ccc-3 ,' }).helpdeskAgents, ['aaa-1', 'bbb-2', 'ccc-3']);
    assert.deepEqual(loadConfig({ HELPDESK_AGENTS: 'only-one' }).helpdeskAgents, ['only-one']);
    assert.deepEqual(loadConfig({ HELPDESK_AGENTS: ' , ' }).helpdeskAgents, []);
  });

  it('when HELPDESK_TIME_ZONE is unset or blank, then UTC; an IANA zone is used in its canonical spelling', () => {
    assert.equal(loadConfig({}).helpdeskTimeZone, 'UTC');
    assert.equal(loadConfig({ HELPDESK_TIME_ZONE: '  ' }).helpdeskTimeZone, 'UTC');
    assert.equal(loadConfig({ HELPDESK_TIME_ZONE: ' Europe/Oslo ' }).helpdeskTimeZone, 'Europe/Oslo');
    assert.equal(loadConfig({ HELPDESK_TIME_ZONE: 'europe/oslo' }).helpdeskTimeZone, 'Europe/Oslo');
  });

  it('when HELPDESK_TIME_ZONE is not a time zone, then a ConfigError names it', () => {
    for (const zone of ['Mars/Olympus_Mons', 'CEST+1', 'Europe/Oslo; rm -rf'])
      assert.match(assertRejects({ HELPDESK_TIME_ZONE: zone }, 'HELPDESK_TIME_ZONE').message, /IANA time zone/);
  });

  // BUG: src/config.ts treats an empty PORT, DATA_DIR, BOT_ID, … as "not set" (defaults apply), but
  // an empty BOT_TYPE or LOG_LEVEL (e.g. an App Service setting or .env line left blank: `BOT_TYPE=`)
  // fails z.enum and start-up stops with "BOT_TYPE: Invalid enum value … received ''".
  // Expected: empty means unset, so MultiTenant / info apply.
  it('when BOT_TYPE or LOG_LEVEL is an empty string, then the default applies as for the other variables', () => {
    assert.equal(loadConfig({ BOT_TYPE: '' }).bot.type, 'MultiTenant');
    assert.equal(loadConfig({ LOG_LEVEL: '' }).logLevel, 'info');
    assert.equal(loadConfig({ BOT_TYPE: '  ', LOG_LEVEL: ' ' }).bot.type, 'MultiTenant');
  });

  // BUG (minor): src/config.ts intInRange parses with Number(), so PORT=0x10 is accepted as 16 and
  // PORT=1e3 as 1000, although the error text promises "a whole number". Expected: ConfigError naming PORT.
  it('when PORT is written in hex or exponent notation, then a ConfigError names PORT', () => {
    for (const PORT of ['0x10', '1e3', '0b101']) assertRejects({ PORT }, 'PORT');
  });

  it('when the real entry point starts with PORT=abc, then it exits with code 1 and says PORT is wrong', function () {
    this.timeout(30_000);
    const root = join(__dirname, '..');
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: 'abc', LOG_LEVEL: 'silent' };
    for (const key of ['BOT_ID', 'BOT_PASSWORD', 'BOT_TENANT_ID', 'BOT_TYPE', 'DEMO_TENANT_FILE', 'DATA_DIR', 'SIGNIN_WINDOW_HOURS', 'HELPDESK_AGENTS']) delete env[key];
    const result = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['src/index.ts'], { cwd: root, env, encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.error, undefined, String(result.error));
    assert.equal(result.status, 1, `exit ${result.status} (signal ${result.signal})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
    assert.match(result.stderr, /\bPORT\b/);
  });

  it('when NODE_ENV is production with the embedded SQLite store, then start-up stops and says what to set', () => {
    const error = assertRejects({ NODE_ENV: 'production' }, 'STORAGE_BACKEND');
    assert.match(error.message, /STORAGE_BACKEND=azure/);
    assert.match(error.message, /ALLOW_SQLITE_IN_PRODUCTION=true/);
  });

  it('when STORAGE_BACKEND is azure without an account or connection string, then the error names AZURE_STORAGE_ACCOUNT_NAME', () => {
    assertRejects({ STORAGE_BACKEND: 'azure' }, 'AZURE_STORAGE_ACCOUNT_NAME');
  });

  it('when Graph credentials are given, then the matching credential kind is chosen', () => {
    assert.equal(loadConfig({}).graph, undefined);
    assert.equal(loadConfig({ GRAPH_CLIENT_ID: 'app', GRAPH_CLIENT_SECRET: 's', GRAPH_TENANT_ID: 't' }).graph?.credential.kind, 'client-secret');
    assert.equal(loadConfig({ GRAPH_CLIENT_ID: 'app', GRAPH_CERTIFICATE_PATH: '/c.pem', BOT_TENANT_ID: 't' }).graph?.credential.kind, 'certificate');
    assert.equal(loadConfig({ GRAPH_ENABLED: 'true', AZURE_CLIENT_ID: 'mi' }).graph?.credential.kind, 'managed-identity');
    assert.equal(loadConfig({ GRAPH_ENABLED: 'false', GRAPH_CLIENT_ID: 'app', GRAPH_CLIENT_SECRET: 's', GRAPH_TENANT_ID: 't' }).graph, undefined);
    assertRejects({ GRAPH_CLIENT_SECRET: 's', GRAPH_TENANT_ID: 't' }, 'GRAPH_CLIENT_ID');
    assertRejects({ GRAPH_BASE_URL: 'not a url' }, 'GRAPH_BASE_URL');
  });
});
