import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { dropout1d, dropout2d } from '../../../engine/tensor/featureDropout';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectGradientsCorrect, randn } from './helpers';

describe('dropout1d / dropout2d', () => {
  const rng = new TorchGenerator(2);

  it('zeroes whole channels and scales the others by 1/(1 − p)', () => {
    const x = Tensor.ones([8, 16, 3, 3], { dtype: 'float64' });
    const y = dropout2d(x, 0.25, true, new TorchGenerator(1));
    let dropped = 0;
    for (let m = 0; m < 8 * 16; m++) {
      const values = new Set(Array.from(y.data.subarray(m * 9, (m + 1) * 9)));
      expect(values.size).toBe(1);
      const v = [...values][0]!;
      expect([0, 1 / 0.75]).toContain(v);
      if (v === 0) dropped++;
    }
    // 128 channels, p = 0.25: 32 ± 4.9 expected; a 5σ band.
    expect(dropped).toBeGreaterThan(32 - 25);
    expect(dropped).toBeLessThan(32 + 25);
  });

  it('is the identity in evaluation and with p = 0; p = 1 zeroes everything', () => {
    const x = randn(rng, [2, 3, 4]);
    expect(dropout1d(x, 0.5, false, rng)).toBe(x);
    expect(dropout2d(randn(rng, [1, 2, 2, 2]), 1, true, rng).toArray().every((v) => v === 0)).toBe(true);
    expect(() => dropout2d(randn(rng, [2, 3]), 0.5, true, rng)).toThrow(/3-D or 4-D/);
  });

  it('has correct gradients (the same mask on every call)', () => {
    expectGradientsCorrect((x) => dropout2d(x, 0.5, true, new TorchGenerator(3)), [randn(rng, [2, 3, 2, 2], { requiresGrad: true })]);
    expectGradientsCorrect((x) => dropout1d(x, 0.3, true, new TorchGenerator(4)), [randn(rng, [3, 5], { requiresGrad: true })]);
  });
});
