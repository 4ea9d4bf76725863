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
import { arithmeticOf, type Arithmetic } from './float32';
import type { TraceSink } from './trace';
import { asTerms, isTensor, paramOf, type Params, type Term, type Update, type Updates } from './transform';

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
    traceTerms(name, theta, terms, trace);
    const before = snapshot(name, theta, trace);
    applyTerms(theta, terms);
    traceTotal(name, theta, before, trace);
  }
}

function applyTerms(theta: FloatArray, terms: readonly Term[]): void {
  const A = arithmeticOf(theta);
  if (terms.length === 2 && fuseDecayAndRatio(theta, terms, A)) return;
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
 * the memory traffic changes. Returns false for any other pair of terms.
 */
function fuseDecayAndRatio(theta: FloatArray, terms: readonly Term[], A: Arithmetic): boolean {
  const [first, second] = terms as [Term, Term];
  const decay = first.kind === 'decay' ? first : second.kind === 'decay' ? second : null;
  const ratio = first.kind === 'ratio' ? first : second.kind === 'ratio' ? second : null;
  if (decay === null || ratio === null) return false;
  const keep = A.round(1 + coefficient(decay));
  const c = A.round(coefficient(ratio));
  const { numer, denom } = ratio;
  const round = A.round;
  for (let i = 0; i < theta.length; i++) {
    const decayed = round(theta[i]! * keep);
    theta[i] = round(decayed + round(round(c * numer[i]!) / denom[i]!));
  }
  return true;
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

/** Each term's own contribution to Δθ, in double, from the values before the step. */
function traceTerms(name: string, theta: FloatArray, terms: readonly Term[], trace: TraceSink): void {
  for (const term of terms) {
    const c = coefficient(term);
    const out = trace.buffer(name, `update.${term.label}`, theta.length);
    if (term.kind === 'decay') for (let i = 0; i < out.length; i++) out[i] = c * theta[i]!;
    else if (term.kind === 'direction') for (let i = 0; i < out.length; i++) out[i] = c * term.data[i]!;
    else for (let i = 0; i < out.length; i++) out[i] = (c * term.numer[i]!) / term.denom[i]!;
    trace.tensor(name, `update.${term.label}`, out);
  }
}

function snapshot(name: string, theta: FloatArray, trace: TraceSink): Float64Array {
  const before = trace.buffer(name, 'param', theta.length);
  before.set(theta);
  trace.tensor(name, 'param', before);
  return before;
}

/** The update actually applied, θ_new − θ_old, in double. */
function traceTotal(name: string, theta: FloatArray, before: Float64Array, trace: TraceSink): void {
  const out = trace.buffer(name, 'update', theta.length);
  for (let i = 0; i < out.length; i++) out[i] = theta[i]! - before[i]!;
  trace.tensor(name, 'update', out);
}
