import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableServiceClient } from '@azure/data-tables';
import Database from 'better-sqlite3';
import { BlobServiceClient } from '@azure/storage-blob';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { createAzureStores } from '../../src/store/azure-stores';
import { createSqliteStores } from '../../src/store/sqlite-stores';
import { useAzurite } from '../support/azurite';
import { freePort } from '../support/ports';
import { storeContractSuite } from './store-contract';

storeContractSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-contract-'));
  const stores = createSqliteStores(dir);
  return {
    stores,
    peer: async () => createSqliteStores(dir),
    cleanup: async () => {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite outbox: a database made by an older version', () => {
  it('when the outbox table lacks the dead-letter and order columns, then opening adds them and its pending items are delivered in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpdesk-old-outbox-'));
    const old = new Database(join(dir, 'helpdesk.sqlite'));
    old.exec(`CREATE TABLE outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL, last_error TEXT, done_at INTEGER, lease_until INTEGER NOT NULL DEFAULT 0)`);
    const insert = old.prepare('INSERT INTO outbox (kind, payload, next_attempt_at) VALUES (?, ?, 0)');
    insert.run('channel-card', JSON.stringify({ ticketId: 'HD-000001' }));
    insert.run('channel-reply', JSON.stringify({ ticketId: 'HD-000001', text: 'after the card' }));
    old.close();
    const stores = createSqliteStores(dir);
    try {
      assert.equal(await stores.outbox.pendingCount(), 2);
      assert.equal(await stores.outbox.hasOpenItem('channel-reply', 'HD-000001'), true);
      const [card, ...rest] = await stores.outbox.claimDue(1000, 30_000, 10);
      assert.equal(card?.kind, 'channel-card');
      assert.deepEqual(rest, [], 'the reply waits for the card');
      await stores.outbox.deadLetter(card!.id, 'HTTP 404', 1001);
      assert.equal(await stores.outbox.deadLetterCount(), 1);
      assert.deepEqual((await stores.outbox.claimDue(1002, 30_000, 10)).map((i) => i.kind).sort(), ['channel-reply', 'dead-letter-notice']);
    } finally {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Azure Storage (Azurite)', function () {
  const azurite = useAzurite();

  let run = 0;
  /** Unique names per test, so tests never see each other's data in the shared emulator. */
  const uniqueNames = () => {
    const tag = `${randomBytes(3).toString('hex')}${++run}`;
    return { tablePrefix: `t${tag}`, blobContainer: `c${tag}` };
  };

  storeContractSuite('Azure Storage', async () => {
    const names = uniqueNames();
    const open = () => createAzureStores({ connectionString: azurite.connectionString, ...names });
    const stores = await open();
    return {
      stores,
      peer: open,
      cleanup: async () => {
        await stores.close();
        await dropAzureData(azurite.connectionString, names);
      },
    };
  });

  describe('Azure-specific behaviour', () => {
    it('creates the three prefixed tables and the container', async () => {
      const names = uniqueNames();
      const stores = await createAzureStores({ connectionString: azurite.connectionString, ...names });
      assert.deepEqual(await stores.ready(), { ok: true });
      const tables: string[] = [];
      for await (const t of TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true }).listTables()) {
        if (t.name?.startsWith(names.tablePrefix)) tables.push(t.name);
      }
      assert.deepEqual(tables.sort(), [`${names.tablePrefix}Outbox`, `${names.tablePrefix}Settings`, `${names.tablePrefix}Tickets`]);
      assert.ok(await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(names.blobContainer).exists());
      await stores.close();
      await dropAzureData(azurite.connectionString, names);
    });

    it('keeps bot state in the same blob layout as botbuilder-azure-blobs BlobsStorage (both directions)', async () => {
      const names = uniqueNames();
      const stores = await createAzureStores({ connectionString: azurite.connectionString, ...names });
      const theirs = new BlobsStorage(azurite.connectionString, names.blobContainer);
      const key = 'msteams/conversations/19:abc@thread.tacv2/';
      await theirs.write({ [key]: { from: 'BlobsStorage', text: 'Grüße' } });
      const read = (await stores.botStorage.read([key]))[key] as Record<string, unknown>;
      assert.equal(read.from, 'BlobsStorage');
      await stores.botStorage.write({ [key]: { ...read, from: 'AzureBlobBotStorage' } });
      assert.equal(((await theirs.read([key]))[key] as Record<string, unknown>).from, 'AzureBlobBotStorage');
      await assert.rejects(theirs.write({ [key]: { ...read, from: 'stale' } }), /eTag conflict/);
      await stores.close();
      await dropAzureData(azurite.connectionString, names);
    });

    it('reports not ready (without throwing) when the storage account cannot be reached', async function () {
      this.timeout(30_000);
      const port = await freePort(); // nothing listens there
      const connectionString = azurite.connectionString.replace(/127\.0\.0\.1:\d+/g, `127.0.0.1:${port}`);
      const stores = await createAzureStores({ connectionString, ...uniqueNames() });
      const started = Date.now();
      const status = await stores.ready();
      assert.equal(status.ok, false);
      assert.match(status.detail ?? '', /blob/);
      assert.match(status.detail ?? '', /table/);
      assert.ok(Date.now() - started < 15_000);
      await stores.close();
    });

    it('in managed-identity mode, asks the credential for a storage token and reports a token failure as not ready', async () => {
      const port = await freePort(); // nothing listens there
      const scopes: string[] = [];
      const credential = {
        getToken: async (scope: string | string[]) => {
          scopes.push(...[scope].flat());
          throw new Error('no managed identity here');
        },
      };
      const stores = await createAzureStores({
        accountName: 'helpdeskstore',
        credential,
        blobContainer: 'botstate',
        tablePrefix: 'helpdesk',
        blobEndpoint: `https://127.0.0.1:${port}`,
        tableEndpoint: `https://127.0.0.1:${port}/`,
      });
      const status = await stores.ready();
      assert.equal(status.ok, false);
      assert.match(status.detail ?? '', /no managed identity here/);
      assert.ok(scopes.length > 0 && scopes.every((s) => s === 'https://storage.azure.com/.default'), scopes.join());
      await assert.rejects(stores.settings.get('x'), /no managed identity here/);
      await stores.close();
    });

    it('rejects invalid names and missing credentials up front', async () => {
      const connectionString = azurite.connectionString;
      await assert.rejects(createAzureStores({ connectionString, blobContainer: 'Bad_Name', tablePrefix: 'ok' }), /container/);
      await assert.rejects(createAzureStores({ connectionString, blobContainer: 'fine', tablePrefix: '1bad-prefix' }), /table prefix/);
      await assert.rejects(createAzureStores({ blobContainer: 'fine', tablePrefix: 'ok' }), /connection string or an account name/);
    });
  });
});

async function dropAzureData(connectionString: string, names: { tablePrefix: string; blobContainer: string }): Promise<void> {
  const tables = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  await Promise.all(['Tickets', 'Outbox', 'Settings'].map((t) => tables.deleteTable(`${names.tablePrefix}${t}`).catch(() => undefined)));
  await BlobServiceClient.fromConnectionString(connectionString)
    .getContainerClient(names.blobContainer)
    .deleteIfExists()
    .catch(() => undefined);
}
