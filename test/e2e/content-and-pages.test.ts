import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultContentDir } from '../../src/content/load-content';
import { BotHarness } from '../support/bot-harness';

describe('e2e: the privacy statement and terms of use', () => {
  const h = new BotHarness();
  before(() => h.start());
  after(() => h.stop());

  for (const [path, heading] of [
    ['/privacy', /Privacy statement/],
    ['/terms', /Terms of use/],
    ['/', /OneDrive sign-in help desk bot/],
  ] as const) {
    it(`when ${path} is requested, then its page is served as HTML (the privacy page says what the bot reads and stores)`, async () => {
      const response = await fetch(`${h.bot!.url}${path}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const html = await response.text();
      assert.match(html, heading);
      assert.match(html, path === '/privacy' ? /sign-in log/ : path === '/terms' ? /Never send your password/ : /href="\/privacy"/);
    });
  }
});

describe('e2e: a broken content file stops start-up', function () {
  this.timeout(60_000);

  it('when a playbook file has a typo in a field name, then the bot exits at start-up naming the file and the field, and never listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'broken-content-'));
    try {
      cpSync(defaultContentDir(), join(dir, 'content'), { recursive: true });
      const file = join(dir, 'content', 'en', 'causes', 'no-internet.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^verify:/m, 'verfy:'));
      const root = join(__dirname, '..', '..');
      const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['src/index.ts'], {
        cwd: root,
        env: { ...process.env, PORT: '0', DATA_DIR: join(dir, 'data'), CONTENT_DIR: join(dir, 'content'), LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 1, output);
      assert.match(output, /Content error: content\/en\/causes\/no-internet\.yaml: (verify: Required|.*verfy)/);
      assert.doesNotMatch(output, /bot listening/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
