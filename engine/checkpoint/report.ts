/**
 * A whole checkpoint's report, shared by the CLI (`weightscope weights`) and
 * the engine worker behind the checkpoint editor: every tensor's summary,
 * and optionally
 *
 *  - against a model of the workspace whose `state_dict` it matches: each
 *    tensor's initializer and its theory (what std the tensor had at
 *    initialization), and the ratio std now ÷ theory std, which is 1 for
 *    weights training has not moved in scale;
 *  - against an initial checkpoint of the same model: each tensor's relative
 *    drift ‖θ − θ₀‖ / ‖θ₀‖ (the Frobenius norm of the change over that of the
 *    start), read a chunk of each file at a time.
 */
import { IoError } from '../io/errors';
import type { ModelSpec } from '../model/spec';
import { modelTensors } from '../model/moduleTree';
import { describeSteps } from '../modules/materialize';
import { readAhead, summarizeTensor, type TensorSummary } from './summary';
import { DEFAULT_CHUNK_ELEMENTS, type Checkpoint, type CheckpointFormat, type CheckpointTensor } from './types';

export interface CheckpointReport {
  file: string;
  format: CheckpointFormat;
  nesting: string[];
  strippedPrefix?: string;
  otherKeys: string[];
  metadata: Record<string, string>;
  /** Elements of all tensors, a tied tensor (the very same tensor under two names) once, as torch's parameters() counts. */
  parameterCount: number;
  tensors: TensorSummary[];
  /** Against the model the checkpoint belongs to. */
  model?: ModelComparison;
  /** Against an initial checkpoint of the same model. */
  drift?: DriftReport;
}

export interface TensorInit {
  /** The initializer call as torch spells it, e.g. `normal_(std=0.02)`; for buffers and uninitialized tensors what the model does. */
  initializer: string;
  /** The initializer's theory: null where it has none (buffers, code Weightscope does not evaluate). */
  theoryMean: number | null;
  theoryStd: number | null;
  /** std now ÷ theory std: null where either is undefined or the theory std is 0 (a constant). */
  stdRatio: number | null;
}

export interface ModelComparison {
  modelName: string;
  /** By tensor name; the checkpoint's tensors the model does not name are absent. */
  tensors: Record<string, TensorInit>;
}

export interface DriftReport {
  /** The initial checkpoint's file. */
  initialFile: string;
  /** ‖θ − θ₀‖/‖θ₀‖ by tensor name; null where ‖θ₀‖ = 0 (a zero-initialized bias) or a value is not finite. */
  relative: Record<string, number | null>;
  /** ‖θ − θ₀‖ by tensor name (the absolute change, for tensors that started at zero). */
  absolute: Record<string, number | null>;
  /** The initial checkpoint's summaries by name, for side-by-side views. */
  initial: Record<string, TensorSummary>;
  /** Tensors of one file with no tensor of the same name and shape in the other. */
  unmatched: string[];
}

export interface ReportOptions {
  bins?: number;
  chunkElements?: number;
  /** Called after each tensor (progress). */
  onTensor?: (done: number, total: number, name: string) => void | Promise<void>;
  /** Checked between tensors; when it returns true the report stops with `ReportCancelled`. */
  cancelled?: () => boolean;
}

/** Thrown when `cancelled` said stop. */
export class ReportCancelled extends Error {
  override name = 'Cancelled';
}

