/**
 * Equal-width histogram binning with the rules of torch.histc:
 *  - `bins` equal bins between lo and hi; edge i is lo + (hi − lo)·i/bins;
 *  - bin i holds edges[i] ≤ x < edges[i+1], except the last bin, which also
 *    holds x = hi (so the maximum of the data lands in the last bin);
 *  - values outside [lo, hi] (and NaN) are not counted;
 *  - if lo = hi the range is widened to [lo − 1, hi + 1], as torch does.
 */

/** The range actually used for binning (torch.histc's widening of an empty range). */
export function histogramRange(lo: number, hi: number): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`histogram range must be finite, got [${lo}, ${hi}]`);
  if (lo > hi) throw new RangeError(`histogram range: min must not exceed max, got [${lo}, ${hi}]`);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/**
 * Edge i of `bins` equal bins on [lo, hi]; the last edge is exactly hi. When
 * hi − lo overflows (a range near ±1.8e308) the halves are used instead.
 */
export function binEdge(lo: number, hi: number, bins: number, i: number): number {
  if (i === bins) return hi;
  const width = hi - lo;
  if (Number.isFinite(width)) return lo + (width * i) / bins;
  return 2 * (lo / 2 + ((hi / 2 - lo / 2) * i) / bins);
}

/** The bins + 1 edges, ascending. */
export function histogramEdges(lo: number, hi: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = binEdge(lo, hi, bins, i);
  return edges;
}

/**
 * The bin of x, or −1 when x is outside [lo, hi] or NaN. The index is first
 * computed by linear interpolation, then moved by one if rounding put x on the
 * wrong side of an edge, so that binning always agrees with `histogramEdges`.
 */
export function binIndex(x: number, lo: number, hi: number, bins: number): number {
  if (!(x >= lo && x <= hi)) return -1;
  if (x === hi) return bins - 1;
  const width = hi - lo;
  const fraction = Number.isFinite(width) ? (x - lo) / width : (x / 2 - lo / 2) / (hi / 2 - lo / 2);
  let i = Math.floor(fraction * bins);
  if (i >= bins) i = bins - 1;
  if (i < 0) i = 0;
  if (x < binEdge(lo, hi, bins, i)) i -= 1;
  else if (i < bins - 1 && x >= binEdge(lo, hi, bins, i + 1)) i += 1;
  return i;
}

export function validateBinCount(bins: number): void {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`histogram bins must be a positive integer, got ${bins}`);
}

/**
 * Counts of `data` in `bins` equal bins on [lo, hi] (torch.histc's rules, as
 * binIndex), in one pass that does only this: for the histogram of a large
 * tensor without the other summary statistics. The bin is guessed from
 * (x − lo)·bins/(hi − lo) and corrected against the edges of
 * `histogramEdges`, so every value lands in exactly the bin binIndex gives.
 * Values outside [lo, hi] and NaN are skipped. `counts` (length `bins`) is
 * added to when given, so chunks of one tensor can share it; `edges`, when
 * given, must be histogramEdges(lo, hi, bins) of the widened range (callers
 * that report the edges anyway pass them instead of computing them twice).
 */
export function histogram(
  data: ArrayLike<number>,
  bins: number,
  lo: number,
  hi: number,
  counts: Float64Array = new Float64Array(bins),
  edges?: Float64Array,
): Float64Array {
  validateBinCount(bins);
  if (counts.length !== bins) throw new RangeError(`histogram: counts has ${counts.length} entries for ${bins} bins`);
  [lo, hi] = histogramRange(lo, hi);
  const width = hi - lo;
  const perUnit = bins / width;
  // Ranges too wide (width overflows) or too narrow (bins/width overflows) for the
  // guess, and inputs too long for 32-bit counters: bin by bin.
  if (!Number.isFinite(width) || !Number.isFinite(perUnit) || data.length >= 2 ** 31) {
    for (let i = 0; i < data.length; i++) {
      const b = binIndex(data[i]!, lo, hi, bins);
      if (b >= 0) counts[b]!++;
    }
    return counts;
  }
  edges ??= histogramEdges(lo, hi, bins);
  const last = bins - 1;
  const local = new Int32Array(bins); // integer increments; truncation below is floor, as x − lo ≥ 0
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!(x >= lo && x < hi)) {
      if (x === hi) local[last]!++; // also when lo = hi (a range too narrow to widen at this magnitude)
      continue;
    }
    let b = ((x - lo) * perUnit) | 0;
    if (b > last) b = last;
    if (x < edges[b]!) b -= 1;
    else if (b < last && x >= edges[b + 1]!) b += 1;
    local[b]!++;
  }
  for (let b = 0; b < bins; b++) counts[b] += local[b]!;
  return counts;
}
