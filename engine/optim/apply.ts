/**
 * Adding the updates to the parameters, in place, with torch's operations.
 *
 * For one parameter with terms T1…Tk, θ is updated as torch's optimizers do:
 *
 *   1. every decay term first, multiplicatively:  θ ← θ·(1 + c)   (AdamW: c = −lr·λ,
 *      torch: `param.mul_(1 - lr * weight_decay)`);
 *   2. then the other terms in order:
 *        direction  θ ← θ + c·d      (`param.add_(d, alpha=c)`, one fused multiply-add)
 *        ratio      θ ← θ + (c·n)/q  (`param.addcdiv_(n, q, value=c)`)
 *
 * Each scalar c = scale/divisor is a double cast to the parameter's dtype, as
 * torch casts a Python float argument. In exact arithmetic the order does not
 * matter (Adam's step does not depend on θ); in float32 it decides the last bit.
 */
import type { FloatArray } from '../tensor/dtype';
import { ADAMW_WASM_MIN_LENGTH, decayAndRatioWasm } from './adamWasm';
import { arithmeticOf, type Arithmetic } from './float32';
import { copyAndSum, scaleSums, sumsOf, sumsOfDifference, sumsOfRatio } from './sums';
import { needOf, perSink, takesSums, type TermNeed, type TermSums, type TraceSink } from './trace';
import { asTerms, isTensor, paramOf, type DecayTerm, type Params, type RatioTerm, type Term, type Update, type Updates } from './transform';

export function coefficient(term: Term): number {
  return term.scale / term.divisor;
}

/** θ ← θ + Δθ for every parameter in `updates` (in place). */
export function applyUpdates(params: Params, updates: Updates, trace?: TraceSink): void {
  for (const name of Object.keys(updates)) {
    const theta = paramOf(params, name);
    const terms = asTerms(updates[name]!);
    if (!trace) {
      applyTerms(theta, terms);
      continue;
    }
    const needs = needsOf(trace);
    if (needs.takesSums && terms.every((term) => needs.of(termKey(term)) !== 'values')) {
      applyAndTraceSums(name, theta, terms, trace);
      continue;
    }
    traceTerms(name, theta, terms, trace);
    const before = snapshot(name, theta, trace);
    applyTerms(theta, terms);
    traceTotal(name, theta, before, trace);
  }
}

function applyTerms(theta: FloatArray, terms: readonly Term[]): void {
  const A = arithmeticOf(theta);
  if (terms.length <= 2) {
    // All but the smallest tensors take the WebAssembly build of the fused loop (the same bits); the
    // smallest, and hosts without WebAssembly, the JavaScript loop. (A lone Adam term, a tensor in a
    // no-decay group, is the pair with keep = 1.)
    if (theta.length >= ADAMW_WASM_MIN_LENGTH && fuseDecayAndRatioWasm(theta, terms, A)) return;
    if (fuseDecayAndRatio(theta, terms, A)) return;
  }
  for (const term of terms) if (term.kind === 'decay') scaleInPlace(theta, A.round(1 + coefficient(term)), A);
  for (const term of terms) {
    const c = A.round(coefficient(term));
    if (term.kind === 'direction') {
      const d = term.data;
      for (let i = 0; i < theta.length; i++) theta[i] = A.fma(c, d[i]!, theta[i]!);
    } else if (term.kind === 'ratio') {
      const { numer, denom } = term;
      for (let i = 0; i < theta.length; i++) theta[i] = A.round(theta[i]! + A.round(A.round(c * numer[i]!) / denom[i]!));
    }
  }
}

/**
 * AdamW's update in one pass instead of two: per element, the decay
 * θ ← θ·(1 + c_decay) and then θ ← θ + (c·n)/q, exactly the operations (and
 * roundings) of the two separate passes; elements do not interact, so only
 * the memory traffic changes. Also a lone ratio term, as keep = 1 (θ·1 is
 * θ exactly, so the bits are the ratio loop's). Returns false for any other
 * terms. (Exported for tests.)
 */
