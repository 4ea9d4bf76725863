import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { broadcastShapes } from '../../../engine/tensor/broadcast';
import { bmm, matmul } from '../../../engine/tensor/matmul';
import type { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

/** torch.matmul by its definition, with plain loops (independent of gemm and the broadcast plan). */
function naiveMatmul(a: Tensor, b: Tensor): { shape: number[]; data: number[] } {
  const A = a.ndim === 1 ? { shape: [1, a.shape[0]!], data: a.data } : a;
  const B = b.ndim === 1 ? { shape: [b.shape[0]!, 1], data: b.data } : b;
  const [m, k] = A.shape.slice(-2) as [number, number];
  const n = B.shape[B.shape.length - 1]!;
  const batchA = A.shape.slice(0, -2);
  const batchB = B.shape.slice(0, -2);
  const batch = broadcastShapes('t', batchA, batchB);
  const count = batch.reduce((p, d) => p * d, 1);
  const matrixIndex = (shape: readonly number[], flat: number): number => {
    const idx: number[] = [];
    let rest = flat;
    for (let d = batch.length - 1; d >= 0; d--) {
      idx.unshift(rest % batch[d]!);
      rest = Math.floor(rest / batch[d]!);
    }
    const lead = batch.length - shape.length;
    let o = 0;
    for (let d = 0; d < shape.length; d++) o = o * shape[d]! + (shape[d] === 1 ? 0 : idx[d + lead]!);
    return o;
  };
  const data: number[] = [];
  for (let t = 0; t < count; t++) {
    const oa = matrixIndex(batchA, t) * m * k;
    const ob = matrixIndex(batchB, t) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A.data[oa + i * k + p]! * B.data[ob + p * n + j]!;
        data.push(s);
      }
    }
  }
  const shape = [...batch, m, n];
  if (b.ndim === 1) shape.pop();
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return { shape, data };
}

const CASES: [number[], number[]][] = [
  [[3], [3]],
  [[3], [3, 4]],
  [[2, 3], [3]],
  [[2, 3], [3, 4]],
  [[5, 2, 3], [3, 4]],
  [[2], [5, 2, 3]],
  [[5, 2, 3], [3]],
  [[2, 3], [5, 3, 4]],
  [[5, 2, 3], [5, 3, 4]],
  [[2, 1, 2, 3], [4, 3, 2]],
  [[1, 2, 3], [4, 3, 2]],
];

describe('matmul with torch’s rank rules and broadcast batch dimensions', () => {
  it('agrees with the definition on every rank combination', () => {
    const rng = new TorchGenerator(5);
    for (const [sa, sb] of CASES) {
      const a = randn(rng, sa);
      const b = randn(rng, sb);
      const expected = naiveMatmul(a, b);
      const out = matmul(a, b);
      expect(out.shape, `${sa} @ ${sb}`).toEqual(expected.shape);
      expectClose(out.data, expected.data, 1e-14);
    }
  });

  it('agrees on batches large enough for the WebAssembly kernel', () => {
    const rng = new TorchGenerator(6);
    const a = randn(rng, [2, 3, 40, 32]);
    const b = randn(rng, [3, 32, 48]);
    expectClose(matmul(a, b).data, naiveMatmul(a, b).data, 1e-13);
  });

  it('has correct gradients, summed over broadcast batch dimensions', () => {
    const rng = new TorchGenerator(7);
    for (const [sa, sb] of CASES) {
      expectGradientsCorrect((p, q) => matmul(p!, q!), [randn(rng, sa, { requiresGrad: true }), randn(rng, sb, { requiresGrad: true })]);
    }
  });

  it('bmm requires equal batches of matrices; mismatched inner sizes are rejected', () => {
    const rng = new TorchGenerator(8);
    expect(bmm(randn(rng, [4, 2, 3]), randn(rng, [4, 3, 5])).shape).toEqual([4, 2, 5]);
    expect(() => bmm(randn(rng, [4, 2, 3]), randn(rng, [1, 3, 5]))).toThrow(RangeError);
    expect(() => matmul(randn(rng, [4, 2, 3]), randn(rng, [4, 2, 5]))).toThrow(RangeError);
    expect(() => matmul(randn(rng, [2, 4, 2, 3]), randn(rng, [3, 3, 5]))).toThrow(/broadcast/);
  });
});
