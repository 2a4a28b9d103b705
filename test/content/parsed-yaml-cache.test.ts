import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContentError, loadKnowledge, type Knowledge } from '../../src/content/load-content';
import { openParsedYamlCache, parseContentYaml, writeParsedYamlCache } from '../../src/content/parsed-yaml-cache';
import { edit, useContentCopies } from './content-test-kit';

/** What loading produced, without the message functions (compared by their texts). */
function comparable(k: Knowledge): unknown {
  return {
    playbooks: k.playbooks,
    questions: k.questions,
    entraCodes: k.entraCodes,
    benignCodes: k.benignCodes,
    oneDriveCodes: k.oneDriveCodes,
    phrases: k.phrases,
    texts: k.messageTexts,
  };
}

const NO_CACHE = { get: (): undefined => undefined };

describe('content loader: knowledge files parsed at build time (dist/parsed-content.json)', () => {
  const copies = useContentCopies();

  it('when every file is in the cache, then the knowledge is exactly what parsing the YAML gives', () => {
    const root = copies.copy();
    const file = join(root, '..', 'parsed.json');
    const { kept, leftOut } = writeParsedYamlCache(root, file);
    assert.ok(kept >= 20, `only ${kept} files kept`);
    assert.deepEqual(leftOut, []);
    assert.deepEqual(comparable(loadKnowledge(root, openParsedYamlCache(file)).forLocale('en')), comparable(loadKnowledge(root, NO_CACHE).forLocale('en')));
  });

  it('when a file is in the cache, then its data comes from there and is still validated', () => {
    const root = copies.copy();
    const file = join(root, '..', 'parsed.json');
    writeParsedYamlCache(root, file);
    // The build's data for questions.yaml, changed: the loader must show the change (it read the cache) …
    const cache = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, { network: { text: string } }> };
    const hash = Object.keys(cache.entries).find((h) => cache.entries[h]!.network?.text);
    assert.ok(hash);
    cache.entries[hash].network.text = 'Changed in the cache';
    writeFileSync(file, JSON.stringify(cache));
    assert.equal(loadKnowledge(root, openParsedYamlCache(file)).forLocale('en').questions.network.text, 'Changed in the cache');
    // … and validate it: data that breaks the schema stops loading, as it would from YAML.
    (cache.entries[hash].network as unknown as { text: number }).text = 42;
    writeFileSync(file, JSON.stringify(cache));
    assert.throws(
      () => loadKnowledge(root, openParsedYamlCache(file)),
      (error: unknown) => error instanceof ContentError && /questions\.yaml: network\.text/.test(error.message),
    );
  });

  it('when a file was edited after the build, then it is parsed from its YAML, never read stale', () => {
    const root = copies.copy();
    const file = join(root, '..', 'parsed.json');
    writeParsedYamlCache(root, file);
    const before = loadKnowledge(root, openParsedYamlCache(file)).forLocale('en').questions.network.text;
    edit(root, 'en/questions.yaml', (text) => text.replace(before, 'Edited after the build'));
    assert.equal(loadKnowledge(root, openParsedYamlCache(file)).forLocale('en').questions.network.text, 'Edited after the build');
  });

  it('when the cache is missing, malformed, of another format or from another yaml version, then every file is parsed', () => {
    const root = copies.copy();
    const file = join(root, '..', 'parsed.json');
    writeParsedYamlCache(root, file);
    const good = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const sample = readFileSync(join(root, 'en', 'questions.yaml'), 'utf8');
    assert.notEqual(openParsedYamlCache(file).get(sample), undefined);
    for (const broken of ['{ not json', JSON.stringify({ ...good, yaml: '0.0.1' }), JSON.stringify({ ...good, format: 99 }), JSON.stringify({ ...good, entries: [] }), 'null']) {
      writeFileSync(file, broken);
      assert.equal(openParsedYamlCache(file).get(sample), undefined, broken.slice(0, 40));
    }
    assert.equal(openParsedYamlCache(join(root, 'no-such-file.json')).get(sample), undefined);
  });

  it('when a file does not parse at build time, then the build leaves it out and start-up reports it as before', () => {
    const root = copies.copy();
    edit(root, 'en/phrases.yaml', (text) => `${text}\n  : : [broken\n`);
    const file = join(root, '..', 'parsed.json');
    const { leftOut } = writeParsedYamlCache(root, file);
    assert.deepEqual(leftOut, [join(root, 'en', 'phrases.yaml')]);
    assert.throws(
      () => loadKnowledge(root, openParsedYamlCache(file)),
      (error: unknown) => error instanceof ContentError && /phrases\.yaml: is not valid YAML/.test(error.message),
    );
  });

  it('when YAML holds a value JSON cannot carry, then the build leaves that file out', () => {
    const root = copies.copy();
    writeFileSync(join(root, 'en', 'extra.yaml'), 'limit: .inf\n');
    assert.equal((parseContentYaml('limit: .inf\n') as { limit: number }).limit, Infinity);
    const { leftOut } = writeParsedYamlCache(root, join(root, '..', 'parsed.json'));
    assert.deepEqual(leftOut, [join(root, 'en', 'extra.yaml')]);
  });
});
