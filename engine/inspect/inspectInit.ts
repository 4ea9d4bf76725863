/**
 * Initialization inspection: draw the model's parameters as PyTorch would and
 * summarize each tensor against its initializer's theory — sample moments,
 * a histogram with the count each bin should hold in theory, and the
 * Kolmogorov–Smirnov distance D = sup |F_n(x) − F(x)|.
 */
import type { Theory } from '../init/theory';
import { initialTensors, type InitialValues, type InitializedParameter } from '../model/initialize';
import { modelTree } from '../model/moduleTree';
import { type ModelSpec } from '../model/spec';
import { countParameters, subtreeParameterCount, tensorEntries, type ModuleNode, type TensorEntry, type TensorTie } from '../modules/tree';
import { generatorInfo, TorchGenerator } from '../random';
import { histogramTheory } from '../stats/histogramTheory';
import { binsAndBuckets } from '../stats/binsAndBuckets';
import { histogramEdges, histogramRange } from '../stats/histogram';
import { BUCKETED_FROM, ksStatistic } from '../stats/ks';
import { bucketLayout, ksFromBuckets } from '../stats/ksBucketed';
import { definedStd, summarize, type Summary } from '../stats/summary';
import type { FloatArray } from '../tensor/dtype';
import type { InitInspection, ModuleSummary, ParameterInspection, TheorySummary } from './types';

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

/**
 * Draws and summarizes every tensor of the model, parameters and buffers, one
 * at a time (each drawn into one reused buffer and summarized before the next,
 * so memory stays at the largest tensor), in state_dict order; a tied tensor once, with its
 * other names as aliases.
 */
