/**
 * Fails when the project's own modules import each other in a circle, type imports included.
 * ESLint's `import-x/no-cycle` skips `import type`, yet a type-only back edge still ties two modules together
 * (the app ↔ agent-desk cycle of issue 10 was one). Part of `npm run lint`.
 *
 *   npx tsx scripts/check-import-cycles.ts   (reads ./tsconfig.json: src, test, bench, scripts)
 */
import path from 'node:path';
import ts from 'typescript';

/**
 * One shortest cycle for each group of modules that reach one another, as file paths with the first repeated
 * at the end (`[a, b, a]`). Every static, type-only and dynamic import, re-export and `require` counts; imports
 * that resolve outside `fileNames` (packages, Node built-ins) do not.
 */
export function findImportCycles(fileNames: readonly string[], options: ts.CompilerOptions): string[][] {
  const own = new Set(fileNames.map((f) => path.resolve(f)));
  const cache = ts.createModuleResolutionCache(process.cwd(), (f) => f, options);
  const graph = new Map<string, string[]>();
  for (const file of own) {
    const text = ts.sys.readFile(file) ?? '';
    const targets = new Set<string>();
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      const resolved = ts.resolveModuleName(ref.fileName, file, options, ts.sys, cache).resolvedModule;
      const target = resolved && path.resolve(resolved.resolvedFileName);
      if (target && own.has(target)) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return stronglyConnected(graph)
    .filter((group) => group.length > 1 || graph.get(group[0]!)!.includes(group[0]!))
    .map((group) => shortestCycle(graph, group.sort()));
}

/** Tarjan's algorithm; recursion depth is bounded by the number of files, a few hundred. */
function stronglyConnected(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    groups.push(group);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return groups;
}

/** Breadth-first from the group's first file back to itself, inside the group. */
function shortestCycle(graph: Map<string, string[]>, group: string[]): string[] {
  const start = group[0]!;
  const members = new Set(group);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const back = [start];
        for (let at = v; at !== start; at = cameFrom.get(at)!) back.push(at);
        return [start, ...back.slice(1).reverse(), start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error('tsconfig.json could not be read');
  const files = config.fileNames.filter((f) => /\.(ts|mts|cts)$/.test(f) && !f.endsWith('.d.ts'));
  const cycles = findImportCycles(files, config.options);
  for (const cycle of cycles) console.error(`import cycle: ${cycle.map((f) => path.relative(root, f)).join(' → ')}`);
  if (cycles.length > 0) {
    console.error(`${cycles.length} import cycle(s). Move what both sides need into a module that imports neither.`);
    process.exitCode = 1;
  } else console.log(`No import cycles among ${files.length} modules.`);
}
