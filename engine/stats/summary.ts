/**
 * Summary statistics of a tensor's values, computed in one pass over the data
 * with no allocation per element.
 *
 *  - Non-finite values (NaN, ±Infinity) are counted and skipped: they never
 *    poison the mean, std, min, max, norm or histogram.
 *  - Mean and variance use Welford's update, which has no catastrophic
 *    cancellation (unlike Σx² − (Σx)²/n):
 *      k ← k + 1,  μ_k = μ_{k−1} + (x − μ_{k−1})/k,  M_k = M_{k−1} + (x − μ_{k−1})(x − μ_k),
 *    variance = M_n/(n − 1) (unbiased, torch.std()'s default) or M_n/n.
 *    (Only float64 data spread wider than ~1e154 overflows it, to +Infinity, never NaN.)
 *  - The L2 norm ‖x‖₂ = √Σx² is accumulated in scaled form (as BLAS dnrm2):
 *    scale = max|x| so far, ssq = Σ(x/scale)², so it neither overflows nor underflows.
 *  - Histogram: torch.histc's rules (see histogram.ts). With `histogram.range`
 *    it is filled in the same pass; without, the range is [min, max] of the
 *    finite values, known only at the end, so a second pass fills it.
 *  - Percentiles are exact: the finite values are copied into a scratch buffer
 *    during the pass and sorted afterwards (torch.quantile 'linear'
 *    interpolation, see percentiles.ts). Pass `scratch` to reuse one buffer
 *    across calls; otherwise one is allocated per call.
 */
import type { FloatArray } from '../tensor/dtype';
import { binIndex, histogramEdges, histogramRange, validateBinCount } from './histogram';
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

export function summarize(data: FloatArray, opts: SummaryOptions = {}): Summary {
  const unbiased = opts.unbiased ?? true;
  const wantsPercentiles = opts.percentiles !== undefined && opts.percentiles.length > 0;
  if (opts.percentiles) validatePercentiles(opts.percentiles);
  const scratch = wantsPercentiles ? scratchFor(data.length, opts.scratch) : undefined;

  // A one-pass histogram when the range is known in advance.
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

  let count = 0;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let scale = 0;
  let ssq = 1;

  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!Number.isFinite(x)) {
      if (Number.isNaN(x)) nan++;
      else if (x > 0) posInf++;
      else negInf++;
      continue;
    }
    count++;
    // Welford. If x − μ overflows (|values| near the float64 limit) the mean is
    // updated as μ + x/k − μ/k instead, which cannot overflow.
    const delta = x - mean;
    mean = Number.isFinite(delta) ? mean + delta / count : mean + x / count - mean / count;
    m2 += delta * (x - mean);
    if (x < min) min = x;
    if (x > max) max = x;
    const ax = Math.abs(x);
    if (ax > 0) {
      if (ax > scale) {
        const r = scale / ax;
        ssq = 1 + ssq * r * r;
        scale = ax;
      } else {
        const r = ax / scale;
        ssq += r * r;
      }
    }
    if (scratch) scratch[count - 1] = x;
    if (counts) {
      const b = binIndex(x, lo, hi, counts.length);
      if (b >= 0) counts[b]!++;
      else outOfRange++;
    }
  }

  if (hist && !counts) {
    // Second pass: bins over the data's own [min, max].
    [lo, hi] = count > 0 ? histogramRange(min, max) : histogramRange(0, 0);
    counts = new Float64Array(hist.bins);
    for (let i = 0; i < data.length; i++) {
      const b = binIndex(data[i]!, lo, hi, hist.bins);
      if (b >= 0) counts[b]!++;
    }
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
    l2Norm: scale === 0 ? 0 : scale * Math.sqrt(ssq),
  };
  if (hist && counts) summary.histogram = { edges: histogramEdges(lo, hi, hist.bins), counts, outOfRange };
  if (scratch && opts.percentiles) {
    const sorted = scratch.subarray(0, count).sort();
    const p = [...opts.percentiles];
    summary.percentiles = { p, values: p.map((v) => quantileOfSorted(sorted, count, v / 100)) };
  }
  return summary;
}

function scratchFor(length: number, scratch: Float64Array | undefined): Float64Array {
  if (!scratch) return new Float64Array(length);
  if (scratch.length < length) throw new RangeError(`summarize: scratch buffer has ${scratch.length} entries, needs at least ${length}`);
  return scratch;
}
