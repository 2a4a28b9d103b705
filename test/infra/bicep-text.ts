/**
 * A small, text-only reader of Bicep files, enough to check the templates' structure without a
 * Bicep compiler: strips comments, splits the file into top-level statements (each with the
 * decorators above it), and reads object literals' top-level keys. Strings (with `${}`
 * interpolation and ''' multi-line strings) and nesting are respected; nothing is type-checked.
 */

export interface BicepStatement {
  /** The decorators written above the statement, e.g. `@description('…')`, in order. */
  decorators: string[];
  /** The statement's text, comments removed, from its keyword to its end. */
  text: string;
  /** 1-based line of the statement's first character in the original file. */
  line: number;
}

export interface BicepParam {
  name: string;
  type: string;
  hasDefault: boolean;
  decorators: string[];
  line: number;
}

export interface BicepResource {
  symbol: string;
  type: string;
  apiVersion: string;
  existing: boolean;
  line: number;
  text: string;
}

export interface BicepModule {
  symbol: string;
  path: string;
  /** The `params: { … }` object: key → value text. */
  params: Map<string, string>;
  line: number;
}

export interface BicepOutput {
  name: string;
  type: string;
  value: string;
  decorators: string[];
  line: number;
}

type Kind = 'code' | 'string' | 'comment';

/**
 * Walks `text` calling `visit(i, depth, kind)` for each character: kind is 'string' inside string
 * literals (but 'code' inside a string's `${…}` interpolation), 'comment' inside // and /* *\/
 * comments, else 'code'; depth counts the ( [ { open in code at that point.
 */
function scan(text: string, visit: (index: number, depth: number, kind: Kind) => void): void {
  // A stack of modes: 'code' (with its own depth, for interpolations) or 'string'.
  const stack: Array<{ mode: 'code' | 'string'; depth: number }> = [{ mode: 'code', depth: 0 }];
  let totalDepth = 0;
  for (let i = 0; i < text.length; i++) {
    const top = stack[stack.length - 1]!;
    const ch = text[i]!;
    if (top.mode === 'string') {
      visit(i, totalDepth, 'string');
      if (ch === '\\') {
        if (i + 1 < text.length) visit(i + 1, totalDepth, 'string');
        i++;
      } else if (ch === "'") {
        stack.pop();
      } else if (ch === '$' && text[i + 1] === '{') {
        visit(i + 1, totalDepth, 'string');
        i++;
        stack.push({ mode: 'code', depth: 0 });
      }
      continue;
    }
    if (text.startsWith('//', i) || text.startsWith('/*', i)) {
      const line = text.startsWith('//', i);
      const end = line ? text.indexOf('\n', i) : text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : line ? end : end + 2;
      for (let j = i; j < stop; j++) visit(j, totalDepth, 'comment');
      i = stop - 1;
      continue;
    }
    if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      const stop = end < 0 ? text.length : end + 3;
      for (let j = i; j < stop; j++) visit(j, totalDepth, 'string');
      i = stop - 1;
      continue;
    }
    if (ch === "'") {
      visit(i, totalDepth, 'string');
      stack.push({ mode: 'string', depth: 0 });
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') {
      visit(i, totalDepth, 'code');
      top.depth++;
      totalDepth++;
      continue;
    }
    if (ch === ')' || ch === ']' || ch === '}') {
      if (top.depth === 0 && ch === '}' && stack.length > 1) {
        // the end of a `${…}` interpolation: back into the string
        stack.pop();
        visit(i, totalDepth, 'string');
        continue;
      }
      top.depth--;
      totalDepth--;
      visit(i, totalDepth, 'code');
      continue;
    }
    visit(i, totalDepth, 'code');
  }
}

/** The text with // and /* *\/ comments blanked out (newlines kept, so line numbers hold). */
export function stripComments(text: string): string {
  const out = text.split('');
  scan(text, (index, _depth, kind) => {
    if (kind === 'comment' && out[index] !== '\n') out[index] = ' ';
  });
  return out.join('');
}

/** Splits a Bicep file into its top-level statements, each with the decorators above it. */
export function statements(source: string): BicepStatement[] {
  const text = stripComments(source);
  const depthAt = new Array<number>(text.length).fill(0);
  const codeAt = new Array<boolean>(text.length).fill(true);
  scan(text, (index, depth, kind) => {
    depthAt[index] = depth;
    codeAt[index] = kind === 'code';
  });
  const result: BicepStatement[] = [];
  let pending: string[] = [];
  let start = -1;
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const finish = (end: number) => {
    if (start < 0) return;
    const stmt = text.slice(start, end).trim();
    if (stmt.startsWith('@')) pending.push(stmt);
    else if (stmt) {
      result.push({ decorators: pending, text: stmt, line: lineOf(start) });
      pending = [];
    }
    start = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n' && depthAt[i] === 0 && codeAt[i]) {
      finish(i);
      continue;
    }
    if (start < 0 && !/\s/.test(ch)) start = i;
  }
  finish(text.length);
  if (pending.length > 0) throw new Error(`decorators at the end of the file with nothing to decorate: ${pending.join(' ')}`);
  return result;
}

