/**
 * The Kolmogorov–Smirnov distance of a large sample without sorting it, the
 * same number bit for bit as sorting it.
 *
 * With the sample's distinct values v and C(v) = #{i : x_i ≤ v},
 *
 *   D_n = max_v max(|C(v)/n − F(v)|, |C(v⁻)/n − F(v)|)     (F continuous).
 *
 * Put the values into buckets by a non-decreasing function of the value, so
 * that every bucket holds a contiguous range of the sorted sample, with c₀
 * values before it and c₁ = c₀ + count up to its end. Each bucket's values lie
 * in an interval [P, Q] known from the bucket function alone (P below, Q above
 * every value the function puts in the bucket), so F(P) ≤ F(v) ≤ F(Q) for
 * them, and every term of the bucket has C between c₀ and c₁. Hence each
 * term of the bucket is at most
 *
 *   U = max(c₁/n − F(P), F(Q) − c₀/n),
 *
 * and the bucket's first and last terms, |c₀/n − F(a)| and |c₁/n − F(b)| for
 * its smallest value a and largest b, are at least
 *
 *   L = max(F(P) − c₀/n, c₁/n − F(Q)).
 *
 * The largest L over the buckets bounds D from below, so only buckets whose U
 * reaches it can hold the maximum (the bucket that gave it among them); they
 * are gathered and sorted, and their terms computed exactly as the sorting
 * algorithm computes them (same operands, same operations), so the result is
 * the same double. The counting pass does one increment per value, with no
 * per-bucket minimum or maximum (U − L is F(Q) − F(P) + count/n, about two
 * buckets' share of the probability, a small part of D).
 *
 * The bucket function follows F, so that each bucket holds about 1/BUCKETS of
 * the probability (≪ D ≈ 1/√n): F is tabulated at TABLE points over the
 * sample's range, each table segment gets a number of buckets proportional to
 * its mass, and a value's bucket is its segment's first plus its position in
 * the segment. That is non-decreasing in the value by construction (integer
 * arithmetic over a monotone position), whatever the rounding of F; a
 * bucket's P and Q are found by evaluating the same function (bucketOf(P) <
 * b < bucketOf(Q) then brackets every value of bucket b), so no rounding
 * argument is needed.
 *
 * Cost: one counting pass over the values (which can share its loop with the
 * histogram's, see binsAndBuckets.ts), 2 CDF evaluations per non-empty bucket,
 * a gathering pass that looks at a value's bucket only in table segments that
 * hold a candidate, a 4-byte count per bucket (≤ 1 MB), and no copy of the
 * tensor.
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
/** First step, as a share of the range, by which a bucket's edge guess moves out until it brackets the bucket (doubling). */
const EDGE_STEP = 2 ** -44;

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
 * Where a sample's values go: the table segments over [min, max] and each
 * segment's buckets (see the top of this file). `scale` maps a value to its
 * position t = (x − min)·scale in table segments.
 */
export interface BucketLayout {
  min: number;
  max: number;
  scale: number;
  segmentStart: Int32Array;
  segmentCount: Int32Array;
  /** Buckets in all. */
  total: number;
}

/** The layout for n values in [min, max] (finite, min < max) against F. */
export function bucketLayout(F: (x: number) => number, min: number, max: number, n: number): BucketLayout {
  return { min, max, scale: TABLE / (max - min), ...placeBuckets(F, min, max, bucketCount(n)) };
}

/**
 * The bucket of x ∈ [min, max]: the counting pass's arithmetic (which writes
 * it out inline). t and (t − seg)·count are ≥ 0 and < 2³¹, so truncation by
 * `| 0` is the floor; the function is non-decreasing in x.
 */
export function bucketOf(layout: BucketLayout, x: number): number {
  const t = (x - layout.min) * layout.scale;
  let seg = t | 0;
  if (seg >= TABLE) seg = TABLE - 1;
  const count = layout.segmentCount[seg]!;
  let within = ((t - seg) * count) | 0;
  if (within >= count) within = count - 1;
  return layout.segmentStart[seg]! + within;
}

/** Adds each non-NaN value of the sample (all within the layout's [min, max]) to its bucket's count. */
export function countBuckets(samples: SampleArray, layout: BucketLayout, counts: Int32Array): void {
  const { min, scale, segmentStart, segmentCount } = layout;
  for (let i = 0, length = samples.length; i < length; i++) {
    const x = samples[i]!;
    if (x !== x) continue;
    const t = (x - min) * scale;
    let seg = t | 0;
    if (seg >= TABLE) seg = TABLE - 1;
    const count = segmentCount[seg]!;
    let within = ((t - seg) * count) | 0;
    if (within >= count) within = count - 1;
    counts[segmentStart[seg]! + within]!++;
  }
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
  if (!(max > min)) return ksOfOneValue(n, min, F);
  const layout = bucketLayout(F, min, max, n);
  const counts = new Int32Array(layout.total);
  countBuckets(samples, layout, counts);
  return ksFromBuckets(samples, F, layout, counts, n);
}

