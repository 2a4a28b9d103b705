import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot, type StartOptions } from '../../src/index';
import { actionData, cardsIn, type Json } from './cards';
import { LoopbackConnector } from './loopback-connector';

/**
 * Tests drive conversations at machine speed (dozens of turns a second from one user), far past the
 * per-user flood guard's production defaults: it is opened wide here unless a test sets its own.
 */
const MACHINE_SPEED = { USER_RATE_LIMIT_PER_MINUTE: '6000', USER_RATE_BURST: '1000' };

/** The real bot server on port 0, a loopback Bot Connector, and a temporary data folder. */
export class BotHarness {
  readonly connector = new LoopbackConnector();
  bot?: RunningBot;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-test-'));

  /** When set, each posted activity carries `Authorization: <what it returns>` (a channel token). */
  authorize?: (activity: Json) => string | undefined;

  async start(env: Record<string, string> = {}, tenant?: unknown, options: StartOptions = {}): Promise<void> {
    // A test may start the connector first, to name its URL in the environment (TRUSTED_SERVICE_URLS).
    if (!this.connector.url) await this.connector.start();
    if (tenant) {
      const file = join(this.dataDir, 'tenant.json');
      writeFileSync(file, JSON.stringify(tenant));
      env = { DEMO_TENANT_FILE: file, ...env };
    }
    const config = loadConfig({ PORT: '0', DATA_DIR: join(this.dataDir, 'data'), LOG_LEVEL: 'silent', ...MACHINE_SPEED, ...env });
    this.bot = await startBot(config, options);
  }

  /** Stops the bot only (the data folder stays), to test a restart. */
  async stopBot(): Promise<void> {
    await this.bot?.close();
    this.bot = undefined;
  }

  async restartBot(env: Record<string, string> = {}, tenantFile?: string): Promise<void> {
    await this.stopBot();
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: join(this.dataDir, 'data'),
      LOG_LEVEL: 'silent',
      ...MACHINE_SPEED,
      ...(tenantFile ? { DEMO_TENANT_FILE: tenantFile } : {}),
      ...env,
    });
    this.bot = await startBot(config);
  }

  async stop(): Promise<void> {
    await this.bot?.close();
    await this.connector.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A 1:1 chat with one employee. */
  chat(user: { id?: string; name?: string; aadObjectId?: string }, conversationId = `personal-${Math.random().toString(36).slice(2)}`): Chat {
    return new Chat(this, conversationId, user);
  }

  /** Posts one activity; resolves with the HTTP status and body once the bot finished the turn. */
  async post(activity: Json): Promise<{ status: number; body: unknown }> {
    const authorization = this.authorize?.(activity);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
    const response = await fetch(`${this.bot!.url}/api/messages`, { method: 'POST', headers, body: JSON.stringify(activity) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
}

let sequence = 0;

/** Anything that can post activities to the bot and has a loopback connector (one bot, or several behind a round robin). */
export interface ActivityPoster {
  connector: LoopbackConnector;
  post(activity: Json): Promise<{ status: number; body: unknown }>;
}

/** One conversation driven through the bot's HTTP endpoint, as Teams would. */
export class Chat {
  constructor(
    private readonly harness: ActivityPoster,
    readonly conversationId: string,
    private readonly user: { id?: string; name?: string; aadObjectId?: string },
  ) {}

  private base(extra: Json): Json {
    sequence += 1;
    return {
      channelId: 'msteams',
      serviceUrl: this.harness.connector.url,
      id: `in-${sequence}`,
      timestamp: new Date().toISOString(),
      localTimezone: 'Europe/London',
      conversation: { id: this.conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
      from: { id: this.user.id ?? `29:${this.user.aadObjectId ?? 'anon'}`, name: this.user.name ?? 'Test User', aadObjectId: this.user.aadObjectId },
      recipient: { id: '28:bot', name: 'Helpdesk' },
      channelData: { tenant: { id: 'tenant-1' } },
      ...extra,
    };
  }

  /** Sends an activity and returns the message activities the bot sent during the turn. */
  async send(extra: Json): Promise<Json[]> {
    const before = this.harness.connector.calls.length;
    const result = await this.harness.post(this.base(extra));
    if (result.status >= 300) throw new Error(`bot answered ${result.status}: ${JSON.stringify(result.body)}`);
    this.lastInvokeBody = result.body;
    return this.harness.connector.calls
      .slice(before)
      .filter((c) => c.conversationId === this.conversationId && c.body.type === 'message')
      .map((c) => c.body);
  }

  lastInvokeBody: unknown;

  say(text: string): Promise<Json[]> {
    return this.send({ type: 'message', text });
  }

  /** Action.Submit: a message whose value is the action's data. */
  submit(data: Json): Promise<Json[]> {
    return this.send({ type: 'message', value: data });
  }

  /** Action.Execute: an adaptiveCard/action invoke; `replyToId` names the pressed card's message, as Teams sends it. */
  execute(data: Json, replyToId?: string): Promise<Json[]> {
    return this.send({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: data.verb, data } }, ...(replyToId ? { replyToId } : {}) });
  }
}

/** All cards in a batch of activities. */
export function cardsOf(activities: Json[]): Json[] {
  return activities.flatMap(cardsIn);
}

/** The first action data with `verb` among the cards. */
export function findAction(activities: Json[], verb: string, match: Json = {}): Json | undefined {
  return cardsOf(activities)
    .flatMap(actionData)
    .find((d) => d.verb === verb && Object.entries(match).every(([k, v]) => d[k] === v));
}
