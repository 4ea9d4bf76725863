/**
 * A parser for the small subset of Python literals that NPY headers use
 * (numpy writes the header with `repr()` and reads it with
 * `ast.literal_eval`): strings, integers, True/False/None, tuples, lists and
 * dicts. Nothing is evaluated; anything else is a syntax error.
 */

export type PyValue =
  | { kind: 'str'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'tuple'; items: PyValue[] }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'dict'; entries: Map<string, PyValue> };

export class PyLiteralError extends Error {}

/** Deeper nesting than this is no NPY header; the limit keeps hostile input off the call stack. */
const MAX_DEPTH = 32;

export function parsePyLiteral(text: string): PyValue {
  const parser = new Parser(text);
  const value = parser.value(0);
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail('unexpected text after the literal');
  return value;
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string): never {
    throw new PyLiteralError(`${message} at character ${this.pos + 1}`);
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) this.fail('unexpected end of header');
    if (c === "'" || c === '"') return { kind: 'str', value: this.string(c) };
    if (c === '(') {
      // `(3)` is a parenthesized 3 in Python, `(3,)` a tuple.
      const { items, commas } = this.sequence(')', depth);
      return items.length === 1 && commas === 0 ? items[0]! : { kind: 'tuple', items };
    }
    if (c === '[') return { kind: 'list', items: this.sequence(']', depth).items };
    if (c === '{') return this.dict(depth);
    if (c === '-' || c === '+' || (c >= '0' && c <= '9')) return this.integer();
    const word = /^[A-Za-z_]\w*/.exec(this.text.slice(this.pos, this.pos + 16))?.[0];
    if (word === 'True' || word === 'False') {
      this.pos += word.length;
      return { kind: 'bool', value: word === 'True' };
    }
    if (word === 'None') {
      this.pos += word.length;
      return { kind: 'none' };
    }
    return this.fail(`unexpected ${JSON.stringify(c)}`);
  }

  private string(quote: string): string {
    let out = '';
    this.pos++;
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      if (c === quote) return out;
      if (c === '\\') {
        const escaped = this.text[this.pos++];
        if (escaped === undefined) this.fail('unterminated string');
        out += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
      } else {
        out += c;
      }
    }
  }

  private integer(): PyValue {
    // Python 2 numpy wrote longs with an `L` suffix: `(3L, 4L)`.
    const match = /^[+-]?\s*\d+L?/.exec(this.text.slice(this.pos));
    if (!match) this.fail('expected a number');
    this.pos += match[0].length;
    const digits = match[0].replace(/[\sL]/g, '');
    const next = this.text[this.pos];
    if (next !== undefined && /[.eEjx\w]/.test(next)) this.fail('only integers are allowed');
    return { kind: 'int', value: Number(digits) };
  }

  /** Items up to `close`; a trailing comma is allowed, as in Python. */
  private sequence(close: string, depth: number): { items: PyValue[]; commas: number } {
    const items: PyValue[] = [];
    let commas = 0;
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return { items, commas };
      }
      items.push(this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        commas++;
      }
      else if (this.text[this.pos] !== close) this.fail(`expected ',' or '${close}'`);
    }
  }

  private dict(depth: number): PyValue {
    const entries = new Map<string, PyValue>();
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { kind: 'dict', entries };
      }
      const key = this.value(depth + 1);
      if (key.kind !== 'str') this.fail('dict keys must be strings');
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      entries.set(key.value, this.value(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') this.fail("expected ',' or '}'");
    }
  }
}
