import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { bceLoss, bceWithLogitsLoss } from '../../../engine/tensor/loss/binary';
import type { Reduction } from '../../../engine/tensor/loss/reduction';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, rand, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe('BCELoss', () => {
  it('is −[y log x + (1 − y) log(1 − x)] (hand-computed)', () => {
    const x = Tensor.from([0.5, 0.9, 0.2], [3], f64);
    const y = Tensor.from([1, 0, 0.25], [3], f64);
    const expected = [-Math.log(0.5), -Math.log(0.1), -(0.25 * Math.log(0.2) + 0.75 * Math.log(0.8))];
    expectClose(bceLoss(x, y, { reduction: 'none' }).data, expected, 1e-15);
    expectClose([bceLoss(x, y).item()], [(expected[0]! + expected[1]! + expected[2]!) / 3], 1e-15);
  });

  it('clamps each log term at −100, as torch', () => {
    const x = Tensor.from([0, 1, 0], [3], f64);
    const y = Tensor.from([1, 0, 0], [3], f64);
    expect(bceLoss(x, y, { reduction: 'none' }).toArray()).toEqual([100, 100, 0]);
  });

  it('uses torch\'s gradient (x − y)/max(x(1 − x), 1e-12), finite at x = 0', () => {
    const x = Tensor.from([0.25, 0], [2], { dtype: 'float64', requiresGrad: true });
    bceLoss(x, Tensor.from([1, 1], [2], f64), { reduction: 'sum' }).backward();
    expectClose(x.grad!, [(0.25 - 1) / (0.25 * 0.75), -1e12]);
  });

  it('rejects inputs outside [0, 1]', () => {
    expect(() => bceLoss(Tensor.from([1.5]), Tensor.from([1]))).toThrow(RangeError);
  });

  it('refuses a target that requires grad instead of ignoring it', () => {
    const x = Tensor.from([0.5], [1], f64);
    expect(() => bceLoss(x, Tensor.from([1], [1], { dtype: 'float64', requiresGrad: true }))).toThrow();
  });

  const rng = new TorchGenerator(31);
  for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
    it(`has correct gradients (${reduction})`, () => {
      const x = rand(rng, [3, 4], 0.05, 0.95, { requiresGrad: true });
      const y = rand(rng, [3, 4], 0, 1);
      expectGradientsCorrect((a) => bceLoss(a, y, { reduction }), [x]);
    });
  }
});

describe('BCEWithLogitsLoss', () => {
  /** The textbook form −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))], fine for moderate x. */
  const naive = (x: number, y: number, p = 1): number => -(p * y * Math.log(sigmoid(x)) + (1 - y) * Math.log(1 - sigmoid(x)));

  it('equals the textbook formula for moderate logits', () => {
    const xs = [-3, -0.5, 0, 0.7, 4];
    const ys = [0, 1, 0.5, 1, 0.3];
    const loss = bceWithLogitsLoss(Tensor.from(xs, [5], f64), Tensor.from(ys, [5], f64), { reduction: 'none' });
    expectClose(loss.data, xs.map((x, i) => naive(x, ys[i]!)), 1e-14);
  });

  it('stays finite and exact for huge logits', () => {
    const loss = bceWithLogitsLoss(Tensor.from([1000, -1000, 1000], [3], f64), Tensor.from([0, 0, 1], [3], f64), { reduction: 'none' });
    expect(loss.toArray()).toEqual([1000, 0, 0]);
  });

  it('weights positives by pos_weight per class (last dimension)', () => {
    const xs = [0.3, -1.2, 2, -0.4];
    const ys = [1, 0.5, 0, 1];
    const p = [2, 0.5];
    const loss = bceWithLogitsLoss(Tensor.from(xs, [2, 2], f64), Tensor.from(ys, [2, 2], f64), {
      reduction: 'none',
      posWeight: Tensor.from(p, [2], f64),
    });
    expectClose(loss.data, xs.map((x, i) => naive(x, ys[i]!, p[i % 2]!)), 1e-14);
    expect(() => bceWithLogitsLoss(Tensor.zeros([2, 2], f64), Tensor.zeros([2, 2], f64), { posWeight: Tensor.ones([3], f64) })).toThrow(RangeError);
  });

  it('has gradient σ(x) − y (hand-computed)', () => {
    const x = Tensor.from([0, 2], [2], { dtype: 'float64', requiresGrad: true });
    bceWithLogitsLoss(x, Tensor.from([1, 0], [2], f64), { reduction: 'sum' }).backward();
    expectClose(x.grad!, [-0.5, sigmoid(2)], 1e-15);
  });

  const rng = new TorchGenerator(32);
  for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
    it(`has correct gradients (${reduction}), with and without pos_weight`, () => {
      const x = randn(rng, [3, 4], { requiresGrad: true, scale: 3 });
      const y = rand(rng, [3, 4], 0, 1);
      // A step of 1e-5: with 'sum' the loss is ~50, and the central difference's rounding error, ulp(loss)/eps,
      // would otherwise reach 1e-6 of a small (~2e-3) gradient entry.
      expectGradientsCorrect((a) => bceWithLogitsLoss(a, y, { reduction }), [x], { eps: 1e-5 });
      const posWeight = rand(rng, [4], 0.2, 3);
      expectGradientsCorrect((a) => bceWithLogitsLoss(a, y, { reduction, posWeight }), [x], { eps: 1e-5 });
    });
  }
});
