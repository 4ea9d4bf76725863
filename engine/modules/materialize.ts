/**
 * A tensor's initial value and its theory, from the steps that make it
 * (module defaults at construction, then the model's own code, in torch's
 * order): the last fill decides the distribution; a later `mul_(c)` scales
 * it; nn.Embedding's zeroed padding row adds an atom at 0 of weight 1/rows.
 *
 * One tensor at a time, so that inspecting a 124M-parameter model never
 * holds more than its largest tensor.
 */
import { getInitializer } from '../init/registry';
import { makeTheory, type Theory } from '../init/theory';
import type { InitSpec } from '../model/spec';
import { TorchGenerator, type GeneratorSnapshot } from '../random';
import { scaledDistribution, zeroInflatedDistribution } from '../stats/distribution';
import type { DType, FloatArray } from '../tensor/dtype';
import { numelOf, type InitStep, type TensorDecl, type TensorEntry } from './tree';

export interface TensorValue {
  data: FloatArray;
  /** The calls that made it, as torch spells them: `kaiming_uniform_(a=√5)`, `normal_(std=0.02) · 0.5`. */
  initializer: string;
  origin: 'torch default' | 'model file';
  /** The distribution of one entry; null when no initializer fills it (torch.empty's memory). */
  theory: Theory | null;
}

/**
 * The generator's state at every random fill of a model, taken in the order
 * torch runs them, keyed by the fill's step. `scheduleDraws` walks the fills in
 * that order (by their `seq`, see inTorchOrder; unnumbered ones after, in
 * `state_dict` order) and advances the generator past each one's draws without
 * computing them, so that a tensor can then be drawn alone, later, with exactly
 * the numbers torch gives it: every tensor's draws depend on all the draws made
 * before it, in any tensor.
 */
export type DrawSchedule = ReadonlyMap<InitStep, GeneratorSnapshot>;

export function scheduleDraws(entries: readonly TensorEntry[], gen: TorchGenerator, dtype: DType = 'float32'): DrawSchedule {
  const fills: { step: Extract<InitStep, { op: 'init' }>; shape: readonly number[]; order: number }[] = [];
  const seen = new Set<InitStep>();
  let position = 0;
  for (const entry of entries) {
    if (entry.sameAs !== undefined) continue;
    // The fills of tensors this one replaced moved the generator too (tree.ts, replacedDraws), in their own seq order.
    for (const step of [...(entry.decl.replacedDraws ?? []), ...entry.decl.init]) {
      position++;
      // A deep copy shares its original's step objects: one fill, one set of values.
      if (step.op !== 'init' || seen.has(step) || getInitializer(step.init.fn).draws === 'none') continue;
      seen.add(step);
      fills.push({ step, shape: entry.decl.shape, order: step.seq ?? Number.MAX_SAFE_INTEGER / 2 + position });
    }
  }
  fills.sort((a, b) => a.order - b.order);
  const schedule = new Map<InitStep, GeneratorSnapshot>();
  for (const { step, shape } of fills) {
    schedule.set(step, gen.snapshot());
    getInitializer(step.init.fn).advance(shape, gen, dtype);
  }
  return schedule;
}

/**
 * Draws `decl`'s initial value by running its steps on a fresh array (or
 * the caller's `buffer`), from
 * its last fill on: every `torch.nn.init` fill overwrites the whole tensor, so
 * what came before it (a Linear's `kaiming_uniform_` default that the model's
 * `normal_(0, 0.02)` replaces) cannot show in the result; the generator still
 * moved past those draws (scheduleDraws), so the fill that counts draws what it
 * draws in torch.
 */
