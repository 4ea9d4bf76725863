/**
 * Sample moments (two passes, float64) and the large-sample standard errors
 * used to judge whether a sample's mean and std agree with a theory.
 */
import type { FloatArray } from '../tensor/dtype';

export interface SampleMoments {
  count: number;
  mean: number;
  /** Unbiased variance Σ(x − x̄)²/(n − 1). */
  variance: number;
  /** Skewness m₃/m₂^{3/2} with biased central moments m_k = Σ(x − x̄)^k/n. */
  skewness: number;
  /** Kurtosis m₄/m₂² (3 for a normal; not the excess). */
  kurtosis: number;
}

/** Moments of the finite values of `data` (non-finite values are skipped). */
export function sampleMoments(data: FloatArray | readonly number[]): SampleMoments {
  let count = 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (Number.isFinite(x)) {
      count++;
      sum += x;
    }
  }
  const mean = count > 0 ? sum / count : NaN;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x)) continue;
    const d = x - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const b2 = m2 / count;
  return {
    count,
    mean,
    variance: count > 1 ? m2 / (count - 1) : NaN,
    skewness: m3 / count / Math.pow(b2, 1.5),
    kurtosis: m4 / count / (b2 * b2),
  };
}

/** Standard error of the sample mean of n iid values with standard deviation σ: σ/√n. */
export function standardErrorOfMean(std: number, n: number): number {
  return std / Math.sqrt(n);
}

/**
 * Large-sample standard error of the sample std s of n iid values with
 * standard deviation σ and kurtosis κ. Var(s²) ≈ σ⁴(κ − 1)/n, and by the delta
 * method (s = √s², ds/ds² = 1/(2σ)) Var(s) ≈ σ²(κ − 1)/(4n):
 *   SE(s) ≈ σ · √((κ − 1)/(4n))   (σ/√(2n) for a normal, κ = 3).
 */
export function standardErrorOfStd(std: number, kurtosis: number, n: number): number {
  return std * Math.sqrt((kurtosis - 1) / (4 * n));
}
