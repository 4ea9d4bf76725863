/**
 * Summary statistics of a tensor's values, in one pass over the data (plus
 * one over each cached chunk of it) with no allocation per element.
 *
 *  - Non-finite values (NaN, ±Infinity) are counted and skipped: they never
 *    poison the mean, std, min, max, norm or histogram.
 *  - Mean and variance by chunks (Chan, Golub & LeVeque's pairwise update):
 *    each chunk of CHUNK values gets its own mean μ_B = Σx/n_B and
 *    M_B = Σ(x − μ_B)² (a second pass over the chunk while it is in cache),
 *    and chunks are merged as
 *      δ = μ_B − μ,  n' = n + n_B,  μ' = μ + δ·n_B/n',  M' = M + M_B + δ²·n·n_B/n'.
 *    Like Welford's update (which it replaces: one division per chunk instead
 *    of one per value) it has no catastrophic cancellation, unlike
 *    Σx² − (Σx)²/n. A chunk whose sum overflows (float64 values near 1e308)
 *    falls back to Welford's per-value update; variance = M/(n − 1)
 *    (unbiased, torch.std()'s default) or M/n.
 *  - The L2 norm ‖x‖₂ = √Σx²: float32 squares cannot overflow or underflow
 *    in double, so their plain sum is used; float64 data is accumulated in
 *    scaled form (as BLAS dnrm2): scale = max|x| so far, ssq = Σ(x/scale)².
 *  - Histogram: torch.histc's rules (see histogram.ts), filled by the
 *    histogram kernel in a pass of its own over [lo, hi]: `histogram.range`,
 *    or else the [min, max] of the finite values found by the first pass.
 *  - Percentiles are exact: the finite values are copied into a scratch buffer
 *    during the pass and sorted afterwards (torch.quantile 'linear'
 *    interpolation, see percentiles.ts). Pass `scratch` to reuse one buffer
 *    across calls; otherwise one is allocated per call.
 */
import type { FloatArray } from '../tensor/dtype';
import { histogram, histogramEdges, histogramRange, validateBinCount } from './histogram';
import { quantileOfSorted, validatePercentiles } from './percentiles';

export interface SummaryOptions {
  /** Divide by n − 1 (true, torch.std's default) or by n (false). */
  unbiased?: boolean;
  histogram?: {
    bins: number;
    /** [min, max] of the bins; omitted means the data's finite [min, max] (needs a second pass). */
    range?: readonly [number, number];
  };
  /** Percentiles to report, each in [0, 100]. */
  percentiles?: readonly number[];
  /** Reusable buffer for the exact percentiles; needs length ≥ data.length. */
  scratch?: Float64Array;
}

export interface HistogramResult {
  /** bins + 1 ascending edges. */
  edges: Float64Array;
  counts: Float64Array;
  /** Finite values outside the range, dropped (as torch.histc drops them). */
  outOfRange: number;
}

export interface Summary {
  /** Number of finite values; all other statistics are over these. */
  count: number;
  /** NaN + Infinity + −Infinity, skipped. */
  nonFinite: number;
  nan: number;
  posInf: number;
  negInf: number;
  /** NaN when count = 0. */
  mean: number;
  /** √variance; NaN when count = 0, or count = 1 and unbiased. */
  std: number;
  variance: number;
  /** NaN when count = 0. */
  min: number;
  max: number;
  l2Norm: number;
  histogram?: HistogramResult;
  /** The requested percentiles and their values, in the order requested. */
  percentiles?: { p: number[]; values: number[] };
}

/**
 * A std as stored and shown: null for exactly one finite value, where the
 * unbiased (n − 1) std is undefined rather than a number that went wrong. A
 * NaN with no finite value at all (a diverged tensor) stays NaN.
 */
export function definedStd(count: number, std: number): number | null {
  return count === 1 && Number.isNaN(std) ? null : std;
}

/** Values per chunk of the mean/variance update: small enough to stay in L1 for the second pass. */
const CHUNK = 256;

