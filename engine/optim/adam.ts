/**
 * scaleByAdam: Adam's moment estimates and its direction m̂/(√v̂ + ε)
 * (Kingma & Ba, 2015). For each parameter, at its step t = 1, 2, …:
 *
 *     m_t = β1·m_{t−1} + (1 − β1)·g_t                 first moment
 *     v_t = β2·v_{t−1} + (1 − β2)·g_t²                second moment
 *     m̂_t = m_t/(1 − β1^t),  v̂_t = v_t/(1 − β2^t)    bias correction (m_0 = v_0 = 0)
 *     amsgrad: v̂_t uses v^max_t = max(v^max_{t−1}, v_t) instead of v_t
 *     output   m̂_t/(√v̂_t + ε)
 *
 * The output is one 'ratio' term numer/denom with divisor 1 − β1^t, evaluated
 * as torch 1.13's `_single_tensor_adam(w)` does, in the parameter's dtype:
 *
 *     exp_avg.mul_(β1).add_(g, alpha=1−β1)             m ← fma(1−β1, g, m·β1)
 *     exp_avg_sq.mul_(β2).addcmul_(g, g, value=1−β2)   v ← fma((1−β2)·g, g, v·β2)
 *     denom = (exp_avg_sq.sqrt() / √(1−β2^t)).add_(ε)  q ← √v / √(1−β2^t) + ε
 *
 * so that a later scale by −lr gives torch's `param.addcdiv_(m, q, value=−lr/(1−β1^t))`.
 * The step count is kept per parameter, as torch's `state['step']`.
 */
import type { FloatArray } from '../tensor/dtype';
import { ADAMW_WASM_MIN_LENGTH, adamStepWasm } from './adamWasm';
import { evaluateUpdate } from './apply';
import { arithmeticOf } from './float32';
import { powInt } from './pow';
import { needOf, perSink, type TermNeed, type TermSums, type TraceSink } from './trace';
import { zerosLike, type GradientTransformation, type Update } from './transform';

export interface AdamOptions {
  /** β1, decay rate of the first moment (default 0.9). */
  b1?: number;
  /** β2, decay rate of the second moment (default 0.999). */
  b2?: number;
  /** ε, added to √v̂ (default 1e-8). */
  eps?: number;
  /** Use the running maximum of v (Reddi et al., 2018). */
  amsgrad?: boolean;
}

export interface AdamParamState {
  /** Steps taken by this parameter. */
  step: number;
  /** m, torch's exp_avg. */
  readonly m: FloatArray;
  /** v, torch's exp_avg_sq. */
  readonly v: FloatArray;
  /** Running max of v, torch's max_exp_avg_sq (amsgrad only). */
  readonly vMax: FloatArray | null;
  /** Scratch for √v̂ + ε, reused every step. */
  readonly denom: FloatArray;
}

export type AdamState = Record<string, AdamParamState>;

