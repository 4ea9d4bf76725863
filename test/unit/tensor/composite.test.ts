/** Gradients through whole networks built from the functional ops (chain rule across ops). */
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { gelu, silu, tanh } from '../../../engine/tensor/activation';
import { add, mul } from '../../../engine/tensor/binary';
import { dropout } from '../../../engine/tensor/dropout';
import { layerNorm } from '../../../engine/tensor/layerNorm';
import { bceWithLogitsLoss } from '../../../engine/tensor/loss/binary';
import { crossEntropyLoss } from '../../../engine/tensor/loss/crossEntropy';
import { mseLoss } from '../../../engine/tensor/loss/regression';
import { linear } from '../../../engine/tensor/matmul';
import { mean } from '../../../engine/tensor/reduce';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectGradientsCorrect, rand, randn } from './helpers';

describe('composite gradients', () => {
  const rng = new TorchGenerator(100);
  const x = randn(rng, [5, 4]);
  const w1 = randn(rng, [6, 4], { requiresGrad: true, scale: 0.5 });
  const b1 = randn(rng, [6], { requiresGrad: true, scale: 0.1 });
  const gamma = randn(rng, [6], { requiresGrad: true, offset: 1, scale: 0.1 });
  const beta = randn(rng, [6], { requiresGrad: true, scale: 0.1 });
  const w2 = randn(rng, [3, 6], { requiresGrad: true, scale: 0.5 });
  const b2 = randn(rng, [3], { requiresGrad: true, scale: 0.1 });

  it('Linear → LayerNorm → GELU → Dropout → Linear → CrossEntropy(label smoothing)', () => {
    const net = (W1: Tensor, B1: Tensor, G: Tensor, B: Tensor, W2: Tensor, B2: Tensor): Tensor => {
      const h = dropout(gelu(layerNorm(linear(x, W1, B1), 6, G, B)), 0.2, true, new TorchGenerator(5));
      return crossEntropyLoss(linear(h, W2, B2), [0, 2, 1, 1, 0], { labelSmoothing: 0.1 });
    };
    expectGradientsCorrect(net, [w1, b1, gamma, beta, w2, b2]);
  });

  it('Linear → SiLU → Linear → BCEWithLogits and Linear → Tanh → MSE with shared weights', () => {
    const y = rand(rng, [5, 3], 0, 1);
    const viaBce = (W1: Tensor, B1: Tensor, W2: Tensor): Tensor => bceWithLogitsLoss(linear(silu(linear(x, W1, B1)), W2), y);
    expectGradientsCorrect(viaBce, [w1, b1, w2]);
    // w1 used twice: gradients from both uses must add up.
    const shared = (W1: Tensor): Tensor => {
      const h = tanh(linear(x, W1));
      return mseLoss(add(mul(h, 0.5), mean(h)), Tensor.zeros([5, 6], { dtype: 'float64' }));
    };
    expectGradientsCorrect(shared, [w1]);
  });

  it('float32 networks produce float32 gradients', () => {
    const r = new TorchGenerator(7);
    const w = randn(r, [2, 3], { dtype: 'float32', requiresGrad: true });
    const b = randn(r, [2], { dtype: 'float32', requiresGrad: true });
    const input = randn(r, [4, 3], { dtype: 'float32' });
    const loss = mseLoss(gelu(linear(input, w, b)), Tensor.zeros([4, 2]));
    expect(loss.dtype).toBe('float32');
    loss.backward();
    expect(w.grad).toBeInstanceOf(Float32Array);
    expect(b.grad).toBeInstanceOf(Float32Array);
  });
});