export function inspectInitialization(spec: ModelSpec, options: InspectOptions, checkpoint?: InitialValues): InitInspection {
  const steps = inspectionSteps(spec, options, checkpoint);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** How far an inspection is: tensors summarized of all, and the one just done. */
export interface InspectionProgress {
  done: number;
  total: number;
  name: string;
}

/**
 * The inspection one tensor at a time: it pauses after each tensor with how
 * far it is, so that the worker can report progress and stop when asked
 * (GPT-2 small takes seconds), and returns the inspection at the end.
 */
export function* inspectionSteps(spec: ModelSpec, options: InspectOptions, checkpoint?: InitialValues): Generator<InspectionProgress, InitInspection> {
  const started = performance.now();
  const { root, ties } = modelTree(spec);
  const entries = tensorEntries(root, ties);
  const aliases = new Map<string, string[]>();
  for (const e of entries) if (e.sameAs !== undefined) aliases.set(e.sameAs, [...(aliases.get(e.sameAs) ?? []), e.name]);
  const total = entries.filter((e) => e.sameAs === undefined).length;
  const parameters: ParameterInspection[] = [];
  for (const [entry, p] of initialTensors(spec, new TorchGenerator(spec.seed), 'float32', { checkpoint, reuseBuffer: true })) {
    parameters.push(describeEntry(entry, inspectParameter(p, options.bins), aliases.get(entry.name)));
    yield { done: parameters.length, total, name: entry.name };
  }
  return { modelName: spec.name, seed: spec.seed, generator: generatorInfo(spec.seed), parameterCount: countParameters(root, ties), parameters, modules: moduleSummary(root, ties), elapsedMs: performance.now() - started };
}

function describeEntry(entry: TensorEntry, inspection: ParameterInspection, aliases: string[] | undefined): ParameterInspection {
  const out: ParameterInspection = { ...inspection, kind: entry.decl.kind, module: { path: entry.modulePath, type: entry.module.className ?? entry.module.type } };
  if (entry.decl.kind === 'buffer') out.persistent = entry.decl.persistent;
  if (aliases) out.aliases = aliases;
  if (entry.decl.approximate) out.approximate = entry.decl.approximate;
  return out;
}

/**
 * The model's module tree with parameter counts: each module's as torch's
 * `sum(p.numel() for p in module.parameters())` gives it, and the root's with
 * a tied tensor counted once.
 */
export function moduleSummary(root: ModuleNode, ties: readonly TensorTie[]): ModuleSummary {
  return { ...summarizeModules(root, '', ''), parameterCount: countParameters(root, ties) };
}

/** The module tree with each module's parameter count (its own and its submodules'). */
export function summarizeModules(module: ModuleNode, name: string, path: string): ModuleSummary {
  return {
    name,
    path,
    type: module.className ?? module.type,
    parameterCount: subtreeParameterCount(module),
    children: module.children.map((c) => summarizeModules(c.module, c.name, path ? `${path}.${c.name}` : c.name)),
  };
}

export function inspectParameter(p: InitializedParameter, bins: number): ParameterInspection {
  const { theory } = p;
  // Bounded theories get bins over their support, so that bars line up with the
  // flat (or truncated) density; unbounded ones get bins over the sample's
  // [min, max]. One pass for the moments, then one that counts the histogram
  // and, for a large tensor, the KS buckets together.
  const [lo, hi] = theory?.support ?? [NaN, NaN];
  const range = Number.isFinite(lo) && Number.isFinite(hi) && hi > lo ? ([lo, hi] as const) : undefined;
  const fused = theory && theory.atoms.length === 0 ? fusedSummary(p.data, theory.cdf, bins, range) : undefined;
  let stats = fused?.stats ?? summarize(p.data, { histogram: { bins: binsFor(p.data.length, bins), ...(range ? { range } : {}) } });
  // The bin count follows the finite values: with NaN or ±∞ in the tensor, bin again.
  if (stats.count !== p.data.length) stats = summarize(p.data, { histogram: { bins: binsFor(stats.count, bins), ...(range ? { range } : {}) } });
  const histogram = stats.histogram!;
  const edges = Array.from(histogram.edges);
  return {
    name: p.name,
    shape: p.shape,
    initializer: p.initializer,
    origin: p.origin,
    theory: theory ? theorySummary(theory) : null,
    sample: { count: stats.count, mean: stats.mean, std: definedStd(stats.count, stats.std), min: stats.min, max: stats.max },
    histogram: {
      edges,
      counts: Array.from(histogram.counts),
      ...(theory ? { expected: Array.from(histogramTheory(theory, edges, stats.count)) } : {}),
    },
    // KS compares continuous distributions; with atoms (constant, sparse zeros) D says little.
    // Without NaN or ±∞ the summary's count and range are the statistic's (it then skips a pass).
    ks: fused ? fused.ks : theory && theory.atoms.length === 0 ? ksStatistic(p.data, theory.cdf, stats.nonFinite === 0 ? { n: stats.count, min: stats.min, max: stats.max } : undefined) : null,
  };
}

/**
 * The summary with its histogram and the KS statistic of a large tensor of
 * finite values, in two passes over it: summarize's for the moments and the
 * range, then one that counts the histogram's bins and the KS buckets
 * (binsAndBuckets). The same numbers as summarize with the histogram and
 * ksStatistic; undefined where that path applies instead (a small tensor,
 * NaN or ±∞, one distinct value, a range too wide or narrow for the bins).
 */
function fusedSummary(data: FloatArray, F: (x: number) => number, maxBins: number, range: readonly [number, number] | undefined): { stats: Summary; ks: number } | undefined {
  if (data.length < BUCKETED_FROM || data.length >= 2 ** 31) return undefined;
  const stats = summarize(data);
  if (stats.nonFinite !== 0 || !(stats.max > stats.min)) return undefined;
  const [lo, hi] = range ? histogramRange(range[0], range[1]) : histogramRange(stats.min, stats.max);
  const bins = binsFor(stats.count, maxBins);
  if (!Number.isFinite(hi - lo) || !Number.isFinite(bins / (hi - lo))) return undefined;
  const edges = histogramEdges(lo, hi, bins);
  const counts = new Float64Array(bins);
  const layout = bucketLayout(F, stats.min, stats.max, stats.count);
  const bucketCounts = new Int32Array(layout.total);
  const counted = binsAndBuckets(data, { lo, hi, edges, counts }, layout, bucketCounts);
  stats.histogram = { edges, counts, outOfRange: range ? stats.count - counted : 0 };
  return { stats, ks: ksFromBuckets(data, F, layout, bucketCounts, stats.count) };
}

function theorySummary(t: Theory): TheorySummary {
  return { family: t.family, params: { ...t.params }, mean: t.mean, std: t.std, support: [t.support[0], t.support[1]], fanIn: t.fanIn, fanOut: t.fanOut, gain: t.gain };
}
