import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../../webview/format';

describe('number formatting in tables', () => {
  it('writes counts with every digit', () => {
    expect(formatNumber(16384)).toBe('16,384');
    expect(formatNumber(1234567)).toBe('1,234,567');
  });

  it('writes large floats (integers in float) in exponent form, as a diverging run reaches them', () => {
    expect(formatNumber(755925100000000)).toBe('7.559e+14');
    expect(formatNumber(2965021130752)).toBe('2.965e+12');
    expect(formatNumber(2.468e24)).toBe('2.468e+24');
  });

  it('keeps 4 significant digits in the plain range and marks non-finite values', () => {
    expect(formatNumber(0.0123456)).toBe('0.01235');
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(null)).toBe('—');
  });

  it('writes both minus signs of a negative number with a negative exponent as −', () => {
    expect(formatNumber(-1.234e-7)).toBe('−1.234e−7');
  });
});
