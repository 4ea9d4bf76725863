/**
 * The one op table of forward graphs: torch's name of every function,
 * tensor method and operator a graph may call, mapped to the engine function
 * that computes it (engine/tensor/index.ts, named by torch's functional name
 * in camelCase, torch's keyword arguments as an options object) and to its
 * shape rule, which the graph check runs on shapes alone (meta.ts).
 *
 * An op whose engine function is not exported by engine/tensor yet is "not
 * available yet": the graph check reports it at the line that calls it, and
 * Train and Signal say why they are off. Availability is looked up, not
 * written down, so an op becomes available the moment engine/tensor exports
 * its function under the conventional name and signature.
 *
 * Python-level steps (arithmetic on sizes, tuple indexing, `x.size()`,
 * comparisons that make masks, `torch.arange`) are computed here: they have
 * no gradient.
 */
import * as tensorOps from '../tensor';
import type { TorchGenerator } from '../random';
import type { DType } from '../tensor/dtype';
import { formatShape } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';
import { isMeta, MetaTensor, UNKNOWN, type MetaValue } from './meta';
import { canBatchMatmul, canBroadcast, canLayerNormShape, canReduceDims, canSoftmaxAnyDim } from './capabilities';
import { bind, type Bound } from './signature';
import { BRANCH_OP, branchOp } from './branch';
import { describeValue, isLong, isTensor, LongTensor, type RuntimeValue } from './values';

export interface RunContext {
  training: boolean;
  rng: TorchGenerator;
  dtype: DType;
}

export interface OpDef {
  /** torch's parameters, as Python writes them. */
  signature: string;
  /** The engine function it needs, by the convention; absent for steps computed here. */
  engine?: string;
  run(b: Bound<RuntimeValue>, ctx: RunContext): RuntimeValue;
  /** The result's shape from the arguments' shapes; absent: the check does not follow it further. */
  shape?(b: Bound<MetaValue>): MetaValue;
}

/** An op the engine has no function for yet (or an argument combination it does not compute yet). */
export class OpUnavailable extends Error {
  constructor(readonly op: string, readonly engine: string, detail?: string) {
    super(`${op} needs the engine op ${engine}${detail ? ` ${detail}` : ''}, which is not available yet`);
    this.name = 'OpUnavailable';
  }
}

type EngineFn = (...args: unknown[]) => unknown;

/**
 * Where shape rules report an engine op that is missing for the arguments at hand (batched matmul, broadcasting
 * in both directions, tensor indexing) while the check goes on with the shape; outside the check it is thrown.
 */
let unavailableSink: ((e: OpUnavailable) => void) | null = null;

export function collectingUnavailable<T>(sink: (e: OpUnavailable) => void, fn: () => T): T {
  const previous = unavailableSink;
  unavailableSink = sink;
  try {
    return fn();
  } finally {
    unavailableSink = previous;
  }
}

function missing(e: OpUnavailable): void {
  if (unavailableSink) unavailableSink(e);
  else throw e;
}
const engineExports = tensorOps as unknown as Record<string, unknown>;

/** Whether engine/tensor exports `name` (a function). */
export function engineHas(name: string): boolean {
  return typeof engineExports[name] === 'function';
}

function engineFn(op: string, name: string): EngineFn {
  const fn = engineExports[name];
  if (typeof fn !== 'function') throw new OpUnavailable(op, name);
  return fn as EngineFn;
}

// ---------------------------------------------------------------------------
// Argument readers

function tensorArg(op: string, v: RuntimeValue, what = 'input'): Tensor {
  if (!isTensor(v)) throw new TypeError(`${op}: ${what} must be a float tensor, got ${describeValue(v)}`);
  return v;
}

function optionalTensor(op: string, v: RuntimeValue, what: string): Tensor | null {
  return v === null ? null : tensorArg(op, v, what);
}

function longArg(op: string, v: RuntimeValue, what: string): LongTensor {
  if (!isLong(v)) throw new TypeError(`${op}: ${what} must be an integer tensor, got ${describeValue(v)}`);
  return v;
}

function num(op: string, v: RuntimeValue | MetaValue, what: string): number {
  if (typeof v === 'boolean') return Number(v);
  if (typeof v !== 'number') throw new TypeError(`${op}: ${what} must be a number, got ${describeAny(v)}`);
  return v;
}

function ints(op: string, v: RuntimeValue | MetaValue, what: string): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  throw new TypeError(`${op}: ${what} must be an int or a tuple of ints, got ${describeAny(v)}`);
}

/** A shape given as varargs (`x.view(B, T, C)`) or as one tuple (`x.view((B, T, C))`). */
function shapeArgs(op: string, rest: readonly (RuntimeValue | MetaValue)[]): number[] {
  const items = rest.length === 1 && Array.isArray(rest[0]) ? rest[0] : rest;
  return ints(op, items as RuntimeValue, 'the shape');
}

function describeAny(v: RuntimeValue | MetaValue): string {
  if (v === UNKNOWN) return 'a value computed by an op the check does not follow';
  if (isMeta(v as MetaValue)) return `a tensor of shape ${formatShape((v as MetaTensor).shape)}`;
  return describeValue(v as RuntimeValue);
}

export function normalizeDim(op: string, dim: number, ndim: number): number {
  const d = dim < 0 ? dim + ndim : dim;
  if (!(d >= 0 && d < Math.max(ndim, 1))) throw new RangeError(`${op}: Dimension out of range (expected to be in range of [${-Math.max(ndim, 1)}, ${Math.max(ndim, 1) - 1}], but got ${dim})`);
  return d;
}

// ---------------------------------------------------------------------------
// Shape rules

/** numpy/torch broadcasting of two shapes, or torch's message. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new RangeError(`The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}: shapes ${formatShape(a)} and ${formatShape(b)}`);
    }
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** `view`'s shape with its −1 resolved, or torch's message. */
export function resolveView(op: string, from: readonly number[], shape: readonly number[]): number[] {
  const numel = from.reduce((p, d) => p * d, 1);
  const inferred = shape.indexOf(-1);
  const known = shape.reduce((p, d, i) => (i === inferred ? p : p * d), 1);
  const out = [...shape];
  if (inferred >= 0) {
    if (known === 0 || numel % known !== 0) throw new RangeError(`${op}: shape '${formatShape(shape)}' is invalid for input of size ${numel}`);
    out[inferred] = numel / known;
  }
  if (out.reduce((p, d) => p * d, 1) !== numel || out.some((d) => d < 0 || !Number.isInteger(d))) {
    throw new RangeError(`${op}: shape '${formatShape(shape)}' is invalid for input of size ${numel}`);
  }
  return out;
}

function flattenShape(op: string, shape: readonly number[], start: number, end: number): number[] {
  if (shape.length === 0) return [1];
  const s = normalizeDim(op, start, shape.length);
  const e = normalizeDim(op, end, shape.length);
  if (s > e) throw new RangeError(`${op}: start_dim cannot come after end_dim`);
  return [...shape.slice(0, s), shape.slice(s, e + 1).reduce((p, d) => p * d, 1), ...shape.slice(e + 1)];
}

function convOutput(size: number, kernel: number, stride: number, padding: number, dilation: number, ceil = false): number {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // torch: with ceil_mode the last window must start inside the input or its left padding.
  if (ceil && (out - 1) * stride >= size + padding) out--;
  return out;
}

function repeat(op: string, v: MetaValue | RuntimeValue, n: number, what: string): number[] {
  const xs = ints(op, v, what);
  if (xs.length === 1) return Array(n).fill(xs[0]);
  if (xs.length !== n) throw new RangeError(`${op}: ${what} must have ${n} elements, got ${xs.length}`);
  return xs;
}

function convShape(op: string, spatial: number, b: Bound<MetaValue>): MetaValue {
  const x = b.get('input');
  const w = b.get('weight');
  if (!isMeta(x) || !isMeta(w)) return UNKNOWN;
  if (x.ndim !== spatial + 2 && x.ndim !== spatial + 1) throw new RangeError(`${op}: expected a ${spatial + 1}D or ${spatial + 2}D input, got ${formatShape(x.shape)}`);
  const batched = x.ndim === spatial + 2;
  const channels = x.shape[batched ? 1 : 0]!;
  const groups = num(op, b.get('groups'), 'groups');
  if (channels !== w.shape[1]! * groups) {
    throw new RangeError(`${op}: expected input ${formatShape(x.shape)} to have ${w.shape[1]! * groups} channels, but got ${channels} channels instead`);
  }
  const kernel = w.shape.slice(2);
  const stride = repeat(op, b.get('stride'), spatial, 'stride');
  const dilation = repeat(op, b.get('dilation'), spatial, 'dilation');
  const paddingArg = b.get('padding');
  const sizes = x.shape.slice(batched ? 2 : 1);
  const out = sizes.map((size, i) => {
    if (paddingArg === 'same') return size;
    const padding = paddingArg === 'valid' ? 0 : repeat(op, paddingArg, spatial, 'padding')[i]!;
    return convOutput(size, kernel[i]!, stride[i]!, padding, dilation[i]!);
  });
  if (out.some((d) => d <= 0)) throw new RangeError(`${op}: input ${formatShape(x.shape)} is too small for kernel ${formatShape(kernel)}: the output would be ${formatShape(out)}`);
  return new MetaTensor(batched ? [x.shape[0]!, w.shape[0]!, ...out] : [w.shape[0]!, ...out]);
}

