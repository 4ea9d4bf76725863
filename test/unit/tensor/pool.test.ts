import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, maxPool1d, maxPool2d } from '../../../engine/tensor/pool';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectGradientsCorrect, randn } from './helpers';

describe('pooling', () => {
  const rng = new TorchGenerator(11);

  it('max_pool2d picks the window maximum and routes the gradient to it', () => {
    const x = Tensor.from([1, 5, 2, 0, 3, 4, 9, 8, 7, 6, -1, -2, 0, 0, 0, 0], [1, 1, 4, 4], { requiresGrad: true });
    const y = maxPool2d(x, { kernelSize: 2 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(y.toArray()).toEqual([5, 9, 7, 0]); // the last window's tie goes to its first 0
    y.backward(Float64Array.from([1, 2, 3, 4]));
    expect(Array.from(x.grad!)).toEqual([0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 4, 0]);
  });

  it('max_pool2d(x, 2) (its unrolled 2×2 loop) gives the general loop\'s maxima and indices: ties, NaN, −∞', () => {
    // ceil_mode on even sides gives the same windows through the general loop.
    const values = [3, 3, -Infinity, -Infinity, Number.NaN, 1, 2, Number.NaN, -Infinity, -Infinity, 0, -0, 5, 7, 7, 5,
      1, 2, Number.NaN, Number.NaN, 4, 4, 4, 4];
    const data = Array.from({ length: 2 * 3 * 6 * 4 }, (_, i) => values[i % values.length]! + (i % 7 === 0 ? 0.5 : 0));
    for (const i of [0, 1, 4, 5]) data[i] = -Infinity; // a window of −∞ only: its first element is the index
    const grads: number[][] = [];
    const outs = [false, true].map((ceilMode) => {
      const x = Tensor.from(data, [2, 3, 6, 4], { requiresGrad: true });
      const y = maxPool2d(x, { kernelSize: 2, ceilMode });
      y.backward(Float64Array.from({ length: y.numel }, (_, i) => i + 1));
      grads.push(Array.from(x.grad!));
      return Array.from(y.data);
    });
    expect(outs[0]).toHaveLength(2 * 3 * 3 * 2);
    expect(outs[0]).toEqual(outs[1]);
    expect(grads[0]).toEqual(grads[1]);
    expect(outs[0]!.some((v) => Number.isNaN(v)) && outs[0]!.includes(-Infinity)).toBe(true);
  });

  it('max_pool propagates NaN as torch does', () => {
    const y = maxPool1d(Tensor.from([1, Number.NaN, 3, 4], [1, 1, 4]), { kernelSize: 2 });
    expect(y.data[0]).toBeNaN();
    expect(y.data[1]).toBe(4);
  });

  it('avg_pool2d divides by the padded window, the clipped one, or the override', () => {
    const x = Tensor.from([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(avgPool2d(x, { kernelSize: 2, padding: 1, stride: 2 }).toArray()).toEqual([0.25, 0.5, 0.75, 1]);
    expect(avgPool2d(x, { kernelSize: 2, padding: 1, stride: 2, countIncludePad: false }).toArray()).toEqual([1, 2, 3, 4]);
    expect(avgPool2d(x, { kernelSize: 2, divisorOverride: 2 }).toArray()).toEqual([5]);
  });

  it('adaptive_avg_pool2d uses the overlapping windows ⌊i·I/O⌋ … ⌈(i+1)·I/O⌉', () => {
    const x = Tensor.from([1, 2, 3], [1, 1, 3]);
    expect(adaptiveAvgPool1d(x, 2).toArray()).toEqual([1.5, 2.5]);
    expect(adaptiveAvgPool2d(Tensor.from([1, 2, 3, 4, 5, 6], [2, 3, 1]), [1, null]).shape).toEqual([2, 1, 1]);
  });

  it('rejects a padding larger than half the kernel and an empty output', () => {
    expect(() => maxPool2d(randn(rng, [1, 1, 4, 4]), { kernelSize: 2, padding: 2 })).toThrow(/half/);
    expect(() => avgPool2d(randn(rng, [1, 1, 1, 1]), { kernelSize: 3 })).toThrow(/too small/);
  });

  it('have correct gradients', () => {
    const x = () => randn(rng, [2, 2, 7, 6], { requiresGrad: true });
    expectGradientsCorrect((x) => maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }), [x()]);
    expectGradientsCorrect((x) => maxPool2d(x, { kernelSize: [2, 3], stride: 2, dilation: [2, 1] }), [x()]);
    expectGradientsCorrect((x) => avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [x()]);
    expectGradientsCorrect((x) => avgPool1d(x, { kernelSize: 3, stride: 1, padding: 1 }), [randn(rng, [2, 3, 5], { requiresGrad: true })]);
    expectGradientsCorrect((x) => adaptiveAvgPool2d(x, [4, 5]), [x()]);
  });
});