/** D_n of n equal values v (the sorting algorithm's two terms of its one run). */
export function ksOfOneValue(n: number, v: number, F: (x: number) => number): number {
  return Math.max(Math.abs(n / n - F(v)), Math.abs(0 / n - F(v)));
}

/**
 * D_n from the buckets' counts (countBuckets' or binsAndBuckets'): the bounds
 * of every non-empty bucket, then the exact terms of the buckets that could
 * hold the maximum. `n` is the count of non-NaN values.
 */
export function ksFromBuckets(samples: SampleArray, F: (x: number) => number, layout: BucketLayout, counts: Int32Array, n: number): number {
  const { min, scale, segmentStart, segmentCount, total } = layout;
  // Each bucket's bound U on its terms; the largest bound L from below on some term.
  let lower = 0;
  const upper = new Float64Array(total);
  const before = new Int32Array(total);
  const P = new Float64Array(total);
  const Q = new Float64Array(total);
  const segmentOf = new Int32Array(total);
  let c0 = 0;
  for (let seg = 0; seg < TABLE; seg++) {
    const perSegment = segmentCount[seg]!;
    for (let w = 0; w < perSegment; w++) {
      const b = segmentStart[seg]! + w;
      segmentOf[b] = seg;
      before[b] = c0;
      const count = counts[b]!;
      if (count === 0) continue;
      const c1 = c0 + count;
      const p = below(layout, b, min + (seg + w / perSegment) / scale);
      const q = above(layout, b, min + (seg + (w + 1) / perSegment) / scale);
      const Fp = F(p);
      const Fq = F(q);
      lower = Math.max(lower, Fp - c0 / n, c1 / n - Fq);
      upper[b] = Math.max(c1 / n - Fp, Fq - c0 / n) + BOUND_SLACK;
      P[b] = p;
      Q[b] = q;
      c0 = c1;
    }
  }

  // Gather the values of the buckets that could hold the maximum, sort each, and compute its terms exactly.
  // Their values lie in [from, to], and in table segments flagged here: only such values need their bucket.
  const slot = new Int32Array(total).fill(-1);
  const flagged = new Uint8Array(TABLE);
  const offsets: number[] = [];
  let gathered = 0;
  let from = Infinity;
  let to = -Infinity;
  for (let b = 0; b < total; b++) {
    if (counts[b]! > 0 && upper[b]! > lower) {
      slot[b] = offsets.length;
      offsets.push(gathered);
      gathered += counts[b]!;
      flagged[segmentOf[b]!] = 1;
      from = Math.min(from, P[b]!);
      to = Math.max(to, Q[b]!);
    }
  }
  offsets.push(gathered);
  const values = new Float64Array(gathered);
  const fill = offsets.slice(0, -1);
  gather(samples, layout, from, to, flagged, slot, fill, values);
  let d = 0;
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

/**
 * Copies the values of the gathered buckets (slot ≥ 0) to `values`, each
 * bucket's from its offset `fill[slot]` on. A function of its own, so that
 * the engine compiles this loop alone, as it does the counting pass.
 */
function gather(samples: SampleArray, layout: BucketLayout, from: number, to: number, flagged: Uint8Array, slot: Int32Array, fill: number[], values: Float64Array): void {
  const { min, scale, segmentStart, segmentCount } = layout;
  for (let i = 0, length = samples.length; i < length; i++) {
    const x = samples[i]!;
    if (!(x >= from && x <= to)) continue; // NaN too
    const t = (x - min) * scale;
    let seg = t | 0;
    if (seg >= TABLE) seg = TABLE - 1;
    if (flagged[seg] === 0) continue;
    const count = segmentCount[seg]!;
    let within = ((t - seg) * count) | 0;
    if (within >= count) within = count - 1;
    const s = slot[segmentStart[seg]! + within]!;
    if (s >= 0) values[fill[s]!++] = x;
  }
}

/**
 * A point at or below every value of bucket b, starting from the guess x (its
 * lower edge) and stepping down until the bucket function puts it in an
 * earlier bucket (then every value of b, being in a later bucket, lies
 * above it), or it reaches the sample's min.
 */
function below(layout: BucketLayout, b: number, x: number): number {
  let step = (layout.max - layout.min) * EDGE_STEP;
  for (;;) {
    if (!(x > layout.min)) return layout.min;
    if (bucketOf(layout, x) < b) return x;
    x -= step;
    step *= 2;
  }
}

/** A point at or above every value of bucket b: `below` mirrored, up to the sample's max. */
function above(layout: BucketLayout, b: number, x: number): number {
  let step = (layout.max - layout.min) * EDGE_STEP;
  for (;;) {
    if (!(x < layout.max)) return layout.max;
    if (bucketOf(layout, x) > b) return x;
    x += step;
    step *= 2;
  }
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
