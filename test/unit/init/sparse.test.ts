import { describe, expect, it } from 'vitest';
import { sparse_, sparseTheory } from '../../../engine/init/sparse';
import { TorchGenerator } from '../../../engine/random';
import type { DenseTensor } from '../../../engine/tensor/dtype';
import { expectSamplesMatchTheory } from './theoryCheck';

function tensor(shape: number[]): DenseTensor {
  return { shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) };
}

function zerosPerColumn(t: DenseTensor): number[] {
  const [rows, cols] = [t.shape[0]!, t.shape[1]!];
  return Array.from({ length: cols }, (_, c) => {
    let zeros = 0;
    for (let r = 0; r < rows; r++) if (t.data[r * cols + c] === 0) zeros++;
    return zeros;
  });
}

describe('sparse_ (Martens 2010)', () => {
  it.each([
    [[100, 10], 0.1, 10],
    [[10, 100], 0.25, 3], // ⌈2.5⌉
    [[50, 20], 0.9, 45],
    [[7, 4], 0, 0],
    [[7, 4], 1, 7],
  ] as const)('%j sparsity %d: exactly %d zeros in every column', (shape, sparsity, zeros) => {
    const t = sparse_(tensor([...shape]), new TorchGenerator(1), { sparsity });
    expect(zerosPerColumn(t)).toEqual(new Array(shape[1]).fill(zeros));
  });

  it('zeros land in different rows from column to column', () => {
    const t = sparse_(tensor([100, 10]), new TorchGenerator(2), { sparsity: 0.1 });
    const cols = 10;
    const rowSets = Array.from({ length: cols }, (_, c) =>
      [...Array(100).keys()].filter((r) => t.data[r * cols + c] === 0).join(','));
    expect(new Set(rowSets).size).toBe(cols);
  });

  it('all entries: the mixture of a point mass at 0 and N(0, std²) (KS, moments)', () => {
    const shape = [300, 200];
    const options = { sparsity: 0.1, std: 0.5 };
    const theory = sparseTheory(shape, options);
    expect(theory.params.zeroProbability).toBeCloseTo(0.1, 15);
    expect(theory.std).toBeCloseTo(0.5 * Math.sqrt(0.9), 15);
    expect(theory.atoms).toEqual([{ x: 0, p: 0.1 }]);
    expectSamplesMatchTheory(sparse_(tensor(shape), new TorchGenerator(3), options).data, theory);
  });

  it('the default std is 0.01', () => {
    expect(sparseTheory([10, 10], { sparsity: 0 }).std).toBeCloseTo(0.01, 15);
  });

  it("raises torch's error unless 2-D, and rejects sparsity outside [0, 1]", () => {
    expect(() => sparse_(tensor([5]), new TorchGenerator(1), { sparsity: 0.1 })).toThrow('Only tensors with 2 dimensions are supported');
    expect(() => sparse_(tensor([2, 3, 4]), new TorchGenerator(1), { sparsity: 0.1 })).toThrow('Only tensors with 2 dimensions are supported');
    expect(() => sparse_(tensor([2, 3]), new TorchGenerator(1), { sparsity: 1.5 })).toThrow('sparsity in [0, 1]');
  });
});
