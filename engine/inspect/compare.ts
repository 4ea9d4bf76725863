/**
 * Compare mode: the same architecture under several initializers at once,
 * over several seeds.
 *
 * For every variant (a set of name-pattern initializers that replaces the
 * model's own patterns, as in the model file's `compare` section) and every
 * seed, the parameters are drawn and the signal is measured through depth
 * (engine/inspect/signal.ts). Per layer the report keeps the activation std
 * and the gradient std across seeds as a geometric mean with its min and max
 * (these quantities are compared on a log scale, so the geometric mean is the
 * natural centre), and one verdict per variant from those means.
 *
 * Histograms of each parameter are binned on edges shared by all variants, so
 * that they can be overlaid: the article's normal(0, 0.01) next to Kaiming's
 * normal(0, √(2/fan_in)) shows, on one axis, how much narrower it is.
 */
import type { Dataset } from '../data/dataset';
import { initializeParameters } from '../model/initialize';
import type { InitPattern, ModelSpec, ChainModelSpec } from '../model/spec';
import { TorchGenerator } from '../random';
import { histogramTheory } from '../stats/histogramTheory';
import { summarize } from '../stats/summary';
import { measureSignal, type SignalReport } from './signal';
import { signalVerdict, type SignalVerdict, type VerdictLayer } from './signalVerdict';

export interface InitVariant {
  label: string;
  /**
   * Replaces every initializer of the model file, its `init` patterns and its
   * layers' own `init`; empty = torch's defaults.
   */
  initPatterns: InitPattern[];
  /** The model exactly as written (initPatterns is then ignored). */
  asWritten?: boolean;
}

/** min, geometric mean and max of a positive quantity across seeds. */
export interface Spread {
  min: number;
  mean: number;
  max: number;
}

export interface VariantLayer {
  name: string;
  kind: string;
  std: Spread;
  /** std of ∂L/∂(layer output); null before the first layer with parameters. */
  gradStd: Spread | null;
  deadFraction?: number;
  saturatedFraction?: number;
}

export interface VariantParameter {
  name: string;
  /** The initializer that drew it, as torch spells the call. */
  initializer: string;
  /** Counts on the shared edges of `CompareReport.edges[name]`, summed over seeds. */
  counts: number[];
  /** Counts the initializer's theory expects on the same edges (summed over seeds), absent for point masses. */
  expected?: number[];
  sampleStd: number;
  theoryStd: number | null;
}

export interface VariantReport {
  label: string;
  input: { std: number };
  layers: VariantLayer[];
  parameters: VariantParameter[];
  verdict: SignalVerdict;
  /** The loss whose gradient was propagated (see SignalReport.loss). */
  loss: string;
}

export interface CompareReport {
  modelName: string;
  seeds: number[];
  examples: number;
  /** Shared histogram edges per parameter name. */
  edges: Record<string, number[]>;
  variants: VariantReport[];
  elapsedMs: number;
}

export interface CompareOptions {
  /** Variants to compare; default `compareVariants(spec)`. */
  variants?: InitVariant[];
  /** Seeds; default the model's seed and the next two. */
  seeds?: number[];
  /** Histogram bins per parameter. */
  bins: number;
  data?: Dataset;
  /** Examples per signal measurement (see SignalOptions.examples). */
  examples?: number;
}

const zerosBias: InitPattern = { pattern: '*.bias', init: { fn: 'zeros_', args: {} } };
const weights = (fn: string, args: InitSpec['args'] = {}): InitPattern => ({ pattern: '*.weight', init: { fn, args } });
type InitSpec = InitPattern['init'];

/**
 * What users compare first: the source article's three schemes (its
 * normal(0, 0.01) and uniform(−0.01, 0.01) for weights and biases, and what it
 * calls "Xavier", which is LeCun normal), its "variance 1" Gaussian, the real
 * Xavier/Glorot and Kaiming/He initializers (biases zero, as usually paired),
 * and torch's nn.Linear default.
 */
