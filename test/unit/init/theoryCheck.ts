/**
 * Shared checks of sampled initializer output against a theory: a
 * Kolmogorov–Smirnov test that must accept the right distribution and reject
 * a deliberately mis-scaled one, moment checks within a few standard errors,
 * and support bounds.
 */
import { expect } from 'vitest';
import type { Distribution } from '../../../engine/stats/distribution';
import { ksPValue, ksStatistic } from '../../../engine/stats/ks';
import { sampleMoments, standardErrorOfMean, standardErrorOfStd } from '../../../engine/stats/moments';
import type { FloatArray } from '../../../engine/tensor/dtype';

/** Reject at this KS p-value. At fixed seeds a correct theory passes with a wide margin. */
export const REJECT_P = 1e-3;

/** The distribution of μ + factor·(X − μ): the same family, std × factor. */
export function rescaledCdf(dist: Distribution, factor: number): (x: number) => number {
  return (x) => dist.cdf(dist.mean + (x - dist.mean) / factor);
}

export function ksPValueOf(samples: FloatArray, dist: Distribution | ((x: number) => number)): number {
  return ksPValue(ksStatistic(samples, dist), samples.length);
}

export interface TheoryCheckOptions {
  /** How many standard errors the mean and std may be off (default 5). */
  sigmas?: number;
  /** Skip the std×1.1 rejection check (for degenerate distributions). */
  skipWrongScale?: boolean;
}

export function expectSamplesMatchTheory(samples: FloatArray, dist: Distribution, options: TheoryCheckOptions = {}): void {
  const sigmas = options.sigmas ?? 5;
  const n = samples.length;

  expect(ksPValueOf(samples, dist), 'KS against the theory').toBeGreaterThan(REJECT_P);
  if (!options.skipWrongScale) {
    expect(ksPValueOf(samples, rescaledCdf(dist, 1.1)), 'KS against std×1.1 must reject').toBeLessThan(REJECT_P);
    expect(ksPValueOf(samples, rescaledCdf(dist, 1 / 1.1)), 'KS against std/1.1 must reject').toBeLessThan(REJECT_P);
  }

  const m = sampleMoments(samples);
  expect(Math.abs(m.mean - dist.mean)).toBeLessThanOrEqual(sigmas * standardErrorOfMean(dist.std, n) + 1e-15);
  expect(Math.abs(Math.sqrt(m.variance) - dist.std)).toBeLessThanOrEqual(sigmas * standardErrorOfStd(dist.std, dist.kurtosis, n) + 1e-15);

  let min = Infinity;
  let max = -Infinity;
  for (const x of samples) {
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  expect(min).toBeGreaterThanOrEqual(dist.support[0]);
  expect(max).toBeLessThanOrEqual(dist.support[1]);
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}
