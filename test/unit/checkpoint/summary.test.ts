import { describe, expect, it } from 'vitest';
import { summarizeTensor, type CheckpointTensor } from '../../../engine/checkpoint';
import { ChunkedMoments } from '../../../engine/stats';
import { EXPECTED, num, openFixture } from './fixtures';

const close = (a: number | null, b: number | null, rel = 1e-12): void => {
  if (a === null || b === null) {
    expect(a).toBe(b);
    return;
  }
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
};

/** A tensor whose elements are given, streamed in chunks. */
function memoryTensor(values: number[]): CheckpointTensor {
  return {
    name: 'x', dtype: 'float64', shape: [values.length], numel: values.length, file: 'memory',
    async *chunks(max = 1 << 20) {
      for (let i = 0; i < values.length; i += max) yield Float64Array.from(values.slice(i, i + max));
    },
  };
}

describe('per-tensor summaries', () => {
  for (const [file, expected] of Object.entries(EXPECTED.files)) {
    it(`${file}: mean and std as torch computes them in float64, exact min, max, zeros`, async () => {
      const checkpoint = await openFixture(file);
      for (const e of expected.tensors) {
        const t = checkpoint.tensors.find((x) => x.name === e.name)!;
        for (const chunkElements of [undefined, 3]) {
          const s = await summarizeTensor(t, { bins: 8, ...(chunkElements ? { chunkElements } : {}) });
          const values = e.values.map(num);
          const finite = values.filter(Number.isFinite);
          expect(s.numel).toBe(values.length);
          close(s.mean, e.mean === null ? null : num(e.mean));
          close(s.std, e.std === null ? null : num(e.std));
          expect(s.min).toBe(finite.length ? Math.min(...finite) : null);
          expect(s.max).toBe(finite.length ? Math.max(...finite) : null);
          expect(s.zeroFraction).toBe(values.length ? values.filter((v) => v === 0).length / values.length : 0);
          expect(s.nonFinite).toBe(values.length - finite.length);
          close(s.l2Norm, Math.sqrt(finite.reduce((a, v) => a + v * v, 0)), 1e-12);
          if (finite.length) expect(s.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(finite.length);
          else expect(s.histogram).toBeUndefined();
        }
      }
    });
  }

  it('reports std as null, not NaN, for one element, and everything null for none', async () => {
    const one = await summarizeTensor(memoryTensor([2.5]));
    expect(one).toMatchObject({ mean: 2.5, std: null, min: 2.5, max: 2.5, l2Norm: 2.5, zeroFraction: 0 });
    const none = await summarizeTensor(memoryTensor([]));
    expect(none).toMatchObject({ mean: null, std: null, min: null, max: null, l2Norm: 0, zeroFraction: 0, numel: 0 });
    expect(none.histogram).toBeUndefined();
  });

  it('histogram: bins on [min, max], the maximum in the last bin (torch.histc)', async () => {
    const s = await summarizeTensor(memoryTensor([0, 1, 2, 3, 4]), { bins: 4, chunkElements: 2 });
    expect(s.histogram).toEqual({ edges: [0, 1, 2, 3, 4], counts: [1, 1, 1, 2] });
    expect(s.zeroFraction).toBe(0.2);
  });

  it('merging chunks matches one pass, with no cancellation on a large offset', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1e9 + ((i * 7919) % 1000) / 1000);
    const whole = new ChunkedMoments();
    whole.add(Float64Array.from(values));
    const parts = new ChunkedMoments();
    for (let i = 0; i < values.length; i += 37) parts.add(Float64Array.from(values.slice(i, i + 37)));
    expect(Math.abs(parts.unbiasedStd()! - whole.unbiasedStd()!)).toBeLessThan(1e-9);
    expect(Math.abs(parts.unbiasedStd()! - 0.28881943)).toBeLessThan(1e-6);
  });

  it('refuses a histogram of no bins', async () => {
    await expect(summarizeTensor(memoryTensor([1]), { bins: 0 })).rejects.toThrow(/positive integer/);
  });
});

describe('the one-loop chunk pass', () => {
  const reference = (values: number[]) => {
    const finite = values.filter(Number.isFinite);
    const mean = finite.reduce((a, v) => a + v, 0) / finite.length;
    const m2 = finite.reduce((a, v) => a + (v - mean) ** 2, 0);
    return { mean, std: Math.sqrt(m2 / (finite.length - 1)), l2: Math.sqrt(finite.reduce((a, v) => a + v * v, 0)) };
  };

  it('agrees with a two-pass reference on float32 chunks with a large offset', () => {
    const values = Array.from({ length: 5000 }, (_, i) => Math.fround(1000 + Math.sin(i) * 0.01));
    const m = new ChunkedMoments();
    for (let i = 0; i < values.length; i += 1024) m.add(Float32Array.from(values.slice(i, i + 1024)));
    const r = reference(values);
    expect(Math.abs(m.meanOrNull()! - r.mean)).toBeLessThan(1e-12 * r.mean);
    expect(Math.abs(m.unbiasedStd()! - r.std) / r.std).toBeLessThan(1e-6);
    expect(Math.abs(m.l2Norm - r.l2) / r.l2).toBeLessThan(1e-12);
    expect(m.zeros).toBe(0);
  });

  it('counts non-finite values and zeros in a chunk that needs the careful pass, and keeps going fast after it', () => {
    const m = new ChunkedMoments();
    m.add(Float64Array.from([0, 1, NaN, 2, Infinity, -0]));
    m.add(Float64Array.from([3, 0, 4]));
    expect(m.nonFinite).toBe(2);
    expect(m.zeros).toBe(3);
    expect(m.count).toBe(7);
    const r = reference([0, 1, 2, 0, 3, 0, 4]);
    expect(Math.abs(m.meanOrNull()! - r.mean)).toBeLessThan(1e-15);
    expect(Math.abs(m.unbiasedStd()! - r.std)).toBeLessThan(1e-14);
    expect(m.min).toBe(0);
    expect(m.max).toBe(4);
  });

  it('keeps the L2 norm of float64 values whose squares overflow or underflow', () => {
    const big = new ChunkedMoments();
    big.add(Float64Array.from([3e200, 4e200]));
    expect(big.l2Norm / 5e200).toBeCloseTo(1, 12);
    const tiny = new ChunkedMoments();
    tiny.add(Float64Array.from([3e-200, 4e-200]));
    expect(tiny.l2Norm / 5e-200).toBeCloseTo(1, 12);
  });
});
