import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made to the Bot Connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  body: Record<string, unknown>;
}

/**
 * A Bot Connector stand-in on loopback: it records every activity the bot posts to `serviceUrl`
 * (replies, proactive messages, updates) and answers as the real connector does.
 * `failNext(n)` makes the next n posts fail with 503, to test retries.
 */
export class LoopbackConnector {
  readonly calls: ConnectorCall[] = [];
  private server?: Server;
  private failures = 0;
  private counter = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => {
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

  failNext(count: number): void {
    this.failures = count;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
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
    if (this.failures > 0 && req.method === 'POST') {
      this.failures -= 1;
      return { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'loopback connector told to fail' } } };
    }
    if (req.method === 'POST' && /\/v3\/conversations\/?$/.test(path)) {
      this.counter += 1;
      const id = `created-conv-${this.counter}`;
      this.calls.push({ method: 'POST', path, conversationId: id, body });
      return { status: 201, body: { id, activityId: `act-${this.counter}` } };
    }
    this.counter += 1;
    this.calls.push({ method: req.method ?? 'POST', path, conversationId, body });
    return { status: 200, body: { id: `act-${this.counter}` } };
  }
}
