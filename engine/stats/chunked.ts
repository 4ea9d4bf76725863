/**
 * Summary statistics of a sequence too large to hold at once, from its
 * chunks, in one pass over each chunk that does everything at once: count,
 * mean, M = Σ(x − μ)², min, max, Σx² and the exact zeros.
 *
 * Within a chunk the moments are accumulated about a shift K close to the
 * mean (the running mean of the chunks before it; for the first chunk the
 * mean of its first values), as the shifted-data algorithm does:
 *   S₁ = Σ(x − K),  S₂ = Σ(x − K)²,  μ_B = K + S₁/n,  M_B = S₂ − S₁²/n.
 * Its rounding error is that of summing n terms, times 1 + n(μ − K)²/M_B: with
 * K within a few standard deviations of the mean the factor is small, unlike
 * Σx² − (Σx)²/n, whose factor is 1 + nμ²/M and is enormous for data with a
 * large offset. Chunks are merged into the running totals by Chan, Golub &
 * LeVeque's pairwise update
 *   δ = μ_B − μ,  n' = n + n_B,  μ' = μ + δ·n_B/n',  M' = M + M_B + δ²·n·n_B/n'.
 * The L2 norm is √Σx² from the same loop; norms of chunks combine as
 * ‖(a, b)‖ = hypot(‖a‖, ‖b‖).
 *
 * The loop assumes every value is finite and of moderate size; a chunk where
 * that is not so (a NaN or ±Infinity shows in S₁ or the extremes; float64
 * values beyond 1e150 could overflow x², values all below 1e-140 underflow it)
 * is summarized again by `summarize`, which counts and skips the non-finite
 * values and scales the norm, as it was before this fast path.
 */
import type { FloatArray } from '../tensor/dtype';
import { summarize } from './summary';

/** Values whose squares neither overflow nor lose precision to underflow in float64. */
const LARGEST_SAFE = 1e150;
const SMALLEST_SAFE = 1e-140;

/** How many leading values give the first chunk's shift. */
const SHIFT_SAMPLE = 64;

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
    const n = chunk.length;
    if (n === 0) return;
    let shift = this.mean;
    if (this.count === 0) {
      let sum = 0;
      const k = Math.min(n, SHIFT_SAMPLE);
      for (let i = 0; i < k; i++) sum += chunk[i]!;
      shift = sum / k;
    }
    if (Number.isFinite(shift) && this.addFinite(chunk, shift)) return;
    this.addCareful(chunk);
  }

  /** The one-loop pass; false (and nothing changed) when the chunk needs the careful one. */
  private addFinite(chunk: FloatArray, shift: number): boolean {
    const n = chunk.length;
    let s1 = 0;
    let s2 = 0;
    let squares = 0;
    let min = Infinity;
    let max = -Infinity;
    let zeros = 0;
    for (let i = 0; i < n; i++) {
      const x = chunk[i]!;
      const d = x - shift;
      s1 += d;
      s2 += d * d;
      squares += x * x;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x === 0) zeros++;
    }
    const largest = Math.max(-min, max);
    // NaN makes s1 NaN; ±Infinity makes an extreme infinite.
    if (!Number.isFinite(s1) || !Number.isFinite(s2) || !(largest < LARGEST_SAFE) || (largest > 0 && largest < SMALLEST_SAFE)) return false;
    const chunkMean = Math.min(max, Math.max(min, shift + s1 / n));
    const chunkM2 = Math.max(0, s2 - (s1 * s1) / n);
    this.merge(n, chunkMean, chunkM2);
    this.zeros += zeros;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
    this.l2Norm = Math.hypot(this.l2Norm, Math.sqrt(squares));
    return true;
  }

  private addCareful(chunk: FloatArray): void {
    const s = summarize(chunk, { unbiased: false });
    this.nonFinite += s.nonFinite;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0) this.zeros++;
    if (s.count === 0) return;
    this.merge(s.count, s.mean, s.variance * s.count);
    if (s.min < this.min) this.min = s.min;
    if (s.max > this.max) this.max = s.max;
    this.l2Norm = Math.hypot(this.l2Norm, s.l2Norm);
  }

  private merge(count: number, mean: number, m2: number): void {
    const total = this.count + count;
    const delta = mean - this.mean;
    const weight = count / total;
    this.mean = Number.isFinite(delta) ? this.mean + delta * weight : this.mean * (1 - weight) + mean * weight;
    this.m2 += m2 + delta * delta * (this.count * weight);
    this.count = total;
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