/**
 * The top-level entries of the object literal starting at `text[open]` ('{'): key → value text.
 * Entries are separated by new lines or commas at the object's own depth.
 */
export function objectEntries(text: string, open: number): Map<string, string> {
  if (text[open] !== '{') throw new Error(`expected '{' at ${open}`);
  const entries = new Map<string, string>();
  const depthAt = new Array<number>(text.length).fill(-1);
  const codeAt = new Array<boolean>(text.length).fill(true);
  scan(text, (index, depth, kind) => {
    depthAt[index] = depth;
    codeAt[index] = kind === 'code';
  });
  const base = depthAt[open]! + 1; // depth inside the object
  let close = -1;
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '}' && codeAt[i] && depthAt[i] === base - 1) {
      close = i;
      break;
    }
  }
  if (close < 0) throw new Error('unclosed object literal');
  let i = open + 1;
  while (i < close) {
    // skip separators
    while (i < close && (/\s/.test(text[i]!) || text[i] === ',')) i++;
    if (i >= close) break;
    const keyMatch = /^('(?:[^'\\]|\\.)*'|[A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(text.slice(i, close));
    if (!keyMatch) throw new Error(`cannot read an object key at: ${text.slice(i, i + 40)}`);
    const key = keyMatch[1]!.startsWith("'") ? keyMatch[1]!.slice(1, -1) : keyMatch[1]!;
    let j = i + keyMatch[0].length;
    const valueStart = j;
    while (j < close && !((text[j] === '\n' || text[j] === ',') && codeAt[j] && depthAt[j] === base)) j++;
    entries.set(key, text.slice(valueStart, j).trim());
    i = j;
  }
  return entries;
}

/** The index of the first '{' in code at top level of `text` at or after `from`. */
function firstBrace(text: string, from: number): number {
  const codeAt = new Array<boolean>(text.length).fill(true);
  scan(text, (index, _depth, kind) => {
    codeAt[index] = kind === 'code';
  });
  for (let i = from; i < text.length; i++) if (text[i] === '{' && codeAt[i]) return i;
  return -1;
}

export function params(stmts: BicepStatement[]): BicepParam[] {
  return stmts
    .filter((s) => /^param\s/.test(s.text))
    .map((s) => {
      const m = /^param\s+([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z_][A-Za-z0-9_.]*(?:\[\])?)(\s*=)?/.exec(s.text);
      if (!m) throw new Error(`cannot read param at line ${s.line}: ${s.text.slice(0, 60)}`);
      return { name: m[1]!, type: m[2]!, hasDefault: Boolean(m[3]), decorators: s.decorators, line: s.line };
    });
}

export function resources(stmts: BicepStatement[]): BicepResource[] {
  return stmts
    .filter((s) => /^resource\s/.test(s.text))
    .map((s) => {
      const m = /^resource\s+([A-Za-z_][A-Za-z0-9_]*)\s+'([^'@]+)(?:@([^']*))?'\s*(existing\s*)?=/.exec(s.text);
      if (!m) throw new Error(`cannot read resource at line ${s.line}: ${s.text.slice(0, 80)}`);
      return { symbol: m[1]!, type: m[2]!, apiVersion: m[3] ?? '', existing: Boolean(m[4]), line: s.line, text: s.text };
    });
}

export function modules(stmts: BicepStatement[]): BicepModule[] {
  return stmts
    .filter((s) => /^module\s/.test(s.text))
    .map((s) => {
      const m = /^module\s+([A-Za-z_][A-Za-z0-9_]*)\s+'([^']+)'\s*=/.exec(s.text);
      if (!m) throw new Error(`cannot read module at line ${s.line}: ${s.text.slice(0, 80)}`);
      const body = objectEntries(s.text, firstBrace(s.text, m[0].length));
      const paramsText = body.get('params');
      const moduleParams = paramsText ? objectEntries(paramsText, 0) : new Map<string, string>();
      return { symbol: m[1]!, path: m[2]!, params: moduleParams, line: s.line };
    });
}

export function outputs(stmts: BicepStatement[]): BicepOutput[] {
  return stmts
    .filter((s) => /^output\s/.test(s.text))
    .map((s) => {
      const m = /^output\s+([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z_][A-Za-z0-9_.]*(?:\[\])?)\s*=\s*([\s\S]*)$/.exec(s.text);
      if (!m) throw new Error(`cannot read output at line ${s.line}: ${s.text.slice(0, 80)}`);
      return { name: m[1]!, type: m[2]!, value: m[3]!.trim(), decorators: s.decorators, line: s.line };
    });
}

/** The value of a `var NAME = …` statement, or undefined. */
export function variable(stmts: BicepStatement[], name: string): string | undefined {
  const s = stmts.find((st) => new RegExp(`^var\\s+${name}\\s*=`).test(st.text));
  return s?.text.replace(new RegExp(`^var\\s+${name}\\s*=\\s*`), '');
}
