import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildScenarioTenant, SCENARIOS } from '../fixtures/scenario-tenant';
import { BotHarness } from '../support/bot-harness';
import { openTicket } from '../support/handoff-helpers';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('e2e: the outbound webhook mirrors ticket changes', function () {
  this.timeout(60_000);
  const received: Received[] = [];
  let failFirst = 1;
  let server: Server;
  const h = new BotHarness();
  const secret = 'test-webhook-secret';

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (failFirst > 0) {
          failFirst -= 1;
          res.statusCode = 500;
          res.end();
          return;
        }
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/itsm`;
    await h.start({ WEBHOOK_URL: url, WEBHOOK_SECRET: secret, OUTBOX_RETRY_BASE_MS: '20' }, buildScenarioTenant(new Date()));
  });
  after(async () => {
    await h.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('when a ticket is opened and withdrawn, then each change is POSTed once with a valid HMAC signature, after a failed first try', async () => {
    const s = SCENARIOS.find((x) => x.causeId === 'stale-credentials')!;
    const chat = h.chat({ aadObjectId: s.userId, name: 'Erin Employee' });
    const ticketId = await openTicket(chat, s.firstMessage, s.answers);
    await chat.submit({ verb: 'ticket.withdraw', ticketId });
    await h.connector.waitFor(() => (received.length >= 2 ? true : undefined), 15_000, 'two webhook deliveries');
    const events = received.map((r) => JSON.parse(r.body) as { event: string; ticket: { id: string; requesterAddress?: unknown; status: string } });
    assert.deepEqual(events.map((e) => e.event).sort(), ['created', 'withdrawn']);
    for (const r of received) {
      const expected = `sha256=${createHmac('sha256', secret).update(r.body).digest('hex')}`;
      assert.equal(r.headers['x-helpdesk-signature'], expected);
    }
    for (const e of events) {
      assert.equal(e.ticket.id, ticketId);
      assert.equal(e.ticket.requesterAddress, undefined, 'no internal addresses leave the bot');
    }
    assert.equal(failFirst, 0, 'the first delivery failed and was retried');
  });
});
