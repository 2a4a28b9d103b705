import type { TeamsAdapter } from '@microsoft/teams-ai';
import restify from 'restify';
import type { Application } from '@microsoft/teams-ai';
import type { HelpdeskTurnState } from './bot/turn-state';
import { ConversationLock } from './bot/conversation-lock';

/** What `/readyz` asks: can the stores be reached? */
export type ReadinessCheck = () => Promise<{ ok: boolean; detail?: string }>;

/** Logger shape the server uses. */
export interface ServerLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The HTTP server: Bot Framework messages, liveness and readiness. */
export function createServer(deps: { adapter: TeamsAdapter; app: Application<HelpdeskTurnState>; ready: ReadinessCheck; log: ServerLogger }): restify.Server {
  const server = restify.createServer({ name: 'signin-helpdesk-bot', handleUncaughtExceptions: false });
  const lock = new ConversationLock();
  server.use(restify.plugins.bodyParser({ maxBodySize: 1_000_000, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    try {
      await deps.adapter.process(req, res, async (context) => {
        await lock.run(context.activity.conversation?.id ?? '', () => deps.app.run(context));
      });
    } catch (error) {
      deps.log.error({ err: (error as Error).message }, 'message processing failed');
      if (!res.headersSent) {
        res.status(500);
        res.json({ error: 'The bot could not process this activity.' });
      }
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.json({ status: 'ok' });
  });

  server.get('/readyz', async (_req, res) => {
    const result = await deps.ready().catch((error: Error) => ({ ok: false, detail: error.message }));
    res.status(result.ok ? 200 : 503);
    res.json({ status: result.ok ? 'ready' : 'not ready', detail: result.detail });
  });
  return server;
}
