import { describe, expect, it } from 'vitest';
import { syntheticDataset } from '../../../engine/data/synthetic';

describe('synthetic datasets', () => {
  it('is deterministic for a seed and different across seeds', () => {
    const a = syntheticDataset({ task: 'regression', count: 50, inputDim: 4, outputDim: 2, seed: 3 });
    const b = syntheticDataset({ task: 'regression', count: 50, inputDim: 4, outputDim: 2, seed: 3 });
    const c = syntheticDataset({ task: 'regression', count: 50, inputDim: 4, outputDim: 2, seed: 4 });
    expect(Array.from(a.inputs)).toEqual(Array.from(b.inputs));
    expect(Array.from(a.inputs)).not.toEqual(Array.from(c.inputs));
  });

  it('has standard-normal inputs', () => {
    const d = syntheticDataset({ task: 'regression', count: 4000, inputDim: 5, outputDim: 1 });
    let s = 0;
    let s2 = 0;
    for (const x of d.inputs) {
      s += x;
      s2 += x * x;
    }
    const n = d.inputs.length;
    expect(Math.abs(s / n)).toBeLessThan(4 / Math.sqrt(n)); // 4 standard errors
    expect(Math.abs(s2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  it('binary labels are 0/1 and both classes occur in fair proportion', () => {
    const d = syntheticDataset({ task: 'binary', count: 2000, inputDim: 10, outputDim: 1 });
    if (d.targets.kind !== 'values') throw new Error('expected values');
    const ones = Array.from(d.targets.data).filter((y) => y === 1).length;
    expect(Array.from(d.targets.data).every((y) => y === 0 || y === 1)).toBe(true);
    expect(ones / 2000).toBeGreaterThan(0.2);
    expect(ones / 2000).toBeLessThan(0.8);
  });

  it('multiclass targets are class indices covering every class', () => {
    const d = syntheticDataset({ task: 'multiclass', count: 3000, inputDim: 6, outputDim: 4 });
    if (d.targets.kind !== 'classes') throw new Error('expected classes');
    expect(new Set(d.targets.data)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('rejects a spiral for a model that is not 2-D', () => {
    expect(() => syntheticDataset({ task: 'spiral', count: 10, inputDim: 3, outputDim: 1 })).toThrow(/2-D/);
  });
});
