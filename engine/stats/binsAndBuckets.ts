/**
 * The histogram and the Kolmogorov–Smirnov buckets of a tensor in one pass.
 *
 * Both need the sample's range first (the summary's pass), and both are a
 * count per value: the histogram's bin (torch.histc's rules, exactly as
 * `histogram` bins) and the KS bucket (as `countBuckets` places it). Counting
 * them in one loop reads every value once instead of twice, and the two
 * increments' dependency chains overlap instead of running one after the
 * other. The counts are the same integers as the two passes give.
 */
import { type BucketLayout, type SampleArray } from './ksBucketed';

/** Where the histogram's counts go. */
export interface HistogramTarget {
  /** [lo, hi] after histogramRange's widening; hi − lo and bins/(hi − lo) finite. */
  lo: number;
  hi: number;
  /** histogramEdges(lo, hi, counts.length). */
  edges: Float64Array;
  /** Added to. */
  counts: Float64Array;
}

/**
 * Adds every value's histogram bin to `hist.counts` and its KS bucket to
 * `bucketCounts`; returns how many values the histogram counted (the others
 * lie outside [lo, hi]). Every value must be finite and within the layout's
 * [min, max], and the sample shorter than 2³¹ (the caller checks: the
 * summary saw no NaN or ±∞, and the layout is built on its min and max).
 */
export function binsAndBuckets(samples: SampleArray, hist: HistogramTarget, layout: BucketLayout, bucketCounts: Int32Array): number {
  const { lo, hi, edges } = hist;
  const bins = hist.counts.length;
  const last = bins - 1;
  const perUnit = bins / (hi - lo);
  const local = new Int32Array(bins);
  const { min, scale, segmentStart, segmentCount } = layout;
  const table = segmentCount.length;
  for (let i = 0, length = samples.length; i < length; i++) {
    const x = samples[i]!;
    // The KS bucket (ksBucketed's bucketOf).
    const t = (x - min) * scale;
    let seg = t | 0;
    if (seg >= table) seg = table - 1;
    const count = segmentCount[seg]!;
    let within = ((t - seg) * count) | 0;
    if (within >= count) within = count - 1;
    bucketCounts[segmentStart[seg]! + within]!++;
    // The histogram's bin (histogram's loop): a guess from the position, corrected against the edges.
    if (x >= lo && x < hi) {
      let b = ((x - lo) * perUnit) | 0;
      if (b > last) b = last;
      if (x < edges[b]!) b -= 1;
      else if (b < last && x >= edges[b + 1]!) b += 1;
      local[b]!++;
    } else if (x === hi) local[last]!++;
  }
  let counted = 0;
  for (let b = 0; b < bins; b++) {
    hist.counts[b] += local[b]!;
    counted += local[b]!;
  }
  return counted;
}
