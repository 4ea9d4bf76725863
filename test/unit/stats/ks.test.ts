import { describe, expect, it } from 'vitest';
import { discreteDistribution, normalDistribution, uniformDistribution } from '../../../engine/stats/distribution';
import { kolmogorovCdf, kolmogorovSurvival, ksCriticalValue, ksPValue, ksStatistic } from '../../../engine/stats/ks';
import { TorchGenerator } from '../../../engine/random';

const uniformCdf = (x: number): number => Math.min(1, Math.max(0, x));

/** D by the textbook formula for distinct samples: max over i of (i/n − F(x₍ᵢ₎)) and (F(x₍ᵢ₎) − (i−1)/n). */
function naiveD(samples: number[], cdf: (x: number) => number): number {
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  return Math.max(...s.map((x, i) => Math.max((i + 1) / n - cdf(x), cdf(x) - i / n)));
}

describe('ksStatistic', () => {
  it('hand-computed examples against U(0, 1)', () => {
    expect(ksStatistic([0.5], uniformCdf)).toBe(0.5);
    expect(ksStatistic([0.9, 0.1, 0.2], uniformCdf)).toBeCloseTo(2 / 3 - 0.2, 15);
  });

  it('agrees with the textbook formula on random samples, and does not modify its input', () => {
    const rng = new TorchGenerator(1);
    const samples = Array.from({ length: 500 }, () => rng.normal() * 1.05);
    const copy = [...samples];
    const dist = normalDistribution(0, 1);
    expect(ksStatistic(samples, dist.cdf)).toBeCloseTo(naiveD(samples, dist.cdf), 15);
    expect(samples).toEqual(copy);
  });

  it('ignores NaN samples', () => {
    expect(ksStatistic([0.5, NaN], uniformCdf)).toBe(0.5);
    expect(ksStatistic([NaN], uniformCdf)).toBeNaN();
  });

  it('with atoms: a sample that matches a discrete distribution exactly has D = 0', () => {
    const dist = discreteDistribution([{ x: 0, p: 0.75 }, { x: 1, p: 0.25 }]);
    expect(ksStatistic([0, 0, 0, 1], dist)).toBe(0);
    // A plain CDF cannot see the left limit at the jump: D is then over-estimated.
    expect(ksStatistic([0, 0, 0, 1], dist.cdf)).toBeCloseTo(0.75, 15);
    expect(ksStatistic([0, 0, 1, 1], dist)).toBeCloseTo(0.25, 15);
  });
});

describe('Kolmogorov distribution', () => {
  // [λ, P(K > λ)] from SciPy's special.kolmogorov.
  it.each([
    [0.2, 0.999999999999495], [0.5, 0.9639452436648751], [0.8, 0.5441424115741981], [1.0, 0.26999967167735456],
    [1.2, 0.11224966667072497], [1.36, 0.049485876755377876], [1.63, 0.009846364888486529], [2, 0.0006709252557796953],
    [3, 3.045995948942526e-8],
  ])('P(K > %d)', (lambda, ref) => {
    expect(Math.abs(kolmogorovSurvival(lambda) - ref) / ref).toBeLessThan(1e-12);
    expect(kolmogorovCdf(lambda) + kolmogorovSurvival(lambda)).toBeCloseTo(1, 14);
  });

  it('the two series agree where they meet (λ = 1)', () => {
    expect(kolmogorovSurvival(1 - 1e-12)).toBeCloseTo(kolmogorovSurvival(1), 10);
  });

  it('limits', () => {
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(-1)).toBe(1);
    expect(kolmogorovSurvival(50)).toBe(0);
  });

  // [α, λ_α] from SciPy's special.kolmogi.
  it.each([[0.05, 1.3580986393225507], [0.01, 1.6276236115189504], [0.001, 1.9494746035043753]])('critical value at α = %d', (alpha, lambda) => {
    expect(ksCriticalValue(alpha, 1)).toBeCloseTo(lambda, 10);
    expect(ksCriticalValue(alpha, 400)).toBeCloseTo(lambda / 20, 10);
    expect(() => ksCriticalValue(0, 10)).toThrow('alpha');
  });

  it('p-value = P(K > √n·D)', () => {
    expect(ksPValue(0.1, 100)).toBeCloseTo(kolmogorovSurvival(1), 15);
  });
});

describe('the KS test as used on initializers', () => {
  it('has roughly the nominal false-rejection rate at α = 0.05 (asymptotic, so at most nominal)', () => {
    const rng = new TorchGenerator(2);
    const dist = uniformDistribution(-1, 1);
    let rejected = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const samples = Float64Array.from({ length: 200 }, () => rng.uniformRange(-1, 1));
      if (ksPValue(ksStatistic(samples, dist), samples.length) < 0.05) rejected++;
    }
    // Binomial(400, ≤ 0.05): mean ≤ 20, sd ≈ 4.4.
    expect(rejected).toBeLessThan(35);
    expect(rejected).toBeGreaterThan(5);
  });

  it('rejects a 10% scale error with 60 000 normal samples', () => {
    const rng = new TorchGenerator(3);
    const samples = Float64Array.from({ length: 60000 }, () => rng.normal());
    expect(ksPValue(ksStatistic(samples, normalDistribution(0, 1)), 60000)).toBeGreaterThan(1e-3);
    expect(ksPValue(ksStatistic(samples, normalDistribution(0, 1.1)), 60000)).toBeLessThan(1e-3);
  });
});

describe('ksStatistic on float32 samples (radix-sorted)', () => {
  it('equals the statistic of the same values given as float64, NaN ignored', () => {
    const values = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 2);
    values[17] = NaN;
    values[99] = values[100]!; // a run of equal values
    const cdf = (x: number) => Math.min(1, Math.max(0, (x + 2) / 4));
    const d32 = ksStatistic(values, cdf);
    expect(d32).toBeGreaterThan(0);
    expect(d32).toBe(ksStatistic(Float64Array.from(values), cdf));
  });
});
