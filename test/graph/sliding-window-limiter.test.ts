import assert from 'node:assert/strict';
import { RateLimitWaitError, SlidingWindowLimiter } from '../../src/graph/rate-limiter';
import { evaluate, parseFilter } from '../support/fake-graph-server';
import { maxInWindow } from './graph-test-kit';

describe('SlidingWindowLimiter', () => {
  function fakeClock() {
    const clock = { t: 0, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) };
    return clock;
  }

  it('when 12 callers want a slot at once, then at most 5 are granted in any 10 s and they are served in order', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter({ maxRequests: 5, windowMs: 10_000, now: clock.now, sleep: clock.sleep });
    const grants: Array<[number, number]> = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => limiter.acquire(1).then(() => grants.push([i, clock.t]))));
    assert.deepEqual(
      grants.map(([i]) => i),
      [...Array(12).keys()],
    );
    assert.deepEqual(
      grants.map(([, t]) => t),
      [0, 0, 0, 0, 0, 10_000, 10_000, 10_000, 10_000, 10_000, 20_000, 20_000],
    );
    assert.ok(
      maxInWindow(
        grants.map(([, t]) => t),
        10_000,
      ) <= 5,
    );
  });

  it('when the wait would exceed maxWaitMs, then acquire rejects and the next caller still gets its turn', async () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter({ maxRequests: 5, windowMs: 10_000, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 5; i++) assert.ok(limiter.tryAcquire());
    await assert.rejects(limiter.acquire(1, { maxWaitMs: 1000 }), RateLimitWaitError);
    clock.t = 4000;
    await limiter.acquire(1);
    assert.equal(clock.t, 10_000);
  });

  it('when slots are released as the window slides, then waitTimeMs counts down to zero', () => {
    const clock = fakeClock();
    const limiter = new SlidingWindowLimiter({ maxRequests: 2, windowMs: 1000, now: clock.now, sleep: clock.sleep });
    limiter.tryAcquire();
    clock.t = 400;
    limiter.tryAcquire();
    assert.equal(limiter.waitTimeMs(), 600);
    assert.equal(limiter.waitTimeMs(2), 1000);
    clock.t = 1000;
    assert.equal(limiter.waitTimeMs(), 0);
    assert.equal(limiter.inUse(), 1);
  });
});

describe('fake Graph $filter parser', () => {
  it('when a filter has and, or groups and a lambda, then records are matched like Graph does', () => {
    const ast = parseFilter(
      "userId eq 'u''1' and createdDateTime ge 2026-03-08T12:00:00.000Z and (appId eq 'a' or appId eq 'b') and signInEventTypes/any(t: t eq 'nonInteractiveUser')",
    );
    const base = { userId: "u'1", createdDateTime: '2026-03-09T00:00:00Z', appId: 'b', signInEventTypes: ['nonInteractiveUser'] };
    assert.equal(evaluate(ast, base, {}), true);
    assert.equal(evaluate(ast, { ...base, appId: 'c' }, {}), false);
    assert.equal(evaluate(ast, { ...base, createdDateTime: '2026-03-07T00:00:00Z' }, {}), false);
    assert.equal(evaluate(ast, { ...base, signInEventTypes: ['interactiveUser'] }, {}), false);
    assert.throws(() => parseFilter("userId eq 'x' and"), /expected/);
  });
});