function poolShape(op: string, spatial: number, b: Bound<MetaValue>, average: boolean): MetaValue {
  const x = b.get('input');
  if (!isMeta(x)) return UNKNOWN;
  if (x.ndim !== spatial + 2 && x.ndim !== spatial + 1) throw new RangeError(`${op}: expected a ${spatial + 1}D or ${spatial + 2}D input, got ${formatShape(x.shape)}`);
  const kernel = repeat(op, b.get('kernel_size'), spatial, 'kernel_size');
  const strideArg = b.get('stride');
  const stride = strideArg === null || (Array.isArray(strideArg) && strideArg.length === 0) ? kernel : repeat(op, strideArg, spatial, 'stride');
  const padding = repeat(op, b.get('padding'), spatial, 'padding');
  const dilation = average ? Array(spatial).fill(1) : repeat(op, b.get('dilation'), spatial, 'dilation');
  const ceil = b.get('ceil_mode') === true;
  const lead = x.shape.slice(0, x.ndim - spatial);
  const out = x.shape.slice(x.ndim - spatial).map((size, i) => convOutput(size, kernel[i]!, stride[i]!, padding[i]!, dilation[i]!, ceil));
  if (out.some((d) => d <= 0)) throw new RangeError(`${op}: input ${formatShape(x.shape)} is too small for kernel ${formatShape(kernel)}`);
  return new MetaTensor([...lead, ...out]);
}

function sameShape(b: Bound<MetaValue>): MetaValue {
  return b.get('input');
}

/** Shapes of a tensor index: ints drop a dimension, slices keep it (clamped like Python), None adds one, ... fills. */
export function indexShape(shape: readonly number[], key: readonly (MetaValue | RuntimeValue)[]): number[] {
  const explicit = key.filter((k) => k !== null && !(typeof k === 'object' && !Array.isArray(k) && (k as { kind?: string }).kind === 'ellipsis')).length;
  const out: number[] = [];
  let dim = 0;
  for (const k of key) {
    if (k === null) {
      out.push(1);
      continue;
    }
    if (typeof k === 'object' && !Array.isArray(k) && (k as { kind?: string }).kind === 'ellipsis') {
      const skip = shape.length - explicit;
      for (let i = 0; i < skip; i++) out.push(shape[dim++]!);
      continue;
    }
    if (dim >= shape.length) throw new RangeError(`too many indices for tensor of dimension ${shape.length}`);
    const size = shape[dim++]!;
    if (typeof k === 'number') {
      if (k >= size || k < -size) throw new RangeError(`index ${k} is out of bounds for dimension ${dim - 1} with size ${size}`);
      continue;
    }
    if (typeof k === 'object' && !Array.isArray(k) && (k as { kind?: string }).kind === 'slice') {
      const s = k as { start: number | null; stop: number | null; step: number | null };
      out.push(sliceLength(size, s.start, s.stop, s.step ?? 1));
      continue;
    }
    throw new TypeError(`indexing a tensor with ${describeAny(k as RuntimeValue)} is not read`);
  }
  while (dim < shape.length) out.push(shape[dim++]!);
  return out;
}

export function sliceBounds(size: number, start: number | null, stop: number | null, step: number): [number, number] {
  if (!(step > 0)) throw new RangeError('slice step must be positive');
  const clamp = (v: number): number => Math.min(size, Math.max(0, v < 0 ? v + size : v));
  return [start === null ? 0 : clamp(start), stop === null ? size : clamp(stop)];
}

function sliceLength(size: number, start: number | null, stop: number | null, step: number): number {
  const [a, b] = sliceBounds(size, start, stop, step);
  return Math.max(0, Math.ceil((b - a) / step));
}

/** One subscript as engine/tensor's `index` takes it: an integer, a slice { start, stop, step }, null (a new axis) or '...'. */
function indexEntry(k: RuntimeValue): number | null | '...' | { start: number | null; stop: number | null; step: number | null } {
  if (k === null || typeof k === 'number') return k;
  if (typeof k === 'object' && !Array.isArray(k) && !isTensor(k) && !isLong(k)) {
    if (k.kind === 'ellipsis') return '...';
    return { start: k.start, stop: k.stop, step: k.step };
  }
  throw new TypeError(`indexing a tensor with ${describeValue(k)} is not read (integers, slices, None and ... are)`);
}

/** A 1/0 mask as the float tensor engine/tensor's masks are (masked_fill, attention masks). */
function floatMask(op: string, v: RuntimeValue, like: Tensor): Tensor {
  if (isTensor(v)) return v;
  const m = longArg(op, v, 'mask');
  return Tensor.from(m.data, m.shape, { dtype: like.dtype });
}

/** The index key as a list (a single subscript is a one-item key). */
function keyItems(key: RuntimeValue | MetaValue): (RuntimeValue | MetaValue)[] {
  return Array.isArray(key) ? key : [key];
}

// ---------------------------------------------------------------------------
// Python-level arithmetic

function pythonBinary(op: string, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'truediv': return a / b;
    case 'floordiv': return Math.floor(a / b);
    case 'mod': return ((a % b) + b) % b;
    case 'pow': return a ** b;
    default: throw new Error(`operator.${op}`);
  }
}

