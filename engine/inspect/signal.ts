/**
 * Signal through depth, measured: build the network with its initial
 * parameters, run one forward pass on a batch of the model's data keeping
 * every layer's output, and one backward pass of the loss, then report per
 * layer the activation scale, the gradient reaching that layer's output
 * (∂L/∂a, kept with `retainGrad`), the weight gradient of Linear layers, dead
 * ReLU units and saturated Tanh/Sigmoid outputs — and a one-line verdict.
 *
 * The loss is the model's own (`spec.loss`). A model file without one gets
 *   L = ½‖y‖²/B  (B examples),  so ∂L/∂y = y/B:
 * the gradient each example sends back is its own output, so the backward
 * pass sees the same scale problems as the forward pass, independent of any
 * target. (torch users usually reach for MSELoss, which pulls y towards
 * targets instead; its gradient 2(y − t)/(B·d) is dominated by the targets
 * when the output is small.) If the model's loss fails on the initial output
 * (BCELoss on values outside [0, 1] raises, as in torch), the report says so
 * and falls back to ½‖y‖²/B.
 */
import { targetWidth, type Dataset } from '../data/dataset';
import { buildCriterion, buildNetwork } from '../model/build';
import { initializeParameters, initializeTensors, type InitialValues } from '../model/initialize';
import { isGraphModel, type ChainModelSpec, type GraphModelSpec, type RunnableModelSpec } from '../model/spec';
import { forwardArguments } from '../graph/data';
import { GraphNetwork, type ModuleTrace } from '../graph/network';
import { parameterCount } from '../model/moduleTree';
import type { Criterion, LayerTrace } from '../nn';
import { TorchGenerator } from '../random';
import { allocate, dtypeOf, type FloatArray } from '../tensor/dtype';
import { Tensor } from '../tensor/tensor';
import { gatherExtra } from '../train/batches';
import { defaultDataset } from '../train/defaults';
import { activationScale, deadFraction, gradientStd, saturatedFraction } from './signalStats';
import { signalVerdict, type SignalVerdict } from './signalVerdict';
import { attentionEntropy, residualStream, type AttentionEntropyReport, type ResidualStreamReport } from './signalDepth';

/** Examples per measurement when the caller does not say: enough for stds within a few percent. */
export const DEFAULT_SIGNAL_EXAMPLES = 256;

/** Fewest examples a measurement uses, however large the model. */
export const MIN_SIGNAL_EXAMPLES = 32;

/**
 * Weight multiply-adds one measurement may spend. A forward and backward pass
 * costs about 3 multiply-adds per weight and example, so 2.5e8 is about a
 * second of the engine's GEMM: 256 examples up to ~1M parameters, then fewer
 * (a 10M-parameter MLP gets 32). Each activation std is still an average over
 * examples × units values, thousands even for the widest layer cut to 32 rows.
 */
export const SIGNAL_BUDGET = 2.5e8;

/** The default number of examples for a model with `parameters` weights. */
export function defaultSignalExamples(parameters: number): number {
  const affordable = Math.floor(SIGNAL_BUDGET / Math.max(1, parameters));
  return Math.max(MIN_SIGNAL_EXAMPLES, Math.min(DEFAULT_SIGNAL_EXAMPLES, affordable));
}

/** What the loss was, for the report. */
export const HALF_SQUARED_NORM = '½‖y‖²/batch';

export interface SignalOptions {
  /** The examples to run; default the model's default dataset (defaultDataset). */
  data?: Dataset;
  /** How many of its first rows (default `defaultSignalExamples` of the model's size, at most all of them). */
  examples?: number;
  /** Seed of the parameter draw (and dropout masks); default the model's seed. */
  seed?: number;
  /** Dropout active, as in a training step (torch's default mode); default true. */
  training?: boolean;
  /** Initial values by `state_dict` name (the model's `init_from`), replacing the drawn ones. */
  checkpoint?: InitialValues;
}

/** Forward statistics of one activation matrix. */
export interface ForwardStats {
  mean: number;
  std: number;
  rms: number;
  /** Std across examples, averaged over units (see signalStats.ts). */
  signalStd: number;
}

export interface LayerSignal extends ForwardStats {
  index: number;
  /** `state_dict` prefix. */
  name: string;
  /** Nesting of the module in the model's tree (0 for a chain's layers and the model's direct children). */
  depth?: number;
  /** torch class name. */
  kind: string;
  /** std of this layer's output over std of its input. */
  stdRatio: number;
  nonFinite: number;
  /**
   * std of ∂L/∂(this layer's output); null before the first layer with
   * parameters (the input needs no gradient, which saves a matrix product).
   */
  gradStd: number | null;
  /** std of ∂L/∂W for Linear layers. */
  weightGradStd?: number | null;
  /** ReLU: fraction of units that are 0 on every example of the batch. */
  deadFraction?: number;
  /** Tanh (|a| > 0.99) and Sigmoid (a < 0.01 or > 0.99): fraction of outputs in the flat tails. */
  saturatedFraction?: number;
}

