/**
 * The in-memory model that every model source resolves to: a `*.nn.json` or
 * `*.nn.yaml` file, or (later) a parsed PyTorch `nn.Module`. It is plain data
 * (structured-cloneable), so it crosses the worker boundary as it is.
 *
 * Names follow PyTorch: layer types are `torch.nn` class names, initializers
 * are `torch.nn.init` function names, arguments keep torch's spelling, and
 * parameter names are `state_dict` names (`fc1.weight`, or `0.weight` for an
 * unnamed first layer) so that checkpoints line up.
 */
import type { ModuleNode, TensorTie } from '../modules/tree';
import type { ForwardGraph } from '../graph/ir';

export const MODEL_FORMAT_VERSION = 1;

export type ActivationType =
  | 'ReLU'
  | 'LeakyReLU'
  | 'ELU'
  | 'SELU'
  | 'GELU'
  | 'SiLU'
  | 'Tanh'
  | 'Sigmoid'
  | 'Softplus'
  | 'Identity';

export const ACTIVATION_TYPES: readonly ActivationType[] = [
  'ReLU', 'LeakyReLU', 'ELU', 'SELU', 'GELU', 'SiLU', 'Tanh', 'Sigmoid', 'Softplus', 'Identity',
];

/** An initializer call: a `torch.nn.init` function name and its keyword arguments. */
export interface InitSpec {
  fn: string;
  args: Record<string, number | string | boolean>;
}

export interface LinearLayerSpec {
  type: 'Linear';
  name?: string;
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
  /** Per-parameter initializers; absent means torch's `nn.Linear.reset_parameters`. */
  init?: { weight?: InitSpec; bias?: InitSpec };
}

/** The parameters a chain layer has, in `state_dict` order. */
export function chainTensors(layer: LayerSpec): ('weight' | 'bias')[] {
  if (layer.type === 'Linear') return layer.bias ? ['weight', 'bias'] : ['weight'];
  if (layer.type === 'LayerNorm') return layer.elementwiseAffine ? ['weight', 'bias'] : [];
  return [];
}

/** Each activation's keyword arguments, as torch spells them. */
export const ACTIVATION_ARGS: Readonly<Record<ActivationType, readonly string[]>> = {
  ReLU: [], LeakyReLU: ['negative_slope'], ELU: ['alpha'], SELU: [], GELU: ['approximate'], SiLU: [],
  Tanh: [], Sigmoid: [], Softplus: ['beta', 'threshold'], Identity: [],
};

export interface ActivationLayerSpec {
  type: ActivationType;
  name?: string;
  args: Record<string, number | boolean | string>;
}

export interface DropoutLayerSpec {
  type: 'Dropout';
  name?: string;
  p: number;
}

export interface LayerNormLayerSpec {
  type: 'LayerNorm';
  name?: string;
  normalizedShape: number;
  eps: number;
  elementwiseAffine: boolean;
}

export type LayerSpec = LinearLayerSpec | ActivationLayerSpec | DropoutLayerSpec | LayerNormLayerSpec;

/**
 * A learning-rate schedule, stepped once per optimizer step (torch's
 * `lr_scheduler` names; t = steps already taken, base lr = the optimizer's or
 * the group's `lr`).
 */
export type ScheduleSpec =
  | { type: 'StepLR'; stepSize: number; gamma: number }
  | { type: 'ExponentialLR'; gamma: number }
  | { type: 'CosineAnnealingLR'; tMax: number; etaMin: number }
  | { type: 'LinearWarmup'; warmupSteps: number; startFactor: number }
  | { type: 'WarmupCosine'; warmupSteps: number; totalSteps: number; etaMin: number };

/** torch's `param_groups`: parameters matching `params` get their own `lr` and `weight_decay`. */
export interface ParamGroupSpec {
  params: string[];
  lr?: number;
  weightDecay?: number;
}

export interface OptimizerSpec {
  type: 'AdamW' | 'Adam' | 'SGD';
  lr: number;
  args: Record<string, number | boolean | number[]>;
  schedule?: ScheduleSpec;
  /** In file order; a parameter goes to the first group that matches it, else to the optimizer's own settings. */
  paramGroups?: ParamGroupSpec[];
  /** AdamW's decay: torch's lr·λ·θ (default), or the paper's η_t·λ·θ with λ not multiplied by lr. */
  decay?: 'torch' | 'paper';
  /**
   * Glob patterns over parameter names (`*.bias`, `ln*.weight`) that get no
   * weight decay: torch's usual two param groups, written as one list.
   */
  noDecay: string[];
}

/** `"*.weight": { fn: ... }` in the file: an initializer for every parameter whose name matches. */
export interface InitPattern {
  pattern: string;
  init: InitSpec;
}

