/**
 * The knowledge files, parsed at build time. Parsing content/'s YAML at start-up took about
 * 190 ms on the 2-core benchmark machine: loading the `yaml` package, then a first parse with
 * nothing JIT-compiled yet. The JSON of the same data parses in about 1 ms.
 *
 * `npm run build` writes each file's parsed data, keyed by the SHA-256 of its text, next to the
 * compiled code. At start-up a file whose text has that hash, with the same version of `yaml`,
 * takes its data from there. Any other file is parsed as before, so a file edited after the
 * build is never read stale. Either way the data is validated in full (load-content.ts).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type * as Yaml from 'yaml';

/** The cache's file name, in the compiled code's root folder (dist/). */
export const PARSED_YAML_CACHE_NAME = 'parsed-content.json';

/** Where start-up looks for the cache: dist/parsed-content.json from dist/ (from src/ there is none). */
export const PARSED_YAML_CACHE_FILE = join(__dirname, '..', PARSED_YAML_CACHE_NAME);

const FORMAT = 1;

interface CacheFile {
  format: typeof FORMAT;
  /** The `yaml` version that parsed the entries: another version may parse differently. */
  yaml: string;
  /** Parsed data by the SHA-256 (hex) of the file's text. */
  entries: Record<string, unknown>;
}

/** The installed `yaml` version, read without loading the package. */
function yamlVersion(): string {
  return (JSON.parse(readFileSync(require.resolve('yaml/package.json'), 'utf8')) as { version: string }).version;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Parses a knowledge file's YAML: duplicate keys and aliases are refused. Loads `yaml` on first use. */
export function parseContentYaml(text: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see the file comment)
  const { parse } = require('yaml') as typeof Yaml;
  return parse(text, { uniqueKeys: true, maxAliasCount: 0 });
}

/** Looks up the data the build parsed from a file's text. */
export interface ParsedYamlCache {
  /** The data parsed from exactly `text`, or undefined when the build did not parse it. */
  get(text: string): unknown;
}

const EMPTY: ParsedYamlCache = { get: () => undefined };

/**
 * Opens the cache the build wrote. A missing, unreadable or malformed file, or one written with
 * another `yaml` version, gives an empty cache: every file is then parsed, as without a build.
 */
export function openParsedYamlCache(file: string = PARSED_YAML_CACHE_FILE): ParsedYamlCache {
  let cache: Partial<CacheFile>;
  try {
    cache = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheFile>;
  } catch {
    return EMPTY;
  }
  if (cache === null || typeof cache !== 'object' || cache.format !== FORMAT || cache.yaml !== yamlVersion()) return EMPTY;
  const entries = cache.entries;
  if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) return EMPTY;
  return {
    get(text) {
      const hash = hashOf(text);
      return Object.hasOwn(entries, hash) ? entries[hash] : undefined;
    },
  };
}

function yamlFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yamlFiles(path, found);
    else if (/\.ya?ml$/.test(entry.name)) found.push(path);
  }
  return found;
}

/**
 * Parses every YAML file under `contentDir` and writes the cache to `file` (replacing it whole).
 * A file that does not parse, or whose data JSON cannot carry exactly, is left out: start-up
 * parses it and reports its error as before. Returns how many files were kept and left out.
 */
export function writeParsedYamlCache(contentDir: string, file: string): { kept: number; leftOut: string[] } {
  const entries: Record<string, unknown> = {};
  const leftOut: string[] = [];
  for (const path of yamlFiles(contentDir).sort()) {
    const text = readFileSync(path, 'utf8');
    let data: unknown;
    try {
      data = parseContentYaml(text);
    } catch {
      leftOut.push(path);
      continue;
    }
    const json = JSON.stringify(data);
    if (json === undefined || !isDeepStrictEqual(JSON.parse(json), data)) {
      leftOut.push(path);
      continue;
    }
    entries[hashOf(text)] = data;
  }
  const cache: CacheFile = { format: FORMAT, yaml: yamlVersion(), entries };
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(cache));
  renameSync(partial, file);
  return { kept: Object.keys(entries).length, leftOut };
}