function tensorBinary(name: string, a: RuntimeValue, b: RuntimeValue): RuntimeValue {
  const op = `operator.${name}`;
  if (typeof a === 'number' && typeof b === 'number') return pythonBinary(name, a, b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return tensorBinary(name, typeof a === 'boolean' ? Number(a) : a, typeof b === 'boolean' ? Number(b) : b);
  const sub = engineFn(op, 'sub');
  const add = engineFn(op, 'add');
  const mul = engineFn(op, 'mul');
  const div = engineFn(op, 'div');
  if (isTensor(a) && (isTensor(b) || typeof b === 'number')) {
    if (isTensor(b) && !sameShapeOrRow(a.shape, b.shape)) {
      // b broadcast into a is what the engine's elementwise ops do today; the other direction needs broadcasting in both.
      if (sameShapeOrRow(b.shape, a.shape) && (name === 'add' || name === 'mul')) return (name === 'add' ? add : mul)(b, a) as Tensor;
      requireBroadcasting(op, a.shape, b.shape);
    }
    switch (name) {
      case 'add': return add(a, b) as Tensor;
      case 'sub': return sub(a, b) as Tensor;
      case 'mul': return mul(a, b) as Tensor;
      case 'truediv': return div(a, b) as Tensor;
      case 'pow':
        if (typeof b !== 'number') throw new OpUnavailable(op, 'pow', 'with a tensor exponent');
        return engineFn(op, 'pow')(a, b) as Tensor;
      default: throw new TypeError(`${op} is not defined on float tensors here`);
    }
  }
  if (typeof a === 'number' && isTensor(b)) {
    switch (name) {
      case 'add': return add(b, a) as Tensor;
      case 'mul': return mul(b, a) as Tensor;
      case 'sub': return add(engineFn(op, 'neg')(b), a) as Tensor; // a − x = (−x) + a
      case 'truediv': return mul(engineFn(op, 'pow')(b, -1), a) as Tensor; // a / x = x⁻¹ · a
      default: throw new OpUnavailable(op, 'pow', 'with a tensor exponent');
    }
  }
  throw new TypeError(`${op}: cannot combine ${describeValue(a)} and ${describeValue(b)}`);
}

/** Shapes the engine's elementwise ops take today: b a scalar, the same shape as a, or a row of a's last dimension. */
function sameShapeOrRow(a: readonly number[], b: readonly number[]): boolean {
  const bn = b.reduce((p, d) => p * d, 1);
  if (bn === 1 && b.length <= 1) return true;
  if (a.length === b.length && a.every((d, i) => d === b[i])) return true;
  return b.length === 1 && a.length >= 1 && b[0] === a[a.length - 1];
}

/** Broadcasting beyond a row needs elementwise ops that broadcast both operands (capabilities.ts); until then, say so. */
function requireBroadcasting(op: string, a: readonly number[], b: readonly number[]): void {
  broadcastShapes(a, b);
  if (!canBroadcast()) throw new OpUnavailable(op, 'broadcasting', `(shapes ${formatShape(a)} and ${formatShape(b)})`);
}

function binaryShape(name: string) {
  return (b: Bound<MetaValue>): MetaValue => {
    const x = b.get('a');
    const y = b.get('b');
    if (x === UNKNOWN || y === UNKNOWN) return UNKNOWN;
    if (typeof x === 'number' && typeof y === 'number') return pythonBinary(name, x, y);
    if (isMeta(x) && isMeta(y)) {
      const shape = broadcastShapes(x.shape, y.shape);
      if (!sameShapeOrRow(x.shape, y.shape) && !(sameShapeOrRow(y.shape, x.shape) && (name === 'add' || name === 'mul'))) {
        if (!canBroadcast()) missing(new OpUnavailable(`operator.${name}`, 'broadcasting', `(shapes ${formatShape(x.shape)} and ${formatShape(y.shape)})`));
      }
      return new MetaTensor(shape);
    }
    if (isMeta(x)) return x;
    if (isMeta(y)) return y;
    return UNKNOWN;
  };
}

function compareRun(name: string) {
  return (b: Bound<RuntimeValue>): RuntimeValue => {
    const a = b.get('a');
    const c = b.get('b');
    const test = (x: number, y: number): boolean => {
      switch (name) {
        case 'eq': return x === y;
        case 'ne': return x !== y;
        case 'lt': return x < y;
        case 'le': return x <= y;
        case 'gt': return x > y;
        default: return x >= y;
      }
    };
    if (typeof a === 'number' && typeof c === 'number') return test(a, c);
    // Python scalars (None, booleans, strings): equality as Python's, booleans ordered as 0/1.
    const scalar = (v: RuntimeValue): v is null | boolean | string | number => v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number';
    if (scalar(a) && scalar(c)) {
      const bothNumeric = (typeof a === 'number' || typeof a === 'boolean') && (typeof c === 'number' || typeof c === 'boolean');
      if (bothNumeric) return test(Number(a), Number(c));
      if (name === 'eq' || name === 'ne') return (a === c) === (name === 'eq');
      throw new TypeError(`'${name}' not supported between ${describeValue(a)} and ${describeValue(c)}`);
    }
    const t = isTensor(a) || isLong(a) ? a : undefined;
    if (!t || typeof c !== 'number') throw new TypeError(`operator.${name}: Weightscope compares a tensor with a number, got ${describeValue(a)} and ${describeValue(c)}`);
    const out = new Int32Array(t.data.length);
    for (let i = 0; i < out.length; i++) out[i] = test(t.data[i]!, c) ? 1 : 0;
    return new LongTensor(out, t.shape);
  };
}

function compareShape(name: string) {
  return (b: Bound<MetaValue>): MetaValue => {
    const a = b.get('a');
    const c = b.get('b');
    if (isMeta(a)) return new MetaTensor(isMeta(c) ? broadcastShapes(a.shape, c.shape) : a.shape, true);
    if (isMeta(c)) return new MetaTensor(c.shape, true);
    // Sizes compared (`x.dim() == 3`): computed, so that a branch on them is decided by the check.
    const scalar = (v: MetaValue): boolean => typeof v === 'number' || typeof v === 'boolean' || v === null || typeof v === 'string';
    if (scalar(a) && scalar(c)) return compareRun(name)(b as Bound<RuntimeValue>) as boolean;
    if (Array.isArray(a) && Array.isArray(c) && (name === 'eq' || name === 'ne')) return (JSON.stringify(a) === JSON.stringify(c)) === (name === 'eq');
    return UNKNOWN;
  };
}

// ---------------------------------------------------------------------------
// Op builders

/** An elementwise activation: engine function `engine(x, …extra)`, shape unchanged. */
function activation(engine: string, signature: string, extra: (b: Bound<RuntimeValue>) => unknown[] = () => []): OpDef {
  return {
    signature,
    engine,
    run: (b) => engineFn(engine, engine)(tensorArg(engine, b.get('input')), ...extra(b)) as Tensor,
    shape: sameShape,
  };
}

function reshapeRun(op: string, x: RuntimeValue, shape: number[]): RuntimeValue {
  if (isLong(x)) return new LongTensor(x.data, resolveView(op, x.shape, shape));
  const t = tensorArg(op, x);
  return engineFn(op, 'reshape')(t, resolveView(op, t.shape, shape)) as Tensor;
}

function viewShapeRule(op: string) {
  return (b: Bound<MetaValue>): MetaValue => {
    const x = b.get('input');
    if (!isMeta(x)) return UNKNOWN;
    if (b.rest.some((r) => r === UNKNOWN)) return UNKNOWN;
    return new MetaTensor(resolveView(op, x.shape, shapeArgs(op, b.rest)), x.long);
  };
}

function flattenRun(op: string) {
  return (b: Bound<RuntimeValue>): RuntimeValue => {
    const x = b.get('input');
    const shape = isTensor(x) || isLong(x) ? x.shape : [];
    return reshapeRun(op, x, flattenShape(op, shape, num(op, b.get('start_dim'), 'start_dim'), num(op, b.get('end_dim'), 'end_dim')));
  };
}

function flattenShapeRule(op: string) {
  return (b: Bound<MetaValue>): MetaValue => {
    const x = b.get('input');
    if (!isMeta(x)) return UNKNOWN;
    return new MetaTensor(flattenShape(op, x.shape, num(op, b.get('start_dim'), 'start_dim'), num(op, b.get('end_dim'), 'end_dim')), x.long);
  };
}

function unsqueezeShape(shape: readonly number[], dim: number): number[] {
  const d = dim < 0 ? dim + shape.length + 1 : dim;
  return [...shape.slice(0, d), 1, ...shape.slice(d)];
}

function squeezeShape(shape: readonly number[], dim: number | null): number[] {
  if (dim === null) return shape.filter((d) => d !== 1);
  const d = normalizeDim('squeeze', dim, shape.length);
  return shape[d] === 1 ? shape.filter((_, i) => i !== d) : [...shape];
}

function sizeOf(op: string, x: { shape: readonly number[] }, dim: RuntimeValue | MetaValue): RuntimeValue {
  if (dim === null) return [...x.shape];
  return x.shape[normalizeDim(op, num(op, dim, 'dim'), x.shape.length)]!;
}

/** A reduction over one dim (mean/sum); several dims at once need the engine's multi-dim reduction. */
function reduction(engine: 'mean' | 'sum'): OpDef {
  return {
    signature: 'input, dim=None, keepdim=False',
    engine,
    run: (b) => {
      const x = tensorArg(engine, b.get('input'));
      const dim = b.get('dim');
      const keep = b.get('keepdim') === true;
      if (dim === null) return engineFn(engine, engine)(x) as Tensor;
      const dims = ints(engine, dim, 'dim').map((d) => normalizeDim(engine, d, x.ndim));
      if (dims.length === 1) return engineFn(engine, engine)(x, dims[0]!, keep) as Tensor;
      if (!canReduceDims()) throw new OpUnavailable(`Tensor.${engine}`, engine, 'over several dims');
      return engineFn(engine, engine)(x, dims, keep) as Tensor;
    },
    shape: (b) => {
      const x = b.get('input');
      if (!isMeta(x)) return UNKNOWN;
      const dim = b.get('dim');
      if (dim === null) return new MetaTensor([]);
      const dims = ints(engine, dim, 'dim').map((d) => normalizeDim(engine, d, x.ndim));
      const keep = b.get('keepdim') === true;
      return new MetaTensor(x.shape.flatMap((d, i) => (dims.includes(i) ? (keep ? [1] : []) : [d])));
    },
  };
}

function softmaxOp(engine: 'softmax' | 'logSoftmax'): OpDef {
  return {
    signature: 'input, dim=None, _stacklevel=3, dtype=None',
    engine,
    run: (b) => {
      const x = tensorArg(engine, b.get('input'));
      const dim = normalizeDim(engine, b.get('dim') === null ? -1 : num(engine, b.get('dim'), 'dim'), x.ndim);
      // Today's engine softmax normalizes the last dimension; another one needs the general op.
      if (dim !== x.ndim - 1 && !canSoftmaxAnyDim()) throw new OpUnavailable(engine, engine, `over dim ${dim} of ${x.ndim}`);
      return engineFn(engine, engine)(x, dim) as Tensor;
    },
    shape: (b) => {
      const x = b.get('input');
      if (!isMeta(x)) return UNKNOWN;
      const dim = normalizeDim(engine, b.get('dim') === null ? -1 : num(engine, b.get('dim'), 'dim'), x.ndim);
      if (dim !== x.ndim - 1 && !canSoftmaxAnyDim()) missing(new OpUnavailable(engine, engine, `over dim ${dim} of ${x.ndim}`));
      return x;
    },
  };
}

/** An op the engine computes by a function of the convention's name; `call` maps torch's arguments to it. */
function engineOp(engine: string, signature: string, call: (fn: EngineFn, b: Bound<RuntimeValue>, ctx: RunContext) => RuntimeValue, shape?: (b: Bound<MetaValue>) => MetaValue): OpDef {
  const def: OpDef = { signature, engine, run: (b, ctx) => call(engineFn(engine, engine), b, ctx) };
  if (shape) def.shape = shape;
  return def;
}

/** A conv argument of one dimension as torch takes it: an int or a 1-tuple. */
function oneDim(op: string, v: RuntimeValue | MetaValue, what: string): number {
  const x = Array.isArray(v) && v.length === 1 ? v[0] : v;
  return num(op, x as RuntimeValue, what);
}

/**
 * F.conv_transpose1d as conv_transpose2d over a height of 1: input (N, C, L) → (N, C, 1, L), weight
 * (C_in, C_out/groups, k) → (C_in, C_out/groups, 1, k), the height's stride 1 and padding 0; every output entry
 * is the same sum of the same products as torch's one-dimensional op.
 */
function convTranspose1d(b: Bound<RuntimeValue>): Tensor {
  const op = 'conv_transpose1d';
  const x = tensorArg(op, b.get('input'));
  const w = tensorArg(op, b.get('weight'), 'weight');
  if (w.ndim !== 3) throw new RangeError(`${op}: weight must be 3-D [in, out/groups, k], got ${formatShape(w.shape)}`);
  if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`${op}: expected 2-D (unbatched) or 3-D (batched) input, got ${formatShape(x.shape)}`);
  const reshape = engineFn(op, 'reshape');
  const x4 = reshape(x, [...x.shape.slice(0, -1), 1, x.shape[x.ndim - 1]!]) as Tensor;
  const w4 = reshape(w, [w.shape[0]!, w.shape[1]!, 1, w.shape[2]!]) as Tensor;
  const y = engineFn(op, 'convTranspose2d')(x4, w4, optionalTensor(op, b.get('bias'), 'bias'), {
    stride: [1, oneDim(op, b.get('stride'), 'stride')], padding: [0, oneDim(op, b.get('padding'), 'padding')],
    outputPadding: [0, oneDim(op, b.get('output_padding'), 'output_padding')], groups: b.get('groups'), dilation: [1, oneDim(op, b.get('dilation'), 'dilation')],
  }) as Tensor;
  return reshape(y, [...y.shape.slice(0, -2), y.shape[y.ndim - 1]!]) as Tensor;
}

