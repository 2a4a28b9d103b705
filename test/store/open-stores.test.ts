import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
/** Packages whose loading the start-up must avoid (or not), as `require.resolve` names them. */
const WATCHED = ['@azure/data-tables', '@azure/storage-blob', 'better-sqlite3', 'gpt-tokenizer'] as const;

/**
 * Runs `body` (CommonJS, with `root` and `watched` in scope) in a fresh Node process with tsx,
 * and returns which watched packages that process had loaded when `body` called `report()`.
 */
async function loadedIn(body: string, env: Record<string, string> = {}): Promise<Record<string, boolean>> {
  const script = `
    const root = ${JSON.stringify(ROOT)};
    const watched = ${JSON.stringify(WATCHED)};
    const report = () => {
      const files = Object.keys(require.cache);
      const loaded = Object.fromEntries(watched.map((p) => [p, files.some((f) => f.includes('/node_modules/' + p + '/'))]));
      process.stdout.write('LOADED ' + JSON.stringify(loaded) + '\\n');
    };
    (async () => { ${body} })().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'error', ...env },
    timeout: 60_000,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('LOADED '));
  assert.ok(line, `the child reported nothing: ${stdout.slice(-500)}`);
  return JSON.parse(line.slice('LOADED '.length)) as Record<string, boolean>;
}

describe('start-up loads only the configured storage backend', function () {
  this.timeout(90_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'open-stores-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when the bot starts on SQLite, then better-sqlite3 is loaded and neither Azure Storage SDK, nor the teams-ai tokenizer, is', async () => {
    const loaded = await loadedIn(
      `
      const { startBot } = require(root + '/src/index');
      const { loadConfig } = require(root + '/src/config');
      const bot = await startBot(loadConfig());
      const res = await fetch(bot.url + '/readyz');
      if (res.status !== 200) throw new Error('not ready: ' + res.status);
      report();
      await bot.close();
      `,
      { DATA_DIR: dir, PORT: '0' },
    );
    assert.deepEqual(loaded, { '@azure/data-tables': false, '@azure/storage-blob': false, 'better-sqlite3': true, 'gpt-tokenizer': false });
  });

  it('when the stores and the reports budget are opened for Azure Storage, then the Azure SDKs are loaded and better-sqlite3 is not', async () => {
    const loaded = await loadedIn(`
      const { openStores, openRateBudgetStore } = require(root + '/src/store/open-stores');
      const storage = { backend: 'azure', connectionString: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1', blobContainer: 'state', tablePrefix: 'bot' };
      openRateBudgetStore({ storage, dataDir: ${JSON.stringify(dir)} });
      // Nothing listens on port 9; what got loaded is known once the call returns its promise (the process then ends).
      void openStores({ storage, dataDir: ${JSON.stringify(dir)} });
      report();
    `);
    assert.deepEqual(loaded, { '@azure/data-tables': true, '@azure/storage-blob': true, 'better-sqlite3': false, 'gpt-tokenizer': false });
  });
});
