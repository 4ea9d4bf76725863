/**
 * Literal arithmetic, the part of Python a model definition's numbers are
 * written in: numbers, strings, booleans, None, tuples and lists; + − * / //
 * % ** and comparisons; `math.sqrt`/`np.sqrt`, `math.pi`, `int`, `float`,
 * `len`, `range`, `min`, `max`, `abs`, `round`; indexing and slicing; names
 * bound to such values (module constants, constructor defaults). Anything
 * else is `unknown`, with the node that stopped the evaluation, so that the
 * caller can say exactly what it did not read.
 */
import { calculateGain } from '../engine/init/gain';
import type { Imports } from './imports';
import type { SyntaxNode } from './parser';
import { callArguments, dottedParts, unparen } from './syntax';

export type PyValue = number | string | boolean | null | readonly PyValue[];

export type Evaluated = { ok: true; value: PyValue } | { ok: false; node: SyntaxNode; reason: string };

export interface Scope {
  lookup(name: string): PyValue | undefined;
  readonly imports: Imports;
}

const fail = (node: SyntaxNode, reason: string): Evaluated => ({ ok: false, node, reason });
const ok = (value: PyValue): Evaluated => ({ ok: true, value });

export function evaluate(node: SyntaxNode, scope: Scope): Evaluated {
  const n = unparen(node);
  switch (n.type) {
    case 'integer': {
      const t = n.text.replace(/_/g, '').toLowerCase();
      const v = /^0[box]/.test(t) ? Number(t) : Number(t.replace(/[lj]$/, ''));
      return Number.isFinite(v) ? ok(v) : fail(n, `the number ${n.text}`);
    }
    case 'float': {
      const v = Number(n.text.replace(/_/g, ''));
      return Number.isFinite(v) ? ok(v) : fail(n, `the number ${n.text}`);
    }
    case 'true':
      return ok(true);
    case 'false':
      return ok(false);
    case 'none':
      return ok(null);
    case 'string':
      return stringValue(n);
    case 'concatenated_string': {
      let s = '';
      for (const part of n.namedChildren) {
        const v = part ? stringValue(part) : fail(n, 'a string');
        if (!v.ok || typeof v.value !== 'string') return v.ok ? fail(n, 'a string') : v;
        s += v.value;
      }
      return ok(s);
    }
    case 'identifier': {
      const v = scope.lookup(n.text);
      return v === undefined ? fail(n, `the value of \`${n.text}\``) : ok(v);
    }
    case 'attribute': {
      const parts = dottedParts(n);
      const bound = parts ? scope.lookup(parts.join('.')) : undefined;
      if (bound !== undefined) return ok(bound);
      const q = scope.imports.qualify(n);
      if (q === 'math.pi' || q === 'numpy.pi' || q === 'torch.pi') return ok(Math.PI);
      if (q === 'math.e' || q === 'numpy.e') return ok(Math.E);
      return fail(n, `\`${n.text}\``);
    }
    case 'unary_operator': {
      const arg = n.childForFieldName('argument');
      const op = n.childForFieldName('operator')?.text;
      if (!arg) return fail(n, n.text);
      const v = evaluate(arg, scope);
      if (!v.ok) return v;
      if (typeof v.value !== 'number') return fail(n, `${op ?? ''} on a non-number`);
      return op === '-' ? ok(-v.value) : op === '+' ? ok(v.value) : fail(n, `the operator ${op}`);
    }
    case 'not_operator': {
      const arg = n.childForFieldName('argument');
      const v = arg ? evaluate(arg, scope) : fail(n, n.text);
      return v.ok ? ok(!truthy(v.value)) : v;
    }
    case 'boolean_operator': {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      const op = n.childForFieldName('operator')?.text;
      if (!left || !right) return fail(n, n.text);
      const a = evaluate(left, scope);
      if (!a.ok) return a;
      if (op === 'and' ? !truthy(a.value) : truthy(a.value)) return a;
      return evaluate(right, scope);
    }
    case 'binary_operator':
      return binary(n, scope);
    case 'comparison_operator':
      return comparison(n, scope);
    case 'tuple':
    case 'list': {
      const items: PyValue[] = [];
      for (const item of n.namedChildren) {
        if (!item || item.type === 'comment') continue;
        const v = evaluate(item, scope);
        if (!v.ok) return v;
        items.push(v.value);
      }
      return ok(items);
    }
    case 'subscript':
      return subscript(n, scope);
    case 'call':
      return call(n, scope);
    case 'list_comprehension':
    case 'generator_expression': {
      const items: PyValue[] = [];
      const body = n.childForFieldName('body');
      if (!body) return fail(n, n.text);
      const done = forEachBinding(n, scope, (inner) => {
        const v = evaluate(body, inner);
        if (!v.ok) return v;
        items.push(v.value);
        return undefined;
      });
      return done ?? ok(items);
    }
    case 'conditional_expression': {
      const [whenTrue, condition, whenFalse] = n.namedChildren;
      if (!whenTrue || !condition || !whenFalse) return fail(n, n.text);
      const c = evaluate(condition, scope);
      if (!c.ok) return c;
      return evaluate(truthy(c.value) ? whenTrue : whenFalse, scope);
    }
    default:
      return fail(n, `\`${n.text.split('\n')[0]}\` (${n.type.replace(/_/g, ' ')})`);
  }
}