export function scaleByAdam(options: AdamOptions = {}): GradientTransformation<AdamState> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, amsgrad = false } = options;
  const corrections = new BiasCorrections(b1, b2);
  return {
    init(params) {
      const state: AdamState = {};
      for (const [name, p] of Object.entries(params)) {
        state[name] = { step: 0, m: zerosLike(p), v: zerosLike(p), vMax: amsgrad ? zerosLike(p) : null, denom: zerosLike(p) };
      }
      return state;
    },
    update(updates, state, params, trace) {
      const out: Record<string, Update> = {};
      for (const name of Object.keys(updates)) {
        const s = state[name];
        if (!s) throw new Error(`scaleByAdam: no state for parameter '${name}' (was it in init's params?)`);
        const g = evaluateUpdate(updates[name]!, params[name]!);
        s.step += 1;
        const { bc1, bc2 } = corrections.at(s.step);
        const bc2Sqrt = Math.sqrt(bc2);
        const withSums = trace !== undefined && takesAdamSums(trace);
        // All but the smallest tensors take the WebAssembly build of the kernel (the same bits), which also
        // sums a traced step's m and q in the same call; the smallest, and hosts without WebAssembly, the
        // JavaScript loop (and the JavaScript pass of sums).
        const inWasm = s.m.length >= ADAMW_WASM_MIN_LENGTH && adamKernelWasm(g, s, b1, b2, eps, bc2Sqrt, withSums ? rawSums : null);
        if (!inWasm) adamKernel(g, s, b1, b2, eps, bc2Sqrt);
        if (!withSums) {
          out[name] = [{ kind: 'ratio', label: 'adam', numer: s.m, denom: s.denom, scale: 1, divisor: bc1 }];
          if (trace) traceAdam(name, s, bc1, bc2, eps, trace);
          continue;
        }
        const epsilon = arithmeticOf(s.m).round(eps);
        const sums = finishAdamSums(inWasm ? rawSums : adamSums(s.m, s.denom, epsilon, rawSums), epsilon);
        // The term's Σ(m/q)² comes with it, so that tracing the update needs no second division per element.
        out[name] = [{ kind: 'ratio', label: 'adam', numer: s.m, denom: s.denom, scale: 1, divisor: bc1, ratioSumSq: sums[9]! }];
        if (!reportAdamSums(name, s, bc1, bc2, sums, trace)) traceAdam(name, s, bc1, bc2, eps, trace);
      }
      return { updates: out, state };
    },
  };
}

/**
 * 1 − β1^t and 1 − β2^t for step t, remembered for the last t asked: every
 * parameter of a model is usually at the same step, and the exact power
 * (powInt) is worth computing once per step rather than once per tensor.
 */
class BiasCorrections {
  private step = -1;
  private value = { bc1: NaN, bc2: NaN };

  constructor(private readonly b1: number, private readonly b2: number) {}

  at(step: number): { bc1: number; bc2: number } {
    if (step !== this.step) {
      this.step = step;
      this.value = { bc1: 1 - powInt(this.b1, step), bc2: 1 - powInt(this.b2, step) };
    }
    return this.value;
  }
}

/** One Adam moment update and denominator, in place, with torch's roundings (exported for tests). */
export function adamKernel(g: FloatArray, s: AdamParamState, b1: number, b2: number, eps: number, bc2Sqrt: number): void {
  const { m, v, vMax, denom } = s;
  const A = arithmeticOf(m);
  const beta1 = A.round(b1);
  const oneMinusBeta1 = A.round(1 - b1);
  const beta2 = A.round(b2);
  const oneMinusBeta2 = A.round(1 - b2);
  const root = A.round(bc2Sqrt);
  const epsilon = A.round(eps);
  for (let i = 0; i < m.length; i++) {
    const gi = g[i]!;
    m[i] = A.fma(oneMinusBeta1, gi, A.round(m[i]! * beta1));
    let vi = A.fma(A.round(oneMinusBeta2 * gi), gi, A.round(v[i]! * beta2));
    v[i] = vi;
    if (vMax) vi = vMax[i] = Math.max(vMax[i]!, vi);
    denom[i] = A.round(A.round(A.round(Math.sqrt(vi)) / root) + epsilon);
  }
}

/**
 * adamKernel compiled to WebAssembly (adamWasm.ts): the same scalars, rounded
 * the same way, and the same bits. With `sums`, adamSums's running sums too
 * (in double, from the same call; the last bits may differ from adamSums's,
 * another summation order). False, with nothing changed, where WebAssembly is
 * unavailable or the dtypes are mixed.
 */
export function adamKernelWasm(
  g: FloatArray, s: AdamParamState, b1: number, b2: number, eps: number, bc2Sqrt: number, sums: Float64Array | null = null,
): boolean {
  const A = arithmeticOf(s.m);
  return adamStepWasm(g, s.m, s.v, s.vMax, s.denom, A.round(b1), A.round(1 - b1), A.round(b2), A.round(1 - b2), A.round(bc2Sqrt), A.round(eps), sums);
}

/**
 * Whether one pass of sums (adamSums) is all a sink needs: the norm of m (and
 * so of m̂ = m/(1 − β1^t)), the moments or norm of √v̂ and 1/(√v̂ + ε),
 * nothing of v, v_max, v̂ or the direction.
 */
