import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A held request dropped at `stop()`: its socket is closed, nothing is answered. */
const DROPPED = -1;

/** One call the bot made to the Bot Connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  body: Record<string, unknown>;
  /** The Authorization header the bot sent (its bearer token when it runs with credentials). */
  authorization?: string;
}

/**
 * A Bot Connector stand-in on loopback: it records every activity the bot posts to `serviceUrl`
 * (replies, proactive messages, updates) and answers as the real connector does.
 * `failNext(n)` makes the next n posts fail with 503 (or another status), to test retries;
 * `hangNext(n)` holds the next n writes unanswered until `releaseHung()` (or `stop()`, which drops them);
 * `holdConversation(id)` holds every write to one conversation (a slow connector for that chat only)
 * until `releaseConversation(id)`.
 */
export class LoopbackConnector {
  readonly calls: ConnectorCall[] = [];
  /** Calls answered with a deliberate failure (`failNext`), with what they carried. */
  readonly rejected: Array<ConnectorCall & { status: number }> = [];
  /** Team rosters served at GET /v3/conversations/{teamId}/pagedmembers. */
  readonly teamMembers = new Map<string, Array<{ id: string; name: string; aadObjectId: string }>>();
  private server?: Server;
  private failures = 0;
  /** How many calls were answered with a deliberate failure. */
  failedCount = 0;
  private counter = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => {
          if (status === DROPPED) return;
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (error: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'ServiceError', message: error.message } }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Makes the next `count` POSTs fail with `status` (503 unless told); with `pathPattern`, only POSTs to matching paths. */
  failNext(count: number, pathPattern?: RegExp, status = 503): void {
    this.failures = count;
    this.failPattern = pathPattern;
    this.failStatus = status;
  }

  private failPattern?: RegExp;
  private failStatus = 503;
  private hangs = 0;
  private hangPattern?: RegExp;
  private readonly hung: Array<(outcome: 'release' | 'drop') => void> = [];

  /** Holds the next `count` writes (not GETs) without answering; with `pathPattern`, only writes to matching paths. */
  hangNext(count: number, pathPattern?: RegExp): void {
    this.hangs = count;
    this.hangPattern = pathPattern;
  }

  private messageHolds = 0;

  /**
   * Holds the next `count` message activities the bot posts (not typing indicators) unanswered
   * until `releaseHung()`, so a turn stays in flight for as long as a test needs (e.g. across a SIGTERM).
   */
  holdNextMessage(count = 1): void {
    this.messageHolds = count;
  }

  /** How many requests are being held right now. */
  get hungCount(): number {
    return this.hung.length;
  }

  private readonly heldConversations = new Set<string>();
  private readonly held: Array<{ conversationId: string; release: (outcome: 'release' | 'drop') => void }> = [];

  /** Holds every write (not GETs) to `conversationId` unanswered until `releaseConversation` (or `stop()`, which drops them); other conversations are served as usual. */
  holdConversation(conversationId: string): void {
    this.heldConversations.add(conversationId);
  }

  /** How many writes to `conversationId` are being held right now. */
  heldCount(conversationId: string): number {
    return this.held.filter((h) => h.conversationId === conversationId).length;
  }

  /** Stops holding `conversationId` and lets its held writes through (recorded and answered as usual). */
  releaseConversation(conversationId: string): void {
    this.heldConversations.delete(conversationId);
    for (let i = this.held.length - 1; i >= 0; i--) {
      if (this.held[i]!.conversationId === conversationId) this.held.splice(i, 1)[0]!.release('release');
    }
  }

  /** Lets every held request through: it is then recorded and answered as usual. */
  releaseHung(): void {
    for (const release of this.hung.splice(0)) release('release');
  }

  async stop(): Promise<void> {
    for (const release of this.hung.splice(0)) release('drop');
    for (const { release } of this.held.splice(0)) release('drop');
    this.heldConversations.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Waits until `predicate` holds for the recorded calls (polling), or fails after `timeoutMs`. */
  async waitFor<T>(predicate: (calls: ConnectorCall[]) => T | undefined | false, timeoutMs = 10_000, what = 'connector calls'): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = predicate(this.calls);
      if (found) return found;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Message activities (no typing indicators) posted to one conversation. */
  messages(conversationId?: string): Array<Record<string, unknown>> {
    return this.calls.filter((c) => c.body.type === 'message' && (!conversationId || c.conversationId === conversationId)).map((c) => c.body);
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const path = req.url ?? '';
    const match = /\/v3\/conversations\/([^/]+)(\/activities)?/.exec(path);
    const conversationId = match ? decodeURIComponent(match[1]!) : '';
    const members = /\/v3\/conversations\/([^/]+)\/pagedmembers/.exec(path);
    if (req.method === 'GET' && members) {
      const list = this.teamMembers.get(decodeURIComponent(members[1]!));
      if (!list) return { status: 404, body: { error: { code: 'NotFound', message: 'no such team' } } };
      return { status: 200, body: { members: list.map((m) => ({ ...m, userPrincipalName: `${m.name.split(' ')[0]!.toLowerCase()}@contoso.test` })) } };
    }
    if (req.method !== 'GET' && conversationId && this.heldConversations.has(conversationId)) {
      const outcome = await new Promise<'release' | 'drop'>((resolve) => this.held.push({ conversationId, release: resolve }));
      if (outcome === 'drop') return { status: DROPPED, body: undefined };
    }
    if (this.hangs > 0 && req.method !== 'GET' && (!this.hangPattern || this.hangPattern.test(path))) {
      this.hangs -= 1;
      const outcome = await new Promise<'release' | 'drop'>((resolve) => this.hung.push(resolve));
      if (outcome === 'drop') return { status: DROPPED, body: undefined };
    }
    if (this.messageHolds > 0 && req.method === 'POST' && body.type === 'message') {
      this.messageHolds -= 1;
      const outcome = await new Promise<'release' | 'drop'>((resolve) => this.hung.push(resolve));
      if (outcome === 'drop') return { status: DROPPED, body: undefined };
    }
    if (this.failures > 0 && req.method === 'POST' && (!this.failPattern || this.failPattern.test(path))) {
      this.failures -= 1;
      this.failedCount += 1;
      const status = this.failStatus;
      this.rejected.push({ method: 'POST', path, conversationId, body, status });
      const code = status === 413 ? 'MessageSizeTooBig' : status === 403 ? 'BotNotInConversationRoster' : status === 404 ? 'ConversationNotFound' : 'ServiceUnavailable';
      return { status, body: { error: { code, message: 'loopback connector told to fail' } } };
    }
    if (req.method === 'POST' && /\/v3\/conversations\/?$/.test(path)) {
      this.counter += 1;
      const activityId = `act-${this.counter}`;
      // Teams answers a new channel post with the thread's id: the channel id plus ";messageid=".
      const channel = (body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
      const id = channel ? `${channel};messageid=${activityId}` : `created-conv-${this.counter}`;
      this.calls.push({ method: 'POST', path, conversationId: id, body: { ...((body.activity as object) ?? {}), createdWith: body }, authorization: req.headers.authorization });
      return { status: 201, body: { id, activityId } };
    }
    this.counter += 1;
    this.calls.push({ method: req.method ?? 'POST', path, conversationId, body, authorization: req.headers.authorization });
    return { status: 200, body: { id: `act-${this.counter}` } };
  }
}
