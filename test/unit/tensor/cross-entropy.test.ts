import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../engine/random';
import { crossEntropyLoss } from '../../../engine/tensor/loss/crossEntropy';
import type { Reduction } from '../../../engine/tensor/loss/reduction';
import { Tensor } from '../../../engine/tensor/tensor';
import { expectClose, expectGradientsCorrect, randn } from './helpers';

const f64 = { dtype: 'float64' } as const;

/**
 * Reference: −Σ_c q_c·log p_c with p = softmax(logits) computed naively and
 * the smoothed target distribution q = (1 − ε)·onehot(t) + ε/C.
 */
function referenceLoss(logits: number[], t: number, smoothing: number): number {
  const C = logits.length;
  const z = logits.reduce((s, v) => s + Math.exp(v), 0);
  let loss = 0;
  for (let c = 0; c < C; c++) {
    const q = (c === t ? 1 - smoothing : 0) + smoothing / C;
    loss -= q * Math.log(Math.exp(logits[c]!) / z);
  }
  return loss;
}

describe('CrossEntropyLoss', () => {
  it('is log C for uniform logits (hand-computed)', () => {
    expect(crossEntropyLoss(Tensor.zeros([2, 3], f64), [1, 2]).item()).toBeCloseTo(Math.log(3), 15);
  });

  it('matches −log softmax of the target class, per sample and reduced', () => {
    const rows = [[1, 2, 0.5, -1], [0.3, -0.2, 2.2, 0]];
    const targets = [3, 2];
    const x = Tensor.from(rows.flat(), [2, 4], f64);
    const expected = rows.map((r, n) => referenceLoss(r, targets[n]!, 0));
    expectClose(crossEntropyLoss(x, targets, { reduction: 'none' }).data, expected, 1e-14);
    expectClose([crossEntropyLoss(x, targets, { reduction: 'sum' }).item()], [expected[0]! + expected[1]!], 1e-14);
    expectClose([crossEntropyLoss(x, targets).item()], [(expected[0]! + expected[1]!) / 2], 1e-14);
  });

  it('applies label smoothing with torch\'s formula', () => {
    const rows = [[1, 2, 0.5, -1], [0.3, -0.2, 2.2, 0]];
    const x = Tensor.from(rows.flat(), [2, 4], f64);
    const expected = rows.map((r, n) => referenceLoss(r, [0, 2][n]!, 0.1));
    expectClose(crossEntropyLoss(x, [0, 2], { reduction: 'none', labelSmoothing: 0.1 }).data, expected, 1e-14);
  });

  it('skips ignore_index targets and averages over the others', () => {
    const rows = [[1, 2, 0.5], [0.3, -0.2, 2.2], [0, 1, 0]];
    const x = Tensor.from(rows.flat(), [3, 3], f64);
    const kept = referenceLoss(rows[0]!, 1, 0) + referenceLoss(rows[2]!, 0, 0);
    expectClose([crossEntropyLoss(x, [1, -100, 0]).item()], [kept / 2], 1e-14);
    expect(crossEntropyLoss(x, [1, 7, 0], { ignoreIndex: 7, reduction: 'none' }).data[1]).toBe(0);
    expect(crossEntropyLoss(x, [-100, -100, -100]).item()).toBeNaN();
  });

  it('accepts an unbatched [C] input with one target', () => {
    const loss = crossEntropyLoss(Tensor.from([0.5, 1.5], [2], f64), [1]);
    expect(loss.shape).toEqual([]);
    expectClose([loss.item()], [referenceLoss([0.5, 1.5], 1, 0)], 1e-15);
  });

  it('is stable for huge logits', () => {
    const loss = crossEntropyLoss(Tensor.from([1000, 0, -1000], [1, 3], f64), [1]);
    expectClose([loss.item()], [1000], 1e-15);
  });

  it('keeps its own copy of the targets for backward', () => {
    const targets = [0, 1];
    const x = Tensor.zeros([2, 2], { dtype: 'float64', requiresGrad: true });
    const loss = crossEntropyLoss(x, targets, { reduction: 'sum' });
    targets[0] = 1;
    loss.backward();
    expectClose(x.grad!, [-0.5, 0.5, 0.5, -0.5], 1e-15);
  });

  it('rejects out-of-range targets and wrong target counts', () => {
    const x = Tensor.zeros([2, 3], f64);
    expect(() => crossEntropyLoss(x, [0, 3])).toThrow(RangeError);
    expect(() => crossEntropyLoss(x, [0, 1.5])).toThrow(RangeError);
    expect(() => crossEntropyLoss(x, [0])).toThrow(RangeError);
  });

  it('has gradient softmax − q (hand-computed for uniform logits)', () => {
    const x = Tensor.zeros([1, 4], { dtype: 'float64', requiresGrad: true });
    crossEntropyLoss(x, [2], { labelSmoothing: 0.2 }).backward();
    // p = 1/4; q = 0.8·onehot + 0.05
    expectClose(x.grad!, [0.25 - 0.05, 0.25 - 0.05, 0.25 - 0.85, 0.25 - 0.05], 1e-15);
  });

  const rng = new TorchGenerator(41);
  for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
    for (const labelSmoothing of [0, 0.15]) {
      it(`has correct gradients (${reduction}, ε = ${labelSmoothing}, with an ignored target)`, () => {
        const x = randn(rng, [4, 5], { requiresGrad: true, scale: 2 });
        expectGradientsCorrect((a) => crossEntropyLoss(a, [4, 0, -100, 2], { reduction, labelSmoothing }), [x]);
      });
    }
  }
});