const takesAdamSums = perSink((trace: TraceSink): boolean => {
  if (!trace.sums) return false;
  const need = (key: string): TermNeed => needOf(trace, key);
  const normAtMost = (key: string): boolean => need(key) === 'norm' || need(key) === 'none';
  return normAtMost('m') && normAtMost('mHat') && need('sqrtVHat') !== 'values' && need('stepScale') !== 'values'
    && ['v', 'vMax', 'vHat', 'vMaxHat', 'direction'].every((key) => need(key) === 'none');
});

/** adamSums's running sums, reused every step: [Σm², Σr, Σr², min q, max q, Σk, Σk², Σ(m·k)²]. */
const rawSums = new Float64Array(8);

/**
 * One read-only pass after the kernel, in double, into `out` (rawSums's
 * layout): Σm² and, from the kernel's denominator q = √v̂ + ε (in the
 * parameter's dtype, as the step applies it), for r = q − ε = √v̂ and for the
 * step scale k = 1/q, the sum and sum of squares of each, min and max of q
 * (a NaN skipped), and Σ(m·k)², the squared norm of the direction m/q before
 * its coefficient. (√v̂ is the kernel's, rounded as the step used it; q − ε
 * is exact in double.) The JavaScript kernel's companion; the WebAssembly
 * kernel sums in the same call (a separate pass here rather than more work
 * inside adamKernel: V8 compiles the kernel with the extra accumulators to a
 * loop two to three times slower than both). Exported for tests.
 */
export function adamSums(m: FloatArray, denom: FloatArray, epsilon: number, out: Float64Array): Float64Array {
  let mSq = 0, rSum = 0, rSq = 0, kSum = 0, kSq = 0, mkSq = 0, qMin = Infinity, qMax = -Infinity;
  for (let i = 0; i < m.length; i++) {
    const mi = m[i]!;
    const q = denom[i]!;
    const r = q - epsilon;
    const k = 1 / q;
    const mk = mi * k;
    mSq += mi * mi;
    rSum += r;
    rSq += r * r;
    kSum += k;
    kSq += k * k;
    mkSq += mk * mk;
    if (q < qMin) qMin = q;
    if (q > qMax) qMax = q;
  }
  out[0] = mSq; out[1] = rSum; out[2] = rSq; out[3] = qMin; out[4] = qMax;
  out[5] = kSum; out[6] = kSq; out[7] = mkSq;
  return out;
}

/** The sums reportAdamSums reads, reused every step: [Σm², Σr, Σr², min r, max r, Σk, Σk², min k, max k, Σ(m·k)²]. */
const adamSumsOut = new Float64Array(10);

/** adamSums's running sums (either kernel's) as reportAdamSums reads them. */
function finishAdamSums(raw: Float64Array, epsilon: number): Float64Array {
  const out = adamSumsOut;
  const qMin = raw[3]!;
  const qMax = raw[4]!;
  // r = q − ε rises and k = 1/q falls with q (both exactly, rounding included), so their extremes are q's.
  out[0] = raw[0]!; out[1] = raw[1]!; out[2] = raw[2]!; out[3] = qMin - epsilon; out[4] = qMax - epsilon;
  out[5] = raw[5]!; out[6] = raw[6]!; out[7] = 1 / qMax; out[8] = 1 / qMin; out[9] = raw[7]!;
  return out;
}

