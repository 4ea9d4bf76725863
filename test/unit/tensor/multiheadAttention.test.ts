/** multiHeadAttentionForward: float64 gradients of every operand against central differences, with masks, and its errors. */
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { Tensor } from '../../../engine/tensor/tensor';
import { multiHeadAttentionForward } from '../../../engine/tensor/multiheadAttention';
import { add, sum } from '../../../engine/tensor';
import { expectGradientsCorrect, randn } from './helpers';

describe('multiHeadAttentionForward', () => {
  const rng = new TorchGenerator(41);
  it('gradients of query, key, value and the projections, with a causal mask and key padding', () => {
    const causal = Tensor.from([0, 1, 1, 0, 0, 1, 0, 0, 0], [3, 3]);
    const padding = Tensor.from([0, 0, 1, 0, 0, 0], [2, 3]);
    expectGradientsCorrect((q, k, v, w, b, ow, ob) => {
      const r = multiHeadAttentionForward(q!, k!, v!, { numHeads: 2, inProjWeight: w!, inProjBias: b!, outProjWeight: ow!, outProjBias: ob!, attnMask: causal, attnMaskBoolean: true, keyPaddingMask: padding, training: true });
      return add(r.output, sum(r.weights!));
    }, [
      randn(rng, [3, 2, 4], { requiresGrad: true }), randn(rng, [3, 2, 4], { requiresGrad: true }), randn(rng, [3, 2, 4], { requiresGrad: true }),
      randn(rng, [12, 4], { requiresGrad: true, scale: 0.5 }), randn(rng, [12], { requiresGrad: true }), randn(rng, [4, 4], { requiresGrad: true }), randn(rng, [4], { requiresGrad: true }),
    ]);
  });

  it('refuses masks of the wrong shape with the shapes it expects', () => {
    const x = randn(rng, [3, 2, 4]);
    const options = { numHeads: 2, inProjWeight: randn(rng, [12, 4]), outProjWeight: randn(rng, [4, 4]) };
    expect(() => multiHeadAttentionForward(x, x, x, { ...options, attnMask: randn(rng, [2, 3]) })).toThrow(/attn_mask should be \(3, 3\) or \(4, 3, 3\), got \[2, 3\]/);
    expect(() => multiHeadAttentionForward(x, x, x, { ...options, keyPaddingMask: randn(rng, [3, 3]) })).toThrow(/key_padding_mask should be \(2, 3\)/);
  });
});
