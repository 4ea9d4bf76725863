/**
 * Binds a call's positional and keyword arguments to a torch signature
 * written as Python writes it (`input, weight, bias=None, stride=1`), so that
 * an op reads `b.get('stride')` whichever way the model passed it, and a
 * wrong call gets torch's message.
 */

interface Parameter {
  name: string;
  /** The default as text (`None`, `1`, `-1`, `'mean'`, `False`, `0.5`), or undefined when required. */
  defaultValue?: unknown;
  /** `*tensors` (torch.cat's list is one parameter, not this). */
  rest?: boolean;
}

const cache = new Map<string, Parameter[]>();

function parse(signature: string): Parameter[] {
  let params = cache.get(signature);
  if (params) return params;
  params = signature.split(',').map((s) => s.trim()).filter(Boolean).map((p) => {
    if (p.startsWith('*')) return { name: p.slice(1), rest: true };
    const eq = p.indexOf('=');
    if (eq < 0) return { name: p };
    const text = p.slice(eq + 1).trim();
    return { name: p.slice(0, eq).trim(), defaultValue: parseDefault(text) };
  });
  cache.set(signature, params);
  return params;
}

function parseDefault(text: string): unknown {
  if (text === 'None') return null;
  if (text === 'True') return true;
  if (text === 'False') return false;
  if (/^'.*'$/.test(text)) return text.slice(1, -1);
  const n = Number(text);
  if (!Number.isNaN(n)) return n;
  throw new Error(`signature default ${text} is not a constant`);
}

export class Bound<V> {
  constructor(readonly op: string, private readonly values: Map<string, V | unknown>, readonly rest: V[]) {}

  get(name: string): V {
    if (!this.values.has(name)) throw new Error(`${this.op}: no parameter ${name}`);
    return this.values.get(name) as V;
  }

  has(name: string): boolean {
    return this.values.has(name);
  }
}

/** Binds `args` and `kwargs` as Python would; throws torch-like messages for missing or unexpected arguments. */
export function bind<V>(op: string, signature: string, args: readonly V[], kwargs: Readonly<Record<string, V>>): Bound<V> {
  const params = parse(signature);
  const values = new Map<string, V | unknown>();
  const rest: V[] = [];
  let i = 0;
  for (const p of params) {
    if (p.rest) {
      while (i < args.length) rest.push(args[i++]!);
      continue;
    }
    if (i < args.length) {
      if (p.name in kwargs) throw new TypeError(`${op}() got multiple values for argument '${p.name}'`);
      values.set(p.name, args[i++]);
    } else if (p.name in kwargs) {
      values.set(p.name, kwargs[p.name]);
    } else if ('defaultValue' in p) {
      values.set(p.name, p.defaultValue);
    } else {
      throw new TypeError(`${op}() missing required argument '${p.name}'`);
    }
  }
  if (i < args.length) throw new TypeError(`${op}() takes ${params.length} positional arguments but ${args.length} were given`);
  for (const k of Object.keys(kwargs)) {
    if (!params.some((p) => p.name === k)) throw new TypeError(`${op}() got an unexpected keyword argument '${k}'`);
  }
  return new Bound<V>(op, values, rest);
}
