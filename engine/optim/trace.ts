/**
 * Observability: what each term of an optimizer step was, per parameter.
 *
 * Transformations report to a `TraceSink` when one is passed to `update`;
 * without one they skip every line of tracing code, so an untraced step does
 * no extra pass and allocates nothing. With a `Tracer` as the sink, each
 * reported tensor is summarized at once, in one pass (engine/stats/summary:
 * mean, std, min, max, L2 norm, histogram), and derived terms are written
 * into buffers that the tracer keeps and reuses from step to step.
 *
 * Keys reported by the built-in transformations (per parameter):
 *
 *   tensors  grad                       the gradient given to the step
 *            m, v, vMax                 Adam's moments (vMax with amsgrad)
 *            mHat, vHat | vMaxHat       m/(1−β1^t), v/(1−β2^t) (or vMax/(1−β2^t))
 *            sqrtVHat                   √v̂ (√v̂max with amsgrad), the per-element scale of Adam's step
 *            stepScale                  1/(√v̂ + ε) as the step applies it (√v̂ + ε rounded to the
 *                                       parameter's dtype); times lr it is each element's effective step size
 *            direction                  m̂/(√v̂ + ε), Adam's direction
 *            momentum                   SGD's momentum buffer
 *            param                      θ before the step
 *            update.<label>             each term's own Δθ: update.adam = −lr·m̂/(√v̂+ε),
 *                                       update.decay = −lr·λ·θ, update.direction = −lr·d (SGD)
 *            update                     the Δθ actually applied, θ_after − θ_before
 *   scalars  step, biasCorrection1 = 1−β1^t, biasCorrection2 = 1−β2^t,
 *            lr (or alpha and eta for AdamW's paper form)
 *
 * and two ratios derived from the L2 norms:
 *
 *   updateToWeight = ‖Δθ‖ / ‖θ_before‖
 *   decayShare     = ‖Δθ_decay‖ / Σ_terms ‖Δθ_term‖ ∈ [0, 1]
 *                    (for AdamW ‖lr·λ·θ‖ / (‖lr·m̂/(√v̂+ε)‖ + ‖lr·λ·θ‖): 0 = no decay,
 *                    ½ = decay as large as the Adam step; 0 when every term is 0)
 *
 * Term values are computed in double from the stored float32/float64 values.
 */
import type { FloatArray } from '../tensor/dtype';
import { summarize, type Summary, type SummaryOptions } from '../stats/summary';

/**
 * How much of a tensor a sink needs:
 *
 *   'values'   the tensor itself, through `tensor` (every statistic, histograms)
 *   'moments'  n, Σx, Σx², min and max, through `sums`
 *   'norm'     n and Σx² (‖x‖₂ = √Σx²), through `sums`
 *   'none'     nothing
 *
 * Sums let a transformation report a tensor it never stores: a derived term
 * is accumulated element by element in a read-only pass instead of being
 * written to a buffer and then summarized in a second pass.
 */
export type TermNeed = 'values' | 'moments' | 'norm' | 'none';

/** Running sums of one tensor, in double. With the need 'norm', sum, min and max are NaN. */
export interface TermSums {
  count: number;
  sum: number;
  sumSq: number;
  min: number;
  max: number;
}

export interface TraceSink {
  /** Report a tensor; it is summarized now, the sink keeps no reference to it. */
  tensor(param: string, key: string, values: FloatArray): void;
  /**
   * Report a tensor by its sums (for the needs 'moments' and 'norm'). Returns
   * false when the sums cannot be trusted (a NaN or ±Inf, or Σx² overflowed
   * or underflowed); the caller then reports the values with `tensor`.
   * `sums` is valid during the call only (callers reuse one object).
   */
  sums?(param: string, key: string, sums: TermSums): boolean;
  /**
   * What the sink needs of tensor `key` (default: 'values' for every key it
   * wants). The answer must not change during the sink's life: transformations
   * may remember it.
   */
  need?(key: string): TermNeed;
  /** A buffer of `length` doubles for a derived tensor, the same one every step. */
  buffer(param: string, key: string, length: number): Float64Array;
  scalar(param: string, key: string, value: number): void;
  /**
   * Whether the sink uses tensor `key` (default: every key). Transformations
   * skip computing a derived tensor that no one wants.
   */
  wants?(key: string): boolean;
}

export interface TraceOptions {
  /**
   * Histogram of every term: `bins` bins over `range`, or over the term's own
   * [min, max] (which takes a second pass over the term; give `range` for one pass).
   */
  histogram?: { bins: number; range?: readonly [number, number] };
  /** Keep a copy of every term's values in the trace (default false). */
  keepValues?: boolean;
  /** Only these tensor keys are summarized (default all). */
  keys?: readonly string[];
}

export interface TermTrace extends Summary {
  /** A copy of the values, with `keepValues`. */
  values?: Float64Array;
}

export interface ParamTrace {
  terms: Record<string, TermTrace>;
  scalars: Record<string, number>;
  /** ‖Δθ‖/‖θ_before‖ (0 when Δθ = 0, Infinity when θ_before = 0 ≠ Δθ). */
  updateToWeight: number;
  /** ‖Δθ_decay‖ / Σ‖Δθ_term‖, 0 without decay. */
  decayShare: number;
}

