import { describe, expect, it } from 'vitest';
import { linearScale, logScale, niceStep, positiveRange, tickLabel } from '../../../webview/charts/axes';

describe('chart axes', () => {
  it('niceStep rounds up to 1-2-5 steps', () => {
    expect([0.07, 0.1, 0.13, 0.3, 0.6, 7, 1234].map(niceStep)).toEqual([0.1, 0.1, 0.2, 0.5, 1, 10, 2000]);
    expect(niceStep(0)).toBe(1);
    expect(niceStep(NaN)).toBe(1);
  });

  it('a log scale widens to whole decades and maps them evenly', () => {
    const y = logScale(0.003, 40, 100, 0);
    expect(y.domain).toEqual([1e-3, 100]);
    expect(y.ticks).toEqual([1e-3, 1e-2, 1e-1, 1, 10, 100]);
    expect(y(1e-3)).toBeCloseTo(100, 12);
    expect(y(1)).toBeCloseTo(40, 12);
    expect(y(100)).toBeCloseTo(0, 12);
    expect(y(0)).toBe(100); // non-positive values sit on the bottom
  });

  it('a log scale over many decades labels at most ~6 ticks', () => {
    const y = logScale(1e-12, 1e3, 100, 0);
    expect(y.ticks.length).toBeLessThanOrEqual(7);
    expect(y.ticks[0]).toBe(1e-12);
  });

  it('a linear scale ticks on its steps and survives an empty range', () => {
    const y = linearScale(0, 1, 100, 0, 5);
    expect(y.ticks).toEqual([0, 0.2, 0.4, 0.6000000000000001, 0.8, 1]);
    expect(y(0.5)).toBe(50);
    expect(linearScale(3, 3, 0, 10).domain).toEqual([2, 4]);
  });

  it('positiveRange ignores what a log axis cannot show', () => {
    expect(positiveRange([0, -1, NaN, Infinity, 2, 0.5])).toEqual([0.5, 2]);
    expect(positiveRange([0, -1])).toBeNull();
  });

  it('tick labels are short', () => {
    expect([0, 0.001, 0.01, 1, 10, 1000, 1e-8].map(tickLabel)).toEqual(['0', '1e-3', '0.01', '1', '10', '1e+3', '1e-8']);
  });
});
