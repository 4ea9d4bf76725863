import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { gradcheck } from '../../../engine/tensor/gradcheck';
import { opResult } from '../../../engine/tensor/op';
import { Tensor } from '../../../engine/tensor/tensor';
import { GRADCHECK_TOLERANCE, randn } from './helpers';

/** y = x³ with a backward supplied by the test: the right one is 3x². */
function cube(derivative: (x: number) => number) {
  return (x: Tensor): Tensor => {
    const y = new Float64Array(x.numel);
    for (let i = 0; i < y.length; i++) y[i] = x.data[i]! ** 3;
    return opResult('CubeBackward', y, x.shape, [x], (g) => {
      const gx = new Float64Array(g.length);
      for (let i = 0; i < g.length; i++) gx[i] = g[i]! * derivative(x.data[i]!);
      return [gx];
    });
  };
}

describe('gradcheck', () => {
  const x = randn(new TorchGenerator(1), [6], { requiresGrad: true });

  it('passes a correct derivative with a tiny error', () => {
    const result = gradcheck(cube((v) => 3 * v * v), [x]);
    expect(result.checked).toBe(6);
    expect(result.maxRelError).toBeLessThan(1e-8);
    expect(result.maxAbsError).toBeLessThan(1e-7);
  });

  it('fails a deliberately wrong derivative (2x² instead of 3x²)', () => {
    const result = gradcheck(cube((v) => 2 * v * v), [x]);
    expect(result.maxRelError).toBeGreaterThan(GRADCHECK_TOLERANCE);
    expect(result.maxRelError).toBeGreaterThan(0.3); // |2 − 3| / 3 wherever x² is not tiny
    expect(result.worst).not.toBeNull();
    expect(result.worst!.input).toBe(0);
  });

  it('fails a derivative that is off by a small bias', () => {
    const result = gradcheck(cube((v) => 3 * v * v + 1e-4), [x]);
    expect(result.maxRelError).toBeGreaterThan(GRADCHECK_TOLERANCE);
  });

  it('reports NaN gradients as failures', () => {
    const result = gradcheck(cube(() => NaN), [x]);
    expect(result.maxRelError).toBeNaN();
    expect(result.maxRelError < GRADCHECK_TOLERANCE).toBe(false);
  });

  it('only checks inputs that require grad, and does not modify the inputs', () => {
    const a = randn(new TorchGenerator(2), [3], { requiresGrad: true });
    const b = randn(new TorchGenerator(3), [3]);
    const before = Array.from(a.data);
    const product = (p: Tensor, q: Tensor): Tensor => {
      const y = new Float64Array(3);
      for (let i = 0; i < 3; i++) y[i] = p.data[i]! * q.data[i]!;
      return opResult('MulBackward', y, [3], [p, q], (g) => [g.map((v, i) => v * q.data[i]!), null]);
    };
    const result = gradcheck(product, [a, b]);
    expect(result.checked).toBe(3);
    expect(result.maxRelError).toBeLessThan(1e-8);
    expect(Array.from(a.data)).toEqual(before);
    expect(a.grad).toBeNull();
  });

  it('requires float64 inputs', () => {
    expect(() => gradcheck((t) => t, [Tensor.from([1], [1], { requiresGrad: true })])).toThrow(TypeError);
  });
});