export function fuseDecayAndRatio(theta: FloatArray, terms: readonly Term[], A: Arithmetic): boolean {
  const pair = decayAndRatio(terms);
  if (pair === null) return false;
  const keep = keepOf(pair, A);
  const c = A.round(coefficient(pair.ratio));
  const { numer, denom } = pair.ratio;
  const round = A.round;
  for (let i = 0; i < theta.length; i++) {
    const decayed = round(theta[i]! * keep);
    theta[i] = round(decayed + round(round(c * numer[i]!) / denom[i]!));
  }
  return true;
}

/**
 * fuseDecayAndRatio compiled to WebAssembly (adamWasm.ts): the same
 * coefficients, rounded the same way, and the same bits. False, with θ
 * unchanged, for any other pair of terms, where WebAssembly is unavailable
 * or for mixed dtypes.
 */
export function fuseDecayAndRatioWasm(theta: FloatArray, terms: readonly Term[], A: Arithmetic): boolean {
  const pair = decayAndRatio(terms);
  if (pair === null) return false;
  return decayAndRatioWasm(theta, pair.ratio.numer, pair.ratio.denom, keepOf(pair, A), A.round(coefficient(pair.ratio)));
}

/**
 * fuseDecayAndRatio for a traced step: the same operations per element (the
 * tests check that traced and untraced steps give the same bits), and θ
 * before the step kept in `before`; fusedSquares gets Σθ_before² and ΣΔθ².
 * In JavaScript one pass instead of a copy, the update and a pass of sums;
 * in WebAssembly (all but the smallest tensors) a copy and one call that
 * updates and sums (its sums may differ in the last bits: another
 * summation order).
 */
function applyAdamWTraced(theta: FloatArray, pair: DecayAndRatio, A: Arithmetic, before: Float64Array): void {
  const keep = keepOf(pair, A);
  const c = A.round(coefficient(pair.ratio));
  const { numer, denom } = pair.ratio;
  if (theta.length >= ADAMW_WASM_MIN_LENGTH) {
    before.set(theta);
    if (decayAndRatioWasm(theta, numer, denom, keep, c, fusedSquares)) return;
  }
  decayAndRatioTraced(theta, numer, denom, keep, c, A, before, fusedSquares);
}

/**
 * applyAdamWTraced's JavaScript loop: θ ← fl(fl(θ·keep) + fl(fl(c·n)/q)) with
 * θ before the step into `before`, and squares ← [Σθ_before², ΣΔθ²] summed
 * element by element (exported for tests and the kernels' benchmark).
 */
export function decayAndRatioTraced(
  theta: FloatArray, numer: FloatArray, denom: FloatArray, keep: number, c: number, A: Arithmetic, before: Float64Array, squares: Float64Array,
): void {
  const round = A.round;
  let thetaSq = 0;
  let updateSq = 0;
  for (let i = 0; i < theta.length; i++) {
    const t = theta[i]!;
    const next = round(round(t * keep) + round(round(c * numer[i]!) / denom[i]!));
    theta[i] = next;
    before[i] = t;
    const u = next - t;
    thetaSq += t * t;
    updateSq += u * u;
  }
  squares[0] = thetaSq;
  squares[1] = updateSq;
}

/** θ's factor 1 + c_decay in its dtype; 1 (exact) without a decay term. */
function keepOf(pair: DecayAndRatio, A: Arithmetic): number {
  return pair.decay === null ? 1 : A.round(1 + coefficient(pair.decay));
}

/** Σθ_before² and ΣΔθ² of the last applyAdamWTraced. */
const fusedSquares = new Float64Array(2);

/** AdamW's terms: a decay and an Adam (ratio) term; or the Adam term alone (decay null: a no-decay group). */
interface DecayAndRatio {
  decay: DecayTerm | null;
  ratio: RatioTerm;
}

function decayAndRatio(terms: readonly Term[]): DecayAndRatio | null {
  if (terms.length === 1) return terms[0]!.kind === 'ratio' ? { decay: null, ratio: terms[0]! } : null;
  if (terms.length !== 2) return null;
  const [first, second] = terms as [Term, Term];
  const decay = first.kind === 'decay' ? first : second.kind === 'decay' ? second : null;
  const ratio = first.kind === 'ratio' ? first : second.kind === 'ratio' ? second : null;
  return decay === null || ratio === null ? null : { decay, ratio };
}

