/**
 * Expected histogram counts under a theoretical distribution, to overlay the
 * exact density on a sampled histogram with the same bins.
 *
 * With torch.histc's bins (edges e₀ < … < e_B; bin i is [e_i, e_{i+1}), the last
 * bin also closed on the right), bin i expects
 *   total · (F(e_{i+1}⁻) − F(e_i⁻))   (last bin: total · (F(e_B) − F(e_{B−1}⁻))),
 * where F(x⁻) = P(X < x) differs from F(x) only at atoms.
 */
import { cdfLeft, type Distribution } from './distribution';

export function histogramTheory(dist: Distribution, edges: ArrayLike<number>, total = 1): Float64Array {
  const bins = edges.length - 1;
  const expected = new Float64Array(Math.max(0, bins));
  for (let i = 0; i < bins; i++) {
    const left = cdfLeft(dist, edges[i]!);
    const right = i === bins - 1 ? dist.cdf(edges[i + 1]!) : cdfLeft(dist, edges[i + 1]!);
    expected[i] = total * Math.max(0, right - left);
  }
  return expected;
}
