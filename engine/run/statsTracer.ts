/**
 * A light trace sink for every step of a run: the same `StepTrace` as the
 * optimizer's `Tracer`, without histograms, computed with the fewest
 * operations per element, because it runs on every step and the goal is that
 * tracing costs at most a fifth of the step.
 *
 * Only the tensors the run record needs are asked for (see `wants`), and of
 * most of them only the norm: `normSummary` accumulates Σx² alone and leaves
 * mean, std, min and max NaN. For √v̂ and the step size one pass accumulates n, Σx, Σx², min and max in double, with no
 * division and no branch on finiteness. Then:
 *
 *     mean = Σx/n,   variance = (Σx² − (Σx)²/n)/(n − 1)  (clamped at 0),   ‖x‖₂ = √Σx²
 *
 * The textbook variance loses relative precision ~ 2⁻⁵³·(mean/std)², which
 * only matters for a display when the spread is a millionth of the mean; the
 * careful one-pass Welford form (engine/stats/summary) is used instead when
 * the sums are not trustworthy: a non-finite element (then NaN/±Inf are also
 * counted, as the Tracer does), or Σx² overflowing or underflowing
 * (|x| beyond ~1e154 or all below ~1e-154).
 */
import { StepCollector, type TermTrace } from '../optim/trace';
import { summarize } from '../stats/summary';
import type { FloatArray } from '../tensor/dtype';

/** Σx² below this (with some x ≠ 0) may have lost digits to underflow. */
const TINY_SUM_OF_SQUARES = 1e-280;

export class StatsTracer extends StepCollector {
  tensor(param: string, key: string, values: FloatArray): void {
    if (!this.wants(key)) return;
    // The record needs the distribution of √v̂ and of the step size; of every other tensor only its norm.
    this.entry(param).terms[key] = key === 'sqrtVHat' || key === 'stepScale' ? fastSummary(values) : normSummary(values);
  }

  /**
   * m̂ (its norm is ‖m‖/(1 − β1^t)), v, v̂ and the direction are not needed per step; √v̂ and
   * 1/(√v̂ + ε) are (and √v̂ is NaN/Inf exactly where v is, which is what NaN detection needs of v).
   */
  wants(key: string): boolean {
    return key !== 'mHat' && key !== 'v' && key !== 'vMax' && key !== 'vHat' && key !== 'vMaxHat' && key !== 'direction';
  }
}

export function fastSummary(x: FloatArray): TermTrace {
  const n = x.length;
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const trustworthy = Number.isFinite(sumSq) && (sumSq > TINY_SUM_OF_SQUARES || (max === 0 && min === 0) || n === 0);
  if (!trustworthy) return summarize(x);
  const mean = n > 0 ? sum / n : NaN;
  const variance = n > 1 ? Math.max(0, (sumSq - (sum * sum) / n) / (n - 1)) : NaN;
  return {
    count: n, nonFinite: 0, nan: 0, posInf: 0, negInf: 0,
    mean: n > 0 ? Math.min(max, Math.max(min, mean)) : NaN,
    std: Math.sqrt(variance), variance,
    min: n > 0 ? min : NaN, max: n > 0 ? max : NaN,
    l2Norm: Math.sqrt(sumSq),
  };
}

/**
 * Only ‖x‖₂ = √Σx² (mean, std, min and max are NaN), in one pass of one
 * multiply-add per element; the careful summary when Σx² is not trustworthy
 * (a NaN/Inf element, which it then counts, or overflow/underflow).
 */
export function normSummary(x: FloatArray): TermTrace {
  const n = x.length;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    sumSq += v * v;
  }
  if (!Number.isFinite(sumSq) || (sumSq < TINY_SUM_OF_SQUARES && sumSq !== 0)) return summarize(x);
  if (sumSq === 0 && n > 0) {
    // All zeros, or values so small that their squares underflow to 0: only the careful norm tells.
    let any = false;
    for (let i = 0; i < n && !any; i++) any = x[i] !== 0;
    if (any) return summarize(x);
  }
  return { count: n, nonFinite: 0, nan: 0, posInf: 0, negInf: 0, mean: NaN, std: NaN, variance: NaN, min: NaN, max: NaN, l2Norm: Math.sqrt(sumSq) };
}
