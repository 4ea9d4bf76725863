import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summarize } from '../../../engine/stats/summary';
import { TorchGenerator } from '../../../engine/random';

/** Naive two-pass float64 reference over the finite values. */
function reference(values: ArrayLike<number>, unbiased = true) {
  const finite = Array.from(values).filter(Number.isFinite);
  const n = finite.length;
  const mean = finite.reduce((s, x) => s + x, 0) / n;
  const ss = finite.reduce((s, x) => s + (x - mean) ** 2, 0);
  return {
    count: n,
    mean,
    std: Math.sqrt(ss / (unbiased ? n - 1 : n)),
    min: Math.min(...finite),
    max: Math.max(...finite),
    l2: Math.sqrt(finite.reduce((s, x) => s + x * x, 0)),
  };
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe('summarize: moments, extremes, norm', () => {
  it('matches a two-pass float64 reference on float32 and float64 data', () => {
    const rng = new TorchGenerator(1);
    for (const make of [(n: number) => new Float32Array(n), (n: number) => new Float64Array(n)]) {
      const data = make(10007);
      for (let i = 0; i < data.length; i++) data[i] = 3 + 0.25 * rng.normal();
      const s = summarize(data);
      const r = reference(data);
      expect(s.count).toBe(10007);
      expect(relErr(s.mean, r.mean)).toBeLessThan(1e-13);
      expect(relErr(s.std, r.std)).toBeLessThan(1e-11);
      expect(s.min).toBe(r.min);
      expect(s.max).toBe(r.max);
      expect(relErr(s.l2Norm, r.l2)).toBeLessThan(1e-13);
    }
  });

  it('unbiased (n − 1) by default, like torch.std(); population std on request', () => {
    const data = Float64Array.of(1, 2, 3, 4);
    expect(summarize(data).std).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect(summarize(data, { unbiased: false }).std).toBeCloseTo(Math.sqrt(5 / 4), 15);
    expect(summarize(data).variance).toBeCloseTo(5 / 3, 15);
  });

  it('is numerically sound with a large offset (where Σx² − (Σx)²/n fails)', () => {
    const data = new Float64Array(1000);
    for (let i = 0; i < data.length; i++) data[i] = 1e9 + (i % 2 === 0 ? 1 : -1);
    // The exact std is √(n/(n−1)).
    expect(summarize(data).std).toBeCloseTo(Math.sqrt(1000 / 999), 9);
  });

  it('counts NaN and ±Infinity and skips them everywhere', () => {
    const data = Float64Array.of(1, NaN, 2, Infinity, 3, -Infinity, NaN);
    const s = summarize(data, { histogram: { bins: 2 }, percentiles: [50] });
    expect(s).toMatchObject({ count: 3, nonFinite: 4, nan: 2, posInf: 1, negInf: 1, mean: 2, min: 1, max: 3 });
    expect(s.std).toBeCloseTo(1, 15);
    expect(s.l2Norm).toBeCloseTo(Math.sqrt(14), 15);
    expect(Array.from(s.histogram!.counts)).toEqual([1, 2]);
    expect(s.percentiles!.values).toEqual([2]);
  });

  it('empty and single-value inputs', () => {
    const empty = summarize(new Float32Array(0));
    expect(empty.count).toBe(0);
    expect(empty.mean).toBeNaN();
    expect(empty.min).toBeNaN();
    expect(empty.std).toBeNaN();
    expect(empty.l2Norm).toBe(0);
    const one = summarize(Float32Array.of(-2));
    expect(one).toMatchObject({ count: 1, mean: -2, min: -2, max: -2, l2Norm: 2 });
    expect(one.std).toBeNaN(); // n − 1 = 0, as torch.std of one element
    expect(summarize(Float32Array.of(-2), { unbiased: false }).std).toBe(0);
  });

  it('the L2 norm neither overflows nor underflows', () => {
    expect(summarize(Float64Array.of(3e200, 4e200)).l2Norm).toBeCloseTo(5e200, -186);
    expect(relErr(summarize(Float64Array.of(3e-200, 4e-200)).l2Norm, 5e-200)).toBeLessThan(1e-15);
  });
});

describe('summarize: histogram (torch.histc rules)', () => {
  it('default range [min, max]: the maximum goes into the last bin', () => {
    const s = summarize(Float64Array.of(0, 1, 2, 3, 4), { histogram: { bins: 4 } });
    expect(Array.from(s.histogram!.edges)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(s.histogram!.counts)).toEqual([1, 1, 1, 2]);
    expect(s.histogram!.outOfRange).toBe(0);
  });

  it('a given range: values outside are dropped and counted, edges are inclusive at both ends', () => {
    const s = summarize(Float64Array.of(-1, 0, 0.5, 0.999, 1, 1.5, 2, 3), { histogram: { bins: 2, range: [0, 2] } });
    expect(Array.from(s.histogram!.counts)).toEqual([3, 3]); // [0,1): 0, 0.5, 0.999; [1,2]: 1, 1.5, 2
    expect(s.histogram!.outOfRange).toBe(2);
  });

  it('one-pass (given range) and two-pass (default range) agree on the same range', () => {
    const rng = new TorchGenerator(3);
    const data = new Float32Array(5000);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    const twoPass = summarize(data, { histogram: { bins: 37 } });
    const onePass = summarize(data, { histogram: { bins: 37, range: [twoPass.min, twoPass.max] } });
    expect(Array.from(onePass.histogram!.counts)).toEqual(Array.from(twoPass.histogram!.counts));
    expect(twoPass.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it('every value lands in the bin whose edges contain it', () => {
    const rng = new TorchGenerator(4);
    const data = new Float64Array(2000);
    for (let i = 0; i < data.length; i++) data[i] = rng.uniformRange(-0.3, 0.7);
    const h = summarize(data, { histogram: { bins: 13, range: [-0.3, 0.7] } }).histogram!;
    const naive = new Array(13).fill(0);
    for (const x of data) {
      let bin = 12;
      for (let b = 0; b < 13; b++) if (x >= h.edges[b]! && x < h.edges[b + 1]!) bin = b;
      naive[bin]++;
    }
    expect(Array.from(h.counts)).toEqual(naive);
  });

  it('all values equal: the range widens to [v − 1, v + 1] as torch.histc does', () => {
    const h = summarize(Float64Array.of(5, 5, 5), { histogram: { bins: 4 } }).histogram!;
    expect(Array.from(h.edges)).toEqual([4, 4.5, 5, 5.5, 6]);
    expect(Array.from(h.counts)).toEqual([0, 0, 3, 0]);
  });

  it('rejects bad options', () => {
    expect(() => summarize(Float64Array.of(1), { histogram: { bins: 0 } })).toThrow('positive integer');
    expect(() => summarize(Float64Array.of(1), { histogram: { bins: 3, range: [2, 1] } })).toThrow('must not exceed');
    expect(() => summarize(Float64Array.of(1), { percentiles: [101] })).toThrow('[0, 100]');
  });
});

describe('summarize: percentiles (exact, torch.quantile linear interpolation)', () => {
  it('interpolates between order statistics', () => {
    const s = summarize(Float64Array.of(4, 1, 3, 2), { percentiles: [0, 25, 50, 100, 10] });
    // pos = q·(n − 1): 0 → 1, 0.75 → 1.75, 1.5 → 2.5, 3 → 4, 0.3 → 1.3
    expect(s.percentiles!.values).toEqual([1, 1.75, 2.5, 4, 1.3]);
    expect(s.percentiles!.p).toEqual([0, 25, 50, 100, 10]);
  });

  it('matches sorting a copy, and reuses a caller scratch buffer', () => {
    const rng = new TorchGenerator(6);
    const scratch = new Float64Array(1000);
    for (let trial = 0; trial < 3; trial++) {
      const data = new Float32Array(999);
      for (let i = 0; i < data.length; i++) data[i] = rng.normal();
      const sorted = Array.from(data).sort((a, b) => a - b);
      const s = summarize(data, { percentiles: [1, 50, 99], scratch });
      expect(s.percentiles!.values[1]).toBe(sorted[499]);
      expect(s.percentiles!.values[0]).toBeCloseTo(sorted[9]! + 0.98 * (sorted[10]! - sorted[9]!), 12);
    }
    expect(() => summarize(new Float64Array(2000), { percentiles: [50], scratch })).toThrow('scratch buffer');
  });
});

describe('summarize: properties', () => {
  const values = fc.array(
    fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE)),
    { maxLength: 200 },
  );

  it('never throws, counts add up, and the mean lies in [min, max]', () => {
    fc.assert(
      fc.property(values, fc.boolean(), (xs, unbiased) => {
        const data = Float64Array.from(xs);
        const s = summarize(data, { unbiased, histogram: { bins: 7 }, percentiles: [0, 50, 100] });
        expect(s.count + s.nonFinite).toBe(data.length);
        if (s.count > 0) {
          expect(s.mean).toBeGreaterThanOrEqual(s.min);
          expect(s.mean).toBeLessThanOrEqual(s.max);
          expect(s.std >= 0 || Number.isNaN(s.std)).toBe(true);
          expect(s.percentiles!.values[0] === s.min).toBe(true); // === : −0 and 0 are both the minimum
          expect(s.percentiles!.values[2] === s.max).toBe(true);
          expect(s.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(s.count);
        }
        expect(Number.isNaN(s.l2Norm)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('float32 data: agrees with the two-pass reference', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: 2, maxLength: 100 }), (xs) => {
        const data = Float32Array.from(xs);
        const s = summarize(data);
        const r = reference(data);
        const scale = Math.max(Math.abs(r.min), Math.abs(r.max), 1e-30);
        expect(Math.abs(s.mean - r.mean)).toBeLessThanOrEqual(1e-12 * scale);
        expect(Math.abs(s.std - r.std)).toBeLessThanOrEqual(1e-9 * scale);
      }),
      { numRuns: 300 },
    );
  });
});
