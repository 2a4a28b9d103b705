import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IncidentWatch } from '../../src/delivery/incident-watch';
import type { IncidentSignal } from '../../src/domain/incidents';
import type { Stores } from '../../src/store/stores';
import { createSqliteStores } from '../../src/store/sqlite-stores';

const START = new Date('2026-12-02T08:00:00.000Z');

describe('incident watch on the SQLite stores', () => {
  let dir: string;
  let stores: Stores;
  let now: Date;
  let watch: IncidentWatch;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'incident-watch-'));
    stores = createSqliteStores(dir);
    now = START;
    watch = new IncidentWatch({ settings: stores.settings, outbox: stores.outbox, kick: () => undefined, clock: () => now, threshold: 3, windowMinutes: 30 });
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signal = (i: number, causeId: IncidentSignal['causeId'], signature: string): IncidentSignal => ({
    at: now.toISOString(),
    causeId,
    signature,
    requesterId: `${signature}-person-${i}`,
    requesterName: `Person ${i}`,
  });

  it('when one kind of failure floods in, then each record keeps a bounded list of that kind and another kind still raises its own incident', async () => {
    for (let i = 0; i < 400; i++) await watch.record(signal(i, 'conditional-access-block', '53003'));
    const flood = await stores.settings.get<IncidentSignal[]>('incident-signals:conditional-access-block|53003');
    assert.ok(flood && flood.length <= 100, `kept ${flood?.length}`);
    assert.equal(flood.at(-1)!.requesterId, '53003-person-399', 'the newest are kept');

    for (let i = 0; i < 3; i++) await watch.record(signal(i, 'account-locked', '50053'));
    const cards = (await stores.outbox.claimDue(now.getTime(), 60_000, 50)).filter((item) => item.kind === 'incident-card');
    assert.deepEqual(
      cards.map((c) => (c.payload as { incident: { signature: string } }).incident.signature).sort(),
      ['50053', '53003'],
      'one card per kind, the flood posted once',
    );
  });

  it('when the cause is unknown, then nothing is kept for it', async () => {
    for (let i = 0; i < 5; i++) await watch.record(signal(i, 'unknown', 'none'));
    assert.equal(await stores.settings.get('incident-signals:unknown|none'), undefined);
  });
});
