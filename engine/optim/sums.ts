/**
 * Running sums of a tensor (n, Σx, Σx², min, max, in double), accumulated
 * in one read-only pass, for a trace sink that takes sums instead of values
 * (see TermNeed in trace.ts): a derived term such as an update is summed
 * where it is computed and never written to a buffer.
 *
 * These serve the general traced update (any optimizer's terms); AdamW's
 * traced step, the hot one, sums inside its own loops (adam.ts, apply.ts).
 */
import type { FloatArray } from '../tensor/dtype';
import type { TermSums } from './trace';

/** n, Σx, Σx², min and max of the values added so far. */
class Accumulator {
  private count = 0;
  private sum = 0;
  private sumSq = 0;
  private min = Infinity;
  private max = -Infinity;

  add(v: number): void {
    this.count++;
    this.sum += v;
    this.sumSq += v * v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  sums(): TermSums {
    return { count: this.count, sum: this.sum, sumSq: this.sumSq, min: this.min, max: this.max };
  }
}

/** Sums of x, copying x into `out` on the way. */
export function copyAndSum(x: FloatArray, out: Float64Array): TermSums {
  const a = new Accumulator();
  for (let i = 0; i < x.length; i++) a.add((out[i] = x[i]!));
  return a.sums();
}

export function sumsOf(x: FloatArray): TermSums {
  const a = new Accumulator();
  for (let i = 0; i < x.length; i++) a.add(x[i]!);
  return a.sums();
}

/** Sums of (c·n_i)/q_i, the values a ratio term contributes. */
export function sumsOfRatio(c: number, numer: FloatArray, denom: FloatArray): TermSums {
  const a = new Accumulator();
  for (let i = 0; i < numer.length; i++) a.add((c * numer[i]!) / denom[i]!);
  return a.sums();
}

/** Sums of after_i − before_i. */
export function sumsOfDifference(after: FloatArray, before: Float64Array): TermSums {
  const a = new Accumulator();
  for (let i = 0; i < after.length; i++) a.add(after[i]! - before[i]!);
  return a.sums();
}

/** The sums of c·x from those of x (min and max swap when c < 0). */
export function scaleSums(s: TermSums, c: number): TermSums {
  const lo = c * s.min;
  const hi = c * s.max;
  return { count: s.count, sum: c * s.sum, sumSq: c * c * s.sumSq, min: Math.min(lo, hi), max: Math.max(lo, hi) };
}

/**
 * Σx² in double, element by element: a gradient's squared norm, which the
 * Trainer sums for the gradient norm and hands to a traced step (step.ts).
 */
export function sumOfSquares(x: FloatArray): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}
