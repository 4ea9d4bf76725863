/**
 * Exact percentiles of a sorted sample, with torch.quantile's default
 * ('linear') interpolation: for q ∈ [0, 1] and n sorted values v₀ ≤ … ≤ v_{n−1},
 *   pos = q·(n − 1),  value = v_⌊pos⌋ + (pos − ⌊pos⌋)·(v_⌈pos⌉ − v_⌊pos⌋).
 * Percentiles p ∈ [0, 100] are quantiles q = p/100 (numpy.percentile's convention).
 */

/** The quantile q ∈ [0, 1] of the first `count` entries of `sorted` (ascending). NaN if count = 0. */
export function quantileOfSorted(sorted: ArrayLike<number>, count: number, q: number): number {
  if (count === 0) return NaN;
  const pos = q * (count - 1);
  const lower = Math.floor(pos);
  const upper = Math.min(count - 1, lower + 1);
  const vLow = sorted[lower]!;
  const frac = pos - lower;
  return frac === 0 ? vLow : vLow + frac * (sorted[upper]! - vLow);
}

export function validatePercentiles(percentiles: readonly number[]): void {
  for (const p of percentiles) {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentiles must lie in [0, 100], got ${p}`);
  }
}