export function summarize(data: FloatArray, opts: SummaryOptions = {}): Summary {
  const unbiased = opts.unbiased ?? true;
  const wantsPercentiles = opts.percentiles !== undefined && opts.percentiles.length > 0;
  if (opts.percentiles) validatePercentiles(opts.percentiles);
  const scratch = wantsPercentiles ? scratchFor(data.length, opts.scratch) : undefined;

  // Bins filled during the pass when the range is known in advance.
  const hist = opts.histogram;
  if (hist) validateBinCount(hist.bins);
  let lo = 0;
  let hi = 0;
  let counts: Float64Array | undefined;
  let outOfRange = 0;
  if (hist?.range) {
    [lo, hi] = histogramRange(hist.range[0], hist.range[1]);
    counts = new Float64Array(hist.bins);
  }
  const float32 = data instanceof Float32Array;

  let count = 0;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let sumSquares = 0; // float32 data
  let scale = 0; // float64 data: ‖x‖ = scale·√ssq
  let ssq = 1;

  for (let start = 0; start < data.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, data.length);
    let chunkCount = 0;
    let chunkSum = 0;
    for (let i = start; i < end; i++) {
      const x = data[i]!;
      if (!Number.isFinite(x)) {
        if (Number.isNaN(x)) nan++;
        else if (x > 0) posInf++;
        else negInf++;
        continue;
      }
      chunkCount++;
      chunkSum += x;
      if (x < min) min = x;
      if (x > max) max = x;
      if (float32) {
        sumSquares += x * x;
      } else {
        const ax = Math.abs(x);
        if (ax > scale) {
          const r = scale / ax;
          ssq = 1 + ssq * r * r;
          scale = ax;
        } else if (ax > 0) {
          const r = ax / scale;
          ssq += r * r;
        }
      }
      if (scratch) scratch[count + chunkCount - 1] = x;
    }
    if (chunkCount === 0) continue;
    let chunkMean = chunkSum / chunkCount;
    let chunkM2 = 0;
    if (Number.isFinite(chunkMean)) {
      for (let i = start; i < end; i++) {
        const x = data[i]!;
        if (Number.isFinite(x)) chunkM2 += (x - chunkMean) * (x - chunkMean);
      }
    }
    if (!Number.isFinite(chunkMean) || !Number.isFinite(chunkM2)) [chunkMean, chunkM2] = welford(data, start, end);
    const total = count + chunkCount;
    const delta = chunkMean - mean;
    const weight = chunkCount / total;
    mean = Number.isFinite(delta) ? mean + delta * weight : mean * (1 - weight) + chunkMean * weight;
    m2 += chunkM2 + delta * delta * (count * weight);
    count = total;
  }
  let edges: Float64Array | undefined;
  if (hist) {
    // Without a range, the bins span the data's own [min, max].
    if (!counts) [lo, hi] = count > 0 ? histogramRange(min, max) : histogramRange(0, 0);
    edges = histogramEdges(lo, hi, hist.bins);
    const given = counts !== undefined;
    counts ??= new Float64Array(hist.bins);
    const counted = addCounts(data, lo, hi, counts, edges);
    if (given) outOfRange = count - counted;
  }

  const empty = count === 0;
  const divisor = unbiased ? count - 1 : count;
  const variance = divisor > 0 ? m2 / divisor : NaN;
  const summary: Summary = {
    count,
    nonFinite: nan + posInf + negInf,
    nan,
    posInf,
    negInf,
    // The true mean lies in [min, max]; clamping only removes rounding.
    mean: empty ? NaN : Math.min(max, Math.max(min, mean)),
    std: Math.sqrt(variance),
    variance,
    min: empty ? NaN : min,
    max: empty ? NaN : max,
    l2Norm: float32 ? Math.sqrt(sumSquares) : scale === 0 ? 0 : scale * Math.sqrt(ssq),
  };
  if (counts && edges) summary.histogram = { edges, counts, outOfRange };
  if (scratch && opts.percentiles) {
    const sorted = scratch.subarray(0, count).sort();
    const p = [...opts.percentiles];
    summary.percentiles = { p, values: p.map((v) => quantileOfSorted(sorted, count, v / 100)) };
  }
  return summary;
}

/** Adds the counts of data's values in the bins; returns how many were counted. */
function addCounts(data: FloatArray, lo: number, hi: number, counts: Float64Array, edges: Float64Array): number {
  histogram(data, counts.length, lo, hi, counts, edges);
  let total = 0;
  for (let b = 0; b < counts.length; b++) total += counts[b]!;
  return total;
}

/**
 * Mean and M = Σ(x − μ)² of the finite values of data[start, end) by
 * Welford's update (μ_k = μ_{k−1} + (x − μ_{k−1})/k, M_k = M_{k−1} + (x − μ_{k−1})(x − μ_k)),
 * for chunks whose plain sum overflows. If x − μ overflows, μ is updated as
 * μ + x/k − μ/k instead, which cannot.
 */
function welford(data: FloatArray, start: number, end: number): [number, number] {
  let k = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = start; i < end; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x)) continue;
    k++;
    const delta = x - mean;
    mean = Number.isFinite(delta) ? mean + delta / k : mean + x / k - mean / k;
    m2 += delta * (x - mean);
  }
  return [mean, m2];
}

function scratchFor(length: number, scratch: Float64Array | undefined): Float64Array {
  if (!scratch) return new Float64Array(length);
  if (scratch.length < length) throw new RangeError(`summarize: scratch buffer has ${scratch.length} entries, needs at least ${length}`);
  return scratch;
}