export interface SignalReport {
  modelName: string;
  seed: number;
  examples: number;
  /** The loss whose gradient was propagated: the model's, or HALF_SQUARED_NORM (with the reason). */
  loss: string;
  lossValue: number;
  input: ForwardStats;
  /** Per layer of a chain, or per submodule of a graph model, in the order forward calls them (`through`). */
  layers: LayerSignal[];
  /** `modules`: the model is a forward graph and `layers` are every submodule's output, blocks and their sublayers. */
  through?: 'layers' | 'modules';
  /** A transformer's residual stream after each block (graph models with a run of sibling blocks; signalDepth.ts). */
  residual?: ResidualStreamReport;
  /** Entropy per head of each attention, at initialization (graph models with attention; signalDepth.ts). */
  attention?: AttentionEntropyReport[];
  verdict: SignalVerdict;
  elapsedMs: number;
}

interface Batch {
  inputs: Tensor;
  targets: Tensor | Int32Array;
  extra?: Record<string, Tensor>;
}

/** The first `count` rows of `data`. */
function firstRows(data: Dataset, count: number): Batch {
  const d = data.inputDim;
  const inputs = new Tensor(data.inputs.slice(0, count * d), [count, d]);
  const t = data.targets;
  const targets = t.kind === 'classes' ? t.data.slice(0, count * targetWidth(t)) : new Tensor(t.data.slice(0, count * t.dim), [count, t.dim]);
  if (!data.extraInputs) return { inputs, targets };
  return { inputs, targets, extra: gatherExtra(data.extraInputs, Int32Array.from({ length: count }, (_, i) => i)) };
}

/** Seeds the backward pass of the model's loss, or of ½‖y‖²/B; returns what was used. */
function backwardFromLoss(spec: RunnableModelSpec, output: Tensor, targets: Tensor | Int32Array): { loss: string; value: number } {
  if (spec.loss) {
    try {
      const criterion = buildCriterion(spec) as Criterion<Tensor | ArrayLike<number>>;
      const loss = criterion.forward(output, targets);
      loss.backward();
      return { loss: spec.loss.type, value: loss.item() };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return halfSquaredNorm(output, `${HALF_SQUARED_NORM} (${spec.loss.type} failed: ${reason})`);
    }
  }
  return halfSquaredNorm(output, HALF_SQUARED_NORM);
}

/** L = ½‖y‖²/B: seeds ∂L/∂y = y/B directly. */
function halfSquaredNorm(output: Tensor, label: string): { loss: string; value: number } {
  const examples = output.shape[0] ?? 1;
  const seed = allocate(dtypeOf(output.data), output.numel);
  let value = 0;
  for (let i = 0; i < seed.length; i++) {
    const y = output.data[i]!;
    seed[i] = y / examples;
    value += (y * y) / 2;
  }
  output.backward(seed);
  return { loss: label, value: value / examples };
}

function layerSignal(trace: Pick<LayerTrace, 'name' | 'kind' | 'output'>, index: number, examples: number, previousStd: number, weightGrad: FloatArray | null | undefined): LayerSignal {
  const { output, kind } = trace;
  const units = output.numel / examples;
  const scale = activationScale(output.data, examples, units);
  const layer: LayerSignal = {
    index,
    name: trace.name,
    kind,
    mean: scale.mean,
    std: scale.std,
    rms: scale.rms,
    signalStd: scale.signalStd,
    stdRatio: scale.std / previousStd,
    nonFinite: scale.nonFinite,
    gradStd: gradientStd(output.grad),
  };
  if (kind === 'Linear') layer.weightGradStd = gradientStd(weightGrad ?? null);
  if (kind === 'ReLU') layer.deadFraction = deadFraction(output.data, examples, units);
  if (kind === 'Tanh' || kind === 'Sigmoid') layer.saturatedFraction = saturatedFraction(output.data, kind);
  return layer;
}

export function measureSignal(spec: RunnableModelSpec, options: SignalOptions = {}): SignalReport {
  if (isGraphModel(spec)) return measureGraphSignal(spec, options);
  return measureChainSignal(spec, options);
}

