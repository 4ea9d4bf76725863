import { describe, expect, it } from 'vitest';
import { normalDistribution, uniformDistribution } from '../../../engine/stats/distribution';
import { binsAndBuckets } from '../../../engine/stats/binsAndBuckets';
import { histogram, histogramEdges, histogramRange } from '../../../engine/stats/histogram';
import { ksStatisticSorted } from '../../../engine/stats/ks';
import { bucketLayout, countBuckets, ksFromBuckets } from '../../../engine/stats/ksBucketed';
import { summarize } from '../../../engine/stats/summary';
import { TorchGenerator } from '../../../engine/random';

describe('binsAndBuckets: the histogram and the KS buckets in one pass', () => {
  const rng = new TorchGenerator(11);
  const cases: [string, Float32Array | Float64Array, (x: number) => number, readonly [number, number] | undefined][] = [
    ['normal(0, 0.02) on its own [min, max]', Float32Array.from({ length: 300_000 }, () => 0.02 * rng.normal()), normalDistribution(0, 0.02).cdf, undefined],
    ['uniform(−0.1, 0.1) on its support', Float32Array.from({ length: 200_000 }, () => rng.uniformRange(-0.1, 0.1)), uniformDistribution(-0.1, 0.1).cdf, [-0.1, 0.1]],
    // A range narrower than the values: those outside are not counted, as torch.histc drops them.
    ['float64 values beyond the bins', Float64Array.from({ length: 100_000 }, () => rng.normal()), normalDistribution(0, 1).cdf, [-1, 1.5]],
  ];
  for (const [name, values, cdf, range] of cases) {
    it(`${name}: the counts of histogram and countBuckets, and the KS distance of sorting`, () => {
      const stats = summarize(values);
      const [lo, hi] = range ? histogramRange(range[0], range[1]) : histogramRange(stats.min, stats.max);
      const bins = 37;
      const edges = histogramEdges(lo, hi, bins);
      const counts = new Float64Array(bins);
      const layout = bucketLayout(cdf, stats.min, stats.max, stats.count);
      const bucketCounts = new Int32Array(layout.total);
      const counted = binsAndBuckets(values, { lo, hi, edges, counts }, layout, bucketCounts);

      expect(Array.from(counts)).toEqual(Array.from(histogram(values, bins, lo, hi)));
      expect(counted).toBe(counts.reduce((a, b) => a + b, 0));
      if (range) expect(counted).toBeLessThanOrEqual(values.length);
      else expect(counted).toBe(values.length);
      const separate = new Int32Array(layout.total);
      countBuckets(values, layout, separate);
      expect(bucketCounts).toEqual(separate);
      expect(ksFromBuckets(values, cdf, layout, bucketCounts, stats.count)).toBe(ksStatisticSorted(values, cdf));
    });
  }
});
