import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Application } from '@microsoft/teams-ai';
import type { Activity, InvokeResponse, TurnContext } from 'botbuilder';
import type { AuthenticateRequestResult } from 'botframework-connector';
import type { Server as HttpServer } from 'node:http';
import restify from 'restify';
import { checkChannelToken, InboundAuthError, type OpenIdKeySet } from './bot/channel-token-check';
import { ConversationLock } from './bot/conversation-lock';
import { CHANNEL_TOKEN_ISSUER, type HelpdeskAdapter } from './bot/helpdesk-adapter';
import { looksLikeActivity, readInboundActivity } from './bot/inbound-activity';
import { isTrustedServiceUrl, type ServiceUrlPolicy } from './bot/service-url-policy';
import type { Logger } from './logger';
import { tenantOf, tenantRefusal, type TenantGuard } from './bot/tenant-guard';
import { withTypingIndicator } from './bot/typing-indicator';
import type { UserRateGuard } from './bot/user-rate-limit';
import type { HelpdeskTurnState } from './bot/turn-state';

/** What `/readyz` asks. `degraded` (still 200) means serving, but something needs an agent's attention. */
export type ReadinessCheck = () => Promise<{ ok: boolean; degraded?: boolean; detail?: string }>;

/** The server logs through the app's one logger type. */
export type ServerLogger = Logger;

/** Inbound token checking, when the bot has credentials. */
export interface InboundAuthentication {
  appId: string;
  keys: OpenIdKeySet;
}

/**
 * Counts the turns in flight, so a shutdown can stop taking new ones and wait for the rest.
 */
export class InFlightTurns {
  private count = 0;
  private waiters: Array<() => void> = [];
  /** Set once shutdown begins: new activities are turned away. */
  draining = false;

  get size(): number {
    return this.count;
  }

  begin(): void {
    this.count += 1;
  }

