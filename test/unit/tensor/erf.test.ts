import { describe, expect, it } from 'vitest';
import { erf, erfc } from '../../../engine/tensor/erf';

/** erf and erfc to 20 digits, from an arbitrary-precision library (mpmath, 30 digits). */
const REFERENCE: [number, number, number][] = [
  [1e-8, 1.1283791670955125363e-8, 0.99999998871620832904],
  [0.1, 0.1124629160182848922, 0.8875370839817151078],
  [0.5, 0.52049987781304653768, 0.47950012218695346232],
  [0.75, 0.7111556336535151316, 0.2888443663464848684],
  [1, 0.84270079294971486934, 0.15729920705028513066],
  [1.5, 0.96610514647531072707, 0.033894853524689272933],
  [2, 0.99532226501895273416, 0.0046777349810472658379],
  [3, 0.99997790950300141456, 0.000022090496998585441373],
  [4, 0.99999998458274209972, 1.5417257900280018852e-8],
  [4.5, 0.99999999980338395585, 1.9661604415428874763e-10],
  [6, 0.99999999999999997848, 2.1519736712498913117e-17],
  [10, 1, 2.088487583762544757e-45],
  [26, 1, 5.6631924088561428465e-296],
  [-2, -0.99532226501895273416, 1.9953222650189527342],
];

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('erf / erfc', () => {
  it.each(REFERENCE)('x = %d matches the high-precision values to ~1e-15 relative', (x, erfExpected, erfcExpected) => {
    expect(relativeError(erf(x), erfExpected)).toBeLessThan(2e-15);
    expect(relativeError(erfc(x), erfcExpected)).toBeLessThan(2e-15);
  });

  it('is odd, bounded and monotone across the region boundaries', () => {
    let previous = -1;
    for (let x = -8; x <= 8; x += 1 / 64) {
      const value = erf(x);
      expect(erf(-x)).toBe(-value);
      expect(Math.abs(value)).toBeLessThanOrEqual(1);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
      expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(4e-16);
    }
  });

  it('handles zero, infinities and NaN', () => {
    expect(erf(0)).toBe(0);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erf(NaN)).toBeNaN();
    expect(erfc(NaN)).toBeNaN();
  });
});
