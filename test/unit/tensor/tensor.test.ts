import { describe, expect, it } from 'vitest';
import { isGradEnabled, noGrad } from '../../../engine/tensor/autograd';
import { add, mul } from '../../../engine/tensor/binary';
import { sum } from '../../../engine/tensor/reduce';
import { Tensor } from '../../../engine/tensor/tensor';

describe('Tensor factories', () => {
  it('defaults to float32, like torch.get_default_dtype()', () => {
    const t = Tensor.from([1, 2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.shape).toEqual([3]);
  });

  it('rounds values to float32 on creation', () => {
    const t = Tensor.from([0.1]);
    expect(t.item()).toBe(Math.fround(0.1));
    expect(t.item()).not.toBe(0.1);
    expect(Tensor.from([0.1], [1], { dtype: 'float64' }).item()).toBe(0.1);
  });

  it('keeps the dtype of a Float64Array source and copies it', () => {
    const source = new Float64Array([1, 2, 3, 4]);
    const t = Tensor.from(source, [2, 2]);
    expect(t.dtype).toBe('float64');
    source[0] = 99;
    expect(t.data[0]).toBe(1);
  });

  it('builds zeros, ones, full and 0-D scalars', () => {
    expect(Tensor.zeros([2, 3]).toArray()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Tensor.ones([2], { dtype: 'float64' }).toArray()).toEqual([1, 1]);
    expect(Tensor.full([3], 2.5).toArray()).toEqual([2.5, 2.5, 2.5]);
    const s = Tensor.scalar(4);
    expect(s.shape).toEqual([]);
    expect(s.numel).toBe(1);
    expect(s.item()).toBe(4);
  });

  it('rejects data that does not fit the shape', () => {
    expect(() => Tensor.from([1, 2, 3], [2, 2])).toThrow(RangeError);
    expect(() => Tensor.zeros([2, -1])).toThrow(RangeError);
  });

  it('item() requires exactly one element', () => {
    expect(() => Tensor.zeros([2]).item()).toThrow(RangeError);
  });
});

describe('backward', () => {
  it('computes the gradient of a product chain by the chain rule', () => {
    // L = Σ (a·b + a) → ∂L/∂a = b + 1, ∂L/∂b = a
    const a = Tensor.from([1, 2, 3], [3], { dtype: 'float64', requiresGrad: true });
    const b = Tensor.from([4, 5, 6], [3], { dtype: 'float64', requiresGrad: true });
    sum(add(mul(a, b), a)).backward();
    expect(Array.from(a.grad!)).toEqual([5, 6, 7]);
    expect(Array.from(b.grad!)).toEqual([1, 2, 3]);
  });

  it('sums the gradients of a tensor used on several paths (diamond graph)', () => {
    // h = 2x; L = Σ(h·h + h) → ∂L/∂x = 2·(2h + 1) = 8x + 2
    const x = Tensor.from([1, -2], [2], { dtype: 'float64', requiresGrad: true });
    const h = mul(x, 2);
    sum(add(mul(h, h), h)).backward();
    expect(Array.from(x.grad!)).toEqual([10, -14]);
  });

  it('accumulates into .grad across backward calls, as torch', () => {
    const x = Tensor.from([3], [1], { dtype: 'float64', requiresGrad: true });
    sum(mul(x, x)).backward();
    sum(mul(x, x)).backward();
    expect(x.grad![0]).toBe(12);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it('accepts an explicit upstream gradient for non-scalar outputs', () => {
    const x = Tensor.from([1, 2], [2], { dtype: 'float64', requiresGrad: true });
    mul(x, 3).backward(new Float64Array([10, 100]));
    expect(Array.from(x.grad!)).toEqual([30, 300]);
  });

  it('requires an explicit gradient for non-scalar outputs, and grad-requiring roots', () => {
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    expect(() => mul(x, 2).backward()).toThrow();
    expect(() => Tensor.from([1]).backward()).toThrow();
  });

  it('does not give intermediate (non-leaf) tensors a grad', () => {
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    const h = mul(x, 2);
    sum(h).backward();
    expect(h.grad).toBeNull();
    expect(h.isLeaf).toBe(false);
    expect(x.isLeaf).toBe(true);
  });

  it('retainGrad() keeps the gradient of an intermediate tensor', () => {
    // h = 3x; L = Σ h² → ∂L/∂h = 2h = 6x, ∂L/∂x = 18x
    const x = Tensor.from([1, -2], [2], { dtype: 'float64', requiresGrad: true });
    const h = mul(x, 3).retainGrad();
    sum(mul(h, h)).backward();
    expect(Array.from(h.grad!)).toEqual([6, -12]);
    expect(Array.from(x.grad!)).toEqual([18, -36]);
    expect(() => Tensor.from([1]).retainGrad()).toThrow();
  });

  it('leaves inputs without requiresGrad untouched', () => {
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    const c = Tensor.from([5, 6], [2]);
    sum(mul(x, c)).backward();
    expect(c.grad).toBeNull();
    expect(Array.from(x.grad!)).toEqual([5, 6]);
  });

  it('handles deep graphs without recursion limits', () => {
    let h = Tensor.from([1], [1], { dtype: 'float64', requiresGrad: true });
    const x = h;
    for (let i = 0; i < 20000; i++) h = add(h, 1);
    h.backward();
    expect(x.grad![0]).toBe(1);
  });
});

describe('graph control', () => {
  it('noGrad() records nothing', () => {
    const x = Tensor.from([1], [1], { requiresGrad: true });
    const y = noGrad(() => mul(x, 2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
  });

  it('noGrad() nests and restores grad mode even when its function throws', () => {
    const x = Tensor.from([1], [1], { requiresGrad: true });
    expect(() =>
      noGrad(() => {
        noGrad(() => undefined);
        expect(isGradEnabled()).toBe(false);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(mul(x, 2).requiresGrad).toBe(true);
  });

  it('detach() shares storage but leaves the graph', () => {
    const x = Tensor.from([1, 2], [2], { requiresGrad: true });
    const d = mul(x, 2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    const x2 = x.detach();
    x2.data[0] = 7;
    expect(x.data[0]).toBe(7);
  });

  it('clone() copies storage', () => {
    const x = Tensor.from([1, 2], [2]);
    const c = x.clone();
    c.data[0] = 7;
    expect(x.data[0]).toBe(1);
  });
});
