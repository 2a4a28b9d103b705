import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentError, defaultContentDir, loadKnowledge } from '../../src/content/load-content';

/**
 * Copies of the shipped content/ in temporary folders, to break on purpose; `copy()` makes one
 * and the suite's `after` hook removes them all.
 */
export function useContentCopies(): { copy: () => string } {
  const made: string[] = [];
  after(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  return {
    copy: () => {
      const dir = mkdtempSync(join(tmpdir(), 'content-test-'));
      made.push(dir);
      cpSync(defaultContentDir(), join(dir, 'content'), { recursive: true });
      return join(dir, 'content');
    },
  };
}

/** Rewrites one file of a content copy (`file` relative to its root, e.g. `en/questions.yaml`). */
export function edit(root: string, file: string, change: (text: string) => string): void {
  const path = join(root, file);
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

/** Loading `root` fails with a ContentError whose message matches `pattern` (the file and the field). */
export function assertContentError(root: string, pattern: RegExp): void {
  assert.throws(
    () => loadKnowledge(root),
    (error: unknown) => {
      assert.ok(error instanceof ContentError, `expected a ContentError, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}