/** L_out = (L − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1, channels C_out = weight.shape[1]·groups. */
function convTranspose1dShape(b: Bound<MetaValue>): MetaValue {
  const op = 'conv_transpose1d';
  const x = b.get('input');
  const w = b.get('weight');
  if (!isMeta(x) || !isMeta(w)) return UNKNOWN;
  const groups = num(op, b.get('groups') as RuntimeValue, 'groups');
  if (x.shape[x.ndim - 2] !== w.shape[0]) throw new RangeError(`${op}: expected input ${formatShape(x.shape)} to have ${w.shape[0]} channels, but got ${x.shape[x.ndim - 2]} channels instead`);
  const [stride, padding, outputPadding, dilation] = (['stride', 'padding', 'output_padding', 'dilation'] as const).map((a) => oneDim(op, b.get(a), a));
  const length = (x.shape[x.ndim - 1]! - 1) * stride! - 2 * padding! + dilation! * (w.shape[2]! - 1) + outputPadding! + 1;
  return new MetaTensor([...x.shape.slice(0, -2), w.shape[1]! * groups, length]);
}

/**
 * F.prelu(x, weight) = max(0, x) + weight·min(0, x), with one slope or one per channel (dim 1, or dim 0 of a
 * 1-D input), written relu(x) − weight·relu(−x): each entry is then x or weight·x exactly, as torch's, and the
 * slope's gradient Σ ∂L/∂y·min(0, x) over the channel.
 */
function prelu(b: Bound<RuntimeValue>): Tensor {
  const op = 'prelu';
  const x = tensorArg(op, b.get('input'));
  const w = tensorArg(op, b.get('weight'), 'weight');
  const channels = x.ndim >= 2 ? x.shape[1]! : x.shape[0] ?? 1;
  if (w.data.length !== 1 && w.data.length !== channels) throw new RangeError(`${op}: mismatch of parameter numbers and input channel size; found parameter numbers = ${w.data.length} and channel size = ${channels}`);
  const slope = w.data.length === 1 || x.ndim < 2 ? w : (engineFn(op, 'reshape')(w, [w.data.length, ...Array<number>(x.ndim - 2).fill(1)]) as Tensor);
  const relu = engineFn(op, 'relu');
  const negative = engineFn(op, 'mul')(slope, relu(engineFn(op, 'neg')(x))) as Tensor;
  return engineFn(op, 'sub')(relu(x), negative) as Tensor;
}

/** F.glu(x, dim) = a ⊙ σ(b), with a and b the two halves of x along dim. */
function glu(b: Bound<RuntimeValue>): Tensor {
  const x = tensorArg('glu', b.get('input'));
  const dim = normalizeDim('glu', num('glu', b.get('dim'), 'dim'), x.ndim);
  if (x.shape[dim]! % 2 !== 0) throw new RangeError(`glu: Halving dimension must be even, but dimension ${dim} is size ${x.shape[dim]}`);
  const [a, gate] = engineFn('glu', 'chunk')(x, 2, dim) as Tensor[];
  return engineFn('glu', 'mul')(a!, engineFn('glu', 'sigmoid')(gate!)) as Tensor;
}

function gluShape(b: Bound<MetaValue>): MetaValue {
  const x = b.get('input');
  if (!isMeta(x)) return UNKNOWN;
  const dim = normalizeDim('glu', num('glu', b.get('dim') as RuntimeValue, 'dim'), x.ndim);
  if (x.shape[dim]! % 2 !== 0) throw new RangeError(`glu: Halving dimension must be even, but dimension ${dim} is size ${x.shape[dim]}`);
  const out = [...x.shape];
  out[dim] = out[dim]! / 2;
  return new MetaTensor(out);
}

/** F.interpolate's modes the engine has, and its size or scale_factor (recompute_scale_factor and antialias at their defaults). */
function interpolateOptions(b: Bound<RuntimeValue | MetaValue>): { mode: 'nearest' | 'linear' | 'bilinear'; size?: number | number[]; scaleFactor?: number | number[]; alignCorners?: boolean } {
  const mode = b.get('mode');
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear') throw new OpUnavailable(`F.interpolate(mode=${JSON.stringify(mode)})`, 'interpolate', `in mode ${String(mode)}`);
  if (b.get('recompute_scale_factor') === true || b.get('antialias') === true) throw new OpUnavailable('F.interpolate(recompute_scale_factor=True or antialias=True)', 'interpolate', 'with recompute_scale_factor or antialias');
  const size = b.get('size');
  const scale = b.get('scale_factor');
  const align = b.get('align_corners');
  return {
    mode,
    ...(size === null ? {} : { size: Array.isArray(size) ? ints('interpolate', size as RuntimeValue, 'size') : num('interpolate', size as RuntimeValue, 'size') }),
    ...(scale === null ? {} : { scaleFactor: Array.isArray(scale) ? (scale as number[]).map((v) => num('interpolate', v, 'scale_factor')) : num('interpolate', scale as RuntimeValue, 'scale_factor') }),
    ...(align === null || align === undefined ? {} : { alignCorners: align === true }),
  };
}

function interpolateRun(b: Bound<RuntimeValue>): Tensor {
  return engineFn('interpolate', 'interpolate')(tensorArg('interpolate', b.get('input')), interpolateOptions(b)) as Tensor;
}

/** Output size: `size`, else ⌊input · scale_factor⌋ per spatial dimension. */
function interpolateShape(b: Bound<MetaValue>): MetaValue {
  const x = b.get('input');
  if (!isMeta(x)) return UNKNOWN;
  const o = interpolateOptions(b);
  const dims = x.ndim - 2;
  const perDim = (v: number | number[]): number[] => (typeof v === 'number' ? Array<number>(dims).fill(v) : v);
  const sizes = o.size !== undefined ? perDim(o.size) : perDim(o.scaleFactor!).map((f, i) => Math.floor(x.shape[2 + i]! * f));
  if (sizes.length !== dims) throw new RangeError(`interpolate: size or scale_factor must have ${dims} entries for input ${formatShape(x.shape)}`);
  return new MetaTensor([...x.shape.slice(0, 2), ...sizes]);
}

function lossShape(b: Bound<MetaValue>): MetaValue {
  return b.get('reduction') === 'none' ? UNKNOWN : new MetaTensor([]);
}

function lossOptions(b: Bound<RuntimeValue>): { reduction: 'mean' | 'sum' | 'none' } {
  return { reduction: (b.get('reduction') as 'mean' | 'sum' | 'none' | null) ?? 'mean' };
}

function targetsOf(op: string, v: RuntimeValue): Tensor {
  return tensorArg(op, v, 'target');
}

function transposeShape(shape: readonly number[], d0: number, d1: number): number[] {
  const out = [...shape];
  out[d0] = shape[d1]!;
  out[d1] = shape[d0]!;
  return out;
}

// ---------------------------------------------------------------------------
// The table

const F = 'torch.nn.functional.';

const relu = activation('relu', 'input, inplace=False');
const gelu = activation('gelu', "input, approximate='none'", (b) => [b.get('approximate')]);
const tanh = activation('tanh', 'input');
const sigmoid = activation('sigmoid', 'input');
const silu = activation('silu', 'input, inplace=False');
const view = { signature: 'input, *shape', engine: 'reshape', run: (b: Bound<RuntimeValue>) => reshapeRun('view', b.get('input'), shapeArgs('view', b.rest)), shape: viewShapeRule('view') };
const flatten = { signature: 'input, start_dim=0, end_dim=-1', engine: 'reshape', run: flattenRun('flatten'), shape: flattenShapeRule('flatten') };
const identity: OpDef = { signature: 'input, *rest', run: (b) => b.get('input'), shape: (b) => b.get('input') };
const matmul = engineOp('matmul', 'input, other', (fn, b) => {
  const x = tensorArg('matmul', b.get('input'));
  const y = tensorArg('matmul', b.get('other'), 'other');
  if ((x.ndim !== 2 || y.ndim !== 2) && !canBatchMatmul()) throw new OpUnavailable('matmul', 'matmul', `batched (${formatShape(x.shape)} @ ${formatShape(y.shape)})`);
  return fn(x, y) as Tensor;
}, (b) => {
  const x = b.get('input');
  const y = b.get('other');
  if (!isMeta(x) || !isMeta(y)) return UNKNOWN;
  if (x.ndim < 1 || y.ndim < 1) throw new RangeError('matmul: both arguments need at least one dimension');
  const k1 = x.shape[x.ndim - 1]!;
  const k2 = y.ndim === 1 ? y.shape[0]! : y.shape[y.ndim - 2]!;
  if (k1 !== k2) throw new RangeError(`matmul: shapes ${formatShape(x.shape)} and ${formatShape(y.shape)} cannot be multiplied (${k1} ≠ ${k2})`);
  if ((x.ndim !== 2 || y.ndim !== 2) && !canBatchMatmul()) missing(new OpUnavailable('matmul', 'matmul', `batched (${formatShape(x.shape)} @ ${formatShape(y.shape)})`));
  const batch = broadcastShapes(x.shape.slice(0, -2), y.shape.slice(0, -2));
  return new MetaTensor([...batch, ...(x.ndim >= 2 ? [x.shape[x.ndim - 2]!] : []), ...(y.ndim >= 2 ? [y.shape[y.ndim - 1]!] : [])]);
});

