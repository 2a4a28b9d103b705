import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ConnectorStandIn } from '../../bench/load/connector-stand-in';
import { runLoad, Target, type Script } from '../../bench/load/driver';

/** Two turns per conversation, replies only counted. */
const twoTurns: Script = async (c) => {
  await c.turn('first', { text: 'hello' }, false);
  await c.turn('answer', { value: { verb: 'triage.answer' } }, false);
};

describe('bench driver: steady state measured apart from the opening burst', function () {
  this.timeout(20_000);
  let server: Server;
  let target: Target;
  let served = 0;
  /** The first `slowFirst` requests are answered only after this long (ms). */
  let slowFirst = 0;
  const connector = new ConnectorStandIn();

  before(async () => {
    await connector.start();
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        served += 1;
        const delay = served <= slowFirst ? 300 : 0;
        setTimeout(() => {
          res.statusCode = 200;
          res.end();
        }, delay);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = new Target('test', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  after(async () => {
    target.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await connector.stop();
  });
  beforeEach(() => {
    served = 0;
    slowFirst = 0;
  });

  it('when a run has no warm-up, then every turn counts and there is no cold start', async () => {
    const r = await runLoad({ target, connector, userFor: () => ({ aadObjectId: 'u', name: 'U' }), sequence: { next: 1 }, concurrency: 3, script: twoTurns, conversations: 6 });
    assert.equal(r.turns, 12);
    assert.equal(served, 12);
    assert.equal(r.coldStart, undefined);
  });

  it('when the opening first messages are slow, then they are the cold start, and counting starts only once they were answered', async () => {
    slowFirst = 3;
    const began = performance.now();
    const r = await runLoad({
      target,
      connector,
      userFor: () => ({ aadObjectId: 'u', name: 'U' }),
      sequence: { next: 1 },
      concurrency: 3,
      script: twoTurns,
      warmupMs: 50,
      durationMs: 200,
    });
    const wall = performance.now() - began;
    assert.equal(r.coldStart?.length, 3, 'one cold start per opening conversation');
    for (const ms of r.coldStart ?? []) assert.ok(ms >= 290, `a cold start took ${ms} ms`);
    assert.ok(r.turns > 0 && r.turns < served, `${r.turns} of ${served} turns counted`);
    assert.equal(r.latencies.first.concat(r.latencies.answer).length, r.turns);
    assert.ok(r.latencies.first.every((ms) => ms < 290) && r.latencies.answer.every((ms) => ms < 290), 'no slow opening turn is among the counted ones');
    assert.ok(r.elapsedMs < wall - 290, `measured ${r.elapsedMs} ms of a ${wall} ms run: the opening is not in it`);
  });
});