/** Summaries of every tensor, a tensor at a time. */
export async function summarizeCheckpoint(checkpoint: Checkpoint, file: string, options: ReportOptions = {}): Promise<CheckpointReport> {
  const tensors: TensorSummary[] = [];
  const total = checkpoint.tensors.length;
  for (const t of checkpoint.tensors) {
    if (options.cancelled?.()) throw new ReportCancelled(`stopped after ${tensors.length} of ${total} tensors`);
    tensors.push(await summarizeTensor(t, { ...(options.bins ? { bins: options.bins } : {}), ...(options.chunkElements ? { chunkElements: options.chunkElements } : {}) }));
    await options.onTensor?.(tensors.length, total, t.name);
  }
  return {
    file,
    format: checkpoint.format,
    nesting: checkpoint.nesting,
    otherKeys: checkpoint.otherKeys,
    metadata: checkpoint.metadata,
    parameterCount: checkpoint.tensors.reduce((n, t) => n + (t.identicalTo === undefined ? t.numel : 0), 0),
    tensors,
    ...(checkpoint.strippedPrefix ? { strippedPrefix: checkpoint.strippedPrefix } : {}),
  };
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Why a checkpoint is not the `state_dict` of a model (torch's
 * load_state_dict(strict=True) messages), or [] when it is: the same names
 * with the same shapes. Non-persistent buffers are not in a state_dict; a
 * tied tensor may be stored under one of its names only (safetensors stores
 * shared tensors once).
 */
export function modelMismatches(tensors: readonly { name: string; shape: readonly number[] }[], spec: ModelSpec): string[] {
  const entries = modelTensors(spec).filter((e) => e.decl.kind !== 'buffer' || e.decl.persistent !== false);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const known = new Set(entries.map((e) => e.name));
  const tiedStored = new Set(entries.filter((e) => e.sameAs !== undefined && (byName.has(e.name) || byName.has(e.sameAs))).flatMap((e) => [e.name, e.sameAs!]));
  const missing = entries.filter((e) => !byName.has(e.name) && !tiedStored.has(e.name)).map((e) => e.name);
  const unexpected = tensors.filter((t) => !known.has(t.name)).map((t) => t.name);
  const problems: string[] = [];
  const list = (names: string[]): string => `${names.slice(0, 5).map((n) => `"${n}"`).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}`;
  if (missing.length) problems.push(`Missing key(s) in state_dict: ${list(missing)}.`);
  if (unexpected.length) problems.push(`Unexpected key(s) in state_dict: ${list(unexpected)}.`);
  for (const e of entries) {
    const t = byName.get(e.name);
    if (t && !sameShape(t.shape, e.decl.shape)) problems.push(`size mismatch for ${e.name}: [${t.shape.join(', ')}] in the checkpoint, [${e.decl.shape.join(', ')}] in the model.`);
  }
  return problems;
}

/** Each tensor's initializer and theory from the model, next to its std now. */
export function compareWithModel(tensors: readonly TensorSummary[], spec: ModelSpec): ModelComparison {
  const entries = new Map(modelTensors(spec).map((e) => [e.name, e]));
  const out: Record<string, TensorInit> = {};
  for (const t of tensors) {
    const entry = entries.get(t.name);
    if (!entry) continue;
    const { initializer, theory } = describeSteps(entry.decl);
    const theoryStd = theory ? theory.std : null;
    out[t.name] = {
      initializer: entry.decl.kind === 'buffer' ? `buffer (${initializer})` : initializer,
      theoryMean: theory ? theory.mean : null,
      theoryStd,
      stdRatio: theoryStd !== null && theoryStd > 0 && t.std !== null ? t.std / theoryStd : null,
    };
  }
  return { modelName: spec.name, tensors: out };
}

/**
 * ‖a − b‖ and ‖b‖ of two tensors of one shape, reading both a chunk at a
 * time in step (both stream in C order, so chunk k of one is chunk k of the
 * other). The sums are of squares in float64, scaled by the largest |b| seen
 * so far as BLAS's dnrm2 does, so weights of any size neither overflow nor
 * underflow.
 */
export async function tensorDistance(a: CheckpointTensor, b: CheckpointTensor, chunkElements = DEFAULT_CHUNK_ELEMENTS): Promise<{ change: number; initial: number }> {
  if (!sameShape(a.shape, b.shape)) throw new IoError(a.file, `'${a.name}' has shape [${a.shape.join(', ')}] but the initial '${b.name}' has [${b.shape.join(', ')}]`);
  const change = new ScaledNorm();
  const initial = new ScaledNorm();
  const left = readAhead(a.chunks(chunkElements))[Symbol.asyncIterator]();
  const right = readAhead(b.chunks(chunkElements))[Symbol.asyncIterator]();
  try {
    for (;;) {
      const [x, y] = await Promise.all([left.next(), right.next()]);
      if (x.done || y.done) {
        if (x.done !== y.done) throw new IoError(a.file, `'${a.name}' and its initial tensor gave different numbers of values`);
        break;
      }
      const u = x.value;
      const v = y.value;
      if (u.length !== v.length) throw new IoError(a.file, `'${a.name}': chunks of different lengths (${u.length} and ${v.length})`);
      change.addDifference(u, v);
      initial.add(v);
    }
  } finally {
    await Promise.all([left.return?.(undefined), right.return?.(undefined)]);
  }
  return { change: change.value(), initial: initial.value() };
}

/** √Σx² accumulated as scale·√ssq with scale = max |x| (no overflow, no underflow). */
class ScaledNorm {
  private scale = 0;
  private ssq = 1;
  private nonFinite = false;

  private push(d: number): void {
    const ad = Math.abs(d);
    if (!(ad < Infinity)) {
      this.nonFinite = true;
      return;
    }
    if (ad > this.scale) {
      const r = this.scale / ad;
      this.ssq = 1 + this.ssq * r * r;
      this.scale = ad;
    } else if (ad > 0) {
      const r = ad / this.scale;
      this.ssq += r * r;
    }
  }

  add(v: ArrayLike<number>): void {
    for (let i = 0; i < v.length; i++) this.push(v[i]!);
  }

  addDifference(u: ArrayLike<number>, v: ArrayLike<number>): void {
    for (let i = 0; i < u.length; i++) this.push(u[i]! - v[i]!);
  }

  value(): number {
    return this.nonFinite ? NaN : this.scale === 0 ? 0 : this.scale * Math.sqrt(this.ssq);
  }
}

/** Drift of every tensor of `current` from the tensor of the same name in `initial`. */
export async function checkpointDrift(current: Checkpoint, initial: Checkpoint, initialFile: string, options: ReportOptions = {}): Promise<DriftReport> {
  const initialByName = new Map(initial.tensors.map((t) => [t.name, t]));
  const relative: Record<string, number | null> = {};
  const absolute: Record<string, number | null> = {};
  const summaries: Record<string, TensorSummary> = {};
  const unmatched: string[] = [];
  const matched = current.tensors.filter((t) => {
    const b = initialByName.get(t.name);
    const ok = b !== undefined && sameShape(t.shape, b.shape);
    if (!ok) unmatched.push(t.name);
    return ok;
  });
  const currentNames = new Set(current.tensors.map((t) => t.name));
  for (const t of initial.tensors) if (!currentNames.has(t.name)) unmatched.push(t.name);
  let done = 0;
  for (const t of matched) {
    if (options.cancelled?.()) throw new ReportCancelled(`drift stopped after ${done} of ${matched.length} tensors`);
    const b = initialByName.get(t.name)!;
    const { change, initial: norm0 } = await tensorDistance(t, b, options.chunkElements);
    absolute[t.name] = Number.isFinite(change) ? change : null;
    relative[t.name] = Number.isFinite(change) && norm0 > 0 ? change / norm0 : null;
    summaries[t.name] = await summarizeTensor(b, { ...(options.bins ? { bins: options.bins } : {}), ...(options.chunkElements ? { chunkElements: options.chunkElements } : {}) });
    await options.onTensor?.(++done, matched.length, t.name);
  }
  return { initialFile, relative, absolute, initial: summaries, unmatched };
}
