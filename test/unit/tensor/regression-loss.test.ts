import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { huberLoss, l1Loss, mseLoss, smoothL1Loss } from '../../../engine/tensor/loss/regression';
import type { Reduction } from '../../../engine/tensor/loss/reduction';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;
const input = Tensor.from([0.5, -1, 3, 2], [2, 2], f64);
const target = Tensor.from([0, 1, 0.5, 2], [2, 2], f64);
// d = x − y = [0.5, −2, 2.5, 0]

describe('regression losses: hand-computed values', () => {
  it('MSELoss = mean of d²', () => {
    const perElement = [0.25, 4, 6.25, 0];
    expectClose(mseLoss(input, target, { reduction: 'none' }).data, perElement);
    expect(mseLoss(input, target, { reduction: 'sum' }).item()).toBeCloseTo(10.5, 14);
    const mean = mseLoss(input, target);
    expect(mean.shape).toEqual([]);
    expect(mean.item()).toBeCloseTo(10.5 / 4, 14);
  });

  it('L1Loss = mean of |d|', () => {
    expectClose(l1Loss(input, target, { reduction: 'none' }).data, [0.5, 2, 2.5, 0]);
    expect(l1Loss(input, target).item()).toBeCloseTo(5 / 4, 14);
  });

  it('SmoothL1Loss(β=1): 0.5d² inside, |d| − 0.5 outside', () => {
    expectClose(smoothL1Loss(input, target, { reduction: 'none' }).data, [0.125, 1.5, 2, 0]);
    expectClose(smoothL1Loss(input, target, { reduction: 'none', beta: 4 }).data, [0.5 * 0.25 / 4, 0.5 * 4 / 4, 0.5 * 6.25 / 4, 0]);
    // β = 0 is exactly L1
    expectClose(smoothL1Loss(input, target, { reduction: 'none', beta: 0 }).data, [0.5, 2, 2.5, 0]);
  });

  it('HuberLoss(δ): 0.5d² inside, δ(|d| − 0.5δ) outside', () => {
    expectClose(huberLoss(input, target, { reduction: 'none' }).data, [0.125, 1.5, 2, 0]);
    expectClose(huberLoss(input, target, { reduction: 'none', delta: 2 }).data, [0.125, 2, 2 * (2.5 - 1), 0]);
  });

  it('rejects mismatched shapes', () => {
    expect(() => mseLoss(input, Tensor.zeros([4], f64))).toThrow(RangeError);
  });

  it('MSELoss gradient is 2d/N (hand-computed)', () => {
    const x = Tensor.from([0.5, -1, 3, 2], [2, 2], { dtype: 'float64', requiresGrad: true });
    mseLoss(x, target).backward();
    expectClose(x.grad!, [0.25, -1, 1.25, 0]);
  });
});

describe('regression losses: gradients', () => {
  const rng = new TorchGenerator(21);
  const losses = { mseLoss, l1Loss, smoothL1Loss, huberLoss };
  const reductions: Reduction[] = ['mean', 'sum', 'none'];
  for (const [name, loss] of Object.entries(losses)) {
    for (const reduction of reductions) {
      it(`${name} (${reduction}) w.r.t. input and target`, () => {
        // Scale 2 puts elements on both sides of the |d| = 1 switch points.
        const x = randn(rng, [3, 4], { requiresGrad: true, scale: 2 });
        const y = randn(rng, [3, 4], { requiresGrad: true });
        expectGradientsCorrect((a, b) => loss(a, b, { reduction }), [x, y]);
      });
    }
  }
  it('smoothL1Loss with β = 0.5 and huberLoss with δ = 2', () => {
    const x = randn(rng, [10], { requiresGrad: true, scale: 2 });
    const y = randn(rng, [10]);
    expectGradientsCorrect((a, b) => smoothL1Loss(a, b, { beta: 0.5 }), [x, y]);
    expectGradientsCorrect((a, b) => huberLoss(a, b, { delta: 2 }), [x, y]);
  });
});
