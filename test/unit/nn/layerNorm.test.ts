import { describe, expect, it } from 'vitest';
import { LayerNorm } from '../../../engine/nn/layerNorm';
import { Sequential } from '../../../engine/nn/sequential';
import { Linear } from '../../../engine/nn/linear';
import { sum } from '../../../engine/tensor/reduce';
import { Tensor } from '../../../engine/tensor/tensor';

describe('LayerNorm module', () => {
  it('creates weight = ones and bias = zeros, as torch', () => {
    const ln = new LayerNorm(4);
    expect(ln.kind).toBe('LayerNorm');
    expect(ln.eps).toBe(1e-5);
    expect(ln.namedParameters().map((p) => [p.name, p.tensor.shape, p.tensor.toArray()])).toEqual([
      ['weight', [4], [1, 1, 1, 1]],
      ['bias', [4], [0, 0, 0, 0]],
    ]);
    expect(ln.weight!.requiresGrad).toBe(true);
  });

  it('has no parameters without elementwise affine, and no bias with bias: false', () => {
    expect(new LayerNorm(3, { elementwiseAffine: false }).namedParameters()).toEqual([]);
    expect(new LayerNorm(3, { bias: false }).namedParameters().map((p) => p.name)).toEqual(['weight']);
  });

  it('normalizes the last dimension with its eps (hand-computed)', () => {
    const ln = new LayerNorm(2, { eps: 0, dtype: 'float64' });
    expect(ln.forward(Tensor.from([1, 3, -5, 5], [2, 2], { dtype: 'float64' })).toArray()).toEqual([-1, 1, -1, 1]);
  });

  it('names its parameters inside a Sequential and receives gradients', () => {
    const net = new Sequential([['fc', new Linear(3, 2, { dtype: 'float64' })], ['norm', new LayerNorm(2, { dtype: 'float64' })]]);
    expect(net.namedParameters().map((p) => p.name)).toEqual(['fc.weight', 'fc.bias', 'norm.weight', 'norm.bias']);
    const out = net.forward(Tensor.from([1, 2, 3], [1, 3], { dtype: 'float64' }));
    sum(out).backward();
    // ∂Σy/∂β = 1 per feature (one row)
    expect(Array.from((net.children[1]!.module as LayerNorm).bias!.grad!)).toEqual([1, 1]);
  });

  it('rejects an invalid normalized shape', () => {
    expect(() => new LayerNorm(0)).toThrow(RangeError);
  });
});
