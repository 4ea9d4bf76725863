/**
 * Statistics of one layer's activations, a row-major [examples × units]
 * matrix: the scale (mean, std, RMS over all entries), the std across
 * examples, dead ReLU units and saturated Tanh/Sigmoid outputs. One pass per
 * statistic, no allocation per entry.
 */
import type { FloatArray } from '../tensor/dtype';
import { summarize } from '../stats/summary';

export interface ActivationScale {
  /** Finite entries only; non-finite ones are counted in `nonFinite`. */
  mean: number;
  /** Population std over all entries (so that rms² = std² + mean²). */
  std: number;
  rms: number;
  /**
   * √(mean over units of each unit's variance across examples): the part of
   * the activation that depends on the input. A bias, the same for every
   * example, adds to `std` but not to this.
   */
  signalStd: number;
  nonFinite: number;
}

/** |a| above this is a saturated Tanh output (tanh′ = 1 − a² < 0.02). */
export const TANH_SATURATION = 0.99;
/** a below this or above 1 − this is a saturated Sigmoid output (σ′ = a(1 − a) < 0.01). */
export const SIGMOID_SATURATION = 0.01;

export function activationScale(data: FloatArray, examples: number, units: number): ActivationScale {
  const s = summarize(data, { unbiased: false });
  return {
    mean: s.mean,
    std: s.std,
    rms: s.count > 0 ? s.l2Norm / Math.sqrt(s.count) : NaN,
    signalStd: Math.sqrt(meanColumnVariance(data, examples, units)),
    nonFinite: s.nonFinite,
  };
}

/** Mean over columns of each column's population variance (two passes: column means, then squared deviations). */
export function meanColumnVariance(data: FloatArray, rows: number, cols: number): number {
  if (rows === 0 || cols === 0) return NaN;
  const means = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) means[j]! += data[i * cols + j]!;
  for (let j = 0; j < cols; j++) means[j]! /= rows;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = data[i * cols + j]! - means[j]!;
      sum += d * d;
    }
  }
  return sum / (rows * cols);
}

/** Fraction of units (columns) that are exactly 0 for every example: ReLU units that get no gradient at all. */
export function deadFraction(data: FloatArray, rows: number, cols: number): number {
  if (cols === 0) return 0;
  let dead = 0;
  for (let j = 0; j < cols; j++) {
    let alive = false;
    for (let i = 0; i < rows && !alive; i++) alive = data[i * cols + j] !== 0;
    if (!alive) dead++;
  }
  return dead / cols;
}

/** Fraction of entries in the flat tails: |a| > 0.99 after Tanh, a < 0.01 or a > 0.99 after Sigmoid. */
export function saturatedFraction(data: FloatArray, kind: 'Tanh' | 'Sigmoid'): number {
  if (data.length === 0) return 0;
  let saturated = 0;
  for (let i = 0; i < data.length; i++) {
    const a = data[i]!;
    if (kind === 'Tanh' ? Math.abs(a) > TANH_SATURATION : a < SIGMOID_SATURATION || a > 1 - SIGMOID_SATURATION) saturated++;
  }
  return saturated / data.length;
}

/** Population std of the finite entries, or null for a missing gradient. */
export function gradientStd(grad: FloatArray | null): number | null {
  return grad === null ? null : summarize(grad, { unbiased: false }).std;
}
