/**
 * Running sums of a tensor (n, Σx, Σx², min, max, in double), accumulated
 * in one read-only pass, for a trace sink that takes sums instead of values
 * (see TermNeed in trace.ts): a derived term such as an update is summed
 * where it is computed and never written to a buffer.
 */
import type { FloatArray } from '../tensor/dtype';
import type { TermSums } from './trace';

export function copyAndSum(x: FloatArray, out: Float64Array): TermSums {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    out[i] = v;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { count: x.length, sum, sumSq, min, max };
}

export function sumsOf(x: FloatArray): TermSums {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { count: x.length, sum, sumSq, min, max };
}

/** Sums of (c·n_i)/q_i, the values `termValues` gives a ratio term. */
export function sumsOfRatio(c: number, numer: FloatArray, denom: FloatArray): TermSums {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < numer.length; i++) {
    const v = (c * numer[i]!) / denom[i]!;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { count: numer.length, sum, sumSq, min, max };
}

export function sumsOfDifference(after: FloatArray, before: Float64Array): TermSums {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < after.length; i++) {
    const v = after[i]! - before[i]!;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { count: after.length, sum, sumSq, min, max };
}

/** The sums of c·x from those of x (min and max swap when c < 0). */
export function scaleSums(s: TermSums, c: number): TermSums {
  const lo = c * s.min;
  const hi = c * s.max;
  return { count: s.count, sum: c * s.sum, sumSq: c * c * s.sumSq, min: Math.min(lo, hi), max: Math.max(lo, hi) };
}
