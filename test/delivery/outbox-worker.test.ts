import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxWorker, type Deliver } from '../../src/delivery/outbox-worker';
import { DeliveryNotReadyError, PermanentDeliveryError, type OutboxItem } from '../../src/domain/outbox';
import { createSqliteStores } from '../../src/store/sqlite-stores';
import type { Stores } from '../../src/store/stores';

/** Collects what the worker logs, by level. */
class MemoryLog {
  readonly lines: Array<{ level: string; obj: object; msg?: string }> = [];
  info(obj: object, msg?: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }
}

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('OutboxWorker (real SQLite outbox)', function () {
  this.timeout(30_000);
  let dir: string;
  let stores: Stores;
  let worker: OutboxWorker | undefined;
  const log = new MemoryLog();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-worker-'));
    stores = createSqliteStores(dir);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (deliver: Deliver, options: Partial<ConstructorParameters<typeof OutboxWorker>[0]> = {}): OutboxWorker => {
    worker = new OutboxWorker({ outbox: stores.outbox, deliver, log, pollMs: 20, retryBaseMs: 20, ...options });
    worker.start();
    return worker;
  };

  it('when a delivery hangs past its timeout, then it is abandoned (its signal aborts) and retried, while another ticket is delivered meanwhile', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const delivered: string[] = [];
    let firstSignal: AbortSignal | undefined;
    let tries = 0;
    start(
      async (item, signal) => {
        if (item.payload.ticketId === 'HD-000001' && ++tries === 1) {
          firstSignal = signal;
          await held;
        }
        delivered.push(String(item.payload.ticketId));
      },
      { deliveryTimeoutMs: 200, concurrency: 2 },
    );
    await stores.outbox.enqueue('channel-card', { ticketId: 'HD-000001' }, Date.now());
    await stores.outbox.enqueue('channel-card', { ticketId: 'HD-000002' }, Date.now());
    await until(() => delivered.includes('HD-000001'), 'the retried delivery');
    assert.deepEqual(delivered, ['HD-000002', 'HD-000001'], 'the other ticket went first, while the first try hung');
    assert.equal(tries, 2);
    assert.equal(firstSignal?.aborted, true, 'the abandoned attempt was told to stop');
    assert.equal(await stores.outbox.pendingCount(), 0);
    release();
    await until(() => log.lines.some((l) => l.msg === 'an abandoned outbox delivery finished after all'), 'the late finish to be logged');
    assert.equal(await stores.outbox.deadLetterCount(), 0);
  });

  it('when a delivery keeps failing, then after maxAttempts it is dead-lettered and one notice is delivered; a permanent failure is dead-lettered at once', async () => {
    const calls = new Map<string, number>();
    const notices: OutboxItem[] = [];
    start(
      async (item) => {
        calls.set(item.kind, (calls.get(item.kind) ?? 0) + 1);
        if (item.kind === 'dead-letter-notice') {
          notices.push(item);
          return;
        }
        if (item.kind === 'webhook') throw new PermanentDeliveryError('the Bot Connector answered 403');
        throw new Error('HTTP 503 from the connector');
      },
      { maxAttempts: 3 },
    );
    await stores.outbox.enqueue('notify-employee', { ticketId: 'HD-000001', text: 'hi' }, Date.now());
    await stores.outbox.enqueue('webhook', { ticketId: 'HD-000002' }, Date.now());
    await until(() => notices.length === 2, 'two dead-letter notices');
    await worker!.idle();
    assert.equal(calls.get('notify-employee'), 3, 'tried maxAttempts times');
    assert.equal(calls.get('webhook'), 1, 'a permanent failure is not retried');
    assert.deepEqual(notices.map((n) => [n.payload.deadKind, n.payload.ticketId]).sort(), [
      ['notify-employee', 'HD-000001'],
      ['webhook', 'HD-000002'],
    ]);
    assert.equal(await stores.outbox.deadLetterCount(), 2);
    assert.deepEqual((await stores.outbox.listDeadLetters(10)).map((d) => d.lastError).sort(), ['HTTP 503 from the connector', 'the Bot Connector answered 403']);
  });

  it('when items share a ticket, then they are delivered in order even across a retry; no more than `concurrency` run at once', async () => {
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    let failedOnce = false;
    start(
      async (item) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running -= 1;
        if (item.payload.text === 'first' && !failedOnce) {
          failedOnce = true;
          throw new Error('HTTP 502');
        }
        order.push(String(item.payload.text));
      },
      { concurrency: 2 },
    );
    const now = Date.now();
    await stores.outbox.enqueue('channel-reply', { ticketId: 'HD-000001', text: 'first' }, now);
    await stores.outbox.enqueue('channel-reply', { ticketId: 'HD-000001', text: 'second' }, now);
    for (let i = 0; i < 4; i++) await stores.outbox.enqueue('incident-card', { text: `other ${i}` }, now);
    await until(() => order.length === 6, 'every delivery');
    assert.ok(order.indexOf('first') < order.indexOf('second'), order.join(', '));
    assert.ok(peak <= 2, `peak concurrency ${peak}`);
    assert.equal(peak, 2, 'independent items ran in parallel');
  });

  it('when a delivery waits for the help desk channel, then the waits use up no attempts', async () => {
    let tries = 0;
    start(
      async () => {
        tries += 1;
        if (tries <= 3) throw new DeliveryNotReadyError('no help desk channel yet');
      },
      { maxAttempts: 1 },
    );
    await stores.outbox.enqueue('channel-card', { ticketId: 'HD-000001' }, Date.now());
    await until(async () => tries === 4 && (await stores.outbox.pendingCount()) === 0, 'the delivery after the waits');
    assert.equal(await stores.outbox.deadLetterCount(), 0);
  });

  it('when an item is claimed, then its lease lasts at least four delivery timeouts', async () => {
    const T = Date.UTC(2026, 10, 21, 10, 0, 0);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimed = false;
    start(
      async () => {
        claimed = true;
        await held;
      },
      { deliveryTimeoutMs: 5000, leaseMs: 100, clock: () => new Date(T) },
    );
    await stores.outbox.enqueue('channel-card', { ticketId: 'HD-000001' }, T);
    await until(() => claimed, 'the claim');
    assert.deepEqual(await stores.outbox.claimDue(T + 19_999, 1000, 10), []);
    assert.equal((await stores.outbox.claimDue(T + 20_000, 1000, 10)).length, 1);
    release();
  });
});
