/**
 * Summary statistics of a sequence too large to hold at once, from its
 * chunks: each chunk is summarized by `summarize` (finite values only) and
 * merged into the running totals by Chan, Golub & LeVeque's pairwise update
 *   δ = μ_B − μ,  n' = n + n_B,  μ' = μ + δ·n_B/n',  M' = M + M_B + δ²·n·n_B/n'
 * with M = Σ(x − μ)², so the result is as accurate as one pass over all the
 * values (no Σx² − (Σx)²/n cancellation). The L2 norms of the chunks are
 * combined as ‖(a, b)‖ = hypot(‖a‖, ‖b‖), which cannot overflow needlessly.
 */
import type { FloatArray } from '../tensor/dtype';
import { summarize } from './summary';

export class ChunkedMoments {
  /** Finite values. */
  count = 0;
  nonFinite = 0;
  /** Exact zeros (±0) among the finite values. */
  zeros = 0;
  mean = 0;
  /** Σ(x − mean)². */
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  l2Norm = 0;

  add(chunk: FloatArray): void {
    const s = summarize(chunk, { unbiased: false });
    this.nonFinite += s.nonFinite;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0) this.zeros++;
    if (s.count === 0) return;
    const total = this.count + s.count;
    const delta = s.mean - this.mean;
    const weight = s.count / total;
    this.mean = Number.isFinite(delta) ? this.mean + delta * weight : this.mean * (1 - weight) + s.mean * weight;
    this.m2 += s.variance * s.count + delta * delta * (this.count * weight);
    this.count = total;
    if (s.min < this.min) this.min = s.min;
    if (s.max > this.max) this.max = s.max;
    this.l2Norm = Math.hypot(this.l2Norm, s.l2Norm);
  }

  /** The mean of the finite values; null when there are none. */
  meanOrNull(): number | null {
    return this.count > 0 ? Math.min(this.max, Math.max(this.min, this.mean)) : null;
  }

  /** √(M/(n − 1)), torch.std()'s default; null for fewer than two values (torch gives NaN). */
  unbiasedStd(): number | null {
    return this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : null;
  }
}