  end(): void {
    this.count -= 1;
    if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Stops taking turns and waits for the running ones, at most `timeoutMs`. True when all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    if (this.count === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      new Promise<boolean>((resolve) => this.waiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return finished;
  }
}

/** The dependencies of the HTTP server. */
export interface ServerDeps {
  /** Static pages by path (`/privacy`, `/terms`), served as HTML. */
  pages?: Record<string, string>;
  adapter: HelpdeskAdapter;
  app: Application<HelpdeskTurnState>;
  ready: ReadinessCheck;
  log: ServerLogger;
  /** Undefined when the bot runs without credentials (local use): no token is checked. */
  auth?: InboundAuthentication;
  serviceUrls: ServiceUrlPolicy;
  tenants: TenantGuard;
  turns?: InFlightTurns;
  /** The per-user flood guard; without it every activity runs its turn. */
  userRateGuard?: UserRateGuard;
}

const ADAPTIVE_CARD_ACTION = 'adaptiveCard/action';
/** How Teams shows a short text answer to an Action.Execute (under the card that was pressed). */
const INVOKE_MESSAGE_TYPE = 'application/vnd.microsoft.activity.message';
const UNUSABLE_BUTTON = 'That button didn\'t send anything I can use. Please try again, or type "help".';
const UNFINISHED_ACTION = 'I couldn\'t finish that. Please try again, or type "help".';

/** An invoke response that shows `text` to the person who pressed the button. */
function invokeMessage(text: string): InvokeResponse {
  return { status: 200, body: { statusCode: 200, type: INVOKE_MESSAGE_TYPE, value: text } };
}

/** True when an adaptiveCard/action invoke carries the Action.Execute data the bot routes on. */
function hasExecuteAction(activity: Activity): boolean {
  const action = (activity.value as { action?: { type?: unknown; verb?: unknown } } | undefined)?.action;
  return typeof action === 'object' && action !== null && action.type === 'Action.Execute' && typeof action.verb === 'string';
}

/** Whether a refused tenant should be told so: only when someone wrote, pressed a button or added the bot. */
function deservesTenantRefusal(activity: Activity): boolean {
  if (activity.type === 'message') return true;
  if (activity.type === 'conversationUpdate') return (activity.membersAdded ?? []).some((m) => m.id === activity.recipient.id);
  if (activity.type === 'installationUpdate') return (activity as { action?: unknown }).action === 'add';
  return false;
}

/** A one-line reason from any error, for the log. */
function reasonOf(error: unknown): string {
  if (error instanceof InboundAuthError) return error.reason;
  return String((error as Error)?.message ?? error)
    .split('\n')[0]!
    .slice(0, 200);
}

/**
 * How long an idle keep-alive connection stays open (Node's default is 5 s). Node accepts one new
 * connection per event-loop turn, so under load a fresh connection waits behind the turns already
 * running before its message is read; a caller that reuses its connections keeps them through a
 * lull instead of reconnecting in the next burst (docs/capacity.md §2).
 */
export const IDLE_CONNECTION_KEEP_MS = 120_000;

/** The HTTP server: Bot Framework messages, liveness and readiness. */
export function createServer(deps: ServerDeps): restify.Server {
  const { adapter, log } = deps;
  const server = restify.createServer({ name: 'signin-helpdesk-bot', handleUncaughtExceptions: false });
  server.server.keepAliveTimeout = IDLE_CONNECTION_KEEP_MS;
  const lock = new ConversationLock();
  const turns = deps.turns ?? new InFlightTurns();
  server.use(restify.plugins.bodyParser({ maxBodySize: 1_000_000, mapParams: false }));

  // restify's own errors (unparsable JSON, too large, unknown route) get a generic body too.
  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number; toJSON?: () => unknown }, callback: () => void) => {
    const status = err.statusCode ?? 500;
    err.toJSON = () => ({ error: status === 404 ? 'not found' : status === 413 ? 'payload too large' : status < 500 ? 'bad request' : 'internal error' });
    if (req.path() === '/api/messages') log.warn({ status, reason: reasonOf(err) }, 'request refused: unreadable body');
    callback();
  });

  const refuse = (res: restify.Response, status: number, error: string, logObj: object, msg: string): void => {
    log.warn(logObj, msg);
    if (status === 401) res.header('WWW-Authenticate', 'Bearer');
    res.json(status, { error });
  };

  const authenticate = async (body: Record<string, unknown>, authHeader: string | undefined): Promise<AuthenticateRequestResult> => {
    if (deps.auth) await checkChannelToken(authHeader, body, deps.auth.keys, { issuer: CHANNEL_TOKEN_ISSUER, appId: deps.auth.appId });
    // botbuilder stays the authority: it repeats the checks and builds the outbound connector.
    return adapter.authenticateRequest(body as unknown as Activity, authHeader ?? '');
  };

  const runTurn = (auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> =>
    adapter.runAuthenticated(auth, activity, logic);

  const handleMessage = async (req: restify.Request, res: restify.Response): Promise<void> => {
    const body: unknown = req.body;
    if (!looksLikeActivity(body)) {
      refuse(res, 400, 'bad request', { problem: 'body is not an activity with a type' }, 'request refused: malformed activity');
      return;
    }
    const authHeader = typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined;
    let auth: AuthenticateRequestResult;
    try {
      auth = await authenticate(body, authHeader);
    } catch (error) {
      refuse(res, 401, 'unauthorized', { reason: reasonOf(error) }, 'request refused: unauthorized');
      return;
    }
    const inbound = readInboundActivity(body);
    if (!inbound.ok) {
      refuse(res, 400, 'bad request', { problem: inbound.problem, activityType: String(body.type).slice(0, 64) }, 'request refused: malformed activity');
      return;
    }
    const activity = inbound.activity;
    /** One plain line answered without a turn (no state is read); a failed send is only logged, never the "turn failed" card. */
    const sendPlainLine = (to: Activity, text: string, what: string): Promise<InvokeResponse | undefined> =>
      runTurn(auth, to, async (context) => {
        await context.sendActivity({ type: 'message', text, textFormat: 'plain' }).catch((error: Error) => log.warn({ err: reasonOf(error) }, `could not send ${what}`));
      });
    if (!isTrustedServiceUrl(activity.serviceUrl, deps.serviceUrls)) {
      // With credentials set a reply would carry the bot's token there; without, the URL is unusable.
      const status = deps.serviceUrls.enforced ? 401 : 400;
      refuse(res, status, status === 401 ? 'unauthorized' : 'bad request', { serviceUrl: activity.serviceUrl.slice(0, 200) }, 'request refused: untrusted serviceUrl');
      return;
    }
    if (!deps.tenants.admits(activity)) {
      log.warn({ tenant: tenantOf(activity)?.slice(0, 100) ?? null, activityType: activity.type }, 'activity refused: tenant not served');
      if (activity.type === 'invoke') {
        const refusal = invokeMessage(tenantRefusal(activity.locale));
        res.json(refusal.status, refusal.body);
        return;
      }
      if (deservesTenantRefusal(activity)) await sendPlainLine(activity, tenantRefusal(activity.locale), 'the tenant refusal');
      res.send(200);
      return;
    }
    if (activity.type === 'invoke' && activity.name === ADAPTIVE_CARD_ACTION && !hasExecuteAction(activity)) {
      // teams-ai would answer 501 and Teams would show nothing; a short message under the card says what happened.
      log.warn({ activityType: activity.type, name: activity.name }, 'card action without action data');
      const answer = invokeMessage(UNUSABLE_BUTTON);
      res.json(answer.status, answer.body);
      return;
    }

    // Over a person's limit: answered here, before any state is read, and never queued.
    const overLimit = deps.userRateGuard?.check(activity);
    if (overLimit?.kind === 'invoke') {
      const answer = invokeMessage(overLimit.text);
      res.json(answer.status, answer.body);
      return;
    }
    if (overLimit) {
      if (overLimit.kind === 'notice') await sendPlainLine(activity, overLimit.text, 'the rate limit notice');
      res.send(200);
      return;
    }

    // Only turns of the same conversation wait for each other (the lock is per conversation, the typing timer per turn).
    const result = await runTurn(auth, activity, async (context) => {
      await lock.run(activity.conversation.id, () => withTypingIndicator(context, () => deps.app.run(context)));
    });
    if (activity.type === 'invoke' && (!result || result.status === 501)) {
      if (activity.name === ADAPTIVE_CARD_ACTION) {
        // The turn failed (the user was told in the chat); the card still gets an answer instead of Teams' error banner.
        const answer = invokeMessage(UNFINISHED_ACTION);
        res.json(answer.status, answer.body);
      } else {
        refuse(res, 400, 'unsupported invoke', { name: String(activity.name ?? '').slice(0, 100) }, 'request refused: unsupported invoke');
      }
      return;
    }
    if (result?.body !== undefined) res.json(result.status, result.body);
    else res.send(result?.status ?? 200);
  };

  server.post('/api/messages', async (req, res) => {
    if (turns.draining) {
      res.header('Connection', 'close');
      res.header('Retry-After', '5');
      res.json(503, { error: 'shutting down' });
      return;
    }
    turns.begin();
    try {
      await handleMessage(req, res);
    } catch (error) {
      log.error({ err: reasonOf(error) }, 'message processing failed');
      if (!res.headersSent) res.json(500, { error: 'internal error' });
    } finally {
      turns.end();
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Readiness details (storage endpoints, error text) go to the log, once per change, never to the caller.
  let lastState = 'ready|';
  server.get('/readyz', async (_req, res) => {
    const result = await deps.ready().catch((error: Error) => ({ ok: false, degraded: false, detail: error.message }));
    const status = !result.ok ? 'not ready' : result.degraded ? 'degraded' : 'ready';
    const state = `${status}|${result.detail ?? ''}`;
    if (state !== lastState) {
      lastState = state;
      if (status === 'ready') log.info({ status }, 'readiness changed');
      else log.warn({ status, detail: result.detail }, 'readiness changed');
    }
    res.json(result.ok ? 200 : 503, { status });
  });

  // The privacy statement and terms of use the Teams manifest points to (content/en/pages).
  for (const [path, html] of Object.entries(deps.pages ?? {})) {
    server.get(path, (_req, res, next) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' });
      res.end(html);
      next();
    });
  }
  return server;
}

/** The static pages the bot serves, read once at start-up: `/privacy` and `/terms`. */
export function readPages(contentDir: string): Record<string, string> {
  const pages: Record<string, string> = {};
  for (const name of ['privacy', 'terms']) pages[`/${name}`] = readFileSync(join(contentDir, 'en', 'pages', `${name}.html`), 'utf8');
  // The manifest's website URL is the bot's root: a short page that links the two above.
  pages['/'] = readFileSync(join(contentDir, 'en', 'pages', 'index.html'), 'utf8');
  return pages;
}

/**
 * Stops the server gracefully: no new activities (503 while draining), running turns finish
 * (at most `timeoutMs`), then the listener and its idle connections close. True when every
 * turn finished in time.
 */
export async function drainServer(server: restify.Server, turns: InFlightTurns, timeoutMs: number): Promise<boolean> {
  const http = (server as unknown as { server: HttpServer }).server;
  const closed = new Promise<void>((resolve) => {
    server.close(() => resolve());
  });
  const finished = await turns.drain(timeoutMs);
  http.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
  clearTimeout(timer);
  http.closeAllConnections();
  return finished;
}
