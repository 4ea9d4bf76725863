import { describe, expect, it } from 'vitest';
import { orthogonal_, orthogonalTheory } from '../../../engine/init/orthogonal';
import { thinQr } from '../../../engine/init/qr';
import { normalFill, TorchGenerator } from '../../../engine/random';
import type { DenseTensor } from '../../../engine/tensor/dtype';
import { expectSamplesMatchTheory } from './theoryCheck';

function tensor(shape: number[]): DenseTensor {
  return { shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) };
}

/** G = W Wᵀ (rows × rows) or Wᵀ W (cols × cols) of a row-major rows × cols matrix. */
function gram(data: ArrayLike<number>, rows: number, cols: number, side: 'WtW' | 'WWt'): number[][] {
  const size = side === 'WtW' ? cols : rows;
  const g = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      let s = 0;
      if (side === 'WtW') for (let r = 0; r < rows; r++) s += data[r * cols + i]! * data[r * cols + j]!;
      else for (let c = 0; c < cols; c++) s += data[i * cols + c]! * data[j * cols + c]!;
      g[i]![j] = s;
    }
  }
  return g;
}

function maxDeviationFromScaledIdentity(g: number[][], scale: number): number {
  let worst = 0;
  g.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (i === j ? scale : 0))))));
  return worst;
}

describe('thinQr', () => {
  it('reconstructs A = QR with orthonormal Q', () => {
    const rng = new TorchGenerator(1);
    const m = 7;
    const k = 4;
    const a = Float64Array.from({ length: m * k }, () => rng.normal());
    const { q, rDiagonal } = thinQr(a, m, k);
    expect(maxDeviationFromScaledIdentity(gram(q, m, k, 'WtW'), 1)).toBeLessThan(1e-13);
    // R = QᵀA must be upper triangular with the reported diagonal.
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let r = 0;
        for (let row = 0; row < m; row++) r += q[row * k + i]! * a[row * k + j]!;
        if (i > j) expect(Math.abs(r)).toBeLessThan(1e-12);
        if (i === j) expect(r).toBeCloseTo(rDiagonal[i]!, 12);
      }
    }
  });
});

describe('orthogonal_ (Saxe et al. 2013)', () => {
  it.each([
    [[100, 10], 1, 'WtW'],
    [[10, 100], 1, 'WWt'],
    [[64, 64], Math.SQRT2, 'WtW'],
    [[8, 3, 3, 3], 0.5, 'WWt'],
  ] as const)('%j with gain %d: the Gram matrix is gain²·I', (shape, gain, side) => {
    const t = orthogonal_(tensor([...shape]), new TorchGenerator(3), { gain });
    const rows = shape[0];
    const cols = t.data.length / rows;
    expect(maxDeviationFromScaledIdentity(gram(t.data, rows, cols, side), gain * gain)).toBeLessThan(1e-5);
  });

  it('applies the sign correction: R of the result has a positive diagonal', () => {
    // For W = Q·diag(sign R_jj) and the original Gaussian A = QR, WᵀA = |diag R|·(upper triangular) > 0 on the diagonal.
    const rows = 6;
    const cols = 3;
    // orthogonal_ draws its Gaussian as torch does: normal_ on a rows × cols tensor of the weight's dtype.
    const a = new Float64Array(rows * cols);
    normalFill(new TorchGenerator(5), a, 0, 1);
    const w = orthogonal_(tensor([rows, cols]), new TorchGenerator(5)).data;
    for (let j = 0; j < cols; j++) {
      let d = 0;
      for (let r = 0; r < rows; r++) d += w[r * cols + j]! * a[r * cols + j]!;
      expect(d).toBeGreaterThan(0);
    }
  });

  it('theory: entries are gain × a coordinate of a uniform point on S^{n−1}, n = max(rows, cols)', () => {
    const tall = orthogonalTheory([100, 10]);
    const wide = orthogonalTheory([10, 100]);
    expect(tall.params.n).toBe(100);
    expect(wide.params.n).toBe(100);
    expect(tall.std).toBeCloseTo(0.1, 15);
    expect(orthogonalTheory([64, 64], { gain: Math.SQRT2 }).std).toBeCloseTo(Math.SQRT2 / 8, 15);
    expect(orthogonalTheory([8, 3, 3, 3], { gain: 0.5 }).std).toBeCloseTo(0.5 / Math.sqrt(27), 15);
    expect(tall.support).toEqual([-1, 1]);
  });

  it.each([
    [[40, 20], 1],
    [[20, 40], 2],
    [[30, 30], 0.7],
    [[5, 3], 1],
  ] as const)('%j gain %d: pooled entries of many draws match the marginal (KS, moments)', (shape, gain) => {
    const rng = new TorchGenerator(11);
    const per = shape[0] * shape[1];
    const draws = Math.ceil(60000 / per);
    const pooled = new Float64Array(draws * per);
    for (let d = 0; d < draws; d++) pooled.set(orthogonal_(tensor([...shape]), rng, { gain }).data, d * per);
    expectSamplesMatchTheory(pooled, orthogonalTheory([...shape], { gain }));
  });

  it("raises torch's error below 2 dimensions and is a no-op on empty tensors", () => {
    expect(() => orthogonal_(tensor([5]), new TorchGenerator(1))).toThrow('Only tensors with 2 or more dimensions are supported');
    expect(() => orthogonal_(tensor([0, 4]), new TorchGenerator(1))).not.toThrow();
  });

  it('1×1: the entry is ±gain', () => {
    const t = orthogonal_(tensor([1, 1]), new TorchGenerator(2), { gain: 3 });
    expect(Math.abs(t.data[0]!)).toBeCloseTo(3, 14);
    expect(orthogonalTheory([1, 1], { gain: 3 }).atoms).toEqual([{ x: -3, p: 0.5 }, { x: 3, p: 0.5 }]);
  });
});
