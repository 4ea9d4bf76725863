/**
 * Initialization inspection: draw the model's parameters as PyTorch would and
 * summarize each tensor against its initializer's theory — sample moments,
 * a histogram with the count each bin should hold in theory, and the
 * Kolmogorov–Smirnov distance D = sup |F_n(x) − F(x)|.
 */
import type { Theory } from '../init/theory';
import { initializeParameters, type InitialValues, type InitializedParameter } from '../model/initialize';
import { parameterCount, type ModelSpec } from '../model/spec';
import { Rng } from '../rng';
import { histogramTheory } from '../stats/histogramTheory';
import { ksStatistic } from '../stats/ks';
import { summarize } from '../stats/summary';
import type { InitInspection, ParameterInspection, TheorySummary } from './types';

export interface InspectOptions {
  /** Most histogram bins per tensor; small tensors get fewer (see `binsFor`). */
  bins: number;
}

/**
 * Bins for n values: ⌈√n⌉ (the square-root rule), between 5 and `maxBins`,
 * so that 100 biases are not spread over 40 mostly empty bins while a
 * 1,000×1,000 weight still gets the full resolution.
 */
export function binsFor(n: number, maxBins: number): number {
  return Math.max(Math.min(5, maxBins), Math.min(maxBins, Math.ceil(Math.sqrt(n))));
}

export function inspectInitialization(spec: ModelSpec, options: InspectOptions, checkpoint?: InitialValues): InitInspection {
  const started = performance.now();
  const params = initializeParameters(spec, new Rng(spec.seed), 'float32', checkpoint);
  const parameters = params.map((p) => inspectParameter(p, options.bins));
  return { modelName: spec.name, seed: spec.seed, parameterCount: parameterCount(spec), parameters, elapsedMs: performance.now() - started };
}

export function inspectParameter(p: InitializedParameter, bins: number): ParameterInspection {
  const { theory } = p;
  const stats = summarize(p.data);
  // Bounded theories get bins over their support, so that bars line up with the
  // flat (or truncated) density; unbounded ones get bins over the sample's range.
  const [lo, hi] = theory?.support ?? [NaN, NaN];
  const range: [number, number] = Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? [lo, hi] : [stats.min, stats.max];
  const histogram = summarize(p.data, { histogram: { bins: binsFor(stats.count, bins), range } }).histogram!;
  const edges = Array.from(histogram.edges);
  return {
    name: p.name,
    shape: p.shape,
    initializer: p.initializer,
    origin: p.origin,
    theory: theory ? theorySummary(theory) : null,
    sample: { count: stats.count, mean: stats.mean, std: stats.std, min: stats.min, max: stats.max },
    histogram: {
      edges,
      counts: Array.from(histogram.counts),
      ...(theory ? { expected: Array.from(histogramTheory(theory, edges, stats.count)) } : {}),
    },
    // KS compares continuous distributions; with atoms (constant, sparse zeros) D says little.
    ks: theory && theory.atoms.length === 0 ? ksStatistic(p.data, theory.cdf) : null,
  };
}

function theorySummary(t: Theory): TheorySummary {
  return { family: t.family, params: { ...t.params }, mean: t.mean, std: t.std, support: [t.support[0], t.support[1]], fanIn: t.fanIn, fanOut: t.fanOut, gain: t.gain };
}
