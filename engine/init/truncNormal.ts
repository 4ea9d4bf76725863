/**
 * torch.nn.init.trunc_normal_: N(mean, std²) conditioned on [a, b].
 *
 * Sampling is by the inverse CDF, exactly as torch 1.13 does it, in the
 * tensor's dtype: with Φ the standard normal CDF, l = Φ((a − mean)/std) and
 * u = Φ((b − mean)/std) (in double),
 *   tensor.uniform_(2l − 1, 2u − 1)   (values v ~ U(2l − 1, 2u − 1) = U(erf(α/√2), erf(β/√2)))
 *   tensor.erfinv_()                   (since Φ⁻¹(p) = √2 · erfinv(2p − 1))
 *   tensor.mul_(std · √2); tensor.add_(mean)
 *   tensor.clamp_(a, b)                (against rounding at the ends)
 * so the values, not only their law, are torch's. Far in a tail 2l − 1 and
 * 2u − 1 round to the same float and torch's values pile up at one point; we
 * do the same (the theory below is the exact law, which is what the statistics
 * compare against).
 */
import type { DenseTensor } from '../tensor/dtype';
import { uniformFill, type TorchGenerator } from '../random';
import { erfinvDouble, erfinvFloat } from '../random/erfinv';
import { truncatedNormalDistribution } from '../stats/distribution';
import { RuntimeError } from './errors';
import { erf } from '../numeric/libm/erf';
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

export function trunc_normal_(tensor: DenseTensor, gen: TorchGenerator, options: TruncNormalOptions = {}): DenseTensor {
  const { mean, std, a, b } = truncNormalParams(options);
  const data = tensor.data;
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  uniformFill(gen, data, 2 * l - 1, 2 * u - 1);
  if (data instanceof Float32Array) {
    const f = Math.fround;
    const scale = f(std * Math.SQRT2);
    const shift = f(mean);
    const lo = f(a);
    const hi = f(b);
    for (let i = 0; i < data.length; i++) data[i] = Math.min(hi, Math.max(lo, f(f(erfinvFloat(data[i]!) * scale) + shift)));
  } else {
    const scale = std * Math.SQRT2;
    for (let i = 0; i < data.length; i++) data[i] = Math.min(b, Math.max(a, erfinvDouble(data[i]!) * scale + mean));
  }
  return tensor;
}

/**
 * torch's `norm_cdf`: (1 + erf(x/√2))/2 in double (NaN when std = 0, as in torch), with Python's math.erf, which
 * is the C library's erf: its bits set the uniform_ range, and so every float64 value.
 */
function normCdf(x: number): number {
  return (1 + erf(x / Math.SQRT2)) / 2;
}

export function truncNormalTheory(options: TruncNormalOptions = {}): Theory {
  const { mean, std, a, b } = truncNormalParams(options);
  return makeTheory('truncated_normal', { mean, std, a, b }, truncatedNormalDistribution(mean, std, a, b));
}

/**
 * torch warns (it does not raise) when the mean is more than 2 std outside
 * [a, b]: "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The
 * distribution of values may be incorrect."
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
