import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { logSoftmax, softmax } from '../../../engine/tensor/softmax';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;

describe('softmax / logSoftmax', () => {
  it('softmax([0, ln 2, ln 3]) = [1/6, 2/6, 3/6] on each row', () => {
    const x = Tensor.from([0, Math.LN2, Math.log(3), 5, 5 + Math.LN2, 5 + Math.log(3)], [2, 3], f64);
    expectClose(softmax(x).data, [1 / 6, 2 / 6, 3 / 6, 1 / 6, 2 / 6, 3 / 6], 1e-15);
    expectClose(logSoftmax(x).data, [1, 2, 3, 1, 2, 3].map((k) => Math.log(k / 6)), 1e-15);
  });

  it('is stable for large logits (no overflow to NaN)', () => {
    // Shifting by 1000 changes nothing: softmax([0, 1, −2000]) = [1, e, 0]/(1 + e).
    const x = Tensor.from([1000, 1001, -1000], [3], f64);
    expectClose(softmax(x).data, [1 / (1 + Math.E), Math.E / (1 + Math.E), 0], 1e-15);
    const logNormalizer = Math.log(1 + Math.E);
    expectClose(logSoftmax(x).data, [-logNormalizer, 1 - logNormalizer, -2000 - logNormalizer], 1e-15);
  });

  it('rows sum to 1 and log-softmax is the log of softmax', () => {
    const x = randn(new TorchGenerator(1), [4, 7], { scale: 3 });
    const p = softmax(x).data;
    const lp = logSoftmax(x).data;
    for (let r = 0; r < 4; r++) {
      let s = 0;
      for (let j = 0; j < 7; j++) {
        s += p[r * 7 + j]!;
        expect(Math.abs(Math.log(p[r * 7 + j]!) - lp[r * 7 + j]!)).toBeLessThan(1e-14);
      }
      expect(Math.abs(s - 1)).toBeLessThan(1e-15);
    }
  });

  it('has correct gradients', () => {
    const rng = new TorchGenerator(2);
    expectGradientsCorrect((x) => softmax(x), [randn(rng, [3, 5], { requiresGrad: true })]);
    expectGradientsCorrect((x) => logSoftmax(x), [randn(rng, [3, 5], { requiresGrad: true })]);
    expectGradientsCorrect((x) => softmax(x), [randn(rng, [4], { requiresGrad: true })]);
  });
});
