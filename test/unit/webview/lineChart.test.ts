import { describe, expect, it } from 'vitest';
import { axisNumber } from '../../../webview/training/lineChart';

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