export const ARTICLE_VARIANTS: readonly InitVariant[] = [
  { label: 'torch default', initPatterns: [] },
  { label: 'normal(0, 0.01) (article)', initPatterns: [weights('normal_', { std: 0.01 }), { pattern: '*.bias', init: { fn: 'normal_', args: { std: 0.01 } } }] },
  { label: 'uniform(−0.01, 0.01) (article)', initPatterns: [weights('uniform_', { a: -0.01, b: 0.01 }), { pattern: '*.bias', init: { fn: 'uniform_', args: { a: -0.01, b: 0.01 } } }] },
  { label: 'normal(0, 1) (article\'s "variance 1")', initPatterns: [weights('normal_'), zerosBias] },
  { label: 'LeCun normal (article\'s "Xavier")', initPatterns: [weights('lecun_normal_'), zerosBias] },
  { label: 'xavier_uniform_', initPatterns: [weights('xavier_uniform_'), zerosBias] },
  { label: 'xavier_normal_', initPatterns: [weights('xavier_normal_'), zerosBias] },
  { label: 'kaiming_uniform_(relu)', initPatterns: [weights('kaiming_uniform_', { nonlinearity: 'relu' }), zerosBias] },
  { label: 'kaiming_normal_(relu)', initPatterns: [weights('kaiming_normal_', { nonlinearity: 'relu' }), zerosBias] },
];

/**
 * The variants of a model: its file's `compare` section when it has one,
 * else the model as written followed by ARTICLE_VARIANTS. A model that names
 * no initializer is torch's default already, so it is not listed twice.
 */
export function compareVariants(spec: ModelSpec): InitVariant[] {
  if (spec.compare && spec.compare.length > 0) return spec.compare.map((v) => ({ label: v.label, initPatterns: v.initPatterns }));
  const ownInit = (spec.initPatterns?.length ?? 0) > 0 || (spec.layers ?? []).some((l) => l.type === 'Linear' && l.init !== undefined);
  return ownInit ? [{ label: 'as in the model file', initPatterns: [], asWritten: true }, ...ARTICLE_VARIANTS] : [...ARTICLE_VARIANTS];
}

/** The model under a variant's initializers (layer-level `init` included, so that "torch default" means it). */
export function variantSpec<S extends ModelSpec>(spec: S, variant: InitVariant): S {
  if (variant.asWritten) return spec;
  const layers = spec.layers?.map((layer) => {
    if (layer.type !== 'Linear' || !layer.init) return layer;
    const { init: _dropped, ...rest } = layer;
    return rest;
  });
  return { ...spec, layers, initPatterns: variant.initPatterns };
}

export function defaultSeeds(spec: ChainModelSpec, count = 3): number[] {
  return Array.from({ length: count }, (_, i) => spec.seed + i);
}