function binaryOp(name: string): OpDef {
  return { signature: 'a, b', engine: name === 'truediv' ? 'div' : name, run: (b) => tensorBinary(name, b.get('a'), b.get('b')), shape: binaryShape(name) };
}

function compareOp(name: string): OpDef {
  return { signature: 'a, b', run: compareRun(name), shape: compareShape(name) };
}

const getitem: OpDef = {
  signature: 'a, b',
  run: (b) => {
    const a = b.get('a');
    const key = b.get('b');
    if (Array.isArray(a)) {
      const i = num('getitem', key, 'the index');
      const at = i < 0 ? a.length + i : i;
      if (!(at >= 0 && at < a.length)) throw new RangeError(`tuple index ${i} out of range`);
      return a[at]!;
    }
    if (isTensor(a)) return engineFn('getitem', 'index')(a, (keyItems(key) as RuntimeValue[]).map(indexEntry)) as Tensor;
    throw new TypeError(`cannot index ${describeValue(a)}`);
  },
  shape: (b) => {
    const a = b.get('a');
    const key = b.get('b');
    if (Array.isArray(a)) {
      if (typeof key !== 'number') return UNKNOWN;
      const at = key < 0 ? a.length + key : key;
      if (!(at >= 0 && at < a.length)) throw new RangeError(`tuple index ${key} out of range`);
      return a[at]!;
    }
    if (!isMeta(a)) return UNKNOWN;
    if (keyItems(key).some((k) => k === UNKNOWN)) return UNKNOWN;
    const shape = indexShape(a.shape, keyItems(key));
    if (!engineHas('index')) missing(new OpUnavailable('x[…]', 'index'));
    return new MetaTensor(shape, a.long);
  },
};

function math1(fn: (x: number) => number): OpDef {
  return { signature: 'x', run: (b) => fn(num('math', b.get('x'), 'x')), shape: (b) => (typeof b.get('x') === 'number' ? fn(b.get('x') as number) : UNKNOWN) };
}

const sizeOp: OpDef = {
  signature: 'input, dim=None',
  run: (b) => {
    const x = b.get('input');
    if (!isTensor(x) && !isLong(x)) throw new TypeError(`size(): ${describeValue(x)} is not a tensor`);
    return sizeOf('size', x, b.get('dim'));
  },
  shape: (b) => {
    const x = b.get('input');
    return isMeta(x) ? (sizeOf('size', x, b.get('dim')) as MetaValue) : UNKNOWN;
  },
};

const arange: OpDef = {
  signature: 'start, end=None, step=1',
  run: (b) => {
    const [start, end] = b.get('end') === null ? [0, num('arange', b.get('start'), 'end')] : [num('arange', b.get('start'), 'start'), num('arange', b.get('end'), 'end')];
    const step = num('arange', b.get('step'), 'step');
    const n = Math.max(0, Math.ceil((end - start) / step));
    return new LongTensor(Int32Array.from({ length: n }, (_, i) => start + i * step), [n]);
  },
  shape: (b) => {
    const s = b.get('start');
    const e = b.get('end');
    const step = b.get('step');
    if (typeof s !== 'number' || (e !== null && typeof e !== 'number') || typeof step !== 'number') return UNKNOWN;
    const [start, end] = e === null ? [0, s] : [s, e];
    return new MetaTensor([Math.max(0, Math.ceil((end - start) / step))], true);
  },
};

