import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RateBudgetStore } from '../../src/domain/rate-budget';
import { GraphDirectory } from '../../src/graph/graph-directory';
import { RateLimitWaitError, SlidingWindowLimiter, type ReportsLimiter } from '../../src/graph/rate-limiter';
import { SharedReportsLimiter } from '../../src/graph/shared-reports-limiter';
import { SqliteRateBudgetStore } from '../../src/store/sqlite-rate-budget';
import { FakeGraphServer } from '../support/fake-graph-server';
import { buildBurstTenant, maxInWindow, tokenDouble } from './graph-test-kit';

const NOW = new Date('2026-03-10T12:34:56.789Z');
const TOKEN = 'shared-budget-token';
/** Time scaled 1:10: the server allows 5 reports requests per 1 s. */
const WINDOW_MS = 1000;

/**
 * Two bot instances (two GraphDirectory objects, each with its own limiter and tenant feed) on
 * one fake Graph that answers 429 beyond 5 reports requests per window. With the shared budget
 * (two SharedReportsLimiters over separate connections to one SQLite file) the server never sees
 * more than 5 in a window; with a limiter each, it does.
 */
describe('one reports budget for the whole deployment (two instances, one store)', function () {
  this.timeout(60_000);
  let server: FakeGraphServer;
  let dir: string;
  const stores: SqliteRateBudgetStore[] = [];
  const { tenant, users } = buildBurstTenant(NOW, 60);

  before(async () => {
    server = await FakeGraphServer.start(tenant, { requireToken: TOKEN, reportsLimit: { max: 5, windowMs: WINDOW_MS } });
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    dir = mkdtempSync(join(tmpdir(), 'shared-budget-'));
  });
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function instance(limiter: ReportsLimiter): GraphDirectory {
    const started = Date.now();
    return new GraphDirectory({
      credential: tokenDouble({ token: TOKEN }),
      baseUrl: server.url,
      clock: () => new Date(NOW.getTime() + (Date.now() - started)),
      timeBudgetMs: 8000,
      reportsLimiter: limiter,
      tenantFeed: { maxAgeMs: 1000, minRefreshIntervalMs: 500, morePagesWaitMs: 100 },
    });
  }

  function sharedLimiter(): SharedReportsLimiter {
    const store = SqliteRateBudgetStore.open(dir);
    stores.push(store);
    return new SharedReportsLimiter({ store, key: 'graph-reports:tenant-1', windowMs: WINDOW_MS, marginMs: 60, pollMs: 20 });
  }

  /** 60 employees, alternating between the instances, arriving over 1.5 s. */
  async function burst(a: GraphDirectory, b: GraphDirectory) {
    return Promise.all(
      users.map(async ({ id }, i) => {
        await new Promise((r) => setTimeout(r, (1500 * i) / users.length));
        return (i % 2 === 0 ? a : b).lookup(id);
      }),
    );
  }

  it('when two instances share the budget through the store, then the server never sees more than 5 reports requests in a window, and everyone gets evidence', async () => {
    const results = await burst(instance(sharedLimiter()), instance(sharedLimiter()));
    assert.deepEqual(
      results.filter((r) => !r.ok).map((r) => !r.ok && r.failure.kind),
      [],
      'every lookup has evidence',
    );
    assert.equal(server.breaches, 0, 'no 429 from the reports limit');
    assert.ok(maxInWindow(server.reportsArrivals(), WINDOW_MS) <= 5, `max ${maxInWindow(server.reportsArrivals(), WINDOW_MS)} in a window`);
    assert.ok(server.reportsArrivals().length >= 4, 'both instances read');
  });

  it('when each instance has a limiter of its own, then together they exceed the tenant limit (what the shared budget prevents)', async () => {
    const own = () => new SlidingWindowLimiter({ maxRequests: 5, windowMs: WINDOW_MS, marginMs: 60 });
    await burst(instance(own()), instance(own()));
    assert.ok(maxInWindow(server.reportsArrivals(), WINDOW_MS) > 5 || server.breaches > 0, `max ${maxInWindow(server.reportsArrivals(), WINDOW_MS)}, breaches ${server.breaches}`);
  });
});

describe('SharedReportsLimiter', () => {
  /** A store that is down. */
  const down: RateBudgetStore = {
    take: async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:10002');
    },
    release: async () => {
      throw new Error('down');
    },
    peek: async () => {
      throw new Error('down');
    },
  };

  it('when the store cannot be reached, then it grants through a local limiter of one request per window and says so in the log', async () => {
    const lines: string[] = [];
    const limiter = new SharedReportsLimiter({ store: down, key: 'k', windowMs: 60_000, logger: { info: () => undefined, warn: (_o, m) => lines.push(m ?? '') } });
    const lease = await limiter.acquireLease(1, { maxWaitMs: 100 });
    lease.settle();
    await assert.rejects(limiter.acquireLease(1, { maxWaitMs: 100 }), RateLimitWaitError, 'only one per window while the store is down');
    assert.equal(limiter.stats.fallbackGrants, 1);
    assert.ok(
      lines.some((l) => /store unreachable; using a local limiter/.test(l)),
      lines.join('\n'),
    );
  });

  it('when every slot is held by a request in flight, then a waiter is served as soon as one answer arrives, not a window later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shared-held-'));
    const store = SqliteRateBudgetStore.open(dir);
    try {
      const limiter = new SharedReportsLimiter({ store, key: 'k', maxRequests: 1, windowMs: 200, marginMs: 0, pollMs: 10 });
      const first = await limiter.acquireLease(1);
      const waiting = limiter.acquireLease(1, { maxWaitMs: 5000 });
      setTimeout(() => first.settle(), 50);
      const started = Date.now();
      (await waiting).settle();
      const waited = Date.now() - started;
      assert.ok(waited >= 200, `counted from the answer: waited ${waited} ms`);
      assert.ok(waited < 2000, `not the whole hold: waited ${waited} ms`);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when the wait for a slot would pass the caller’s limit, then it is refused with the wait it would need', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shared-wait-'));
    const store = SqliteRateBudgetStore.open(dir);
    try {
      const limiter = new SharedReportsLimiter({ store, key: 'k', maxRequests: 2, windowMs: 10_000, marginMs: 0 });
      await limiter.acquire(2);
      await assert.rejects(limiter.acquireLease(1, { maxWaitMs: 300 }), (e: unknown) => e instanceof RateLimitWaitError && e.waitMs > 9000);
      assert.equal(limiter.inUse(), 2, 'the estimate sees the slots in use');
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
