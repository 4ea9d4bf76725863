/**
 * Constructor signatures of `torch.nn` modules, and binding the arguments a
 * front end read (positional and keyword, as in Python) to them, with torch's
 * defaults filled in. Errors are `ModuleArgumentError`s whose text says which
 * argument and why, as torch's own `TypeError`s and `ValueError`s do.
 */
import { isModuleArg, type ArgValue } from './tree';

/** A parameter of a constructor; `REQUIRED` marks one without a default. */
export const REQUIRED: unique symbol = Symbol('required');
export type Parameter = readonly [name: string, defaultValue: ArgValue | typeof REQUIRED];

export class ModuleArgumentError extends Error {
  /** The argument the error is about, when there is one (front ends put the diagnostic on it). */
  readonly argument: string | undefined;
  constructor(message: string, argument?: string) {
    super(message);
    this.name = 'ModuleArgumentError';
    this.argument = argument;
  }
}

/** Arguments that change nothing the engine computes (placement, in-place flags). */
export const IGNORED_ARGUMENTS: ReadonlySet<string> = new Set(['device', 'inplace']);

/**
 * `Conv2d(1, 32, 3, padding=1)` → { in_channels: 1, out_channels: 32, kernel_size: 3, stride: 1, padding: 1, … }.
 * `dtype` and the arguments in IGNORED_ARGUMENTS are accepted and dropped.
 */
export function bindArguments(type: string, signature: readonly Parameter[], positional: readonly ArgValue[], keywords: Readonly<Record<string, ArgValue>>): Record<string, ArgValue> {
  if (positional.length > signature.length) {
    throw new ModuleArgumentError(`${type}() takes ${signature.length} arguments but ${positional.length} were given.`);
  }
  const args: Record<string, ArgValue> = {};
  positional.forEach((v, i) => (args[signature[i]![0]] = v));
  for (const [key, value] of Object.entries(keywords)) {
    if (key === 'dtype' || IGNORED_ARGUMENTS.has(key)) continue;
    if (!signature.some(([name]) => name === key)) {
      throw new ModuleArgumentError(`${type}() got an unexpected keyword argument '${key}'. It takes ${signature.map(([n]) => n).join(', ') || 'no arguments'}.`, key);
    }
    if (key in args) throw new ModuleArgumentError(`${type}() got multiple values for argument '${key}'.`, key);
    args[key] = value;
  }
  for (const [name, defaultValue] of signature) {
    if (name in args) continue;
    if (defaultValue === REQUIRED) throw new ModuleArgumentError(`${type}() missing required argument '${name}'.`, name);
    args[name] = defaultValue;
  }
  return args;
}

/** A non-negative integer argument (sizes, counts). */
export function intArg(type: string, args: Readonly<Record<string, ArgValue>>, name: string, options: { min?: number } = {}): number {
  const v = args[name];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ModuleArgumentError(`${type}: ${name} must be an integer, got ${show(v)}.`, name);
  const min = options.min ?? 0;
  if (v < min) throw new ModuleArgumentError(`${type}: ${name} must be ≥ ${min}, got ${v}.`, name);
  return v;
}

/** An integer or None. */
export function optionalIntArg(type: string, args: Readonly<Record<string, ArgValue>>, name: string): number | null {
  return args[name] === null || args[name] === undefined ? null : intArg(type, args, name, { min: -Infinity });
}

export function numberArg(type: string, args: Readonly<Record<string, ArgValue>>, name: string): number {
  const v = args[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModuleArgumentError(`${type}: ${name} must be a number, got ${show(v)}.`, name);
  return v;
}

/** Python truthiness of a flag argument (`bias=False`, `bias=0`). */
export function boolArg(type: string, args: Readonly<Record<string, ArgValue>>, name: string): boolean {
  const v = args[name];
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v === null) return false;
  throw new ModuleArgumentError(`${type}: ${name} must be True or False, got ${show(v)}.`, name);
}

export function stringArg(type: string, args: Readonly<Record<string, ArgValue>>, name: string, allowed?: readonly string[]): string {
  const v = args[name];
  if (typeof v !== 'string') throw new ModuleArgumentError(`${type}: ${name} must be a string, got ${show(v)}.`, name);
  if (allowed && !allowed.includes(v)) throw new ModuleArgumentError(`${type}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${v}'.`, name);
  return v;
}

/**
 * torch's `_single`, `_pair`, `_triple`: an int repeated n times, or a
 * sequence of n ints (`kernel_size=3` → [3, 3]).
 */
export function intTuple(type: string, args: Readonly<Record<string, ArgValue>>, name: string, n: number): number[] {
  const v = args[name];
  const items = Array.isArray(v) ? v : Array.from({ length: n }, () => v);
  if (items.length !== n || !items.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
    throw new ModuleArgumentError(`${type}: ${name} must be an integer or ${n} integers, got ${show(v)}.`, name);
  }
  return items as number[];
}

/** An int or a sequence of ints as a shape (`normalized_shape=768` → [768]). */
export function shapeArg(type: string, args: Readonly<Record<string, ArgValue>>, name: string): number[] {
  const v = args[name];
  const items = Array.isArray(v) ? v : [v];
  if (!items.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
    throw new ModuleArgumentError(`${type}: ${name} must be an integer or a tuple of integers, got ${show(v)}.`, name);
  }
  return items as number[];
}

export function show(v: ArgValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (isModuleArg(v)) return `${v.module.className ?? v.module.type}(…)`;
  if (Array.isArray(v)) return `(${v.map(show).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}