const OPS_BY_METHOD: Record<string, OpDef> = {
  // Python-level steps
  'operator.add': binaryOp('add'),
  'operator.sub': binaryOp('sub'),
  'operator.mul': binaryOp('mul'),
  'operator.truediv': binaryOp('truediv'),
  'operator.floordiv': { signature: 'a, b', run: (b) => pythonBinary('floordiv', num('//', b.get('a'), 'a'), num('//', b.get('b'), 'b')), shape: binaryShape('floordiv') },
  'operator.mod': { signature: 'a, b', run: (b) => pythonBinary('mod', num('%', b.get('a'), 'a'), num('%', b.get('b'), 'b')), shape: binaryShape('mod') },
  'operator.pow': binaryOp('pow'),
  'operator.matmul': { ...matmul, signature: 'input, other' },
  'operator.neg': { signature: 'input', engine: 'neg', run: (b) => (typeof b.get('input') === 'number' ? -(b.get('input') as number) : engineFn('neg', 'neg')(tensorArg('neg', b.get('input')))) as RuntimeValue, shape: (b) => (typeof b.get('input') === 'number' ? -(b.get('input') as number) : b.get('input')) },
  'operator.eq': compareOp('eq'),
  'operator.ne': compareOp('ne'),
  'operator.lt': compareOp('lt'),
  'operator.le': compareOp('le'),
  'operator.gt': compareOp('gt'),
  'operator.ge': compareOp('ge'),
  'operator.getitem': getitem,
  [BRANCH_OP]: branchOp,
  // A tuple a module forward returns (nn.MultiheadAttention's (output, weights)).
  'weightscope.tuple': { signature: '*items', run: (b) => [...b.rest], shape: (b) => [...b.rest] },
  'math.sqrt': math1(Math.sqrt),
  'math.log': math1(Math.log),
  'math.exp': math1(Math.exp),
  'builtins.int': math1(Math.trunc),
  'builtins.float': math1((x) => x),
  'builtins.len': { signature: 'x', run: (b) => { const x = b.get('x'); return Array.isArray(x) ? x.length : isTensor(x) || isLong(x) ? x.shape[0]! : num('len', x, 'x'); }, shape: (b) => { const x = b.get('x'); return Array.isArray(x) ? x.length : isMeta(x) ? x.shape[0]! : UNKNOWN; } },
  'Tensor.size': sizeOp,
  'Tensor.shape': { signature: 'input', run: (b) => { const x = b.get('input'); if (!isTensor(x) && !isLong(x)) throw new TypeError(`.shape: ${describeValue(x)} is not a tensor`); return [...x.shape]; }, shape: (b) => { const x = b.get('input'); return isMeta(x) ? [...x.shape] : UNKNOWN; } },
  'Tensor.T': engineOp('transpose', 'input', (fn, b) => { const x = tensorArg('T', b.get('input')); return x.ndim < 2 ? x : fn(x, 0, 1) as Tensor; }, (b) => { const x = b.get('input'); return isMeta(x) ? new MetaTensor([...x.shape].reverse()) : UNKNOWN; }),
  'Tensor.dim': { signature: 'input', run: (b) => (b.get('input') as Tensor).shape.length, shape: (b) => (isMeta(b.get('input')) ? (b.get('input') as MetaTensor).ndim : UNKNOWN) },
  'torch.arange': arange,

  // Shapes and views
  'Tensor.view': view,
  'Tensor.reshape': view,
  'torch.reshape': { ...view, signature: 'input, shape', run: (b) => reshapeRun('reshape', b.get('input'), ints('reshape', b.get('shape'), 'shape')), shape: (b) => { const x = b.get('input'); return isMeta(x) ? new MetaTensor(resolveView('reshape', x.shape, ints('reshape', b.get('shape'), 'shape')), x.long) : UNKNOWN; } },
  'torch.flatten': flatten,
  'Tensor.flatten': flatten,
  'Tensor.contiguous': identity,
  'Tensor.float': identity,
  'Tensor.to': identity,
  'Tensor.type_as': identity,
  'Tensor.unsqueeze': {
    signature: 'input, dim', engine: 'reshape',
    run: (b) => { const x = b.get('input') as Tensor; return reshapeRun('unsqueeze', x, unsqueezeShape(x.shape, num('unsqueeze', b.get('dim'), 'dim'))); },
    shape: (b) => { const x = b.get('input'); return isMeta(x) ? new MetaTensor(unsqueezeShape(x.shape, num('unsqueeze', b.get('dim'), 'dim')), x.long) : UNKNOWN; },
  },
  'Tensor.squeeze': {
    signature: 'input, dim=None', engine: 'reshape',
    run: (b) => { const x = b.get('input') as Tensor; return reshapeRun('squeeze', x, squeezeShape(x.shape, b.get('dim') as number | null)); },
    shape: (b) => { const x = b.get('input'); return isMeta(x) ? new MetaTensor(squeezeShape(x.shape, b.get('dim') as number | null), x.long) : UNKNOWN; },
  },
  'Tensor.transpose': engineOp('transpose', 'input, dim0, dim1', (fn, b) => { const x = tensorArg('transpose', b.get('input')); return fn(x, normalizeDim('transpose', num('transpose', b.get('dim0'), 'dim0'), x.ndim), normalizeDim('transpose', num('transpose', b.get('dim1'), 'dim1'), x.ndim)) as Tensor; },
    (b) => { const x = b.get('input'); if (!isMeta(x)) return UNKNOWN; return new MetaTensor(transposeShape(x.shape, normalizeDim('transpose', num('transpose', b.get('dim0'), 'dim0'), x.ndim), normalizeDim('transpose', num('transpose', b.get('dim1'), 'dim1'), x.ndim))); }),
  'Tensor.permute': engineOp('permute', 'input, *dims', (fn, b) => { const x = tensorArg('permute', b.get('input')); return fn(x, shapeArgs('permute', b.rest).map((d) => normalizeDim('permute', d, x.ndim))) as Tensor; },
    (b) => { const x = b.get('input'); if (!isMeta(x)) return UNKNOWN; const dims = shapeArgs('permute', b.rest).map((d) => normalizeDim('permute', d, x.ndim)); if (dims.length !== x.ndim) throw new RangeError(`permute: number of dims don't match in permute (${dims.length} for ${x.ndim})`); return new MetaTensor(dims.map((d) => x.shape[d]!)); }),
  'Tensor.expand': engineOp('expand', 'input, *sizes', (fn, b) => fn(tensorArg('expand', b.get('input')), shapeArgs('expand', b.rest)) as Tensor),
  'torch.cat': engineOp('cat', 'tensors, dim=0', (fn, b) => fn(b.get('tensors'), num('cat', b.get('dim'), 'dim')) as Tensor, (b) => {
    const ts = b.get('tensors');
    if (!Array.isArray(ts) || !ts.every(isMeta)) return UNKNOWN;
    const first = ts[0] as MetaTensor;
    const dim = normalizeDim('cat', num('cat', b.get('dim'), 'dim'), first.ndim);
    for (const t of ts as MetaTensor[]) if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== dim && d !== first.shape[i])) throw new RangeError(`cat: sizes of tensors must match except in dimension ${dim}: ${formatShape(first.shape)} and ${formatShape(t.shape)}`);
    const out = [...first.shape];
    out[dim] = (ts as MetaTensor[]).reduce((s, t) => s + t.shape[dim]!, 0);
    return new MetaTensor(out);
  }),
  // F.pad(input, pad, mode='constant', value=None): `pad` lists (left, right) amounts from the last dimension
  // backwards; negative amounts crop, as in torch.
  'torch.nn.functional.pad': engineOp('pad', "input, pad, mode='constant', value=None", (fn, b) => {
    const value = b.get('value');
    return fn(tensorArg('pad', b.get('input')), ints('pad', b.get('pad'), 'padding'), { mode: b.get('mode') as string, ...(value === null || value === undefined ? {} : { value: num('pad', value, 'value') }) }) as Tensor;
  }, (b) => {
    const x = b.get('input');
    if (!isMeta(x)) return UNKNOWN;
    const amounts = ints('pad', b.get('pad'), 'padding');
    if (amounts.length % 2 !== 0 || amounts.length / 2 > x.ndim) throw new RangeError(`pad: padding length must be divisible by 2 and at most twice the input's ${x.ndim} dimensions, got ${JSON.stringify(amounts)}`);
    const out = [...x.shape];
    for (let i = 0; i < amounts.length / 2; i++) out[x.ndim - 1 - i] = out[x.ndim - 1 - i]! + amounts[2 * i]! + amounts[2 * i + 1]!;
    if (out.some((d) => d < 0)) throw new RangeError(`pad: the padded size of ${formatShape(x.shape)} by ${JSON.stringify(amounts)} is negative`);
    return new MetaTensor(out, x.long);
  }),
  'torch.stack': engineOp('stack', 'tensors, dim=0', (fn, b) => fn(b.get('tensors'), num('stack', b.get('dim'), 'dim')) as Tensor),
  'Tensor.split': engineOp('split', 'input, split_size_or_sections, dim=0', (fn, b) => fn(tensorArg('split', b.get('input')), b.get('split_size_or_sections'), num('split', b.get('dim'), 'dim')) as RuntimeValue, (b) => {
    const x = b.get('input');
    if (!isMeta(x)) return UNKNOWN;
    const dim = normalizeDim('split', num('split', b.get('dim'), 'dim'), x.ndim);
    const size = x.shape[dim]!;
    const arg = b.get('split_size_or_sections');
    const sizes = typeof arg === 'number' ? Array.from({ length: Math.ceil(size / arg) }, (_, i) => Math.min(arg, size - i * arg)) : ints('split', arg, 'split sizes');
    if (sizes.reduce((s, d) => s + d, 0) !== size) throw new RangeError(`split: sizes ${formatShape(sizes)} do not add up to ${size}`);
    return sizes.map((d) => { const s = [...x.shape]; s[dim] = d; return new MetaTensor(s); });
  }),
  'Tensor.chunk': engineOp('chunk', 'input, chunks, dim=0', (fn, b) => fn(tensorArg('chunk', b.get('input')), num('chunk', b.get('chunks'), 'chunks'), num('chunk', b.get('dim'), 'dim')) as RuntimeValue),
  'Tensor.masked_fill': engineOp('maskedFill', 'input, mask, value', (fn, b) => { const x = tensorArg('masked_fill', b.get('input')); return fn(x, floatMask('masked_fill', b.get('mask'), x), num('masked_fill', b.get('value'), 'value')) as Tensor; }, (b) => {
    const x = b.get('input');
    const m = b.get('mask');
    if (!isMeta(x) || !isMeta(m)) return UNKNOWN;
    const s = broadcastShapes(x.shape, m.shape);
    if (s.length !== x.ndim || s.some((d, i) => d !== x.shape[i])) throw new RangeError(`masked_fill: mask ${formatShape(m.shape)} does not broadcast to ${formatShape(x.shape)}`);
    return x;
  }),
  'torch.tril': engineOp('tril', 'input, diagonal=0', (fn, b) => fn(tensorArg('tril', b.get('input')), num('tril', b.get('diagonal'), 'diagonal')) as Tensor, sameShape),

  // Matrix products
  'torch.matmul': matmul,
  'Tensor.matmul': matmul,
  'torch.bmm': engineOp('bmm', 'input, mat2', (fn, b) => fn(tensorArg('bmm', b.get('input')), tensorArg('bmm', b.get('mat2'), 'mat2')) as Tensor),
  [`${F}linear`]: engineOp('linear', 'input, weight, bias=None', (fn, b) => fn(tensorArg('linear', b.get('input')), tensorArg('linear', b.get('weight'), 'weight'), optionalTensor('linear', b.get('bias'), 'bias')) as Tensor, (b) => {
    const x = b.get('input');
    const w = b.get('weight');
    if (!isMeta(x) || !isMeta(w)) return UNKNOWN;
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== w.shape[1]) throw new RangeError(`linear: mat1 and mat2 shapes cannot be multiplied (${x.shape.slice(0, -1).reduce((p, d) => p * d, 1)}x${x.shape[x.ndim - 1]} and ${w.shape[1]}x${w.shape[0]})`);
    return new MetaTensor([...x.shape.slice(0, -1), w.shape[0]!]);
  }),

  // Activations and elementwise functions
  [`${F}relu`]: relu, 'torch.relu': relu, 'Tensor.relu': relu,
  [`${F}leaky_relu`]: activation('leakyRelu', 'input, negative_slope=0.01, inplace=False', (b) => [b.get('negative_slope')]),
  [`${F}elu`]: activation('elu', 'input, alpha=1.0, inplace=False', (b) => [b.get('alpha')]),
  [`${F}selu`]: activation('selu', 'input, inplace=False'),
  [`${F}gelu`]: gelu,
  [`${F}silu`]: silu,
  [`${F}mish`]: activation('mish', 'input, inplace=False'),
  [`${F}relu6`]: activation('relu6', 'input, inplace=False'),
  [`${F}hardtanh`]: activation('hardtanh', 'input, min_val=-1.0, max_val=1.0, inplace=False', (b) => [b.get('min_val'), b.get('max_val')]),
  [`${F}hardsigmoid`]: activation('hardsigmoid', 'input, inplace=False'),
  [`${F}hardswish`]: activation('hardswish', 'input, inplace=False'),
  [`${F}softplus`]: activation('softplus', 'input, beta=1, threshold=20', (b) => [b.get('beta'), b.get('threshold')]),
  [`${F}tanh`]: tanh, 'torch.tanh': tanh, 'Tensor.tanh': tanh,
  [`${F}sigmoid`]: sigmoid, 'torch.sigmoid': sigmoid, 'Tensor.sigmoid': sigmoid,
  'torch.exp': activation('exp', 'input'), 'Tensor.exp': activation('exp', 'input'),
  'torch.log': activation('log', 'input'), 'Tensor.log': activation('log', 'input'),
  'torch.sqrt': activation('sqrt', 'input'), 'Tensor.sqrt': activation('sqrt', 'input'),
  'Tensor.pow': { signature: 'input, exponent', engine: 'pow', run: (b) => tensorBinary('pow', b.get('input'), b.get('exponent')), shape: sameShape },
  'torch.pow': { signature: 'input, exponent', engine: 'pow', run: (b) => tensorBinary('pow', b.get('input'), b.get('exponent')), shape: sameShape },
  [`${F}softmax`]: softmaxOp('softmax'), 'torch.softmax': softmaxOp('softmax'), 'Tensor.softmax': softmaxOp('softmax'),
  [`${F}log_softmax`]: softmaxOp('logSoftmax'), 'torch.log_softmax': softmaxOp('logSoftmax'), 'Tensor.log_softmax': softmaxOp('logSoftmax'),
  [`${F}dropout`]: {
    signature: 'input, p=0.5, training=True, inplace=False', engine: 'dropout',
    run: (b, ctx) => engineFn('dropout', 'dropout')(tensorArg('dropout', b.get('input')), num('dropout', b.get('p'), 'p'), b.get('training') === true && ctx.training, ctx.rng) as Tensor,
    shape: sameShape,
  },
  'Tensor.mean': reduction('mean'), 'torch.mean': reduction('mean'),
  'Tensor.sum': reduction('sum'), 'torch.sum': reduction('sum'),

  // Normalization, embedding, convolution, pooling (engine ops of the convention)
  [`${F}layer_norm`]: engineOp('layerNorm', 'input, normalized_shape, weight=None, bias=None, eps=1e-05', (fn, b) => {
    const shape = ints('layer_norm', b.get('normalized_shape'), 'normalized_shape');
    // Several trailing dims need the general layerNorm (capabilities.ts).
    if (shape.length !== 1 && !canLayerNormShape()) throw new OpUnavailable('layer_norm', 'layerNorm', `over ${shape.length} trailing dims`);
    return fn(tensorArg('layer_norm', b.get('input')), shape.length === 1 ? shape[0] : shape, optionalTensor('layer_norm', b.get('weight'), 'weight'), optionalTensor('layer_norm', b.get('bias'), 'bias'), num('layer_norm', b.get('eps'), 'eps')) as Tensor;
  }, (b) => {
    const x = b.get('input');
    if (!isMeta(x)) return UNKNOWN;
    const shape = ints('layer_norm', b.get('normalized_shape'), 'normalized_shape');
    if (x.shape.slice(-shape.length).some((d, i) => d !== shape[i])) throw new RangeError(`layer_norm: given normalized_shape=${formatShape(shape)}, expected input with shape [*, ${shape.join(', ')}], but got input of size ${formatShape(x.shape)}`);
    return x;
  }),
  [`${F}group_norm`]: engineOp('groupNorm', 'input, num_groups, weight=None, bias=None, eps=1e-05', (fn, b) => fn(tensorArg('group_norm', b.get('input')), num('group_norm', b.get('num_groups'), 'num_groups'), optionalTensor('group_norm', b.get('weight'), 'weight'), optionalTensor('group_norm', b.get('bias'), 'bias'), num('group_norm', b.get('eps'), 'eps')) as Tensor, sameShape),
  // _num_batches_tracked: nn.BatchNorm's buffer, passed by its module forward (F.batch_norm itself has no such argument).
  [`${F}batch_norm`]: engineOp('batchNorm', 'input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05, _num_batches_tracked=None', (fn, b, ctx) =>
    fn(tensorArg('batch_norm', b.get('input')), optionalTensor('batch_norm', b.get('running_mean'), 'running_mean'), optionalTensor('batch_norm', b.get('running_var'), 'running_var'), optionalTensor('batch_norm', b.get('weight'), 'weight'), optionalTensor('batch_norm', b.get('bias'), 'bias'),
      { training: b.get('training') === true && ctx.training, momentum: b.get('momentum'), eps: b.get('eps'), numBatchesTracked: optionalTensor('batch_norm', b.get('_num_batches_tracked'), 'num_batches_tracked') }) as Tensor, (b) => {
    const x = b.get('input');
    const m = b.get('running_mean') ?? b.get('weight');
    if (isMeta(x) && isMeta(m) && x.shape[1] !== m.shape[0]) throw new RangeError(`batch_norm: running_mean should contain ${x.shape[1]} elements not ${m.shape[0]}`);
    return x;
  }),
  [`${F}embedding`]: engineOp('embedding', 'input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False', (fn, b) =>
    fn(longArg('embedding', b.get('input'), 'input'), tensorArg('embedding', b.get('weight'), 'weight'), { paddingIdx: b.get('padding_idx') ?? undefined }) as Tensor, (b) => {
    const x = b.get('input');
    const w = b.get('weight');
    if (!isMeta(x) || !isMeta(w)) return UNKNOWN;
    if (!x.long) throw new TypeError(`embedding: Expected tensor for argument #1 'indices' to have an integer type, but got a float tensor ${formatShape(x.shape)}`);
    return new MetaTensor([...x.shape, w.shape[1]!]);
  }),
  [`${F}conv1d`]: engineOp('conv1d', 'input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1', (fn, b) => convCall(fn, b), (b) => convShape('conv1d', 1, b)),
  [`${F}conv2d`]: engineOp('conv2d', 'input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1', (fn, b) => convCall(fn, b), (b) => convShape('conv2d', 2, b)),
  [`${F}conv3d`]: engineOp('conv3d', 'input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1', (fn, b) => convCall(fn, b), (b) => convShape('conv3d', 3, b)),
  [`${F}conv_transpose2d`]: engineOp('convTranspose2d', 'input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1', (fn, b) =>
    fn(tensorArg('conv_transpose2d', b.get('input')), tensorArg('conv_transpose2d', b.get('weight'), 'weight'), optionalTensor('conv_transpose2d', b.get('bias'), 'bias'),
      { stride: b.get('stride'), padding: b.get('padding'), outputPadding: b.get('output_padding'), groups: b.get('groups'), dilation: b.get('dilation') }) as Tensor),
  [`${F}conv_transpose1d`]: {
    signature: 'input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1', engine: 'convTranspose2d',
    run: (b) => convTranspose1d(b),
    shape: (b) => convTranspose1dShape(b),
  },
  [`${F}prelu`]: { signature: 'input, weight', engine: 'relu', run: (b) => prelu(b), shape: (b) => b.get('input') },
  [`${F}glu`]: { signature: 'input, dim=-1', engine: 'sigmoid', run: (b) => glu(b), shape: (b) => gluShape(b) },
  [`${F}interpolate`]: {
    signature: "input, size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None, antialias=False",
    engine: 'interpolate', run: (b) => interpolateRun(b), shape: (b) => interpolateShape(b),
  },
  [`${F}max_pool1d`]: poolOp('maxPool1d', 1, false), [`${F}max_pool2d`]: poolOp('maxPool2d', 2, false),
  [`${F}avg_pool1d`]: poolOp('avgPool1d', 1, true), [`${F}avg_pool2d`]: poolOp('avgPool2d', 2, true),
  [`${F}adaptive_avg_pool1d`]: adaptiveOp('adaptiveAvgPool1d', 1), [`${F}adaptive_avg_pool2d`]: adaptiveOp('adaptiveAvgPool2d', 2), [`${F}adaptive_avg_pool3d`]: adaptiveOp('adaptiveAvgPool3d', 3),
  [`${F}scaled_dot_product_attention`]: engineOp('scaledDotProductAttention', 'query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None', (fn, b, ctx) => {
    const q = tensorArg('sdpa', b.get('query'));
    const mask = b.get('attn_mask');
    // A comparison's mask (x == 0) is boolean: nonzero may attend, as torch reads a bool attn_mask.
    const maskOptions = mask === null ? {} : isLong(mask) ? { attnMask: floatMask('sdpa', mask, q), attnMaskBoolean: true } : { attnMask: tensorArg('sdpa', mask, 'attn_mask') };
    return fn(q, tensorArg('sdpa', b.get('key'), 'key'), tensorArg('sdpa', b.get('value'), 'value'), { ...maskOptions, dropoutP: ctx.training ? b.get('dropout_p') : 0, isCausal: b.get('is_causal'), scale: b.get('scale'), rng: ctx.rng }) as Tensor;
  }, (b) => {
    const q = b.get('query');
    const v = b.get('value');
    return isMeta(q) && isMeta(v) ? new MetaTensor([...q.shape.slice(0, -1), v.shape[v.ndim - 1]!]) : UNKNOWN;
  }),

  // nn.MultiheadAttention's functional form, on sequence-first inputs (the module forward transposes batch_first).
  [`${F}multi_head_attention_forward`]: engineOp('multiHeadAttentionForward',
    'query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training=True, key_padding_mask=None, need_weights=True, attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True',
    (fn, b, ctx) => {
      const o = 'multi_head_attention_forward';
      if (b.get('bias_k') !== null || b.get('bias_v') !== null) throw new OpUnavailable('nn.MultiheadAttention(add_bias_kv=True)', 'multiHeadAttentionForward', 'with add_bias_kv');
      if (b.get('add_zero_attn') === true) throw new OpUnavailable('nn.MultiheadAttention(add_zero_attn=True)', 'multiHeadAttentionForward', 'with add_zero_attn');
      if (b.get('static_k') !== null || b.get('static_v') !== null) throw new OpUnavailable(o, 'multiHeadAttentionForward', 'with static_k/static_v');
      const q = tensorArg(o, b.get('query'));
      const mask = (name: string): { tensor: Tensor | null; boolean: boolean } => {
        const m = b.get(name);
        if (m === null) return { tensor: null, boolean: true };
        return isLong(m) ? { tensor: floatMask(o, m, q), boolean: true } : { tensor: tensorArg(o, m, name), boolean: false };
      };
      const kpm = mask('key_padding_mask');
      const am = mask('attn_mask');
      const separate = b.get('use_separate_proj_weight') === true;
      const r = fn(q, tensorArg(o, b.get('key'), 'key'), tensorArg(o, b.get('value'), 'value'), {
        numHeads: num(o, b.get('num_heads'), 'num_heads'),
        inProjWeight: separate ? null : tensorArg(o, b.get('in_proj_weight'), 'in_proj_weight'),
        inProjBias: optionalTensor(o, b.get('in_proj_bias'), 'in_proj_bias'),
        ...(separate ? { qProjWeight: tensorArg(o, b.get('q_proj_weight'), 'q_proj_weight'), kProjWeight: tensorArg(o, b.get('k_proj_weight'), 'k_proj_weight'), vProjWeight: tensorArg(o, b.get('v_proj_weight'), 'v_proj_weight') } : {}),
        outProjWeight: tensorArg(o, b.get('out_proj_weight'), 'out_proj_weight'),
        outProjBias: optionalTensor(o, b.get('out_proj_bias'), 'out_proj_bias'),
        keyPaddingMask: kpm.tensor, keyPaddingMaskBoolean: kpm.boolean, attnMask: am.tensor, attnMaskBoolean: am.boolean,
        needWeights: b.get('need_weights') === true, averageAttnWeights: b.get('average_attn_weights') !== false,
        dropoutP: num(o, b.get('dropout_p'), 'dropout_p'), training: b.get('training') === true && ctx.training, rng: ctx.rng,
      }) as { output: Tensor; weights: Tensor | null };
      return [r.output, r.weights];
    }, (b) => {
      const q = b.get('query');
      const k = b.get('key');
      const w = b.get('out_proj_weight');
      if (!isMeta(q) || !isMeta(k) || !isMeta(w)) return UNKNOWN;
      const batched = q.ndim === 3;
      const [L, N] = [q.shape[0]!, batched ? q.shape[1]! : 1];
      const S = k.shape[0]!;
      const E = q.shape[q.ndim - 1]!;
      const H = num('multi_head_attention_forward', b.get('num_heads'), 'num_heads');
      if (E % H !== 0) throw new RangeError(`multi_head_attention_forward: embed_dim ${E} not divisible by num_heads ${H}`);
      const out = new MetaTensor(batched ? [L, N, w.shape[0]!] : [L, w.shape[0]!]);
      if (b.get('need_weights') !== true) return [out, null];
      const heads = b.get('average_attn_weights') === false ? [H] : [];
      return [out, new MetaTensor(batched ? [N, ...heads, L, S] : [...heads, L, S])];
    }),

  // Recurrent layers over time (nn.LSTM/GRU/RNN's forward, moduleForwards.ts)
  // Called by the LSTM/GRU/RNN module forwards with the weights by torch's names; returns torch's (output, h_n) or (output, (h_n, c_n)).
  'torch.rnn': { signature: 'input, hx=None, names=None, weights=None, options=None', engine: 'rnn', run: (b, ctx) => recurrentRun(b, ctx) },

  // Losses
  [`${F}cross_entropy`]: engineOp('crossEntropyLoss', "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', label_smoothing=0.0", (fn, b) => {
    if (b.get('weight') !== null) throw new OpUnavailable('cross_entropy', 'crossEntropyLoss', 'with class weights');
    const target = longArg('cross_entropy', b.get('target'), 'target');
    return fn(tensorArg('cross_entropy', b.get('input')), target.data, { ...lossOptions(b), ignoreIndex: b.get('ignore_index'), labelSmoothing: b.get('label_smoothing') }) as Tensor;
  }, (b) => {
    const x = b.get('input');
    const t = b.get('target');
    if (!isMeta(x) || !isMeta(t)) return UNKNOWN;
    if (!t.long) throw new TypeError('cross_entropy: Weightscope reads class-index targets (integers); probability targets are not read');
    const expected = x.ndim === 1 ? [] : [x.shape[0]!, ...x.shape.slice(2)];
    if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) throw new RangeError(`cross_entropy: input ${formatShape(x.shape)} expects targets of shape ${formatShape(expected)}, got ${formatShape(t.shape)}`);
    return lossShape(b);
  }),
  [`${F}nll_loss`]: engineOp('nllLoss', "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'", (fn, b) =>
    fn(tensorArg('nll_loss', b.get('input')), longArg('nll_loss', b.get('target'), 'target').data, { ...lossOptions(b), ignoreIndex: b.get('ignore_index') }) as Tensor, lossShape),
  [`${F}mse_loss`]: engineOp('mseLoss', "input, target, size_average=None, reduce=None, reduction='mean'", (fn, b) => fn(tensorArg('mse_loss', b.get('input')), targetsOf('mse_loss', b.get('target')), lossOptions(b)) as Tensor, lossShape),
  [`${F}l1_loss`]: engineOp('l1Loss', "input, target, size_average=None, reduce=None, reduction='mean'", (fn, b) => fn(tensorArg('l1_loss', b.get('input')), targetsOf('l1_loss', b.get('target')), lossOptions(b)) as Tensor, lossShape),
  [`${F}binary_cross_entropy`]: engineOp('bceLoss', "input, target, weight=None, size_average=None, reduce=None, reduction='mean'", (fn, b) => fn(tensorArg('bce', b.get('input')), targetsOf('bce', b.get('target')), lossOptions(b)) as Tensor, lossShape),
  [`${F}binary_cross_entropy_with_logits`]: engineOp('bceWithLogitsLoss', "input, target, weight=None, size_average=None, reduce=None, reduction='mean', pos_weight=None", (fn, b) => fn(tensorArg('bce_with_logits', b.get('input')), targetsOf('bce_with_logits', b.get('target')), lossOptions(b)) as Tensor, lossShape),
};