function spread(values: readonly number[]): Spread {
  let logSum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    logSum += Math.log(v);
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { min, mean: Math.exp(logSum / values.length), max };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Per layer, the seeds' reports folded into spreads. */
function foldLayers(reports: readonly SignalReport[]): VariantLayer[] {
  return reports[0]!.layers.map((first, i) => {
    const at = reports.map((r) => r.layers[i]!);
    const grads = at.map((l) => l.gradStd);
    const layer: VariantLayer = {
      name: first.name,
      kind: first.kind,
      std: spread(at.map((l) => l.std)),
      gradStd: grads.every((g): g is number => g !== null) ? spread(grads) : null,
    };
    if (first.deadFraction !== undefined) layer.deadFraction = mean(at.map((l) => l.deadFraction!));
    if (first.saturatedFraction !== undefined) layer.saturatedFraction = mean(at.map((l) => l.saturatedFraction!));
    return layer;
  });
}

function verdictOf(reports: readonly SignalReport[], layers: readonly VariantLayer[]): SignalVerdict {
  const inputStd = spread(reports.map((r) => r.input.std)).mean;
  const inputSignalStd = spread(reports.map((r) => r.input.signalStd)).mean;
  const verdictLayers: VerdictLayer[] = layers.map((l, i) => {
    const at = reports.map((r) => r.layers[i]!);
    const v: VerdictLayer = {
      name: l.name,
      kind: l.kind,
      std: l.std.mean,
      signalStd: spread(at.map((x) => x.signalStd)).mean,
      nonFinite: at.reduce((n, x) => n + x.nonFinite, 0),
    };
    if (l.deadFraction !== undefined) v.deadFraction = l.deadFraction;
    if (l.saturatedFraction !== undefined) v.saturatedFraction = l.saturatedFraction;
    return v;
  });
  return signalVerdict(inputStd, inputSignalStd, verdictLayers);
}

/** Largest |value| per parameter over every variant and seed: the half-width of the shared bins. */
function sharedHalfWidths(specs: readonly ModelSpec[], seeds: readonly number[]): Map<string, number> {
  const halfWidth = new Map<string, number>();
  for (const spec of specs) {
    for (const seed of seeds) {
      for (const p of initializeParameters(spec, new TorchGenerator(seed))) {
        const s = summarize(p.data);
        const r = Math.max(Math.abs(s.min), Math.abs(s.max));
        if (Number.isFinite(r)) halfWidth.set(p.name, Math.max(halfWidth.get(p.name) ?? 0, r));
      }
    }
  }
  return halfWidth;
}

function binParameters(spec: ChainModelSpec, seeds: readonly number[], edges: Record<string, number[]>): VariantParameter[] {
  const byName = new Map<string, VariantParameter & { sumSq: number; n: number }>();
  for (const seed of seeds) {
    for (const p of initializeParameters(spec, new TorchGenerator(seed))) {
      const e = edges[p.name]!;
      const bins = e.length - 1;
      const s = summarize(p.data, { histogram: { bins, range: [e[0]!, e[bins]!] } });
      let entry = byName.get(p.name);
      if (!entry) {
        entry = { name: p.name, initializer: p.initializer, counts: new Array<number>(bins).fill(0), sampleStd: 0, theoryStd: p.theory?.std ?? null, sumSq: 0, n: 0 };
        if (p.theory && p.theory.atoms.length === 0) entry.expected = new Array<number>(bins).fill(0);
        byName.set(p.name, entry);
      }
      s.histogram!.counts.forEach((c, i) => (entry.counts[i]! += c));
      if (entry.expected && p.theory) histogramTheory(p.theory, e, s.count).forEach((c, i) => (entry.expected![i]! += c));
      // Pool the seeds' variances around their own means (each seed is one draw of the same distribution).
      entry.sumSq += s.std * s.std * s.count;
      entry.n += s.count;
    }
  }
  return [...byName.values()].map(({ sumSq, n, ...p }) => ({ ...p, sampleStd: Math.sqrt(sumSq / n) }));
}

export function compareInitializations(spec: ChainModelSpec, options: CompareOptions): CompareReport {
  const started = performance.now();
  const variants = options.variants ?? compareVariants(spec);
  const seeds = options.seeds ?? defaultSeeds(spec);
  if (variants.length === 0) throw new RangeError('compareInitializations: no variants to compare');
  if (seeds.length === 0) throw new RangeError('compareInitializations: no seeds');
  const specs = variants.map((v) => variantSpec(spec, v));

  const halfWidths = sharedHalfWidths(specs, seeds);
  const edges: Record<string, number[]> = {};
  for (const [name, r] of halfWidths) {
    const half = r > 0 ? r : 1;
    edges[name] = Array.from({ length: options.bins + 1 }, (_, i) => -half + (2 * half * i) / options.bins);
  }

  let examples = 0;
  const reports = specs.map((variantSpec, k): VariantReport => {
    const signals = seeds.map((seed) => measureSignal(variantSpec, {
      seed,
      ...(options.data ? { data: options.data } : {}),
      ...(options.examples !== undefined ? { examples: options.examples } : {}),
    }));
    examples = signals[0]!.examples;
    const layers = foldLayers(signals);
    return {
      label: variants[k]!.label,
      input: { std: signals[0]!.input.std },
      layers,
      parameters: binParameters(variantSpec, seeds, edges),
      verdict: verdictOf(signals, layers),
      loss: signals[0]!.loss,
    };
  });
  return { modelName: spec.name, seeds: [...seeds], examples, edges, variants: reports, elapsedMs: performance.now() - started };
}