function measureChainSignal(spec: ChainModelSpec, options: SignalOptions): SignalReport {
  const started = performance.now();
  const seed = options.seed ?? spec.seed;
  const rng = new TorchGenerator(seed);
  const { network, parameters } = buildNetwork(spec, initializeParameters(spec, rng, 'float32', options.checkpoint), rng);
  network.train(options.training ?? true);

  const data = options.data ?? defaultDataset(spec);
  const examples = Math.min(data.count, options.examples ?? defaultSignalExamples(parameterCount(spec)));
  if (!(examples >= 1)) throw new RangeError(`measureSignal: need at least one example, got ${examples}`);
  const { inputs, targets } = firstRows(data, examples);

  const { output, trace } = network.forwardWithTrace(inputs);
  for (const t of trace) if (t.output.requiresGrad) t.output.retainGrad();
  const { loss, value } = backwardFromLoss(spec, output, targets);

  const inputScale = activationScale(inputs.data, examples, data.inputDim);
  let previousStd = inputScale.std;
  const layers = trace.map((t, index) => {
    const layer = layerSignal(t, index, examples, previousStd, parameters.get(`${t.name}.weight`)?.grad);
    previousStd = layer.std;
    return layer;
  });
  const input = { mean: inputScale.mean, std: inputScale.std, rms: inputScale.rms, signalStd: inputScale.signalStd };
  return {
    modelName: spec.name,
    seed,
    examples,
    loss,
    lossValue: value,
    input,
    layers,
    verdict: signalVerdict(input.std, input.signalStd, layers),
    elapsedMs: performance.now() - started,
  };
}

/**
 * Positions one example runs through (tokens of a sequence, pixels of an image): a graph model's forward costs
 * about parameters × positions per example, which the example budget divides.
 */
function positionsPerExample(data: Dataset): number {
  const shape = data.inputShape ?? [data.inputDim];
  if (data.inputKind === 'tokens') return shape.reduce((a, b) => a * b, 1);
  return shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
}

/** Fewest examples for a graph model: each holds many positions (tokens, pixels), so the stds still average thousands of values. */
const MIN_GRAPH_SIGNAL_EXAMPLES = 8;

/**
 * Signal through depth of a forward graph: one forward pass keeping every submodule's output (blocks and their
 * sublayers, in the order forward calls them), one backward pass of the loss forward computes (nanoGPT), else of
 * the model's loss on its prediction, else of ½‖y‖²/B.
 */
function measureGraphSignal(spec: GraphModelSpec, options: SignalOptions): SignalReport {
  const started = performance.now();
  const seed = options.seed ?? spec.seed;
  const rng = new TorchGenerator(seed);
  const network = new GraphNetwork(spec, initializeTensors(spec, rng, 'float32', options.checkpoint), rng);
  network.train(options.training ?? true);

  const data = options.data ?? defaultDataset(spec);
  const positions = positionsPerExample(data);
  const affordable = Math.floor(SIGNAL_BUDGET / Math.max(1, parameterCount(spec) * positions));
  const examples = Math.min(data.count, options.examples ?? Math.max(MIN_GRAPH_SIGNAL_EXAMPLES, Math.min(DEFAULT_SIGNAL_EXAMPLES, affordable)));
  if (!(examples >= 1)) throw new RangeError(`measureSignal: need at least one example, got ${examples}`);
  const { inputs, targets, extra } = firstRows(data, examples);

  const trace: ModuleTrace[] = [];
  const attention: AttentionEntropyReport[] = [];
  const out = network.forward(forwardArguments(spec, data, inputs, targets, extra), { trace, retainGrad: true, onAttention: (c) => attention.push(attentionEntropy(c)) });
  const { prediction, loss: own } = network.predictionAndLoss(out);
  let loss: { loss: string; value: number };
  if (own) {
    own.backward();
    loss = { loss: 'the loss forward computes', value: own.item() };
  } else {
    loss = backwardFromLoss(spec, prediction!, targets);
  }

  const inputScale = activationScale(inputs.data, examples, data.inputDim);
  let previousStd = inputScale.std;
  const layers = trace.map((t, index) => {
    const layer = layerSignal({ name: t.path, kind: t.kind, output: t.output }, index, examples, previousStd, network.parameters.get(`${t.path}.weight`)?.grad);
    layer.depth = t.path.split('.').length - 1;
    previousStd = layer.std;
    return layer;
  });
  const input = { mean: inputScale.mean, std: inputScale.std, rms: inputScale.rms, signalStd: inputScale.signalStd };
  return {
    modelName: spec.name,
    seed,
    examples,
    loss: loss.loss,
    lossValue: loss.value,
    input,
    layers,
    through: 'modules',
    ...withResidual(residualStream(trace)),
    ...(attention.length ? { attention } : {}),
    verdict: signalVerdict(input.std, input.signalStd, layers),
    elapsedMs: performance.now() - started,
  };
}

function withResidual(residual: ResidualStreamReport | undefined): { residual?: ResidualStreamReport } {
  return residual ? { residual } : {};
}