function scaleInPlace(x: FloatArray, factor: number, A: Arithmetic): void {
  for (let i = 0; i < x.length; i++) x[i] = A.round(x[i]! * factor);
}

/**
 * Δθ of an update as one tensor (a new array in the parameter's dtype), for
 * transformations that need a plain gradient but are placed after a scaling.
 * Terms are summed in the order applyUpdates applies them.
 */
export function evaluateUpdate(update: Update, theta: FloatArray): FloatArray {
  if (isTensor(update)) return update;
  const after = theta.slice();
  applyTerms(after, update);
  for (let i = 0; i < after.length; i++) after[i] = after[i]! - theta[i]!;
  return after;
}

// ---- tracing (only runs when a sink is given) ----

/** A sink's needs of the keys applyUpdates reports, looked up once per key. */
interface UpdateNeeds {
  /** Whether it takes sums for θ and Δθ. */
  takesSums: boolean;
  of(key: string): TermNeed;
}

const needsOf = perSink((trace: TraceSink): UpdateNeeds => {
  const known = new Map<string, TermNeed>();
  return {
    takesSums: takesSums(trace, ['param', 'update']),
    of(key) {
      let need = known.get(key);
      if (need === undefined) known.set(key, (need = needOf(trace, key)));
      return need;
    },
  };
});

/** 'update.<label>', one string per label (a trace looks keys up every step). */
function termKey(term: Term): string {
  let key = termKeys.get(term.label);
  if (key === undefined) termKeys.set(term.label, (key = `update.${term.label}`));
  return key;
}

const termKeys = new Map<string, string>();

/** Each term's own contribution to Δθ, in double, from the values before the step. */
function traceTerms(name: string, theta: FloatArray, terms: readonly Term[], trace: TraceSink): void {
  for (const term of terms) {
    const out = termValues(term, theta, trace.buffer(name, termKey(term), theta.length));
    trace.tensor(name, termKey(term), out);
  }
}

/** out ← the term's Δθ in double: c·θ (decay), c·d (direction) or (c·n)/q (ratio), θ before the step. */
function termValues(term: Term, theta: ArrayLike<number>, out: Float64Array): Float64Array {
  const c = coefficient(term);
  if (term.kind === 'decay') for (let i = 0; i < out.length; i++) out[i] = c * theta[i]!;
  else if (term.kind === 'direction') for (let i = 0; i < out.length; i++) out[i] = c * term.data[i]!;
  else for (let i = 0; i < out.length; i++) out[i] = (c * term.numer[i]!) / term.denom[i]!;
  return out;
}

function snapshot(name: string, theta: FloatArray, trace: TraceSink): Float64Array {
  const before = trace.buffer(name, 'param', theta.length);
  before.set(theta);
  trace.tensor(name, 'param', before);
  return before;
}

/** The update actually applied, θ_new − θ_old, in double. */
function traceTotal(name: string, theta: FloatArray, before: Float64Array, trace: TraceSink): void {
  trace.tensor(name, 'update', difference(theta, before, trace.buffer(name, 'update', theta.length)));
}

/**
 * The traced step for a sink that takes sums (the light per-step trace): the
 * same update, and the same numbers reported, without writing any term to a
 * buffer. One pass copies θ and sums it; each term's sums come from one
 * read-only pass over its tensor (a decay term's from θ's, since c·θ only
 * scales them: Σ(cx) = c·Σx, Σ(cx)² = c²·Σx²); after the update one pass
 * sums Δθ = θ_after − θ_before. A term whose sums the sink cannot trust
 * (NaN, ±Inf, overflow) is computed and reported as values instead.
 */
