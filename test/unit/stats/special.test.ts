/**
 * Special functions against reference values from independent
 * implementations (CPython's math.erf/erfc/lgamma, SciPy's norm.ppf/cdf and
 * betainc), with relative tolerances.
 */
import { describe, expect, it } from 'vitest';
import { standardNormalCdf, standardNormalQuantile, standardNormalSurvival } from '../../../engine/stats/normal';
import { erf, erfc, lnGamma, regularizedIncompleteBeta } from '../../../engine/stats/special';

function expectRelClose(actual: number, expected: number, rel: number): void {
  if (expected === 0) expect(Math.abs(actual)).toBeLessThan(rel);
  else expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(rel);
}

// [x, erf(x), erfc(x)] from CPython's math module.
const ERF: [number, number, number][] = [
  [-6, -1.0, 2.0], [-3, -0.9999779095030014, 1.9999779095030015], [-1.6, -0.976348383344644, 1.976348383344644],
  [-0.7, -0.6778011938374184, 1.6778011938374184], [-1e-3, -0.0011283787909692365, 1.0011283787909693], [0, 0, 1],
  [1e-8, 1.1283791670955126e-8, 0.9999999887162083], [0.3, 0.3286267594591274, 0.6713732405408726],
  [1, 0.8427007929497149, 0.15729920705028513], [1.49, 0.9648978648432042, 0.03510213515679579],
  [1.5, 0.9661051464753108, 0.033894853524689274], [1.51, 0.9672767481287117, 0.03272325187128836],
  [2, 0.9953222650189527, 0.004677734981047265], [3.7, 0.9999998328489421, 1.6715105790914596e-7],
  [5, 0.9999999999984626, 1.5374597944280351e-12], [8, 1.0, 1.1224297172982928e-29], [12, 1.0, 1.3562611692059042e-64],
];

describe('erf and erfc', () => {
  it.each(ERF)('x = %d', (x, erfRef, erfcRef) => {
    expectRelClose(erf(x), erfRef, 2e-15);
    // erfc keeps relative accuracy in the upper tail, where 1 − erf(x) would be 0.
    expectRelClose(erfc(x), erfcRef, 5e-15);
  });

  it('is odd, and erf + erfc = 1', () => {
    for (const x of [0.1, 0.9, 1.7, 2.5]) {
      expect(erf(-x)).toBe(-erf(x));
      expect(erf(x) + erfc(x)).toBeCloseTo(1, 15);
    }
  });

  it('handles infinities and NaN', () => {
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erf(NaN)).toBeNaN();
  });
});

describe('standard normal Φ and Φ⁻¹', () => {
  // [z, Φ(z)] from SciPy.
  it.each([
    [-20, 2.7536241186061556e-89], [-10, 7.61985302416047e-24], [-5, 2.866515718791933e-7], [-1, 0.15865525393145707],
    [0, 0.5], [0.5, 0.6914624612740131], [2, 0.9772498680518208],
  ])('Φ(%d)', (z, ref) => {
    expectRelClose(standardNormalCdf(z), ref, 5e-15);
    expectRelClose(standardNormalSurvival(-z), ref, 5e-15);
  });

  // [p, Φ⁻¹(p)] from SciPy, including both boundaries of Acklam's central region.
  it.each([
    [1e-300, -37.0470962993612], [1e-20, -9.262340089798409], [1e-10, -6.361340902404056], [1e-5, -4.264890793922825],
    [0.001, -3.090232306167813], [0.02, -2.053748910631823], [0.02425, -1.972961051311885], [0.3, -0.5244005127080409],
    [0.7, 0.5244005127080407], [0.975, 1.959963984540054], [0.97575, 1.972961051311885], [0.999, 3.090232306167813],
    [1 - 1e-10, 6.361340889697422],
  ])('Φ⁻¹(%d)', (p, ref) => {
    expectRelClose(standardNormalQuantile(p), ref, 4e-15);
  });

  it('Φ⁻¹ inverts Φ across the range', () => {
    for (let k = 1; k < 1000; k++) {
      const p = k / 1000;
      expect(Math.abs(standardNormalCdf(standardNormalQuantile(p)) - p)).toBeLessThan(1e-15); // a few ulps of p
    }
  });

  it('edges: 0 → −∞, 1 → +∞, ½ → 0, outside [0, 1] → NaN', () => {
    expect(standardNormalQuantile(0)).toBe(-Infinity);
    expect(standardNormalQuantile(1)).toBe(Infinity);
    expect(standardNormalQuantile(0.5)).toBe(0);
    expect(standardNormalQuantile(1.5)).toBeNaN();
    expect(standardNormalQuantile(-0.1)).toBeNaN();
  });
});

describe('lnGamma and the incomplete beta', () => {
  it.each([
    [0.1, 2.2527126517342055], [0.5, 0.5723649429247004], [1.5, -0.12078223763524543], [3.5, 1.2009736023470738],
    [10, 12.801827480081467], [49.5, 142.61728282114598], [100.5, 361.4355404677776], [1000, 5905.220423209181],
  ])('ln Γ(%d)', (x, ref) => expectRelClose(lnGamma(x), ref, 5e-15));

  it('ln Γ(1) = ln Γ(2) = 0', () => {
    expect(Math.abs(lnGamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(lnGamma(2))).toBeLessThan(1e-15);
  });

  // [x, a, b, I_x(a, b)] from SciPy's betainc.
  it.each([
    [0.3, 0.5, 4.5, 0.9188738111541594], [0.9, 2, 3, 0.9963], [0.01, 0.5, 49.5, 0.6802515258606986],
    [0.5, 0.5, 0.5, 0.5], [0.999, 0.5, 1.5, 0.9999865748482768], [0.2, 0.5, 499.5, 1.0],
  ])('I_%d(%d, %d)', (x, a, b, ref) => expectRelClose(regularizedIncompleteBeta(x, a, b), ref, 1e-13));

  it('I_0 = 0, I_1 = 1', () => {
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });
});
