/**
 * How much memory a command needs, worked out from the model's shapes alone,
 * before a single tensor is allocated, so that a model file asking for 10¹⁰
 * weights gets a clear `too-large` message instead of a `RangeError` (or an
 * out-of-memory crash) halfway through.
 *
 * Element counts, in float32 (4 bytes) unless said:
 *
 *   init     P  + 2·T_max        every tensor, and a float64 copy of the largest
 *                                (T_max elements) that its statistics sort
 *   signal   2P + 3·B·W          parameters and gradients; per example of the batch B,
 *                                every layer's output, its gradient and its mask
 *                                (W: the sum of every layer's width, input included)
 *   train    6P + 3·B·W + D      θ, g, m, v, the Adam update and the decay update;
 *                                the batch as for signal; the dataset (D elements)
 *
 * A model with a forward graph has no layer widths: per example of the batch it
 * keeps every op's output (A, the float elements one forward pass computes, from
 * the graph's shapes: graph/check.ts) for backward, and backward allocates their
 * gradients, so its batch costs 2·B·A in place of 3·B·W (signal 2P + 2·B·A,
 * train 6P + 2·B·A + D).
 *
 * These are lower bounds of the engine's own use (the JavaScript heap comes
 * on top); they only need to be right in order of magnitude to tell 10⁶ from 10¹⁰.
 */
import { DEFAULT_BATCH_SIZE, DEFAULT_EXAMPLES, outputWidth } from '../train/defaults';
import { modelTensors } from './moduleTree';
import { isChainModel, isRunnableModel, type ChainModelSpec, type GraphModelSpec, type ModelSpec } from './spec';
import { activationElementsPerExample } from '../graph/check';
import { GRAPH_DEFAULT_EXAMPLES } from '../graph/data';
import type { InputKind } from '../graph/ir';

export type SizedCommand = 'init' | 'signal' | 'train';

/** The default of the setting `weightscope.limits.maxParameters` and of the CLI's `--max-parameters`. */
export const DEFAULT_MAX_PARAMETERS = 20_000_000;

/** Memory any command may plan to use, whatever the parameter limit: beyond it, nothing is allocated. */
export const MAX_ESTIMATED_BYTES = 2 * 1024 ** 3;

/** Most synthetic examples a model file may ask for (10⁷ examples of 25 floats are 1 GB). */
export const MAX_SYNTHETIC_EXAMPLES = 10_000_000;

export interface MemoryEstimate {
  /** torch's `sum(p.numel() for p in model.parameters())`. */
  parameters: number;
  bytes: number;
}

const FLOAT32 = 4;

export function estimateMemory(spec: ModelSpec, command: SizedCommand, batchSize?: number): MemoryEstimate {
  const entries = modelTensors(spec);
  let parameters = 0;
  let elements = 0;
  let largest = 0;
  for (const e of entries) {
    if (e.sameAs !== undefined) continue;
    const numel = e.decl.shape.reduce((n, d) => n * d, 1);
    elements += numel;
    if (e.decl.kind === 'parameter') parameters += numel;
    largest = Math.max(largest, numel);
  }
  if (command === 'init' || !isRunnableModel(spec)) return { parameters, bytes: FLOAT32 * (elements + 2 * largest) };
  const batch = batchSize ?? spec.training?.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!isChainModel(spec)) {
    // A forward graph: the tensors, their gradients and AdamW's two moments, and per example of the batch
    // every op's output (kept by autograd) and its gradient (the backward pass), from the graph's shapes.
    const activations = 2 * batch * graphActivations(spec);
    if (command === 'signal') return { parameters, bytes: FLOAT32 * (2 * elements + activations) };
    return { parameters, bytes: FLOAT32 * (6 * elements + activations + graphDatasetElements(spec)) };
  }
  const activations = 3 * batch * totalWidth(spec);
  if (command === 'signal') return { parameters, bytes: FLOAT32 * (2 * elements + activations) };
  return { parameters, bytes: FLOAT32 * (6 * elements + activations + datasetElements(spec)) };
}

/** Float elements one forward pass computes per example; 0 when the graph's input is not known (nothing to size it by). */
function graphActivations(spec: GraphModelSpec): number {
  return activationElementsPerExample(spec.graph, spec.modules) ?? 0;
}

/** The default dataset a graph model builds itself: its examples' inputs (and further inputs) and targets. */
function graphDatasetElements(spec: GraphModelSpec): number {
  if (spec.data) return 0;
  const input = spec.graph.input;
  if (!input) return 0;
  const perExample = (kind: InputKind): number => (kind.kind === 'tokens' ? kind.length : kind.shape.reduce((a, d) => a * Math.max(1, d), 1));
  const extra = (spec.graph.extraInputs ?? []).reduce((n, e) => n + (e.kind ? perExample(e.kind) : 0), 0);
  // Targets: one per position for tokens, else one per example.
  const targets = input.kind === 'tokens' ? input.length : 1;
  return GRAPH_DEFAULT_EXAMPLES * (perExample(input) + extra + targets);
}

/** The inputs and every layer's output, per example. */
function totalWidth(spec: ChainModelSpec): number {
  let width = spec.inputFeatures;
  let total = width;
  for (const layer of spec.layers) {
    if (layer.type === 'Linear') width = layer.outFeatures;
    total += width;
  }
  return total;
}

/** Elements of the dataset the engine builds itself (synthetic); a file's size is capped when it is read. */
function datasetElements(spec: ChainModelSpec): number {
  const data = spec.data;
  if (data && data.kind !== 'synthetic') return 0;
  const examples = data?.kind === 'synthetic' ? data.examples : DEFAULT_EXAMPLES;
  return examples * (spec.inputFeatures + outputWidth(spec));
}

export interface SizeLimits {
  /** Most trainable parameters of a model the engine runs (not of one it only inspects). */
  maxParameters?: number;
  maxBytes?: number;
  /** How the user changes the parameter limit, for the message. */
  limitName?: string;
}

/**
 * Why `command` must not run `spec`, or undefined when it fits: over the parameter limit (a model the engine
 * trains), or over the memory limit (any model). The message gives the count and the estimate.
 */
export function sizeProblem(spec: ModelSpec, command: SizedCommand, limits: SizeLimits, batchSize?: number): string | undefined {
  const estimate = estimateMemory(spec, command, batchSize);
  const maxBytes = limits.maxBytes ?? MAX_ESTIMATED_BYTES;
  const count = formatCount(estimate.parameters);
  const needs = `${command === 'init' ? 'initializing' : command === 'signal' ? 'measuring the signal of' : 'training'} it needs about ${formatBytes(estimate.bytes)}`;
  if (isRunnableModel(spec) && command !== 'init' && limits.maxParameters !== undefined && estimate.parameters > limits.maxParameters) {
    return `The model has ${count} parameters, over the limit of ${formatCount(limits.maxParameters)} (${limits.limitName ?? 'setting weightscope.limits.maxParameters'}); ${needs}.`;
  }
  if (!(estimate.bytes <= maxBytes)) {
    return `The model has ${count} parameters and ${needs}, over the ${formatBytes(maxBytes)} Weightscope allows itself: nothing was allocated.`;
  }
  return undefined;
}

export function formatCount(n: number): string {
  // Past 10¹⁵ the digits say nothing more: 1.10e+301.
  return !Number.isFinite(n) ? String(n) : n < 1e15 ? n.toLocaleString('en-US') : n.toPrecision(3);
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'more memory than exists';
  if (bytes >= 1024 ** 7) return `${bytes.toPrecision(3)} bytes`;
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toPrecision(3)} ${units[unit]}`;
}
