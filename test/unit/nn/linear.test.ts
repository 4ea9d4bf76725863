import { describe, expect, it } from 'vitest';
import { Linear } from '../../../engine/nn/linear';
import { parameters, zeroGrad } from '../../../engine/nn/module';
import { sum } from '../../../engine/tensor/reduce';
import { Tensor } from '../../../engine/tensor/tensor';

describe('Linear', () => {
  it('allocates weight [out, in] and bias [out] as zero leaves that require grad', () => {
    const layer = new Linear(3, 2);
    expect(layer.weight.shape).toEqual([2, 3]);
    expect(layer.bias!.shape).toEqual([2]);
    expect(layer.weight.dtype).toBe('float32');
    expect(layer.weight.toArray().every((v) => v === 0)).toBe(true);
    expect(layer.weight.requiresGrad && layer.bias!.requiresGrad).toBe(true);
    expect(layer.namedParameters().map((p) => p.name)).toEqual(['weight', 'bias']);
  });

  it('can be created without bias and in float64', () => {
    const layer = new Linear(4, 5, { bias: false, dtype: 'float64' });
    expect(layer.bias).toBeNull();
    expect(layer.namedParameters().map((p) => p.name)).toEqual(['weight']);
    expect(layer.weight.dtype).toBe('float64');
  });

  it('computes x·Wᵀ + b and backpropagates into its parameters (hand-computed)', () => {
    const layer = new Linear(2, 1, { dtype: 'float64' });
    layer.weight.data.set([2, -1]);
    layer.bias!.data.set([0.5]);
    const x = Tensor.from([1, 3, 2, 2], [2, 2], { dtype: 'float64' });
    const y = layer.forward(x);
    expect(y.toArray()).toEqual([2 - 3 + 0.5, 4 - 2 + 0.5]);
    sum(y).backward();
    // ∂Σy/∂W = Σ_rows x = [3, 5], ∂Σy/∂b = number of rows = 2
    expect(Array.from(layer.weight.grad!)).toEqual([3, 5]);
    expect(Array.from(layer.bias!.grad!)).toEqual([2]);
    zeroGrad(layer);
    expect(parameters(layer).every((p) => p.grad === null)).toBe(true);
  });

  it('rejects invalid sizes', () => {
    expect(() => new Linear(1.5, 2)).toThrow(RangeError);
  });
});
