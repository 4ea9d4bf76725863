import { describe, expect, it } from 'vitest';
import {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, SmoothL1Loss,
} from '../../../engine/nn/loss';
import { Tensor } from '../../../engine/tensor/tensor';

const f64 = { dtype: 'float64' } as const;
const x = Tensor.from([0.2, 0.9], [2], f64);
const y = Tensor.from([0, 1], [2], f64);

describe('loss modules', () => {
  it('default to reduction "mean" with torch defaults (hand-computed)', () => {
    expect(new MSELoss().forward(x, y).item()).toBeCloseTo((0.04 + 0.01) / 2, 15);
    expect(new L1Loss().forward(x, y).item()).toBeCloseTo((0.2 + 0.1) / 2, 15);
    expect(new SmoothL1Loss().forward(x, y).item()).toBeCloseTo((0.02 + 0.005) / 2, 15);
    expect(new HuberLoss().forward(x, y).item()).toBeCloseTo((0.02 + 0.005) / 2, 15);
    expect(new BCELoss().forward(x, y).item()).toBeCloseTo(-(Math.log(0.8) + Math.log(0.9)) / 2, 15);
    expect(new BCEWithLogitsLoss().forward(Tensor.zeros([2], f64), y).item()).toBeCloseTo(Math.LN2, 15);
    expect(new CrossEntropyLoss().forward(Tensor.zeros([2, 4], f64), [0, 3]).item()).toBeCloseTo(Math.log(4), 15);
  });

  it('pass their options through', () => {
    expect(new MSELoss({ reduction: 'sum' }).forward(x, y).item()).toBeCloseTo(0.05, 15);
    expect(new HuberLoss({ delta: 0.1, reduction: 'none' }).forward(x, y).toArray()[0]).toBeCloseTo(0.1 * (0.2 - 0.05), 15);
    expect(new CrossEntropyLoss({ ignoreIndex: 0 }).forward(Tensor.zeros([2, 4], f64), [0, 3]).item()).toBeCloseTo(Math.log(4), 15);
  });

  it('carry torch class names', () => {
    expect([new MSELoss(), new BCEWithLogitsLoss(), new CrossEntropyLoss()].map((l) => l.kind)).toEqual([
      'MSELoss', 'BCEWithLogitsLoss', 'CrossEntropyLoss',
    ]);
  });
});
