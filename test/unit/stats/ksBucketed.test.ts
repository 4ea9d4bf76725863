import { describe, expect, it } from 'vitest';
import { normalDistribution, truncatedNormalDistribution, uniformDistribution } from '../../../engine/stats/distribution';
import { ksStatistic, ksStatisticSorted } from '../../../engine/stats/ks';
import { bucketLayout, bucketOf, countBuckets, ksFromBuckets, ksStatisticBucketed } from '../../../engine/stats/ksBucketed';
import { summarize } from '../../../engine/stats/summary';
import { TorchGenerator } from '../../../engine/random';

/** Samples of `n` values drawn by `draw`, as float32 (as tensors are) or float64. */
function sample(n: number, draw: () => number, float64 = false): Float32Array | Float64Array {
  const out = float64 ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return out;
}

describe('ksStatisticBucketed: the same D as sorting, bit for bit', () => {
  const rng = new TorchGenerator(7);
  const normal = normalDistribution(0, 0.02);
  const cases: [string, Float32Array | Float64Array, (x: number) => number][] = [
    ['normal(0, 0.02), float32, 2^16', sample(1 << 16, () => 0.02 * rng.normal()), normal.cdf],
    ['normal(0, 0.02), float32, 1M', sample(1_000_000, () => 0.02 * rng.normal()), normal.cdf],
    ['normal(0, 0.02), float64, 300k', sample(300_000, () => 0.02 * rng.normal(), true), normal.cdf],
    // A sample from another distribution than the theory: D is large and found in a few buckets.
    ['normal(0, 0.03) against normal(0, 0.02)', sample(200_000, () => 0.03 * rng.normal()), normal.cdf],
    ['uniform(−0.1, 0.1)', sample(500_000, () => rng.uniformRange(-0.1, 0.1)), uniformDistribution(-0.1, 0.1).cdf],
    ['trunc_normal(0, 1, −2, 2)', sample(200_000, () => { let z: number; do z = rng.normal(); while (Math.abs(z) > 2); return z; }), truncatedNormalDistribution(0, 1, -2, 2).cdf],
    // Ties: values on a grid of 1/64, many equal values in a bucket.
    ['ties (a grid of 1/64)', sample(300_000, () => Math.round(64 * rng.normal()) / 64), normalDistribution(0, 1).cdf],
    // float64 values far from 0 on a narrow range: the buckets' edges are found by stepping past rounding.
    ['float64 offset: 1000 + normal(0, 1e-9)', sample(100_000, () => 1000 + 1e-9 * rng.normal(), true), normalDistribution(1000, 1e-9).cdf],
    // The largest distance in a tail (a heavier tail than the theory's).
    ['a heavy right tail against normal(0, 1)', sample(200_000, () => { const z = rng.normal(); return z > 1.5 ? 1.5 + 2 * (z - 1.5) : z; }), normalDistribution(0, 1).cdf],
    ['±0 and a few distinct values', sample(100_000, () => [0, -0, 1, -1, 0.5][rng.int(5)]!), normalDistribution(0, 1).cdf],
  ];
  for (const [name, values, cdf] of cases) {
    it(name, () => {
      const bucketed = ksStatisticBucketed(values, cdf);
      expect(bucketed).toBe(ksStatisticSorted(values, cdf));
      expect(ksStatistic(values, cdf)).toBe(bucketed);
      // With the extent a summary pass found, the same D without the statistic's own pass.
      const stats = summarize(values);
      expect(ksStatistic(values, cdf, { n: stats.count, min: stats.min, max: stats.max })).toBe(bucketed);
    });
  }

  it('ignores NaN as sorting does, and is NaN for no values', () => {
    const values = sample(100_000, () => (rng.uniform() < 0.01 ? NaN : rng.normal()));
    const cdf = normalDistribution(0, 1).cdf;
    expect(ksStatisticBucketed(values, cdf)).toBe(ksStatisticSorted(values, cdf));
    expect(ksStatisticBucketed(new Float32Array(70_000).fill(NaN), cdf)).toBeNaN();
  });

  it('every bucket\'s bounds hold its terms, and the bucket of the largest lower bound is gathered', () => {
    // Many buckets, few values: most buckets hold one value, so the bounds decide which are gathered.
    const values = sample(1 << 16, () => 0.02 * rng.normal());
    const cdf = normalDistribution(0, 0.02).cdf;
    const stats = summarize(values);
    const layout = bucketLayout(cdf, stats.min, stats.max, stats.count);
    const counts = new Int32Array(layout.total);
    countBuckets(values, layout, counts);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(values.length);
    for (const x of values) expect(counts[bucketOf(layout, x)]).toBeGreaterThan(0);
    expect(ksFromBuckets(values, cdf, layout, counts, stats.count)).toBe(ksStatisticSorted(values, cdf));
  });

  it('one distinct value', () => {
    const cdf = normalDistribution(0, 1).cdf;
    const values = new Float32Array(70_000).fill(0.25);
    expect(ksStatisticBucketed(values, cdf)).toBe(ksStatisticSorted(values, cdf));
  });

  it('leaves infinite values to sorting', () => {
    const cdf = normalDistribution(0, 1).cdf;
    const values = sample(70_000, () => rng.normal());
    values[5] = Infinity;
    expect(ksStatisticBucketed(values, cdf)).toBeUndefined();
    expect(ksStatistic(values, cdf)).toBe(ksStatisticSorted(values, cdf));
  });
});