function applyAndTraceSums(name: string, theta: FloatArray, terms: readonly Term[], trace: TraceSink): void {
  const before = trace.buffer(name, 'param', theta.length);
  const pair = decayAndRatio(terms);
  if (pair !== null && normAtMost(trace, 'param') && normAtMost(trace, 'update') && (pair.decay === null || normAtMost(trace, termKey(pair.decay))) && normAtMost(trace, termKey(pair.ratio))) {
    if (pair.ratio.ratioSumSq !== undefined) applyAdamWTraced(theta, pair, arithmeticOf(theta), before);
    else {
      before.set(theta);
      applyTerms(theta, terms);
    }
    reportAdamWNorms(name, theta, pair, trace, before);
    return;
  }
  const param = copyAndSum(theta, before);
  report(trace, name, 'param', param, () => before);
  for (const term of terms) {
    const key = termKey(term);
    if (needsOf(trace).of(key) === 'none') continue;
    const c = coefficient(term);
    const sums = term.kind === 'decay' ? scaleSums(param, c) : term.kind === 'direction' ? scaleSums(sumsOf(term.data), c) : sumsOfRatio(c, term.numer, term.denom);
    report(trace, name, key, sums, () => termValues(term, before, trace.buffer(name, key, theta.length)));
  }
  applyTerms(theta, terms);
  report(trace, name, 'update', sumsOfDifference(theta, before), () => difference(theta, before, trace.buffer(name, 'update', theta.length)));
}

/**
 * AdamW's traced update, for a sink that needs norms only: one pass after the
 * update sums the squares of θ_before, of Δθ = θ_after − θ_before and, unless
 * the term brings Σ(n/q)², of the Adam term (c·n)/q; the decay term's norm
 * is |c|·‖θ_before‖.
 */
function reportAdamWNorms(name: string, theta: FloatArray, pair: DecayAndRatio, trace: TraceSink, before: Float64Array): void {
  const n = theta.length;
  const c = coefficient(pair.ratio);
  const { numer, denom, ratioSumSq } = pair.ratio;
  let thetaSq = 0;
  let ratioSq = 0;
  let updateSq = 0;
  if (ratioSumSq !== undefined) {
    // applyAdamWTraced summed θ_before and Δθ as it applied them.
    ratioSq = c * c * ratioSumSq;
    thetaSq = fusedSquares[0]!;
    updateSq = fusedSquares[1]!;
  } else {
    for (let i = 0; i < n; i++) {
      const t = before[i]!;
      const q = (c * numer[i]!) / denom[i]!;
      const u = theta[i]! - t;
      thetaSq += t * t;
      ratioSq += q * q;
      updateSq += u * u;
    }
  }
  // No closures here: this runs for every parameter at every step, and each would be garbage.
  const ratioKey = termKey(pair.ratio);
  if (!reportNorm(trace, name, 'param', n, thetaSq)) trace.tensor(name, 'param', before);
  if (pair.decay !== null) {
    const cDecay = coefficient(pair.decay);
    const decayKey = termKey(pair.decay);
    if (!reportNorm(trace, name, decayKey, n, cDecay * cDecay * thetaSq)) trace.tensor(name, decayKey, termValues(pair.decay, before, trace.buffer(name, decayKey, n)));
  }
  if (!reportNorm(trace, name, ratioKey, n, ratioSq)) trace.tensor(name, ratioKey, termValues(pair.ratio, before, trace.buffer(name, ratioKey, n)));
  if (!reportNorm(trace, name, 'update', n, updateSq)) trace.tensor(name, 'update', difference(theta, before, trace.buffer(name, 'update', n)));
}

/** Report n and Σx² of tensor `key` if the sink wants it; false when the sink cannot trust them. */
function reportNorm(trace: TraceSink, name: string, key: string, count: number, sumSq: number): boolean {
  if (needsOf(trace).of(key) === 'none') return true;
  const s = normScratch;
  s.count = count;
  s.sumSq = sumSq;
  return trace.sums!(name, key, s);
}

/** One TermSums for every norm reported (a sink reads it during the call only). */
const normScratch: TermSums = { count: 0, sum: NaN, sumSq: 0, min: NaN, max: NaN };

/** Whether the sink needs at most the norm of `key`. */
function normAtMost(trace: TraceSink, key: string): boolean {
  const need = needsOf(trace).of(key);
  return need === 'norm' || need === 'none';
}

function report(trace: TraceSink, name: string, key: string, sums: TermSums, values: () => Float64Array): void {
  if (needsOf(trace).of(key) === 'none') return;
  if (!trace.sums!(name, key, sums)) trace.tensor(name, key, values());
}

function difference(after: FloatArray, before: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = after[i]! - before[i]!;
  return out;
}