export function materialize(decl: TensorDecl, schedule: DrawSchedule, dtype: DType = 'float32', buffer?: FloatArray): TensorValue {
  const n = numelOf(decl.shape);
  // In a caller's buffer (of the dtype, ≥ n entries), zeroed first: a fill may leave entries as a fresh array has them.
  const data: FloatArray = buffer ? buffer.subarray(0, n).fill(0) : dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  const tensor = { shape: decl.shape, data };
  const lastFill = findLastIndex(decl.init, (s) => s.op === 'init');
  for (const step of decl.init.slice(Math.max(0, lastFill))) {
    if (step.op === 'init') {
      const initializer = getInitializer(step.init.fn);
      const at = schedule.get(step);
      if (initializer.draws !== 'none' && !at) throw new Error(`materialize: ${step.init.fn} of a tensor of shape [${decl.shape.join(', ')}] was not scheduled`);
      initializer.apply(tensor, step.init.args, at ? TorchGenerator.fromSnapshot(at) : UNUSED_GENERATOR);
    } else if (step.op === 'scale') {
      // p.mul_(c): the product in the tensor's dtype (c rounded to it first, as torch casts the scalar).
      const factor = dtype === 'float64' ? step.factor : Math.fround(step.factor);
      for (let i = 0; i < n; i++) data[i] = data[i]! * factor;
    } else if (step.op === 'fillRow') fillRow(data, decl.shape, step.index, step.value);
    else triangle(data, decl.shape, step.lower, step.diagonal);
  }
  return { data, ...describeSteps(decl) };
}

/** Passed to the fills that draw nothing (constant_, eye_…), which never touch it. */
const UNUSED_GENERATOR = new TorchGenerator(0);

/** The initializer label, origin and theory of a declaration, without drawing it. */
export function describeSteps(decl: TensorDecl): Omit<TensorValue, 'data'> {
  const lastFill = findLastIndex(decl.init, (s) => s.op === 'init');
  if (lastFill < 0) {
    if (decl.approximate) return { initializer: 'computed by code Weightscope does not evaluate', origin: 'model file', theory: null };
    return { initializer: decl.init.length ? 'torch.empty, then in-place changes' : 'torch.empty (not initialized)', origin: 'torch default', theory: null };
  }
  const fill = decl.init[lastFill] as Extract<InitStep, { op: 'init' }>;
  const labels = [fill.label ?? describeCall(fill.init)];
  let theory: Theory | null = getInitializer(fill.init.fn).theory(decl.shape, fill.init.args);
  for (const step of decl.init.slice(lastFill + 1)) {
    if (step.op === 'scale') {
      labels.push(`× ${formatNumber(step.factor)}`);
      theory = theory && withDistribution(theory, scaledDistribution(theory, step.factor), { scale: step.factor });
    } else if (step.op === 'fillRow') {
      labels.push(`row ${step.index} = ${formatNumber(step.value)}`);
      const rows = decl.shape[0] ?? 1;
      theory = theory && step.value === 0 ? withDistribution(theory, zeroInflatedDistribution(theory, 1 / rows), { zeroRows: 1 }) : null;
    } else if (step.op === 'triangle') {
      // A fixed mask, not a draw: no distribution to compare with.
      labels.push(`${step.lower ? 'tril' : 'triu'}(${step.diagonal === 0 ? '' : `diagonal=${step.diagonal}`})`);
      theory = null;
    }
  }
  const changedByModel = fill.origin === 'model file' || decl.init.slice(lastFill + 1).some((s) => s.op === 'scale');
  return { initializer: labels.join(', '), origin: changedByModel ? 'model file' : 'torch default', theory };
}

function withDistribution(theory: Theory, dist: ReturnType<typeof scaledDistribution>, extra: Record<string, number>): Theory {
  return makeTheory(theory.family, { ...theory.params, ...extra }, dist, { fanIn: theory.fanIn, fanOut: theory.fanOut, gain: theory.gain });
}

function fillRow(data: FloatArray, shape: readonly number[], row: number, value: number): void {
  const width = numelOf(shape.slice(1));
  data.fill(value, row * width, (row + 1) * width);
}

/** torch.tril / torch.triu on every matrix of the last two dimensions: keep j − i ≤ diagonal (tril) or j − i ≥ diagonal (triu). */
function triangle(data: FloatArray, shape: readonly number[], lower: boolean, diagonal: number): void {
  const rows = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  const cols = shape[shape.length - 1] ?? 1;
  for (let base = 0; base < data.length; base += rows * cols) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        if (lower ? j - i > diagonal : j - i < diagonal) data[base + i * cols + j] = 0;
      }
    }
  }
}

function findLastIndex<T>(items: readonly T[], test: (t: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}

/** `normal_(std=0.01)`: the call as a torch user would write it. */
export function describeCall(init: InitSpec): string {
  const args = Object.entries(init.args).map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v}'` : formatNumber(v as number | boolean)}`);
  return `${init.fn}(${args.join(', ')})`;
}

function formatNumber(v: number | boolean): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
}