/** torch's functional spellings of tensor methods (`torch.transpose(x, 0, 1)` is `x.transpose(0, 1)`). */
const FUNCTIONAL_ALIASES = ['transpose', 'permute', 'unsqueeze', 'squeeze', 'split', 'chunk', 'masked_fill', 'view', 'reshape', 'contiguous', 'expand'];

export const OPS: Readonly<Record<string, OpDef>> = {
  ...OPS_BY_METHOD,
  ...Object.fromEntries(FUNCTIONAL_ALIASES.filter((m) => !(`torch.${m}` in OPS_BY_METHOD) && OPS_BY_METHOD[`Tensor.${m}`]).map((m) => [`torch.${m}`, OPS_BY_METHOD[`Tensor.${m}`]!])),
};

function convCall(fn: EngineFn, b: Bound<RuntimeValue>): RuntimeValue {
  return fn(tensorArg('conv', b.get('input')), tensorArg('conv', b.get('weight'), 'weight'), optionalTensor('conv', b.get('bias'), 'bias'),
    { stride: b.get('stride'), padding: b.get('padding'), dilation: b.get('dilation'), groups: b.get('groups') }) as Tensor;
}

function poolOp(engine: string, spatial: number, average: boolean): OpDef {
  const signature = average
    ? 'input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None'
    : 'input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False';
  return engineOp(engine, signature, (fn, b) => {
    if (b.has('return_indices') && b.get('return_indices') === true) throw new OpUnavailable(engine, engine, 'with return_indices');
    const options: Record<string, RuntimeValue> = { kernelSize: b.get('kernel_size'), stride: b.get('stride'), padding: b.get('padding'), ceilMode: b.get('ceil_mode') };
    if (average) Object.assign(options, { countIncludePad: b.get('count_include_pad'), divisorOverride: b.get('divisor_override') });
    else options.dilation = b.get('dilation');
    return fn(tensorArg(engine, b.get('input')), options) as Tensor;
  }, (b) => poolShape(engine, spatial, b, average));
}