export type StepTrace = Record<string, ParamTrace>;

/** A sink that hands back one step's traces when the step is done (the Tracer, or a lighter one). */
export interface CollectingSink extends TraceSink {
  collect(): StepTrace;
}

/**
 * What every collecting sink shares: one step's terms and scalars per
 * parameter, the derived buffers kept from step to step (a two-level lookup,
 * so that no key string is built per call on the hot path), and `collect`,
 * which adds the two ratios and starts the next step. Subclasses decide which
 * tensors they summarize, and how.
 */
export abstract class StepCollector implements CollectingSink {
  private readonly buffers = new Map<string, Map<string, Float64Array>>();
  private current: Record<string, { terms: Record<string, TermTrace>; scalars: Record<string, number> }> = {};

  abstract tensor(param: string, key: string, values: FloatArray): void;
  abstract wants(key: string): boolean;

  need(key: string): TermNeed {
    return this.wants(key) ? 'values' : 'none';
  }

  buffer(param: string, key: string, length: number): Float64Array {
    let perParam = this.buffers.get(param);
    if (!perParam) this.buffers.set(param, (perParam = new Map()));
    let b = perParam.get(key);
    if (!b || b.length !== length) {
      b = new Float64Array(length);
      perParam.set(key, b);
    }
    return b;
  }

  scalar(param: string, key: string, value: number): void {
    this.entry(param).scalars[key] = value;
  }

  /** Finish the step: the per-parameter traces, with the derived ratios. */
  collect(): StepTrace {
    const out: StepTrace = {};
    for (const [name, { terms, scalars }] of Object.entries(this.current)) {
      out[name] = { terms, scalars, updateToWeight: updateToWeight(terms), decayShare: decayShare(terms) };
    }
    this.current = {};
    this.lastEntry = undefined;
    return out;
  }

  protected entry(param: string): { terms: Record<string, TermTrace>; scalars: Record<string, number> } {
    // The parameter reported last, remembered: a step reports each parameter's terms one after another.
    if (param === this.lastParam && this.lastEntry !== undefined) return this.lastEntry;
    this.lastParam = param;
    return (this.lastEntry = this.current[param] ??= { terms: {}, scalars: {} });
  }

  private lastParam: string | undefined;
  private lastEntry: { terms: Record<string, TermTrace>; scalars: Record<string, number> } | undefined;
}

/** A TraceSink that summarizes each step; create one and pass it to every traced step. */
export class Tracer extends StepCollector {
  private readonly summaryOptions: SummaryOptions;

  constructor(private readonly options: TraceOptions = {}) {
    super();
    this.summaryOptions = options.histogram ? { histogram: options.histogram } : {};
  }

  tensor(param: string, key: string, values: FloatArray): void {
    if (!this.wants(key)) return;
    const summary: TermTrace = summarize(values, this.summaryOptions);
    if (this.options.keepValues) summary.values = Float64Array.from(values);
    this.entry(param).terms[key] = summary;
  }

  /** Whether `key` is summarized: the ratios always need `param` and the `update` terms. */
  wants(key: string): boolean {
    const { keys } = this.options;
    return !keys || keys.includes(key) || key === 'param' || key === 'update' || key.startsWith('update.');
  }
}

/**
 * A decision about a sink that depends only on its needs, computed once per
 * sink (needs do not change) and remembered: a traced step asks for each
 * parameter, and the answer takes a dozen lookups.
 */
export function perSink<T>(decide: (sink: TraceSink) => T): (sink: TraceSink) => T {
  const known = new WeakMap<TraceSink, T>();
  return (sink) => {
    let value = known.get(sink);
    if (value === undefined && !known.has(sink)) known.set(sink, (value = decide(sink)));
    return value as T;
  };
}

/** What `sink` needs of tensor `key`; 'values' for a sink that says nothing. */
export function needOf(sink: TraceSink, key: string): TermNeed {
  if (sink.need) return sink.need(key);
  return !sink.wants || sink.wants(key) ? 'values' : 'none';
}

/** Whether a sink takes sums for every one of `keys` (none of them needs the values). */
export function takesSums(sink: TraceSink, keys: readonly string[]): boolean {
  return sink.sums !== undefined && keys.every((key) => needOf(sink, key) !== 'values');
}

export function updateToWeight(terms: Readonly<Record<string, Pick<Summary, 'l2Norm'>>>): number {
  const update = terms['update']?.l2Norm ?? 0;
  const weight = terms['param']?.l2Norm ?? 0;
  return update === 0 ? 0 : update / weight;
}

export function decayShare(terms: Readonly<Record<string, Pick<Summary, 'l2Norm'>>>): number {
  let total = 0;
  for (const key in terms) if (key.startsWith('update.')) total += terms[key]!.l2Norm;
  const decay = terms['update.decay']?.l2Norm ?? 0;
  return total === 0 ? 0 : decay / total;
}
