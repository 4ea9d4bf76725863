/**
 * What an initialization inspection reports: compact summaries (histogram
 * bins and statistics), never raw tensors, so that it is cheap to send from
 * the engine worker to the extension and on to the webview.
 */
import type { GeneratorInfo } from '../random';

/** The distribution an initializer samples from, for the tensor's shape. */
export interface TheorySummary {
  family: string;
  /** Human-readable parameters, e.g. { low: -0.316, high: 0.316 }. */
  params: Record<string, number>;
  mean: number;
  std: number;
  support: [number, number];
  fanIn: number | null;
  fanOut: number | null;
  gain: number | null;
}

/**
 * Why a one-element tensor's sample std is shown as "–" (in the inspector and
 * the CLI): the (n − 1) std of one value is undefined; torch says NaN, which
 * reads as a bug.
 */
export const ONE_ELEMENT_STD = 'one element: the sample standard deviation is undefined';

export interface SampleSummary {
  count: number;
  mean: number;
  /** Unbiased (n − 1); null for a one-element tensor, where it is undefined. */
  std: number | null;
  min: number;
  max: number;
}

export interface HistogramSummary {
  /** bins + 1 ascending edges. */
  edges: number[];
  /** Sampled count per bin. */
  counts: number[];
  /** Count per bin expected under the theory (absent where the theory has no density, e.g. constant). */
  expected?: number[];
}

export interface ParameterInspection {
  /** `state_dict` name, e.g. `fc1.weight`. */
  name: string;
  shape: number[];
  /** A parameter, or a buffer (`running_mean`, `num_batches_tracked`); absent means parameter. */
  kind?: 'parameter' | 'buffer';
  /** Buffers only: false for a `register_buffer(…, persistent=False)` buffer, which the state_dict leaves out. */
  persistent?: boolean;
  /** The owning module's path ('' for the root) and its torch class (or the model's own class name). */
  module?: { path: string; type: string };
  /** Other `state_dict` names of the same tensor (a tied weight). */
  aliases?: string[];
  /** Why the shape or the initializer is a guess (the Python reader could not follow something). */
  approximate?: string;
  /** The initializer call as torch spells it, e.g. `kaiming_uniform_(a=√5)`. */
  initializer: string;
  /** Where the values came from. */
  origin: 'torch default' | 'model file' | 'checkpoint';
  /** The initializer's distribution; null for values loaded from a checkpoint. */
  theory: TheorySummary | null;
  sample: SampleSummary;
  histogram: HistogramSummary;
  /** Kolmogorov–Smirnov statistic D of the sample against the theory's CDF (null where undefined). */
  ks: number | null;
}

/** One module of the tree: its class, its parameter count (itself and below) and its submodules. */
export interface ModuleSummary {
  /** Attribute name (or index) in its parent; '' for the root. */
  name: string;
  /** Dotted path, the prefix of its tensors' names ('' for the root). */
  path: string;
  /** torch class, or the model's own class name (`Block`). */
  type: string;
  parameterCount: number;
  children: ModuleSummary[];
}

export interface InitInspection {
  modelName: string;
  seed: number;
  /** Which generator made the numbers (absent in inspections saved by older versions, whose generator was not torch's). */
  generator?: GeneratorInfo;
  parameterCount: number;
  /** Every tensor in state_dict order: parameters, then buffers, per module (a tied tensor once, with its aliases). */
  parameters: ParameterInspection[];
  /** The module tree (absent in inspections saved by older versions). */
  modules?: ModuleSummary;
  /** Wall time the engine took, in milliseconds. */
  elapsedMs: number;
}
