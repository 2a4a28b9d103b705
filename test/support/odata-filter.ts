/**
 * A small OData `$filter` parser and evaluator for the fake Microsoft Graph: comparisons
 * (eq ne gt ge lt le), and / or / not, parentheses, and lambda any(x: …) / all(x: …) over
 * collections, with Graph's case-insensitive string comparison.
 */
type Literal = string | number | boolean | null | { date: number; text: string };
export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'cmp'; path: string; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; value: Literal }
  | { type: 'lambda'; kind: 'any' | 'all'; path: string; variable: string; body: FilterNode };

type Token = { kind: 'ident' | 'string' | 'number' | 'date' | 'punct'; text: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if ('():,'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch });
      i++;
      continue;
    }
    if (ch === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new Error('unterminated string literal');
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += input[i++];
      }
      tokens.push({ kind: 'string', text });
      continue;
    }
    const rest = input.slice(i);
    const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/.exec(rest);
    if (date) {
      tokens.push({ kind: 'date', text: date[0] });
      i += date[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) {
      tokens.push({ kind: 'number', text: num[0] });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][\w./]*/.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    throw new Error(`unexpected character '${ch}' at ${i}`);
  }
  return tokens;
}

const OPERATORS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

export function parseFilter(input: string): FilterNode {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (word: string): boolean => peek()?.kind === 'ident' && peek()!.text === word;
  const expect = (text: string): void => {
    if (peek()?.text !== text) throw new Error(`expected '${text}' at token ${pos} but found '${peek()?.text ?? 'end'}'`);
    pos++;
  };

  const parseOr = (): FilterNode => {
    let left = parseAnd();
    while (isWord('or')) {
      pos++;
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterNode => {
    let left = parseUnary();
    while (isWord('and')) {
      pos++;
      left = { type: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): FilterNode => {
    if (isWord('not')) {
      pos++;
      return { type: 'not', operand: parseUnary() };
    }
    if (peek()?.text === '(') {
      pos++;
      const inner = parseOr();
      expect(')');
      return inner;
    }
    const token = peek();
    if (token?.kind !== 'ident') throw new Error(`expected a property at token ${pos} but found '${token?.text ?? 'end'}'`);
    pos++;
    const lambda = /^(.+)\/(any|all)$/.exec(token.text);
    if (lambda) {
      expect('(');
      const variable = peek();
      if (variable?.kind !== 'ident') throw new Error('expected a lambda variable');
      pos++;
      expect(':');
      const body = parseOr();
      expect(')');
      return { type: 'lambda', kind: lambda[2] as 'any' | 'all', path: lambda[1]!, variable: variable.text, body };
    }
    const op = peek();
    if (op?.kind !== 'ident' || !OPERATORS.has(op.text)) throw new Error(`expected a comparison operator after '${token.text}'`);
    pos++;
    return { type: 'cmp', path: token.text, op: op.text as 'eq', value: parseLiteral() };
  };
  const parseLiteral = (): Literal => {
    const token = tokens[pos++];
    if (!token) throw new Error('expected a value at end of filter');
    switch (token.kind) {
      case 'string':
        return token.text;
      case 'number':
        return Number(token.text);
      case 'date':
        return { date: Date.parse(token.text), text: token.text };
      case 'ident':
        if (token.text === 'true') return true;
        if (token.text === 'false') return false;
        if (token.text === 'null') return null;
    }
    throw new Error(`unexpected value '${token.text}'`);
  };

  const ast = parseOr();
  if (pos !== tokens.length) throw new Error(`unexpected '${tokens[pos]!.text}' after the filter`);
  return ast;
}

/** True when the filter mentions `property` anywhere. */
export function mentions(node: FilterNode, property: string): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return mentions(node.left, property) || mentions(node.right, property);
    case 'not':
      return mentions(node.operand, property);
    case 'cmp':
      return node.path === property;
    case 'lambda':
      return node.path === property || mentions(node.body, property);
  }
}

function resolve(path: string, record: Record<string, unknown>, scope: Record<string, unknown>): unknown {
  const [head, ...rest] = path.split('/');
  let value: unknown = head! in scope ? scope[head!] : record[head!];
  for (const part of rest) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

export function evaluate(node: FilterNode, record: Record<string, unknown>, scope: Record<string, unknown>): boolean {
  switch (node.type) {
    case 'and':
      return evaluate(node.left, record, scope) && evaluate(node.right, record, scope);
    case 'or':
      return evaluate(node.left, record, scope) || evaluate(node.right, record, scope);
    case 'not':
      return !evaluate(node.operand, record, scope);
    case 'lambda': {
      const items = resolve(node.path, record, scope);
      if (!Array.isArray(items)) return false;
      const test = (item: unknown): boolean => evaluate(node.body, record, { ...scope, [node.variable]: item });
      return node.kind === 'any' ? items.some(test) : items.every(test);
    }
    case 'cmp': {
      const actual = resolve(node.path, record, scope);
      let left: unknown = actual;
      let right: unknown = node.value;
      if (node.value && typeof node.value === 'object') {
        left = typeof actual === 'string' ? Date.parse(actual) : NaN;
        right = node.value.date;
      } else if (typeof actual === 'string' && typeof node.value === 'string') {
        left = actual.toLowerCase(); // Graph compares ids and names case-insensitively
        right = node.value.toLowerCase();
      }
      switch (node.op) {
        case 'eq':
          return left === right;
        case 'ne':
          return left !== right;
        case 'gt':
          return (left as number) > (right as number);
        case 'ge':
          return (left as number) >= (right as number);
        case 'lt':
          return (left as number) < (right as number);
        case 'le':
          return (left as number) <= (right as number);
      }
    }
  }
}