/** Where the examples come from. Paths are relative to the model file. */
export type DataSpec =
  | { kind: 'synthetic'; task: 'regression' | 'binary' | 'multiclass' | 'spiral'; examples: number; noise: number }
  | { kind: 'csv'; path: string; target: string[]; features?: string[]; task: DataTask }
  /** `extra`: arrays for forward's further inputs, by forward's name for each (`forward(self, obs, action)`). */
  | { kind: 'npy'; inputs: string; targets: string; task: DataTask; extra?: Record<string, string> }
  /** A text file as a character-level dataset: windows of `blockSize` characters and the next character of each. */
  | { kind: 'text'; path: string; blockSize: number };

export type DataTask = 'regression' | 'binary' | 'classes';

export interface TrainingSpec {
  /** Optimizer steps; or `epochs` passes over the training examples. */
  steps?: number;
  epochs?: number;
  batchSize: number;
  /** Fraction of the examples held out to measure the validation loss. */
  validationSplit: number;
  /** Reshuffle the training examples every epoch (default true). */
  shuffle: boolean;
}

/** Initial weights from a checkpoint, by `state_dict` name. Paths are relative to the model file. */
export type CheckpointSpec =
  | { kind: 'safetensors'; path: string }
  | { kind: 'npy'; files: Record<string, string> };

export interface ModelSpec {
  version: number;
  name: string;
  /**
   * The module tree, for models that are more than a chain of layers
   * (convolutions, attention, nested custom modules): every module with its
   * torch defaults and the file's own per-module initializers. Absent for a
   * chain: `modelTree` builds it from `layers`. `initPatterns` apply on top
   * of either.
   */
  modules?: ModuleNode;
  /** `self.a.weight = self.b.weight`: tensors shared under two names. */
  ties?: TensorTie[];
  /**
   * The forward pass as a chain of layers the engine can run (training,
   * signal through depth, comparisons). Absent when the model is a tree the
   * engine cannot run yet; `forwardUnavailable` then says why.
   */
  layers?: LayerSpec[];
  /** Input features per example, for a chain. */
  inputFeatures?: number;
  /**
   * The forward pass as a dataflow graph over `modules` (read from a Python
   * `forward`), for models that are not a chain: what the graph interpreter
   * runs for training and the signal through depth. With
   * `forwardUnavailable` it was read but cannot run yet (an op the engine
   * lacks, a shape that does not fit): the reason says which, where.
   */
  graph?: ForwardGraph;
  forwardUnavailable?: string;
  /**
   * Initializers by parameter-name pattern, in file order; the first match
   * wins, and a layer's own `init` wins over every pattern.
   */
  initPatterns?: InitPattern[];
  /**
   * Initialization variants to compare on this architecture: each replaces
   * the model's pattern initializers with its own (an empty one is torch's
   * default).
   */
  compare?: { label: string; initPatterns: InitPattern[] }[];
  loss?: { type: string; args: Record<string, number | string> };
  data?: DataSpec;
  training?: TrainingSpec;
  initFrom?: CheckpointSpec;
  optimizer?: OptimizerSpec;
  seed: number;
}

/** A model whose forward pass is a chain of layers the engine runs: what training and the signal need. */
export type ChainModelSpec = ModelSpec & { layers: LayerSpec[]; inputFeatures: number };

export function isChainModel(spec: ModelSpec): spec is ChainModelSpec {
  return spec.layers !== undefined && spec.inputFeatures !== undefined;
}

/** A model whose forward is a graph the engine runs (read, checked, every op available). */
export type GraphModelSpec = ModelSpec & { modules: ModuleNode; graph: ForwardGraph };

export function isGraphModel(spec: ModelSpec): spec is GraphModelSpec {
  return spec.graph !== undefined && spec.modules !== undefined && spec.forwardUnavailable === undefined && !isChainModel(spec);
}

/** A model the engine can train and measure: a chain of layers or a forward graph. */
export type RunnableModelSpec = ChainModelSpec | GraphModelSpec;

export function isRunnableModel(spec: ModelSpec): spec is RunnableModelSpec {
  return isChainModel(spec) || isGraphModel(spec);
}

/** Throws the reason when the model's forward pass is not one the engine runs. */
export function requireRunnable(spec: ModelSpec, what: string): RunnableModelSpec {
  if (isRunnableModel(spec)) return spec;
  throw new Error(`${what} needs the model's forward pass, which Weightscope cannot run for ${spec.name} yet: ${spec.forwardUnavailable ?? 'it is not a chain of layers'}.`);
}

/** Throws the reason when the model's forward pass is not a chain the engine runs. */
export function requireChain(spec: ModelSpec, what: string): ChainModelSpec {
  if (isChainModel(spec)) return spec;
  throw new Error(`${what} needs the model's forward pass, which Weightscope cannot run for ${spec.name} yet: ${spec.forwardUnavailable ?? 'it is not a chain of layers'}.`);
}

/** The `state_dict` prefix of layer `index`: its name if it has one, else its position. */
export function layerPrefix(layer: LayerSpec, index: number): string {
  return layer.name ?? String(index);
}