export function truthy(v: PyValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

function stringValue(n: SyntaxNode): Evaluated {
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return fail(n, 'an f-string');
  const content = n.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
  if (n.namedChildren.some((c) => c?.type === 'escape_sequence')) return fail(n, 'a string with escapes');
  return ok(content);
}

function binary(n: SyntaxNode, scope: Scope): Evaluated {
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  const op = n.childForFieldName('operator')?.text;
  if (!left || !right) return fail(n, n.text);
  const a = evaluate(left, scope);
  if (!a.ok) return a;
  const b = evaluate(right, scope);
  if (!b.ok) return b;
  const x = a.value;
  const y = b.value;
  if (Array.isArray(x) && Array.isArray(y) && op === '+') return ok([...x, ...y]);
  if (Array.isArray(x) && typeof y === 'number' && op === '*') return ok(Array.from({ length: Math.max(0, y) }, () => x).flat());
  if (typeof x === 'string' && typeof y === 'string' && op === '+') return ok(x + y);
  const xn = typeof x === 'boolean' ? Number(x) : x;
  const yn = typeof y === 'boolean' ? Number(y) : y;
  if (typeof xn !== 'number' || typeof yn !== 'number') return fail(n, `\`${op}\` on these values`);
  switch (op) {
    case '+': return ok(xn + yn);
    case '-': return ok(xn - yn);
    case '*': return ok(xn * yn);
    case '/': return yn === 0 ? fail(n, 'a division by zero') : ok(xn / yn);
    case '//': return yn === 0 ? fail(n, 'a division by zero') : ok(Math.floor(xn / yn));
    case '%': return yn === 0 ? fail(n, 'a division by zero') : ok(xn - yn * Math.floor(xn / yn));
    case '**': return ok(xn ** yn);
    default: return fail(n, `the operator ${op ?? '?'}`);
  }
}

function comparison(n: SyntaxNode, scope: Scope): Evaluated {
  const operands = n.namedChildren.filter((c): c is SyntaxNode => c !== null);
  const operators = n.children.filter((c): c is SyntaxNode => c !== null && !c.isNamed).map((c) => c.text);
  if (operands.length !== 2 || operators.length !== 1) return fail(n, `the comparison ${n.text}`);
  const a = evaluate(operands[0]!, scope);
  if (!a.ok) return a;
  const b = evaluate(operands[1]!, scope);
  if (!b.ok) return b;
  const [x, y] = [a.value, b.value];
  switch (operators[0]) {
    case '==': return ok(JSON.stringify(x) === JSON.stringify(y));
    case '!=': return ok(JSON.stringify(x) !== JSON.stringify(y));
    case '<': return ok((x as number) < (y as number));
    case '<=': return ok((x as number) <= (y as number));
    case '>': return ok((x as number) > (y as number));
    case '>=': return ok((x as number) >= (y as number));
    case 'in': return ok(contains(y, x));
    case 'not in': return ok(!contains(y, x));
    default: return fail(n, `the comparison ${operators[0]}`);
  }
}

/** Python's `x in y` for a list or tuple (equal items) and a string (a substring). */
function contains(y: PyValue, x: PyValue): boolean {
  return Array.isArray(y) ? y.some((v) => JSON.stringify(v) === JSON.stringify(x)) : typeof y === 'string' && typeof x === 'string' && y.includes(x);
}

function subscript(n: SyntaxNode, scope: Scope): Evaluated {
  const value = n.childForFieldName('value');
  const index = n.childForFieldName('subscript');
  if (!value || !index) return fail(n, n.text);
  const seq = evaluate(value, scope);
  if (!seq.ok) return seq;
  if (!Array.isArray(seq.value) && typeof seq.value !== 'string') return fail(n, 'indexing a non-sequence');
  const items = seq.value as readonly PyValue[] | string;
  if (index.type === 'slice') {
    const parts: (number | undefined)[] = [];
    let current: number | undefined;
    for (const child of index.children) {
      if (!child) continue;
      if (child.text === ':') {
        parts.push(current);
        current = undefined;
      } else {
        const v = evaluate(child, scope);
        if (!v.ok) return v;
        if (typeof v.value !== 'number') return fail(child, 'a non-integer slice bound');
        current = v.value;
      }
    }
    parts.push(current);
    const [start, stop, step] = parts;
    if (step !== undefined && step !== 1) return fail(index, 'a slice with a step');
    const len = items.length;
    const norm = (i: number | undefined, fallback: number): number => (i === undefined ? fallback : i < 0 ? Math.max(0, len + i) : Math.min(len, i));
    return ok(items.slice(norm(start, 0), norm(stop, len)) as PyValue);
  }
  const i = evaluate(index, scope);
  if (!i.ok) return i;
  if (typeof i.value !== 'number' || !Number.isInteger(i.value)) return fail(index, 'a non-integer index');
  const at = i.value < 0 ? items.length + i.value : i.value;
  if (at < 0 || at >= items.length) return fail(index, `index ${i.value} out of range (length ${items.length})`);
  return ok(items[at] as PyValue);
}

const SQRT = new Set(['math.sqrt', 'numpy.sqrt', 'torch.sqrt']);
const BUILTINS = new Set(['int', 'float', 'abs', 'round', 'len', 'min', 'max', 'range', 'list', 'tuple', 'any', 'all', 'enumerate', 'zip']);

function call(n: SyntaxNode, scope: Scope): Evaluated {
  const fn = n.childForFieldName('function');
  if (!fn) return fail(n, n.text);
  // A method call without arguments whose value the caller bound (`p.dim()` per parameter, see training.ts).
  const bound = fn.type === 'attribute' && callArguments(n).positional.length === 0 ? scope.lookup(`${fn.text}()`) : undefined;
  if (bound !== undefined) return ok(bound);
  const name = fn.type === 'identifier' && scope.lookup(fn.text) === undefined ? fn.text : scope.imports.qualify(fn);
  if (fn.type === 'attribute' && !name) return method(n, fn, scope);
  // Say no before evaluating the arguments of a call we would not compute anyway.
  if (!name || !(BUILTINS.has(name) || SQRT.has(name) || name === 'math.log' || name === 'numpy.log' || name === 'torch.nn.init.calculate_gain')) {
    return fail(n, `the call \`${fn.text}(…)\``);
  }
  const args = callArguments(n);
  if (args.splat) return fail(args.splat, 'unpacked arguments');
  const values: PyValue[] = [];
  for (const a of args.positional) {
    const v = evaluate(a, scope);
    if (!v.ok) return v;
    values.push(v.value);
  }
  const num = (i: number): number | undefined => (typeof values[i] === 'number' ? (values[i] as number) : typeof values[i] === 'boolean' ? Number(values[i]) : undefined);
  if (name && SQRT.has(name) && values.length === 1 && num(0) !== undefined) return num(0)! >= 0 ? ok(Math.sqrt(num(0)!)) : fail(n, 'the square root of a negative number');
  if ((name === 'math.log' || name === 'numpy.log') && num(0) !== undefined && values.length === 1) return ok(Math.log(num(0)!));
  if (name === 'torch.nn.init.calculate_gain') {
    const param = args.keywords.get('param')?.value ?? args.positional[1];
    let paramValue: PyValue | undefined;
    if (param) {
      const p = evaluate(param, scope);
      if (!p.ok) return p;
      paramValue = p.value;
    }
    const nonlinearityNode = args.keywords.get('nonlinearity')?.value ?? args.positional[0];
    const nl = nonlinearityNode ? evaluate(nonlinearityNode, scope) : fail(n, 'calculate_gain without a nonlinearity');
    if (!nl.ok) return nl;
    try {
      return ok(calculateGain(String(nl.value), paramValue ?? undefined));
    } catch (err) {
      return fail(n, `calculate_gain: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (args.keywords.size > 0) return fail(n, `\`${fn.text}\` with keyword arguments`);
  switch (name) {
    case 'int':
      return num(0) !== undefined ? ok(Math.trunc(num(0)!)) : fail(n, n.text);
    case 'float':
      return num(0) !== undefined ? ok(num(0)!) : fail(n, n.text);
    case 'abs':
      return num(0) !== undefined ? ok(Math.abs(num(0)!)) : fail(n, n.text);
    case 'round':
      return num(0) !== undefined && values.length === 1 ? ok(roundHalfEven(num(0)!)) : fail(n, n.text);
    case 'len':
      return Array.isArray(values[0]) || typeof values[0] === 'string' ? ok((values[0] as readonly PyValue[]).length) : fail(n, n.text);
    case 'min':
    case 'max': {
      const list = values.length === 1 && Array.isArray(values[0]) ? (values[0] as PyValue[]) : values;
      if (list.length === 0 || !list.every((v) => typeof v === 'number')) return fail(n, n.text);
      return ok(name === 'min' ? Math.min(...(list as number[])) : Math.max(...(list as number[])));
    }
    case 'range': {
      const ints = values.map((_, i) => num(i));
      if (ints.length < 1 || ints.length > 3 || ints.some((v) => v === undefined || !Number.isInteger(v))) return fail(n, n.text);
      const [start, stop, step] = ints.length === 1 ? [0, ints[0]!, 1] : [ints[0]!, ints[1]!, ints[2] ?? 1];
      if (step === 0) return fail(n, 'range() with step 0');
      const out: number[] = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
        out.push(i);
        if (out.length > 100_000) return fail(n, 'a range of more than 100,000 items');
      }
      return ok(out);
    }
    case 'list':
    case 'tuple':
      return values.length === 0 ? ok([]) : Array.isArray(values[0]) ? ok(values[0] as PyValue[]) : fail(n, n.text);
    case 'any':
    case 'all': {
      if (!Array.isArray(values[0]) || values.length !== 1) return fail(n, n.text);
      const list = values[0] as PyValue[];
      return ok(name === 'any' ? list.some(truthy) : list.every(truthy));
    }
    case 'enumerate':
      return Array.isArray(values[0]) && values.length === 1 ? ok((values[0] as PyValue[]).map((v, i) => [i, v])) : fail(n, n.text);
    case 'zip': {
      if (!values.every(Array.isArray)) return fail(n, n.text);
      const lists = values as PyValue[][];
      const length = Math.min(...lists.map((l) => l.length));
      return ok(Array.from({ length }, (_, i) => lists.map((l) => l[i]!)));
    }
    default:
      return fail(n, `the call \`${fn.text}(…)\``);
  }
}

/** Python 3's round(): half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `str.endswith`, `str.startswith`, `str.lower`, `str.upper` on a value we know. */
function method(n: SyntaxNode, fn: SyntaxNode, scope: Scope): Evaluated {
  const object = fn.childForFieldName('object');
  const name = fn.childForFieldName('attribute')?.text;
  if (!object || !name) return fail(n, n.text);
  const target = evaluate(object, scope);
  if (!target.ok) return target;
  const args = callArguments(n);
  const values: PyValue[] = [];
  for (const a of args.positional) {
    const v = evaluate(a, scope);
    if (!v.ok) return v;
    values.push(v.value);
  }
  const s = target.value;
  if (typeof s !== 'string') return fail(n, `the method \`.${name}()\``);
  const affixes = (v: PyValue | undefined): string[] | undefined =>
    typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  switch (name) {
    case 'endswith':
    case 'startswith': {
      const list = affixes(values[0]);
      if (!list || values.length !== 1) return fail(n, n.text);
      return ok(list.some((a) => (name === 'endswith' ? s.endsWith(a) : s.startsWith(a))));
    }
    case 'lower':
      return ok(s.toLowerCase());
    case 'upper':
      return ok(s.toUpperCase());
    default:
      return fail(n, `the method \`.${name}()\``);
  }
}

/** Runs `each` once per binding of a comprehension's `for … in … if …` clauses; stops at the first failure. */
export function forEachBinding(comprehension: SyntaxNode, scope: Scope, each: (inner: Scope) => Evaluated | undefined): Evaluated | undefined {
  const clauses = comprehension.namedChildren.filter((c): c is SyntaxNode => c !== null && (c.type === 'for_in_clause' || c.type === 'if_clause'));
  const step = (i: number, current: Scope): Evaluated | undefined => {
    if (i === clauses.length) return each(current);
    const clause = clauses[i]!;
    if (clause.type === 'if_clause') {
      const condition = clause.namedChild(0);
      const c = condition ? evaluate(condition, current) : fail(clause, clause.text);
      if (!c.ok) return c;
      return truthy(c.value) ? step(i + 1, current) : undefined;
    }
    const left = clause.childForFieldName('left');
    const right = clause.childForFieldName('right');
    if (!left || !right) return fail(clause, clause.text);
    const seq = evaluate(right, current);
    if (!seq.ok) return seq;
    if (!Array.isArray(seq.value)) return fail(right, 'iterating over a non-sequence');
    for (const item of seq.value as PyValue[]) {
      const bound = bindTarget(left, item);
      if (!bound) return fail(left, `the loop target ${left.text}`);
      const failed = step(i + 1, withBindings(current, bound));
      if (failed) return failed;
    }
    return undefined;
  };
  return step(0, scope);
}

/** `i` or `a, b` (or `(a, b)`) bound to a value: the names and their values. */
export function bindTarget(target: SyntaxNode, value: PyValue): Map<string, PyValue> | undefined {
  const t = unparen(target);
  if (t.type === 'identifier') return new Map([[t.text, value]]);
  if (t.type === 'pattern_list' || t.type === 'tuple_pattern' || t.type === 'tuple' || t.type === 'list_pattern') {
    const names = t.namedChildren.filter((c): c is SyntaxNode => c !== null);
    if (!Array.isArray(value) || value.length !== names.length) return undefined;
    const out = new Map<string, PyValue>();
    for (let i = 0; i < names.length; i++) {
      const inner = bindTarget(names[i]!, (value as PyValue[])[i]!);
      if (!inner) return undefined;
      for (const [k, v] of inner) out.set(k, v);
    }
    return out;
  }
  return undefined;
}

export function withBindings(scope: Scope, bindings: ReadonlyMap<string, PyValue>): Scope {
  return { imports: scope.imports, lookup: (name) => (bindings.has(name) ? bindings.get(name) : scope.lookup(name)) };
}
