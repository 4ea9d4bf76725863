/**
 * The one-sample Kolmogorov–Smirnov test: how far the empirical distribution
 * of a sample is from a theoretical CDF, and how surprising that distance is.
 *
 *   D_n = sup_x |F_n(x) − F(x)|,   F_n(x) = #{i : x_i ≤ x} / n.
 *
 * Under the null hypothesis (iid samples from a continuous F), √n·D_n
 * converges in distribution to the Kolmogorov distribution (Kolmogorov 1933):
 *   P(K > λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}.
 * The asymptotic p-value is conservative for finite n (the exact finite-n
 * tail is lighter), so rejecting at p < α still rejects at most a fraction α
 * of true nulls. For distributions with atoms the test is also conservative.
 */
import { cdfLeft, type Distribution } from './distribution';
import { ksStatisticBucketed, type SampleExtent } from './ksBucketed';
import { sortedWithoutNaN } from './radixSort';

/** From this many values on, a tensor's D is computed by buckets rather than by sorting it (same result, see ksBucketed). */
export const BUCKETED_FROM = 1 << 16;

/**
 * D_n of the sample against a CDF, or against a distribution (which lets
 * atoms be handled exactly: at a jump of F both one-sided limits are compared).
 * NaN samples are ignored; the input is not modified (a sorted copy is used).
 * `extent` (the non-NaN values' count, min and max, if known) saves a pass.
 */
export function ksStatistic(samples: ArrayLike<number>, cdf: ((x: number) => number) | Distribution, extent?: SampleExtent): number {
  if (typeof cdf === 'function' && samples.length >= BUCKETED_FROM && (samples instanceof Float32Array || samples instanceof Float64Array)) {
    const d = ksStatisticBucketed(samples, cdf, extent);
    if (d !== undefined) return d;
  }
  return ksStatisticSorted(samples, cdf);
}

/** D_n by sorting a copy of the sample: the definition, computed run by run of equal values. */
export function ksStatisticSorted(samples: ArrayLike<number>, cdf: ((x: number) => number) | Distribution): number {
  const F = typeof cdf === 'function' ? cdf : cdf.cdf;
  const FLeft = typeof cdf === 'function' ? cdf : (x: number) => cdfLeft(cdf, x);
  let sorted: Float32Array | Float64Array;
  let n: number;
  if (samples instanceof Float32Array) {
    sorted = sortedWithoutNaN(samples); // linear-time radix sort
    n = sorted.length;
  } else {
    sorted = Float64Array.from(samples).sort(); // typed-array sort is numeric, NaN last
    n = sorted.length;
    while (n > 0 && Number.isNaN(sorted[n - 1]!)) n--;
  }
  if (n === 0) return NaN;
  let d = 0;
  let i = 0;
  while (i < n) {
    // A run of equal values v = sorted[i..j−1]: F_n jumps from i/n to j/n at v.
    const v = sorted[i]!;
    let j = i + 1;
    while (j < n && sorted[j] === v) j++;
    d = Math.max(d, Math.abs(j / n - F(v)), Math.abs(i / n - FLeft(v)));
    i = j;
  }
  return d;
}

/**
 * P(K > λ) for the Kolmogorov distribution. For λ ≥ 1 the alternating series
 * above converges in a few terms; for small λ we use the equivalent (Jacobi
 * theta) form P(K ≤ λ) = (√(2π)/λ) Σ_{j≥1} e^{−(2j−1)²π²/(8λ²)}.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (Number.isNaN(lambda)) return NaN;
  if (lambda <= 0) return 1;
  if (lambda < 1) return 1 - kolmogorovCdfSmall(lambda);
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    sum += j % 2 === 1 ? term : -term;
    if (term < 1e-17 * sum) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** P(K ≤ λ). */
export function kolmogorovCdf(lambda: number): number {
  if (lambda <= 0) return 0;
  return lambda < 1 ? kolmogorovCdfSmall(lambda) : 1 - kolmogorovSurvival(lambda);
}

function kolmogorovCdfSmall(lambda: number): number {
  const c = (Math.PI * Math.PI) / (8 * lambda * lambda);
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const k = 2 * j - 1;
    const term = Math.exp(-k * k * c);
    sum += term;
    if (term < 1e-17 * sum || term === 0) break;
  }
  return (Math.sqrt(2 * Math.PI) / lambda) * sum;
}

/** Asymptotic p-value of D for a sample of size n: P(K > √n·D). */
export function ksPValue(d: number, n: number): number {
  return kolmogorovSurvival(Math.sqrt(n) * d);
}

/**
 * The D above which the test rejects at level α for n samples: λ_α/√n with
 * P(K > λ_α) = α (λ ≈ 1.358 for α = 0.05, 1.628 for 0.01, 1.949 for 0.001),
 * found by bisection since P(K > λ) decreases in λ.
 */
export function ksCriticalValue(alpha: number, n: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`ksCriticalValue: alpha must be in (0, 1), got ${alpha}`);
  let lo = 0;
  let hi = 10;
  for (let iter = 0; iter < 200; iter++) {
    const mid = (lo + hi) / 2;
    if (kolmogorovSurvival(mid) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2 / Math.sqrt(n);
}
