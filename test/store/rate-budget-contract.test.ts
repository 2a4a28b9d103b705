import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RateBudgetStore } from '../../src/domain/rate-budget';
import { AzureRateBudgetStore } from '../../src/store/azure-rate-budget';
import { SqliteRateBudgetStore } from '../../src/store/sqlite-rate-budget';
import { useAzurite } from '../support/azurite';

/** A store, a second store over the same data (another instance), and a clean-up. */
interface BudgetFixture {
  store: RateBudgetStore;
  peer: () => RateBudgetStore;
  cleanup: () => Promise<void>;
}

/** The behaviour every shared rate budget store must have (SQLite and Azure Table alike). */
function rateBudgetContract(name: string, open: () => Promise<BudgetFixture>): void {
  describe(`shared rate budget store contract: ${name}`, () => {
    let f: BudgetFixture;
    beforeEach(async () => {
      f = await open();
    });
    afterEach(async () => f.cleanup());
    const req = (now: number, count = 1) => ({ count, max: 5, now, holdUntil: now + 60_000 });

    it('when slots are taken up to the budget, then each gets an id, and the next take is refused with the slots in the way, soonest first', async () => {
      const granted: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await f.store.take('tenant-a', req(1000 + i));
        assert.ok(r.granted, `slot ${i}`);
        granted.push(...r.granted);
      }
      assert.equal(new Set(granted).size, 5, 'distinct ids');
      const refused = await f.store.take('tenant-a', req(2000));
      assert.equal(refused.granted, null);
      assert.deepEqual(refused.granted === null && refused.untils, [61_000, 61_001, 61_002, 61_003, 61_004]);
    });

    it('when slots are released, then they count until the release time and free up after it', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(...((await f.store.take('tenant-a', req(1000))).granted ?? []));
      await f.store.release('tenant-a', ids.slice(0, 2), 5000);
      assert.deepEqual(await f.store.peek('tenant-a', 4000), [5000, 5000, 61_000, 61_000, 61_000]);
      assert.equal((await f.store.take('tenant-a', req(4999))).granted, null, 'still counting just before');
      const later = await f.store.take('tenant-a', req(5000, 2));
      assert.equal(later.granted?.length, 2, 'two free at the release time');
      assert.deepEqual(await f.store.peek('tenant-a', 5000), [61_000, 61_000, 61_000, 65_000, 65_000]);
    });

    it('when two budgets are used, then they do not share slots', async () => {
      for (let i = 0; i < 5; i++) assert.ok((await f.store.take('tenant-a', req(1000))).granted);
      assert.ok((await f.store.take('tenant-b', req(1000))).granted, 'another tenant has its own budget');
      assert.deepEqual(await f.store.peek('tenant-c', 1000), []);
    });

    it('when more slots are asked at once than are left, then none are granted', async () => {
      for (let i = 0; i < 4; i++) assert.ok((await f.store.take('tenant-a', req(1000))).granted);
      assert.equal((await f.store.take('tenant-a', req(1000, 2))).granted, null);
      assert.equal((await f.store.take('tenant-a', req(1000, 1))).granted?.length, 1);
    });

    it('when two instances take slots at the same time, then never more than the budget is granted between them', async () => {
      const peer = f.peer();
      const attempts = Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? f.store : peer).take('tenant-a', req(1000)));
      const results = await Promise.all(attempts);
      assert.equal(results.filter((r) => r.granted).length, 5, 'exactly the budget');
      assert.equal((await peer.peek('tenant-a', 1000)).length, 5, 'both see the same slots');
    });

    it('when a release names slots the budget does not hold, then they are ignored', async () => {
      assert.ok((await f.store.take('tenant-z', req(1000))).granted);
      await f.store.release('tenant-z', ['not-a-slot'], 10);
      assert.equal((await f.store.peek('tenant-z', 1000)).length, 1, 'unknown ids are ignored');
    });
  });
}

rateBudgetContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-budget-'));
  const opened: SqliteRateBudgetStore[] = [];
  const open = (): SqliteRateBudgetStore => {
    const s = SqliteRateBudgetStore.open(dir);
    opened.push(s);
    return s;
  };
  return {
    store: open(),
    peer: open,
    cleanup: async () => {
      for (const s of opened) s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('shared rate budget on Azure Table Storage (Azurite)', function () {
  const azurite = useAzurite();

  rateBudgetContract('Azure Table (eTags)', async () => {
    const tablePrefix = `b${randomBytes(4).toString('hex')}`;
    const open = () => AzureRateBudgetStore.create({ connectionString: azurite.connectionString, tablePrefix });
    return { store: open(), peer: open, cleanup: async () => undefined };
  });
});
