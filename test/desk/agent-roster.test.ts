import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { isRegistrationCommand, registrationRefusal } from '../../src/desk/channel-commands';
import { createAgentRoster } from '../../src/desk/agent-roster';
import { HelpdeskChannelRegistry } from '../../src/desk/helpdesk-channel';
import { loadConfig } from '../../src/config';
import { createSqliteStores } from '../../src/store/sqlite-stores';
import type { Stores } from '../../src/store/stores';
import { LoopbackConnector } from '../support/loopback-connector';

/** A logger that keeps what it is given. */
function recordingLog(): {
  entries: Array<{ level: string; obj: object; msg?: string }>;
  info: (o: object, m?: string) => void;
  warn: (o: object, m?: string) => void;
  error: (o: object, m?: string) => void;
} {
  const entries: Array<{ level: string; obj: object; msg?: string }> = [];
  return {
    entries,
    info: (obj, msg) => entries.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => entries.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => entries.push({ level: 'error', obj, msg }),
  };
}

const WITH_CREDENTIALS = { BOT_ID: '9b1f0c2d-3e4a-4b5c-8d6e-7f8091a2b3c4', BOT_PASSWORD: 'secret' };

describe('AgentRoster and the registration rule (contract §3a), over a real SQLite settings store', () => {
  let dir: string;
  let stores: Stores;
  let channels: HelpdeskChannelRegistry;
  // The real adapter, without credentials, as the bot runs locally.
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const connector = new LoopbackConnector();

  before(() => connector.start());
  after(() => connector.stop());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-test-'));
    stores = createSqliteStores(dir);
    channels = new HelpdeskChannelRegistry(stores.settings);
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const registerChannel = (teamId: string, tenantId = 'tenant-1', serviceUrl = connector.url): Promise<void> =>
    channels.set({ serviceUrl, channelId: '19:queue@thread.tacv2', teamId, tenantId, at: new Date(0).toISOString() });

  it('when the bot has credentials and no agent source is configured, then registration is refused with a message naming HELPDESK_AGENTS and HELPDESK_AGENTS_GROUP_ID', async () => {
    const config = loadConfig(WITH_CREDENTIALS);
    assert.equal(config.bot.authenticated, true);
    const roster = createAgentRoster(config, { channels, adapter, log: recordingLog() });
    assert.equal(await roster.hasConfiguredSource(), false);
    const decision = await roster.mayRegister({ aadObjectId: 'anyone-at-all', tenantId: 'tenant-1' });
    assert.deepEqual(decision, { ok: false, reason: 'not-configured' });
    const refusal = registrationRefusal('not-configured');
    assert.match(refusal.text, /HELPDESK_AGENTS \(/);
    assert.match(refusal.text, /HELPDESK_AGENTS_GROUP_ID/);
    assert.match(refusal.text, /Nothing was changed/);
  });

  it('when HELPDESK_AGENTS_GROUP_ID is set without Microsoft Graph, then the group is off, start-up warns once, and registration is still refused as not configured', async () => {
    const config = loadConfig({ ...WITH_CREDENTIALS, GRAPH_ENABLED: 'false', HELPDESK_AGENTS_GROUP_ID: '0d6c5b4a-3921-4f8e-b7a6-95c4d3e2f1a0' });
    assert.equal(config.graph, undefined);
    const log = recordingLog();
    const roster = createAgentRoster(config, { channels, adapter, log });
    const warnings = log.entries.filter((e) => e.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.msg ?? '', /HELPDESK_AGENTS_GROUP_ID is set but Microsoft Graph is not configured/);
    assert.deepEqual(await roster.mayRegister({ aadObjectId: 'a-group-member', tenantId: 'tenant-1' }), { ok: false, reason: 'not-configured' });
  });

  it('when HELPDESK_AGENTS lists the caller (any letter case), then they may register; anyone else is refused as not an agent', async () => {
    const id = 'A1B2C3D4-0000-4000-8000-000000000001';
    const roster = createAgentRoster(loadConfig({ ...WITH_CREDENTIALS, HELPDESK_AGENTS: id }), { channels, adapter, log: recordingLog() });
    assert.deepEqual(await roster.mayRegister({ aadObjectId: id.toLowerCase(), tenantId: 'tenant-1' }), { ok: true, via: 'allow-list', current: undefined });
    assert.deepEqual(await roster.mayRegister({ aadObjectId: 'someone-else', tenantId: 'tenant-1' }), { ok: false, reason: 'not-agent', current: undefined });
    assert.equal(await roster.isAgent(undefined), false);
    assert.equal(await roster.isAgent(''), false);
  });

  it('when the queue is registered in one tenant, then even a listed agent cannot move it from another tenant', async () => {
    const roster = createAgentRoster(loadConfig({ HELPDESK_AGENTS: 'agent-1' }), { channels, adapter, log: recordingLog() });
    await registerChannel('19:team@thread.tacv2', 'tenant-1');
    const refused = await roster.mayRegister({ aadObjectId: 'agent-1', tenantId: 'tenant-2' });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.reason, 'other-tenant');
    assert.equal((await roster.mayRegister({ aadObjectId: 'agent-1', tenantId: undefined })).ok, false, 'no tenant on the activity is not a match either');
    assert.equal((await roster.mayRegister({ aadObjectId: 'agent-1', tenantId: 'tenant-1' })).ok, true);
  });

  it('when the registered team has members, then they are agents through its roster, cached until the TTL ends', async () => {
    const team = '19:roster-team@thread.tacv2';
    connector.teamMembers.set(team, [{ id: '29:m', name: 'Mia Member', aadObjectId: 'member-1' }]);
    let now = 1_000_000;
    const log = recordingLog();
    const roster = createAgentRoster(loadConfig({}), { channels, adapter, log, clock: () => new Date(now), ttlMs: 300_000, missRefreshMs: 60_000 });
    await registerChannel(team);
    assert.equal(await roster.sourceOf('member-1'), 'team', JSON.stringify(log.entries));
    assert.equal(await roster.isAgent('stranger'), false);
    // The member's Teams id (MRI) comes along: the agent card's refresh names agents by it.
    assert.deepEqual(await roster.agents(), [{ aadObjectId: 'member-1', name: 'Mia Member', mri: '29:m' }]);

    // Removed from the team: still cached for a while, gone once the roster is read again.
    connector.teamMembers.set(team, []);
    now += 30_000;
    assert.equal(await roster.isAgent('member-1'), true, 'from the cache');
    now += 300_000;
    assert.equal(await roster.isAgent('member-1'), false, 're-read after the TTL');
    // A newly added member is found without waiting for the TTL (one re-read a minute).
    connector.teamMembers.set(team, [{ id: '29:n', name: 'Nia New', aadObjectId: 'new-member' }]);
    now += 61_000;
    assert.equal(await roster.isAgent('new-member'), true);
    connector.teamMembers.delete(team);
  });

  it('when the roster cannot be read, then nobody is an agent through it and one warning is logged, not one per check', async () => {
    const log = recordingLog();
    let now = 5_000_000;
    const roster = createAgentRoster(loadConfig({}), { channels, adapter, log, clock: () => new Date(now) });
    await registerChannel('19:unknown-team@thread.tacv2'); // the loopback connector answers 404
    assert.equal(await roster.isAgent('member-1'), false);
    now += 1000;
    assert.equal(await roster.isAgent('member-2'), false);
    now += 120_000;
    assert.equal(await roster.isAgent('member-3'), false);
    const warnings = log.entries.filter((e) => e.level === 'warn');
    assert.equal(warnings.length, 1, JSON.stringify(log.entries));
    assert.match(warnings[0]!.msg ?? '', /could not read the help desk team roster/);
  });

  it('when the bot has credentials and the stored channel address is not a Teams service, then its roster is not read at all', async () => {
    const team = '19:roster-team-2@thread.tacv2';
    connector.teamMembers.set(team, [{ id: '29:m', name: 'Mia Member', aadObjectId: 'member-1' }]);
    const log = recordingLog();
    const roster = createAgentRoster(loadConfig({ ...WITH_CREDENTIALS, HELPDESK_AGENTS: 'listed' }), { channels, adapter, log });
    await registerChannel(team, 'tenant-1', connector.url); // http://127.0.0.1:…, stored while running without credentials
    assert.equal(await roster.isAgent('member-1'), false);
    assert.match(JSON.stringify(log.entries), /untrusted Bot Connector service URL/);
    assert.equal(await roster.isAgent('listed'), true, 'the allow-list still works');
    connector.teamMembers.delete(team);
  });
});

describe('the channel command', () => {
  it('when the words are exactly the command (any case, optional full stop or exclamation mark), then it is the command; anything more or less is not', () => {
    for (const text of [
      'use this channel for tickets',
      'Use This Channel For Tickets',
      '  use this channel for tickets.  ',
      'use this channel for tickets!',
      '<at>Helpdesk</at> use this channel for tickets',
      'use  this channel&nbsp;for tickets',
    ]) {
      assert.equal(isRegistrationCommand(text), true, text);
    }
    for (const text of [
      "please don't use this channel for tickets",
      'use this channel for tickets please',
      'do not use this channel for tickets',
      'use this channel for tickets?',
      'use this channel for tickets!!',
      'use this channel',
      '',
    ]) {
      assert.equal(isRegistrationCommand(text), false, text);
    }
  });
});
