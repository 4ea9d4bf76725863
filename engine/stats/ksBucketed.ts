/**
 * The Kolmogorov–Smirnov distance of a large sample without sorting it, the
 * same number bit for bit as sorting it.
 *
 * With the sample's distinct values v and C(v) = #{i : x_i ≤ v},
 *
 *   D_n = max_v max(|C(v)/n − F(v)|, |C(v⁻)/n − F(v)|)     (F continuous).
 *
 * Put the values into buckets by a non-decreasing function of the value, so
 * that every bucket holds a contiguous range [a, b] of the sorted sample, with
 * c₀ values before it and c₁ = c₀ + count up to its end. Two terms of every
 * bucket are known without sorting: |c₀/n − F(a)| (nothing below a in the
 * bucket, so C(a⁻) = c₀) and |c₁/n − F(b)|. Every other term of the bucket has
 * C between c₀ and c₁ and F between F(a) and F(b), so it is at most
 *
 *   max(c₁/n − F(a), F(b) − c₀/n).
 *
 * Only buckets whose bound exceeds the largest known term can hold the
 * maximum; they are gathered and sorted, and their terms computed exactly as
 * the sorting algorithm computes them (same operands, same operations), so
 * the result is the same double.
 *
 * The bucket function follows F, so that each bucket holds about 1/BUCKETS of
 * the probability (≪ D ≈ 1/√n): F is tabulated at TABLE points over the
 * sample's range, each table segment gets a number of buckets proportional to
 * its mass, and a value's bucket is its segment's first plus its position in
 * the segment. That is non-decreasing in the value by construction (integer
 * arithmetic over a monotone position), whatever the rounding of F.
 *
 * Cost: 2 CDF evaluations per bucket instead of 2 per value, three passes
 * over the values, bucket arrays of 12 bytes per bucket for float32 samples
 * (≤ 3 MB), and no copy of the tensor.
 */

/**
 * Buckets the probability is split into: about 32·√n, between 2¹² and 2¹⁸.
 * A bucket holds ~1/(32√n) of the probability, a small part of D's typical
 * size (~0.9/√n), so that few buckets' bounds reach the largest known term
 * and little is gathered (each gathered value costs a sort and a CDF
 * evaluation); more buckets would cost CDF evaluations (two per bucket) and
 * bucket arrays that outgrow the cache (every value lands in a random one).
 * The result does not depend on the count.
 */
export function bucketCount(n: number): number {
  return Math.min(1 << 18, Math.max(1 << 12, Math.ceil(32 * Math.sqrt(n))));
}
/** Points at which F is tabulated to place the buckets. */
const TABLE = 4096;
/** Slack for a CDF implementation that is monotone only to rounding (its values are accurate to ~1e-15). */
const BOUND_SLACK = 1e-12;

export type SampleArray = Float32Array | Float64Array;

/**
 * What a summary pass already found (summarize's count, min and max when it
 * saw no NaN or ±∞): the non-NaN values' count and range, so that the
 * statistic skips its own first pass.
 */
export interface SampleExtent {
  n: number;
  min: number;
  max: number;
}

/**
 * D_n against a continuous CDF; NaN values are ignored; NaN for an empty
 * sample; undefined when a value is infinite (the buckets need a finite range:
 * the caller sorts instead). `extent`, when given, must be the sample's.
 */