function adaptiveOp(engine: string, spatial: number): OpDef {
  return engineOp(engine, 'input, output_size', (fn, b) => fn(tensorArg(engine, b.get('input')), b.get('output_size')) as Tensor, (b) => {
    const x = b.get('input');
    if (!isMeta(x)) return UNKNOWN;
    const size = b.get('output_size');
    const out = (Array.isArray(size) ? size : Array(spatial).fill(size)).map((d, i) => (d === null ? x.shape[x.ndim - spatial + i]! : (d as number)));
    return new MetaTensor([...x.shape.slice(0, x.ndim - spatial), ...out]);
  });
}

/** Binds a call to an op of the table (throws for an unknown name: the check reports those first). */
export function bindOp<V>(name: string, args: readonly V[], kwargs: Readonly<Record<string, V>>): { def: OpDef; bound: Bound<V> } {
  const def = OPS[name];
  if (!def) throw new Error(`${name} is not an op Weightscope runs`);
  return { def, bound: bind(name, def.signature, args, kwargs) };
}

/** The op names whose engine function is missing, for listings. */
export function unavailableOps(): string[] {
  return Object.entries(OPS).filter(([, d]) => d.engine !== undefined && d.engine !== 'broadcasting' && !engineHas(d.engine)).map(([n]) => n);
}

/** nn.LSTM/GRU/RNN over time through engine/tensor's lstm, gru and rnn (weights by name, states as torch's tuple). */
function recurrentRun(b: Bound<RuntimeValue>, ctx: RunContext): RuntimeValue {
  for (const name of ['lstm', 'gru', 'rnn']) if (!engineHas(name)) throw new OpUnavailable('torch.rnn', name);
  const options = b.get('options') as unknown as { mode: string; numLayers: number; bidirectional: boolean; batchFirst: boolean; dropout: number; projSize: number };
  const names = b.get('names') as unknown as string[];
  const tensors = b.get('weights') as unknown as Tensor[];
  if (options.projSize > 0) throw new OpUnavailable('nn.LSTM(proj_size=…)', 'lstm', 'with proj_size');
  const weights = Object.fromEntries(names.map((n, i) => [n, tensors[i]!]));
  const common = { numLayers: options.numLayers, bidirectional: options.bidirectional, batchFirst: options.batchFirst, dropout: options.dropout, training: ctx.training, rng: ctx.rng };
  const input = tensorArg('rnn', b.get('input'));
  const hx = b.get('hx');
  if (options.mode === 'LSTM') {
    const state = Array.isArray(hx) ? { h: tensorArg('lstm', hx[0]!, 'h_0'), c: tensorArg('lstm', hx[1]!, 'c_0') } : null;
    const r = engineFn('nn.LSTM', 'lstm')(input, state, weights, common) as { output: Tensor; h: Tensor; c: Tensor };
    return [r.output, [r.h, r.c]];
  }
  const h0 = hx === null ? null : tensorArg('rnn', hx, 'h_0');
  const r = (options.mode === 'GRU'
    ? engineFn('nn.GRU', 'gru')(input, h0, weights, common)
    : engineFn('nn.RNN', 'rnn')(input, h0, weights, { ...common, nonlinearity: options.mode === 'RNN_RELU' ? 'relu' : 'tanh' })) as { output: Tensor; h: Tensor };
  return [r.output, r.h];
}
