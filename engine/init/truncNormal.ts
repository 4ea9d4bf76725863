/**
 * torch.nn.init.trunc_normal_: N(mean, std²) conditioned on [a, b].
 *
 * Sampling is by the inverse CDF, as torch does: with α = (a − mean)/std,
 * β = (b − mean)/std and u ~ U[0, 1),
 *   x = mean + std · Φ⁻¹(Φ(α) + u·(Φ(β) − Φ(α))),
 * then clamped to [a, b] against rounding. torch evaluates the same map through
 * erfinv in the tensor's dtype; we work in float64, and when the whole interval
 * lies in the upper tail (α > 0) we use the survival function 1 − Φ instead,
 * so that intervals far from the mean are still sampled exactly.
 */
import type { DenseTensor } from '../tensor/dtype';
import type { Rng } from '../rng';
import { truncatedNormalDistribution } from '../stats/distribution';
import { standardNormalCdf, standardNormalQuantile, standardNormalSurvival } from '../stats/normal';
import { RuntimeError } from './errors';
import { erf } from '../stats/special';
import { uniformRangeMessage } from './uniformNormal';
import { makeTheory, type Theory } from './theory';

export interface TruncNormalOptions {
  mean?: number;
  std?: number;
  /** Lower cutoff (default −2, an absolute value, not in units of std). */
  a?: number;
  /** Upper cutoff (default 2). */
  b?: number;
}

export function trunc_normal_(tensor: DenseTensor, rng: Rng, options: TruncNormalOptions = {}): DenseTensor {
  const { mean, std, a, b } = truncNormalParams(options);
  const data = tensor.data;
  if (std === 0 || a === b) {
    data.fill(Math.min(b, Math.max(a, mean)));
    return tensor;
  }
  const alpha = (a - mean) / std;
  const beta = (b - mean) / std;
  const upperTail = alpha > 0;
  // In the upper tail sample s = 1 − Φ(z) uniformly on (S(β), S(α)] and set z = −Φ⁻¹(s).
  const from = upperTail ? standardNormalSurvival(alpha) : standardNormalCdf(alpha);
  const to = upperTail ? standardNormalSurvival(beta) : standardNormalCdf(beta);
  if (from === 0 && to === 0) {
    // The interval lies beyond ~38σ: its mass underflows and the law is, to double
    // precision, a point mass at the bound nearer the mean (as truncNormalTheory says).
    data.fill(upperTail ? a : b);
    return tensor;
  }
  for (let i = 0; i < data.length; i++) {
    const p = from + (to - from) * rng.uniform();
    const z = upperTail ? -standardNormalQuantile(p) : standardNormalQuantile(p);
    data[i] = Math.min(b, Math.max(a, mean + std * z));
  }
  return tensor;
}

export function truncNormalTheory(options: TruncNormalOptions = {}): Theory {
  const { mean, std, a, b } = truncNormalParams(options);
  return makeTheory('truncated_normal', { mean, std, a, b }, truncatedNormalDistribution(mean, std, a, b));
}

/**
 * torch warns (it does not raise) when the mean is more than 2 std outside
 * [a, b]: "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The
 * distribution of values may be incorrect." Our sampler stays exact there, but
 * the warning is still worth showing.
 */
export function truncNormalWarning(options: TruncNormalOptions = {}): string | null {
  const { mean, std, a, b } = truncNormalParams(options);
  if (mean < a - 2 * std || mean > b + 2 * std) {
    return 'mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.';
  }
  return null;
}

function truncNormalParams(options: TruncNormalOptions): Required<TruncNormalOptions> {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const a = options.a ?? -2;
  const b = options.b ?? 2;
  // torch checks nothing itself: it draws tensor.uniform_(2l − 1, 2u − 1) with
  // l = Φ((a − mean)/std), u = Φ((b − mean)/std), i.e. from = erf(α/√2), to = erf(β/√2),
  // so a > b or std < 0 surfaces as uniform_'s range error with those numbers.
  if (std !== 0) {
    const from = erf((a - mean) / std / Math.SQRT2);
    const to = erf((b - mean) / std / Math.SQRT2);
    if (from > to) throw new RuntimeError(uniformRangeMessage(from, to));
  }
  if (Number.isNaN(std) || !(a <= b)) throw new RuntimeError(`trunc_normal_ expects a <= b and a std, but found std=${std}, a=${a}, b=${b}`);
  return { mean, std, a, b };
}