export function ksStatisticBucketed(samples: SampleArray, F: (x: number) => number, extent?: SampleExtent): number | undefined {
  let { n, min, max } = extent ?? { n: 0, min: Infinity, max: -Infinity };
  for (let i = 0; i < samples.length && !extent; i++) {
    const x = samples[i]!;
    if (x !== x) continue;
    n++;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (n === 0) return NaN;
  if (!Number.isFinite(min) || !Number.isFinite(max)) return undefined;
  if (!(max > min)) return Math.max(Math.abs(n / n - F(min)), Math.abs(0 / n - F(min)));

  const buckets = placeBuckets(F, min, max, bucketCount(n));
  const { segmentStart, segmentCount, total } = buckets;
  const scale = TABLE / (max - min);
  const bucketOf = (x: number): number => {
    // t and (t − seg)·count are ≥ 0 and < 2³¹: truncation by `| 0` is the floor.
    const t = (x - min) * scale;
    let seg = t | 0;
    if (seg >= TABLE) seg = TABLE - 1;
    const count = segmentCount[seg]!;
    let within = ((t - seg) * count) | 0;
    if (within >= count) within = count - 1;
    return segmentStart[seg]! + within;
  };

  // A float32 sample's extremes are float32 values: half the bytes for the cache.
  const counts = new Int32Array(total);
  const lows = (samples instanceof Float32Array ? new Float32Array(total) : new Float64Array(total)).fill(Infinity);
  const highs = (samples instanceof Float32Array ? new Float32Array(total) : new Float64Array(total)).fill(-Infinity);
  // The pass most of the time goes to: bucketOf written out, the arrays in locals.
  for (let i = 0, length = samples.length; i < length; i++) {
    const x = samples[i]!;
    if (x !== x) continue;
    const t = (x - min) * scale;
    let seg = t | 0;
    if (seg >= TABLE) seg = TABLE - 1;
    const count = segmentCount[seg]!;
    let within = ((t - seg) * count) | 0;
    if (within >= count) within = count - 1;
    const b = segmentStart[seg]! + within;
    counts[b]!++;
    if (x < lows[b]!) lows[b] = x;
    if (x > highs[b]!) highs[b] = x;
  }

  // The terms known exactly, and each bucket's bound on the others.
  let d = 0;
  const bounds = new Float64Array(total);
  const before = new Int32Array(total);
  let c0 = 0;
  for (let b = 0; b < total; b++) {
    const count = counts[b]!;
    before[b] = c0;
    if (count === 0) continue;
    const c1 = c0 + count;
    const Fa = F(lows[b]!);
    d = Math.max(d, Math.abs(c0 / n - Fa));
    const Fb = F(highs[b]!);
    d = Math.max(d, Math.abs(c1 / n - Fb));
    // One distinct value: its two terms are the ones above (|c₀/n − F(a)| and |c₁/n − F(a)|).
    if (lows[b]! < highs[b]!) bounds[b] = Math.max(c1 / n - Fa, Fb - c0 / n) + BOUND_SLACK;
    c0 = c1;
  }

  // Gather the values of the buckets that could hold a larger term, sort each, and compute its terms exactly.
  // Their values lie in [from, to] (buckets hold contiguous ranges): only values there need their bucket.
  const slot = new Int32Array(total).fill(-1);
  const offsets: number[] = [];
  let gathered = 0;
  let from = Infinity;
  let to = -Infinity;
  for (let b = 0; b < total; b++) {
    if (bounds[b]! > d) {
      slot[b] = offsets.length;
      offsets.push(gathered);
      gathered += counts[b]!;
      from = Math.min(from, lows[b]!);
      to = Math.max(to, highs[b]!);
    }
  }
  if (offsets.length === 0) return d;
  offsets.push(gathered);
  const values = new Float64Array(gathered);
  const fill = offsets.slice(0, -1);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]!;
    if (!(x >= from && x <= to)) continue; // NaN too
    const s = slot[bucketOf(x)]!;
    if (s >= 0) values[fill[s]!++] = x;
  }
  for (let b = 0; b < total; b++) {
    const s = slot[b]!;
    if (s < 0) continue;
    const run = values.subarray(offsets[s]!, offsets[s + 1]!).sort();
    const start = before[b]!;
    let i = 0;
    while (i < run.length) {
      const v = run[i]!;
      let j = i + 1;
      while (j < run.length && run[j] === v) j++;
      const Fv = F(v);
      d = Math.max(d, Math.abs((start + j) / n - Fv), Math.abs((start + i) / n - Fv));
      i = j;
    }
  }
  return d;
}

/** Each table segment's first bucket and bucket count, in proportion to F's mass over it (at least one each). */
function placeBuckets(F: (x: number) => number, min: number, max: number, buckets: number): { segmentStart: Int32Array; segmentCount: Int32Array; total: number } {
  const table = new Float64Array(TABLE + 1);
  for (let k = 0; k <= TABLE; k++) table[k] = F(min + ((max - min) * k) / TABLE);
  const mass = Math.max(table[TABLE]! - table[0]!, 0);
  const segmentStart = new Int32Array(TABLE);
  const segmentCount = new Int32Array(TABLE);
  let total = 0;
  for (let k = 0; k < TABLE; k++) {
    const share = mass > 0 ? Math.max(table[k + 1]! - table[k]!, 0) / mass : 1 / TABLE;
    const count = Math.max(1, Math.round(share * buckets));
    segmentStart[k] = total;
    segmentCount[k] = count;
    total += count;
  }
  return { segmentStart, segmentCount, total };
}
