import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { findImportCycles } from '../../scripts/check-import-cycles';

const OPTIONS: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true };

describe('scripts/check-import-cycles', () => {
  let dir: string;
  /** Writes the modules (name → source) into a fresh folder and returns their paths. */
  const project = (modules: Record<string, string>): string[] =>
    Object.entries(modules).map(([name, source]) => {
      const file = path.join(dir, `${name}.ts`);
      writeFileSync(file, source, 'utf8');
      return file;
    });
  const names = (cycle: string[]): string[] => cycle.map((f) => path.basename(f, '.ts'));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'import-cycles-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when modules only import downwards, then it finds no cycle', () => {
    const files = project({
      app: "import { a } from './a';\nimport { b } from './b';\nexport const run = (): number => a + b;\n",
      a: "import { b } from './b';\nexport const a = b + 1;\n",
      b: "import { readFileSync } from 'node:fs';\nexport const b = typeof readFileSync === 'function' ? 1 : 0;\n",
    });
    assert.deepEqual(findImportCycles(files, OPTIONS), []);
  });

  it('when the way back is only a type import, then it still reports the cycle, named in import order', () => {
    const files = project({
      app: "import { desk } from './desk';\nexport interface Logger { info(msg: string): void }\nexport const start = desk;\n",
      desk: "import type { Logger } from './app';\nexport const desk = (log: Logger): void => log.info('desk');\n",
      other: 'export const other = 1;\n',
    });
    assert.deepEqual(findImportCycles(files, OPTIONS).map(names), [['app', 'desk', 'app']]);
  });

  it('when a type position names a module with import("…"), then that edge counts too', () => {
    const files = project({
      playbook: "export interface Step { skip?: import('./questions').QuestionId }\n",
      questions: "import type { Step } from './playbook';\nexport type QuestionId = 'q1';\nexport const steps: Step[] = [];\n",
    });
    assert.deepEqual(findImportCycles(files, OPTIONS).map(names), [['playbook', 'questions', 'playbook']]);
  });

  it('when a longer loop exists, then it reports one shortest cycle per tangled group', () => {
    const files = project({
      a: "import './b';\nexport {};\n",
      b: "import './c';\nimport './d';\nexport {};\n",
      c: "import './a';\nexport {};\n",
      d: "import './b';\nexport {};\n",
      e: "import './a';\nexport {};\n",
    });
    assert.deepEqual(findImportCycles(files, OPTIONS).map(names), [['a', 'b', 'c', 'a']]);
  });
});
