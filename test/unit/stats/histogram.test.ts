import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binIndex, histogram, histogramEdges } from '../../../engine/stats/histogram';
import { summarize } from '../../../engine/stats/summary';
import { sortedWithoutNaN } from '../../../engine/stats/radixSort';

/** Counts by binIndex, one value at a time: the definition the fast kernel must match. */
function reference(data: ArrayLike<number>, bins: number, lo: number, hi: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < data.length; i++) {
    const b = binIndex(data[i]!, lo, hi, bins);
    if (b >= 0) counts[b]!++;
  }
  return counts;
}

describe('histogram (counts only, one pass)', () => {
  it('puts each value in the bin binIndex gives, for random data, ranges and bin counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 300 }),
        fc.double({ min: -5, max: 0, noNaN: true }),
        fc.double({ min: 1e-6, max: 8, noNaN: true }),
        (values, bins, lo, width) => {
          const hi = lo + width;
          expect(Array.from(histogram(Float64Array.from(values), bins, lo, hi))).toEqual(reference(values, bins, lo, hi));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts values exactly on every edge where histogramEdges puts them (the maximum in the last bin)', () => {
    const bins = 7;
    const edges = histogramEdges(-1.3, 2.9, bins);
    const counts = histogram(Float64Array.from(edges), bins, -1.3, 2.9);
    expect(Array.from(counts)).toEqual([1, 1, 1, 1, 1, 1, 2]);
  });

  it('skips NaN and values outside the range, and agrees with summarize on float32 data', () => {
    const data = Float32Array.from([NaN, -5, 0.25, 0.5, 0.75, 1, 5, Infinity, -Infinity]);
    expect(Array.from(histogram(data, 4, 0, 1))).toEqual([0, 1, 1, 2]);
    const summary = summarize(data, { histogram: { bins: 4, range: [0, 1] } });
    expect(Array.from(histogram(data, 4, 0, 1))).toEqual(Array.from(summary.histogram!.counts));
  });

  it('widens an empty range as torch.histc, handles ranges whose width overflows, adds into given counts', () => {
    expect(Array.from(histogram([3, 3], 2, 3, 3))).toEqual([0, 2]);
    const huge = [-1e308, 0, 1e308];
    expect(Array.from(histogram(huge, 2, -1.5e308, 1.5e308))).toEqual(reference(huge, 2, -1.5e308, 1.5e308));
    const counts = new Float64Array(2);
    histogram([0.1], 2, 0, 1, counts);
    histogram([0.9], 2, 0, 1, counts);
    expect(Array.from(counts)).toEqual([1, 1]);
    expect(() => histogram([1], 2, 0, 1, new Float64Array(3))).toThrow(/3 entries for 2 bins/);
    expect(() => histogram([1], 0, 0, 1)).toThrow(RangeError);
  });
});

describe('sortedWithoutNaN (radix sort of float32 samples)', () => {
  it('orders like TypedArray sort, with NaN dropped, −0 before +0, infinities and subnormals in place', () => {
    fc.assert(
      fc.property(fc.array(fc.float(), { maxLength: 300 }), (xs) => {
        const data = Float32Array.from(xs);
        const expected = Float32Array.from(xs.filter((x) => !Number.isNaN(x))).sort();
        const sorted = sortedWithoutNaN(data);
        expect(sorted.length).toBe(expected.length);
        for (let i = 0; i < sorted.length; i++) expect(Object.is(sorted[i], expected[i]), `index ${i}`).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(Array.from(sortedWithoutNaN(Float32Array.of(0, -0, NaN, -Infinity, 1.5e-45, -1.5e-45, Infinity)))).toEqual([-Infinity, -1.401298464324817e-45, -0, 0, 1.401298464324817e-45, Infinity]);
  });

  it('sorts a view into a larger buffer without reading outside it', () => {
    const buffer = Float32Array.of(9, 3, 1, 2, -9);
    expect(Array.from(sortedWithoutNaN(buffer.subarray(1, 4)))).toEqual([1, 2, 3]);
  });
});
