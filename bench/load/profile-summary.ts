/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time by package
 * (node_modules/<package>, the bot's own dist/<folder>, Node internals, garbage collection) and
 * the functions with the most self time. Idle time is left out of the shares, and so can be the
 * start-up (the first `skipMs`), so that a profile of a short load run shows the turns' work.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  /** Share of the busy (non-idle) time, in per cent. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  byPackage: ProfileShare[];
  topFunctions: ProfileShare[];
  /** Share of busy time spent under (inclusive) frames matching each named pattern. */
  inclusive: ProfileShare[];
}

/** Where a frame's code lives: a package, a folder of the bot, or a Node/V8 category. */
function bucketOf(url: string, functionName: string): string {
  const nm = url.lastIndexOf('node_modules/');
  // A build kept under node_modules/.cache (bench --dist=…) is still the bot's own code.
  if (nm >= 0 && url[nm + 'node_modules/'.length] !== '.') {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = /\/dist\/([^/]+)(\/|\.js)/.exec(url);
  if (dist) return `bot: ${dist[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  if (!url) return functionName.startsWith('(') ? functionName : `native: ${functionName || '(anonymous)'}`;
  return url;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0 && url[nm + 'node_modules/'.length] !== '.') return url.slice(nm + 'node_modules/'.length);
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url;
}

/** Inclusive patterns worth watching (the issue's hot spots). */
const INCLUSIVE: ReadonlyArray<[string, RegExp]> = [
  ['adaptivecards-templating (expand)', /adaptivecards-templating/],
  ['adaptive-expressions parser (antlr4ts)', /antlr4ts|adaptive-expressions\/lib\/parser/],
  ['cards fitted to the size limit (card-budget.ts: rendering and size checks)', /dist\/cards\/card-budget/],
  ['better-sqlite3 / store', /better-sqlite3|dist\/store\//],
  ['pino (logging)', /node_modules\/pino/],
  ['botframework-connector (outbound HTTP client)', /botframework-connector|@azure\/core-http|@azure\/core-rest-pipeline|@azure\/core-client/],
  ['zod (validation)', /node_modules\/zod/],
];

/** Summarises the profile at `path`, leaving out the first `skipMs` of it (start-up, when that is not the question). */
export function summarizeProfile(path: string, skipMs = 0, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfTime = new Map<number, number>();
  let elapsedUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    elapsedUs += profile.timeDeltas[i] ?? 0;
    if (elapsedUs < skipMs * 1000) continue;
    selfTime.set(profile.samples[i]!, (selfTime.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }

  let idle = 0;
  let busy = 0;
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfTime) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') {
      idle += us;
      continue;
    }
    busy += us;
    const bucket = bucketOf(url, functionName);
    packages.set(bucket, (packages.get(bucket) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    // Inclusive: count this sample once per pattern found on its stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frameUrl = byId.get(at)!.callFrame.url;
      for (const [name, pattern] of INCLUSIVE) if (!seen.has(name) && pattern.test(frameUrl)) seen.add(name);
    }
    if (functionName === '(garbage collector)') seen.add('garbage collection');
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
  const shares = (m: Map<string, number>, n: number): ProfileShare[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, percent: busy ? (100 * us) / busy : 0 }));
  return { busyMs: busy / 1000, idleMs: idle / 1000, byPackage: shares(packages, 20), topFunctions: shares(functions, top), inclusive: shares(inclusive, 20) };
}
