import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { dropout } from '../../../engine/tensor/dropout';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectGradientsCorrect, randn } from './helpers';

describe('dropout', () => {
  it('is the identity (the same tensor) in evaluation mode and for p = 0', () => {
    const x = Tensor.ones([10]);
    expect(dropout(x, 0.5, false, new TorchGenerator(1))).toBe(x);
    expect(dropout(x, 0, true, new TorchGenerator(1))).toBe(x);
  });

  it('zeroes everything for p = 1', () => {
    expect(dropout(Tensor.ones([5]), 1, true, new TorchGenerator(1)).toArray()).toEqual([0, 0, 0, 0, 0]);
  });

  it('keeps each element with probability 1 − p and scales survivors by 1/(1 − p)', () => {
    const n = 20000;
    const p = 0.3;
    const y = dropout(Tensor.ones([n], { dtype: 'float64' }), p, true, new TorchGenerator(2));
    let kept = 0;
    for (const v of y.data) {
      if (v !== 0) {
        kept++;
        expect(v).toBe(1 / 0.7);
      }
    }
    // Binomial(n, 0.7): standard deviation √(n·0.21) ≈ 65; allow 5σ.
    expect(Math.abs(kept - 0.7 * n)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
  });

  it('uses torch\'s float32 scale fround(1 / fround(1 − p))', () => {
    const y = dropout(Tensor.full([200], 3), 0.1, true, new TorchGenerator(3));
    const scale = Math.fround(1 / Math.fround(0.9));
    const survivors = y.toArray().filter((v) => v !== 0);
    expect(survivors.length).toBeGreaterThan(0);
    for (const v of survivors) expect(v).toBe(Math.fround(3 * scale));
  });

  it('is reproducible for a given seed and varies between calls', () => {
    const x = Tensor.ones([64]);
    const a = dropout(x, 0.5, true, new TorchGenerator(4)).toArray();
    const b = dropout(x, 0.5, true, new TorchGenerator(4)).toArray();
    expect(a).toEqual(b);
    const rng = new TorchGenerator(4);
    expect(dropout(x, 0.5, true, rng).toArray()).not.toEqual(dropout(x, 0.5, true, rng).toArray());
  });

  it('rejects p outside [0, 1]', () => {
    expect(() => dropout(Tensor.ones([1]), 1.5, true, new TorchGenerator(0))).toThrow(RangeError);
    expect(() => dropout(Tensor.ones([1]), -0.1, false, new TorchGenerator(0))).toThrow(RangeError);
  });

  it('routes the gradient through the same mask and scale', () => {
    const x = Tensor.ones([50], { dtype: 'float64', requiresGrad: true });
    const y = dropout(x, 0.4, true, new TorchGenerator(5));
    y.backward(new Float64Array(50).fill(1));
    expect(Array.from(x.grad!)).toEqual(Array.from(y.data));
    expectGradientsCorrect((t) => dropout(t, 0.4, true, new TorchGenerator(6)), [randn(new TorchGenerator(7), [4, 5], { requiresGrad: true })]);
  });
});
