import { describe, expect, it } from 'vitest';
import { constant_, constantTheory, eye_, eyeTheory, ones_, zeros_ } from '../../../engine/init/constant';
import type { DenseTensor } from '../../../engine/tensor/dtype';
import { ksPValueOf } from './theoryCheck';

function tensor(shape: number[], dtype: 'float32' | 'float64' = 'float32'): DenseTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: dtype === 'float32' ? new Float32Array(n) : new Float64Array(n) };
}

describe('constant_, ones_, zeros_', () => {
  it('fill every entry (float32 rounding as torch stores it)', () => {
    expect(Array.from(constant_(tensor([2, 3]), 0.3).data)).toEqual(new Array(6).fill(Math.fround(0.3)));
    expect(Array.from(ones_(tensor([2, 3, 2])).data)).toEqual(new Array(12).fill(1));
    const z = tensor([3, 2]);
    z.data.fill(7);
    expect(Array.from(zeros_(z).data)).toEqual(new Array(6).fill(0));
    expect(Array.from(constant_(tensor([4]), -1.5).data)).toEqual([-1.5, -1.5, -1.5, -1.5]);
  });

  it('theory: a point mass; KS accepts it and rejects a shifted one', () => {
    const theory = constantTheory(-1.5);
    expect(theory).toMatchObject({ family: 'constant', mean: -1.5, std: 0, support: [-1.5, -1.5], atoms: [{ x: -1.5, p: 1 }] });
    expect(theory.pdf).toBeUndefined();
    const samples = constant_(tensor([100], 'float64'), -1.5).data;
    expect(ksPValueOf(samples, theory)).toBe(1);
    expect(ksPValueOf(samples, constantTheory(-1.4))).toBeLessThan(1e-3);
  });
});

describe('eye_', () => {
  it('matches torch.eye for wide, tall and square shapes', () => {
    expect(Array.from(eye_(tensor([3, 5])).data)).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(Array.from(eye_(tensor([4, 2])).data)).toEqual([1, 0, 0, 1, 0, 0, 0, 0]);
    const t = tensor([3, 3]);
    t.data.fill(5);
    expect(Array.from(eye_(t).data)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('theory: min(rows, cols) ones among rows·cols entries; KS accepts it, rejects another shape', () => {
    const theory = eyeTheory([20, 50]);
    expect(theory.atoms).toEqual([{ x: 0, p: 1 - 20 / 1000 }, { x: 1, p: 20 / 1000 }]);
    expect(theory.mean).toBeCloseTo(0.02, 15);
    const samples = eye_(tensor([20, 50], 'float64')).data;
    expect(ksPValueOf(samples, theory)).toBeGreaterThan(0.5);
    expect(ksPValueOf(samples, eyeTheory([5, 5]))).toBeLessThan(1e-3); // 20% ones instead of 2%
  });

  it("raises torch's error unless 2-D", () => {
    expect(() => eye_(tensor([2, 3, 4]))).toThrow('Only tensors with 2 dimensions are supported');
    expect(() => eye_(tensor([5]))).toThrow('Only tensors with 2 dimensions are supported');
  });
});
