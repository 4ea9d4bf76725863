import { describe, expect, it } from 'vitest';
import { axisNumber, wantsLogScale } from '../../../webview/training/lineChart';

describe('line chart axis labels', () => {
  it('write large and tiny ends short enough for the left margin', () => {
    expect(axisNumber(2.468e24)).toBe('2.47e24');
    expect(axisNumber(1.234e-7)).toBe('1.23e−7');
    expect(axisNumber(-3.5e30)).toBe('−3.5e30');
    for (const v of [2.468e24, -2.468e-24, 9.999e37, 1.17e-38]) expect(axisNumber(v).length).toBeLessThanOrEqual(9);
  });

  it('keep the table format where it has no exponent', () => {
    expect(axisNumber(0.5981)).toBe('0.5981');
    expect(axisNumber(17.27)).toBe('17.27');
    expect(axisNumber(300)).toBe('300');
  });
});

describe('wantsLogScale', () => {
  const series = (...values: number[]) => [{ label: 'loss', color: 0, points: values.map((v, i) => [i + 1, v] as const) }];

  it('is true for positive values spanning two decades or more', () => {
    expect(wantsLogScale(series(0.7, 0.1, 0.003))).toBe(true);
    expect(wantsLogScale([...series(0.7, 0.2), ...series(0.004)])).toBe(true); // across series (train and validation)
  });

  it('is false for a narrower span, a zero or negative value, or no finite value', () => {
    expect(wantsLogScale(series(0.7, 0.1, 0.01))).toBe(false);
    expect(wantsLogScale(series(0.7, 1e-6, 0))).toBe(false);
    expect(wantsLogScale(series(5, -1e-5))).toBe(false);
    expect(wantsLogScale(series(NaN, Infinity))).toBe(false);
  });

  it('skips the non-finite values of a diverged run', () => {
    expect(wantsLogScale(series(0.7, 1e-4, NaN))).toBe(true);
  });
});
