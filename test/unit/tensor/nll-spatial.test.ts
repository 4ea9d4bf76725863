import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { crossEntropyLoss } from '../../../engine/tensor/loss/crossEntropy';
import { nllLoss } from '../../../engine/tensor/loss/nll';
import { logSoftmax } from '../../../engine/tensor/softmax';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

describe('cross_entropy on [N, C, d…] and nll_loss', () => {
  const rng = new TorchGenerator(5);
  const targets = [0, 2, 1, -100, 2, 2, 0, 1, 1, 0, -100, 2];

  it('a spatial input is the flattened [N·d, C] one with the classes moved last', () => {
    const x = randn(rng, [2, 3, 2, 3]); // N=2, C=3, d=(2, 3)
    const flat: number[] = [];
    for (let n = 0; n < 2; n++) for (let s = 0; s < 6; s++) for (let c = 0; c < 3; c++) flat.push(x.data[(n * 3 + c) * 6 + s]!);
    const options = { labelSmoothing: 0.1, reduction: 'none' as const };
    const spatial = crossEntropyLoss(x, targets, options);
    expect(spatial.shape).toEqual([2, 2, 3]);
    expectClose(spatial.data, crossEntropyLoss(Tensor.from(flat, [12, 3], { dtype: 'float64' }), targets, options).data, 1e-15);
  });

  it('nll_loss of log_softmax is cross_entropy', () => {
    const x = randn(rng, [6, 4]);
    const t = [3, 0, 1, 2, 2, 1];
    expectClose(nllLoss(logSoftmax(x), t).data, crossEntropyLoss(x, t).data, 1e-15);
  });

  it('rejects targets of the wrong count or out of range', () => {
    expect(() => nllLoss(randn(rng, [2, 3, 4]), [0, 1])).toThrow(/expected 8 targets/);
    expect(() => nllLoss(randn(rng, [2, 3]), [0, 3])).toThrow(/out of bounds/);
  });

  it('have correct gradients', () => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      expectGradientsCorrect((x) => crossEntropyLoss(x, targets, { reduction, labelSmoothing: 0.2 }), [randn(rng, [2, 3, 2, 3], { requiresGrad: true })]);
      expectGradientsCorrect((x) => nllLoss(x, targets, { reduction }), [randn(rng, [2, 3, 6], { requiresGrad: true })]);
    }
  });
});
