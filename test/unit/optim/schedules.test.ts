import { describe, expect, it } from 'vitest';
import { constantSchedule, cosineDecay, exponentialDecay, linearWarmup, stepDecay, warmupCosine } from '../../../engine/optim';

describe('schedules', () => {
  it('constant', () => {
    expect([0, 1, 1000].map(constantSchedule(0.1))).toEqual([0.1, 0.1, 0.1]);
  });

  it('linear warmup rises linearly, then holds the peak', () => {
    const s = linearWarmup(1, 4, 0.2);
    expect([0, 1, 2, 3, 4, 10].map(s)).toEqual([0.2, 0.4, 0.6000000000000001, 0.8, 1, 1]);
    expect(linearWarmup(1, 0)(0)).toBe(1);
  });

  it('cosine decays from init to final over T steps, then stays at final', () => {
    const s = cosineDecay(1, 10, 0.1);
    expect(s(0)).toBe(1);
    expect(s(5)).toBeCloseTo(0.55, 15);
    expect(s(10)).toBe(0.1);
    expect(s(25)).toBe(0.1);
    for (let t = 1; t <= 10; t++) expect(s(t)).toBeLessThan(s(t - 1));
  });

  it('step decay multiplies by γ every stepSize steps', () => {
    expect([0, 2, 3, 5, 6, 9].map(stepDecay(1, 3, 0.5))).toEqual([1, 1, 0.5, 0.5, 0.25, 0.125]);
    expect(() => stepDecay(1, 0, 0.5)).toThrow(/positive/);
  });

  it('exponential decay is init·γ^t', () => {
    expect([0, 1, 2].map(exponentialDecay(2, 0.5))).toEqual([2, 1, 0.5]);
  });

  it('warmup + cosine: linear to the peak, then cosine to final at totalSteps', () => {
    const s = warmupCosine(1, 2, 6, 0, 0.2);
    expect([0, 1, 2].map(s)).toEqual([0, 0.5, 1]);
    expect(s(4)).toBeCloseTo(0.6, 15);
    expect(s(6)).toBe(0.2);
    expect(s(100)).toBe(0.2);
    expect(() => warmupCosine(1, 5, 4)).toThrow(/totalSteps/);
    expect(() => cosineDecay(1, -1)).toThrow(/non-negative integer/);
  });

  it('schedules are pure: same step, same value', () => {
    const s = warmupCosine(1e-3, 10, 100);
    expect(s(37)).toBe(s(37));
  });
});
