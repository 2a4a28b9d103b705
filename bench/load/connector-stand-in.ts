/**
 * A lean Bot Connector stand-in on 127.0.0.1 for the load benchmark. Like
 * test/support/loopback-connector.ts it answers the connector's REST calls, but it keeps
 * nothing beyond the turn in progress: the activities posted to a conversation are handed to
 * whoever `expect`s them and otherwise only counted, so 10,000 conversations cost it no memory.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Json = Record<string, unknown>;

/** What the stand-in counted since `resetCounts()`. */
export interface ConnectorCounts {
  messages: number;
  typing: number;
  /** PUTs (activity updates) and other writes that are not new messages. */
  otherWrites: number;
  /** Bytes of request bodies received. */
  bytes: number;
}

/** The activity's `type` without parsing the whole body (botbuilder writes it among the first fields). */
function typeOf(raw: Buffer): string | undefined {
  return /"type"\s*:\s*"([^"]+)"/.exec(raw.subarray(0, 512).toString('utf8'))?.[1];
}

export class ConnectorStandIn {
  url = '';
  counts: ConnectorCounts = { messages: 0, typing: 0, otherWrites: 0, bytes: 0 };
  /** Delay before answering each call (a slow connector). */
  delayMs = 0;
  private server?: Server;
  private readonly collectors = new Map<string, Json[]>();
  private counter = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  resetCounts(): void {
    this.counts = { messages: 0, typing: 0, otherWrites: 0, bytes: 0 };
  }

  /** Starts collecting the message activities posted to `conversationId` (call before the turn). */
  expect(conversationId: string): void {
    this.collectors.set(conversationId, []);
  }

  /** The message activities posted to `conversationId` since `expect`, and stops collecting. */
  take(conversationId: string): Json[] {
    const found = this.collectors.get(conversationId) ?? [];
    this.collectors.delete(conversationId);
    return found;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    this.counts.bytes += raw.length;
    const path = req.url ?? '';
    let status = 200;
    let body: unknown;
    this.counter += 1;
    if (req.method === 'POST' && /\/v3\/conversations\/?$/.test(path)) {
      // A new conversation: a proactive chat, or a post in the help desk channel, which Teams
      // answers with the thread's id (the channel id plus ";messageid=").
      this.counts.otherWrites += 1;
      status = 201;
      const created = (raw.length ? JSON.parse(raw.toString('utf8')) : {}) as { channelData?: { channel?: { id?: string } } };
      const channel = created.channelData?.channel?.id;
      body = { id: channel ? `${channel};messageid=act-${this.counter}` : `created-conv-${this.counter}`, activityId: `act-${this.counter}` };
    } else if (req.method === 'POST') {
      const match = /\/v3\/conversations\/([^/]+)\/activities/.exec(path);
      const collector = this.collectors.get(match ? decodeURIComponent(match[1]!) : '');
      // Parsed only when someone waits for it: the stand-in must stay cheap next to the server under test.
      const activity = collector && raw.length ? (JSON.parse(raw.toString('utf8')) as Json) : undefined;
      const type = activity ? activity.type : typeOf(raw);
      if (type === 'typing') this.counts.typing += 1;
      else if (type === 'message') {
        this.counts.messages += 1;
        if (activity) collector?.push(activity);
      } else this.counts.otherWrites += 1;
      body = { id: `act-${this.counter}` };
    } else if (req.method === 'GET' && /\/pagedmembers/.test(path)) {
      body = { members: [] };
    } else if (req.method === 'GET') {
      status = 404;
      body = { error: { code: 'NotFound', message: 'not served by the benchmark connector' } };
    } else {
      this.counts.otherWrites += 1;
      body = { id: `act-${this.counter}` };
    }
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
