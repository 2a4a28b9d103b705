import assert from 'node:assert/strict';
import type { LookupResult } from '../../src/domain/directory';
import { GraphDirectory } from '../../src/graph/graph-directory';
import { RateLimitWaitError, SlidingWindowLimiter } from '../../src/graph/rate-limiter';
import { SCENARIOS, buildScenarioTenant } from '../fixtures/scenario-tenant';
import { FakeGraphServer } from '../support/fake-graph-server';
import { tokenDouble } from './graph-test-kit';

function fakeClock() {
  const clock = { t: 0, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) };
  return clock;
}

describe('SlidingWindowLimiter leases (slots held while a request is in flight)', () => {
  it('when a lease is in flight, then its slot stays taken however long it takes, and its window starts when it settles', () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter({ maxRequests: 2, windowMs: 1000, now: clock.now, sleep: clock.sleep });
    const lease = limiter.tryAcquireLease();
    assert.ok(lease, 'a lease');
    assert.ok(limiter.tryAcquire(), 'a plain slot');
    clock.t = 5000;
    assert.equal(limiter.inUse(), 1, 'the plain slot left the window, the lease did not');
    assert.equal(limiter.waitTimeMs(2), Number.POSITIVE_INFINITY, 'waiting on the lease');
    lease.settle();
    lease.settle(); // idempotent
    assert.equal(limiter.waitTimeMs(2), 1000, 'the window counts from the settle');
    clock.t = 6000;
    assert.equal(limiter.waitTimeMs(2), 0, 'free a window after the settle');
  });

  it('when a caller waits behind leases in flight, then it is granted a window after one settles', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter({ maxRequests: 1, windowMs: 1000, now: clock.now, sleep: clock.sleep });
    const first = limiter.tryAcquireLease()!;
    let grantedAt = -1;
    const waiting = limiter.acquireLease(1).then((l) => {
      grantedAt = clock.t;
      l.settle();
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(grantedAt, -1, 'still waiting');
    clock.t = 300;
    first.settle();
    await waiting;
    assert.equal(grantedAt, 1300, 'one window after the settle');
  });

  it('when leases stay in flight past maxWaitMs, then acquire gives up with RateLimitWaitError', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter({ maxRequests: 1, windowMs: 1000, now: clock.now, sleep: clock.sleep });
    limiter.tryAcquireLease();
    await assert.rejects(limiter.acquireLease(1, { maxWaitMs: 500 }), (e: unknown) => e instanceof RateLimitWaitError && e.waitMs === Number.POSITIVE_INFINITY);
  });
});

describe('GraphDirectory and the reports limit when a request leaves late', () => {
  it('when the first request is held up 300 ms before it reaches Graph (a cold connection), then the server still never sees more than 5 reports requests in a window', async () => {
    const now = new Date('2026-03-10T12:34:56.789Z');
    const windowMs = 800;
    const server = await FakeGraphServer.start(buildScenarioTenant(now), { reportsLimit: { max: 5, windowMs } });
    try {
      let first = true;
      const slowFirst: typeof fetch = async (input, init) => {
        if (first) {
          first = false;
          await new Promise((r) => setTimeout(r, 300));
        }
        return globalThis.fetch(input, init);
      };
      const directory = new GraphDirectory({
        credential: tokenDouble(),
        baseUrl: server.url,
        fetch: slowFirst,
        timeBudgetMs: 8000,
        tenantFeed: false,
        reportsRateLimit: { maxRequests: 5, windowMs, marginMs: 0 },
      });
      const results: LookupResult[] = await Promise.all(SCENARIOS.slice(0, 4).map((s) => directory.lookup(s.userId, { now })));
      assert.deepEqual(
        results.map((r) => r.ok),
        [true, true, true, true],
        'all read',
      );
      assert.equal(server.breaches, 0, `no breach (max ${server.maxReportsInWindow} in a window)`);
      assert.ok(server.maxReportsInWindow <= 5, `max ${server.maxReportsInWindow}`);
    } finally {
      await server.close();
    }
  });
});