/** Report adamSums; false when the sink cannot trust one of them (then traceAdam reports values). */
function reportAdamSums(name: string, s: AdamParamState, bc1: number, bc2: number, k: Float64Array, trace: TraceSink): boolean {
  trace.scalar(name, 'step', s.step);
  trace.scalar(name, 'biasCorrection1', bc1);
  trace.scalar(name, 'biasCorrection2', bc2);
  const n = s.m.length;
  // One scratch TermSums, refilled for each report (a sink reads it during the call only): no garbage per step.
  const needs = adamNeeds(trace);
  const out = adamSumsScratch;
  out.count = n;
  out.sum = out.min = out.max = NaN;
  out.sumSq = k[0]!;
  if (needs.m !== 'none' && !trace.sums!(name, 'm', out)) return false;
  out.sumSq = k[0]! / (bc1 * bc1);
  if (needs.mHat !== 'none' && !trace.sums!(name, 'mHat', out)) return false;
  out.sum = k[1]!; out.sumSq = k[2]!; out.min = k[3]!; out.max = k[4]!;
  if (needs.sqrtVHat !== 'none' && !trace.sums!(name, 'sqrtVHat', out)) return false;
  out.sum = k[5]!; out.sumSq = k[6]!; out.min = k[7]!; out.max = k[8]!;
  return needs.stepScale === 'none' || trace.sums!(name, 'stepScale', out);
}

const adamSumsScratch: TermSums = { count: 0, sum: NaN, sumSq: 0, min: NaN, max: NaN };

type AdamSumsKey = 'm' | 'mHat' | 'sqrtVHat' | 'stepScale';

const adamNeeds = perSink((trace: TraceSink): Record<AdamSumsKey, TermNeed> => ({
  m: needOf(trace, 'm'), mHat: needOf(trace, 'mHat'), sqrtVHat: needOf(trace, 'sqrtVHat'), stepScale: needOf(trace, 'stepScale'),
}));

/** m, v, (vMax), m̂, v̂ and the direction m̂/(√v̂ + ε), plus the bias corrections. */
function traceAdam(name: string, s: AdamParamState, bc1: number, bc2: number, eps: number, trace: TraceSink): void {
  trace.scalar(name, 'step', s.step);
  trace.scalar(name, 'biasCorrection1', bc1);
  trace.scalar(name, 'biasCorrection2', bc2);
  trace.tensor(name, 'm', s.m);
  trace.tensor(name, 'v', s.v);
  if (s.vMax) trace.tensor(name, 'vMax', s.vMax);
  const n = s.m.length;
  const vHatKey = s.vMax ? 'vMaxHat' : 'vHat';
  const second = s.vMax ?? s.v;
  const wants = trace.wants ? (key: string): boolean => trace.wants!(key) : (): boolean => true;
  // Each derived tensor is computed only if the sink wants it (a light per-step sink wants few).
  if (wants('mHat')) {
    const mHat = trace.buffer(name, 'mHat', n);
    for (let i = 0; i < n; i++) mHat[i] = s.m[i]! / bc1;
    trace.tensor(name, 'mHat', mHat);
  }
  if (wants(vHatKey)) {
    const vHat = trace.buffer(name, vHatKey, n);
    for (let i = 0; i < n; i++) vHat[i] = second[i]! / bc2;
    trace.tensor(name, vHatKey, vHat);
  }
  const root = wants('sqrtVHat') || wants('stepScale') || wants('direction') ? trace.buffer(name, 'sqrtVHat', n) : undefined;
  if (!root) return;
  const stepScale = wants('stepScale') ? trace.buffer(name, 'stepScale', n) : undefined;
  // √(v/bc2) = √v · (1/√bc2): one multiply instead of a division per element (these are diagnostics in double).
  // √v̂ as the step used it: the kernel's q = √v̂ + ε (in the parameter's dtype) less ε, exact in double.
  const epsilon = arithmeticOf(s.m).round(eps);
  for (let i = 0; i < n; i++) root[i] = s.denom[i]! - epsilon;
  // The step scale as the step applies it: 1/q, q = √v̂ + ε rounded to the parameter's dtype by the kernel.
  if (stepScale) for (let i = 0; i < n; i++) stepScale[i] = 1 / s.denom[i]!;
  if (wants('sqrtVHat')) trace.tensor(name, 'sqrtVHat', root);
  if (stepScale) trace.tensor(name, 'stepScale', stepScale);
  if (wants('direction')) {
    const direction = trace.buffer(name, 'direction', n);
    for (let i = 0; i < n; i++) direction[i] = s.m[i]! / bc1 / (root[i]! + eps);
    trace.tensor(name, 'direction', direction);
  }
}
