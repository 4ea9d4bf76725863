/**
 * The distributions' closed-form moments and CDFs against numerical
 * integration of their densities (composite Simpson), and against sampling.
 */
import { describe, expect, it } from 'vitest';
import {
  cdfLeft,
  type Distribution,
  discreteDistribution,
  normalDistribution,
  pointMass,
  sphereCoordinateDistribution,
  truncatedNormalDistribution,
  uniformDistribution,
  zeroInflatedDistribution,
} from '../../../engine/stats/distribution';
import { histogramTheory } from '../../../engine/stats/histogramTheory';
import { sampleMoments, standardErrorOfMean, standardErrorOfStd } from '../../../engine/stats/moments';
import { ksPValue, ksStatistic } from '../../../engine/stats/ks';
import { TorchGenerator } from '../../../engine/random';

/** ∫_a^b f by composite Simpson with n (even) panels. */
function simpson(f: (x: number) => number, a: number, b: number, n = 20000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** Mean, std and kurtosis of a density on [a, b], numerically. */
function numericMoments(pdf: (x: number) => number, a: number, b: number) {
  const mass = simpson(pdf, a, b);
  const mean = simpson((x) => x * pdf(x), a, b) / mass;
  const variance = simpson((x) => (x - mean) ** 2 * pdf(x), a, b) / mass;
  const m4 = simpson((x) => (x - mean) ** 4 * pdf(x), a, b) / mass;
  return { mass, mean, std: Math.sqrt(variance), kurtosis: m4 / variance ** 2 };
}

function expectConsistent(dist: Distribution, a: number, b: number, tol = 1e-9): void {
  const m = numericMoments(dist.pdf!, a, b);
  expect(m.mass).toBeCloseTo(1, 8);
  expect(Math.abs(m.mean - dist.mean)).toBeLessThan(tol * Math.max(1, dist.std));
  expect(Math.abs(m.std - dist.std) / dist.std).toBeLessThan(tol);
  expect(Math.abs(m.kurtosis - dist.kurtosis)).toBeLessThan(1e-7);
  // F(x) = ∫_a^x f at a few interior points.
  for (const t of [0.1, 0.35, 0.5, 0.8]) {
    const x = a + t * (b - a);
    expect(dist.cdf(x)).toBeCloseTo(simpson(dist.pdf!, a, x), 8);
  }
}

describe('closed forms agree with numerical integration', () => {
  it('uniform', () => expectConsistent(uniformDistribution(-0.3, 0.7), -0.3, 0.7));
  it('normal', () => expectConsistent(normalDistribution(0.5, 0.02), 0.5 - 0.4, 0.5 + 0.4));
  it.each([
    [0, 1, -2, 2],
    [1, 2, 0, 5],
    [0, 1, 5, 6],
    [0, 0.02, -0.04, 0.04],
    [0, 1, -1, Infinity],
  ])('truncated normal mean %d std %d on [%d, %d]', (mean, std, a, b) => {
    const dist = truncatedNormalDistribution(mean, std, a, b);
    expectConsistent(dist, a, Number.isFinite(b) ? b : mean + 40 * std, 1e-8);
  });
  it.each([[3], [5], [10], [100]])('sphere coordinate, n = %d', (n) => {
    const dist = sphereCoordinateDistribution(n, 0.7);
    expect(dist.std).toBeCloseTo(0.7 / Math.sqrt(n), 15);
    expectConsistent(dist, -0.7, 0.7, 1e-7);
  });
});

describe('sphere coordinate (orthogonal_ marginal) against direct sampling', () => {
  it.each([[2], [3], [7], [50]])('n = %d: a coordinate of a normalized Gaussian vector', (n) => {
    const rng = new TorchGenerator(n);
    const samples = new Float64Array(40000);
    for (let i = 0; i < samples.length; i++) {
      let norm2 = 0;
      let first = 0;
      for (let k = 0; k < n; k++) {
        const z = rng.normal();
        if (k === 0) first = z;
        norm2 += z * z;
      }
      samples[i] = first / Math.sqrt(norm2);
    }
    const dist = sphereCoordinateDistribution(n, 1);
    expect(ksPValue(ksStatistic(samples, dist), samples.length)).toBeGreaterThan(1e-3);
    // The normal approximation N(0, 1/n) is wrong for small n: KS sees it.
    if (n <= 3) expect(ksPValue(ksStatistic(samples, normalDistribution(0, 1 / Math.sqrt(n))), samples.length)).toBeLessThan(1e-3);
  });

  it('n = 2 is the arcsine law: F(x) = ½ + arcsin(x)/π', () => {
    const dist = sphereCoordinateDistribution(2, 1);
    for (const x of [-0.9, -0.3, 0, 0.5, 0.99]) expect(dist.cdf(x)).toBeCloseTo(0.5 + Math.asin(x) / Math.PI, 13);
  });

  it('n = 3 is uniform on [−1, 1] (Archimedes)', () => {
    const dist = sphereCoordinateDistribution(3, 1);
    for (const x of [-0.9, -0.3, 0, 0.5, 0.99]) expect(dist.cdf(x)).toBeCloseTo((x + 1) / 2, 13);
  });
});

describe('atoms', () => {
  it('point mass and discrete distributions', () => {
    const d = discreteDistribution([{ x: 1, p: 0.25 }, { x: -1, p: 0.75 }]);
    expect(d.atoms).toEqual([{ x: -1, p: 0.75 }, { x: 1, p: 0.25 }]);
    expect(d.mean).toBeCloseTo(-0.5, 15);
    expect(d.std).toBeCloseTo(Math.sqrt(0.75), 15);
    expect(d.cdf(-1)).toBe(0.75);
    expect(cdfLeft(d, -1)).toBe(0);
    expect(pointMass(2).std).toBe(0);
  });

  it('zero-inflated normal (sparse_): moments and jump at 0', () => {
    const d = zeroInflatedDistribution(normalDistribution(0, 2), 0.3);
    expect(d.std).toBeCloseTo(2 * Math.sqrt(0.7), 15);
    expect(d.kurtosis).toBeCloseTo(3 / 0.7, 14);
    expect(d.cdf(0) - cdfLeft(d, 0)).toBeCloseTo(0.3, 15);
    expect(d.pdf!(0)).toBeCloseTo((0.7 / (2 * Math.sqrt(2 * Math.PI))), 15);
  });

  it('degenerate parameters become point masses', () => {
    expect(uniformDistribution(1, 1).atoms).toEqual([{ x: 1, p: 1 }]);
    expect(normalDistribution(3, 0).atoms).toEqual([{ x: 3, p: 1 }]);
    expect(truncatedNormalDistribution(5, 0, -1, 1).atoms).toEqual([{ x: 1, p: 1 }]);
  });
});

describe('histogramTheory', () => {
  it('uniform: equal expected counts over its support, total preserved', () => {
    const e = histogramTheory(uniformDistribution(0, 1), [0, 0.25, 0.5, 0.75, 1], 1000);
    for (const v of e) expect(v).toBeCloseTo(250, 10);
  });

  it('normal: bins of ±1σ hold Φ(1) − Φ(0) each', () => {
    const e = histogramTheory(normalDistribution(0, 1), [-1, 0, 1]);
    expect(e[0]).toBeCloseTo(0.3413447460685429, 14);
    expect(e[1]).toBeCloseTo(0.3413447460685429, 14);
  });

  it('atoms go to the bin that contains them, the last bin closed on the right', () => {
    const d = discreteDistribution([{ x: 0, p: 0.5 }, { x: 1, p: 0.5 }]);
    expect(Array.from(histogramTheory(d, [0, 0.5, 1], 10))).toEqual([5, 5]);
    expect(Array.from(histogramTheory(d, [-1, 0, 1], 10))).toEqual([0, 10]);
  });
});

describe('moments helpers', () => {
  it('sampleMoments of a known sample', () => {
    const m = sampleMoments([1, 2, 3, 4, NaN]);
    expect(m.count).toBe(4);
    expect(m.mean).toBe(2.5);
    expect(m.variance).toBeCloseTo(5 / 3, 15);
    expect(m.skewness).toBeCloseTo(0, 15);
    expect(m.kurtosis).toBeCloseTo(1.64, 14); // m4/m2² = 2.5625/1.5625
  });

  it('standard errors have the right size: the sample std of many normal samples spreads as SE(s)', () => {
    const rng = new TorchGenerator(9);
    const n = 400;
    const stds: number[] = [];
    const means: number[] = [];
    for (let t = 0; t < 2000; t++) {
      const xs = Array.from({ length: n }, () => rng.normal());
      const m = sampleMoments(xs);
      stds.push(Math.sqrt(m.variance));
      means.push(m.mean);
    }
    const spreadOfStd = Math.sqrt(sampleMoments(stds).variance);
    const spreadOfMean = Math.sqrt(sampleMoments(means).variance);
    expect(spreadOfStd / standardErrorOfStd(1, 3, n)).toBeGreaterThan(0.9);
    expect(spreadOfStd / standardErrorOfStd(1, 3, n)).toBeLessThan(1.1);
    expect(spreadOfMean / standardErrorOfMean(1, n)).toBeGreaterThan(0.9);
    expect(spreadOfMean / standardErrorOfMean(1, n)).toBeLessThan(1.1);
  });
});
