/**
 * Data for graph models: the default dataset when the file names none (by
 * what the model's input is: token sequences for a model whose input meets
 * an nn.Embedding, images for a convolutional one, features otherwise, see
 * ForwardGraph.input), the check that a dataset fits the model, and a batch
 * turned into forward's arguments (token ids as integer tensors, images as
 * (N, C, H, W), the targets when forward computes its own loss).
 */
import { targetWidth, type Dataset } from '../data/dataset';
import { syntheticImages, syntheticTokens } from '../data/sequences';
import { syntheticDataset, type SyntheticTask } from '../data/synthetic';
import type { GraphModelSpec } from '../model/spec';
import { TorchGenerator } from '../random';
import { allocate, type DType } from '../tensor/dtype';
import { Tensor } from '../tensor/tensor';
import { taskForLoss } from '../train/defaults';
import { checkForwardGraph, predictionShape } from './check';
import { LongTensor, type RuntimeValue } from './values';

/** Examples of a default dataset: sequence and image models cost more per example than an MLP. */
export const GRAPH_DEFAULT_EXAMPLES = 512;

export function graphDefaultDataset(spec: GraphModelSpec, dtype: DType = 'float32', count = GRAPH_DEFAULT_EXAMPLES): Dataset {
  const input = spec.graph.input;
  if (!input) throw new Error(`Weightscope cannot tell what data ${spec.name}'s forward takes; give it data (the "data" key, or a "# weightscope: data = …" comment)`);
  if (input.kind === 'tokens') return syntheticTokens({ count, length: input.length, vocab: input.vocab, seed: spec.seed, dtype });
  const out = predictionShape(spec.graph, spec.modules, input.shape);
  const width = out && out.length >= 2 ? out[out.length - 1]! : 1;
  if (input.shape.length > 1) return withExtraInputs(spec, syntheticImages({ count, shape: input.shape, classes: width, seed: spec.seed, dtype }), dtype);
  return withExtraInputs(spec, syntheticDataset({ task: forwardLossTask(spec) ?? taskForLoss(spec.loss?.type), count, inputDim: input.shape[0]!, outputDim: width, seed: spec.seed, dtype }), dtype);
}

/**
 * `data` with an array for every further input of forward (`forward(self, obs, action)`) that it does not
 * give: a synthetic default of the input's kind, seeded by the model's seed plus the input's position
 * (token ids uniform in [0, vocab), values N(0, 1)). An input whose kind the reader could not tell (a
 * `lengths` vector) has no default: the message names it and how to give it.
 */
export function withExtraInputs(spec: GraphModelSpec, data: Dataset, dtype: DType = 'float32'): Dataset {
  const extra = spec.graph.extraInputs ?? [];
  if (extra.length === 0) return data;
  const given = { ...data.extraInputs };
  for (const e of extra) {
    if (given[e.name]) continue;
    const kind = e.kind;
    if (!kind || (kind.kind === 'values' && kind.shape.some((d) => !(d > 0)))) {
      throw new Error(`Weightscope cannot tell what data forward's input \`${e.name}\` takes; give it beside the inputs: "data": {"npy": {"inputs": …, "targets": …, "${e.name}": "${e.name}.npy"}}`);
    }
    const rng = new TorchGenerator((spec.seed ?? 0) + e.position);
    const shape = kind.kind === 'tokens' ? [kind.length] : kind.shape;
    const values = allocate(dtype, data.count * shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = kind.kind === 'tokens' ? rng.int(kind.vocab) : rng.normal();
    given[e.name] = { shape, kind: kind.kind, data: values };
  }
  return { ...data, extraInputs: given, description: `${data.description}; ${extra.filter((e) => !data.extraInputs?.[e.name]).map((e) => `synthetic ${e.name}`).join(', ') || 'further inputs from the data'}` };
}

/** The targets a loss computed in forward takes: class indices for cross_entropy/nll_loss, 0/1 for the BCE losses, values otherwise. */
function forwardLossTask(spec: GraphModelSpec): SyntheticTask | undefined {
  if (!spec.graph.loss) return undefined;
  const names = spec.graph.root.nodes.flatMap((n) => (n.call.kind === 'op' ? [n.call.name] : []));
  if (names.some((n) => /\.(cross_entropy|nll_loss)$/.test(n))) return 'multiclass';
  if (names.some((n) => /\.binary_cross_entropy(_with_logits)?$/.test(n))) return 'binary';
  return 'regression';
}

/** Why `data` does not fit the model (its shape through forward, its token ids), or undefined when it does. */
export function graphDataMismatch(spec: GraphModelSpec, data: Dataset): string | undefined {
  const shape = data.inputShape ?? [data.inputDim];
  const input = spec.graph.input;
  if (input?.kind === 'tokens' && data.inputKind !== 'tokens') return `${spec.name} takes token ids (its input meets an nn.Embedding), but the data holds values; give an integer array`;
  if (input?.kind === 'tokens') {
    let max = 0;
    for (let i = 0; i < data.inputs.length; i++) max = Math.max(max, data.inputs[i]!);
    if (max >= input.vocab) return `the data has token id ${max}, but the model's vocabulary has ${input.vocab} tokens`;
    const t = data.targets;
    if (t.kind === 'classes' && t.classes > input.vocab && spec.graph.loss) return `the data has ${t.classes} target classes, but the model's vocabulary has ${input.vocab} tokens`;
  }
  const names = new Set((spec.graph.extraInputs ?? []).map((e) => e.name));
  for (const name of Object.keys(data.extraInputs ?? {})) {
    if (!names.has(name)) return `the data gives "${name}", which is not an input of forward${names.size > 0 ? ` (its further inputs: ${[...names].join(', ')})` : ''}`;
  }
  const extraShapes = Object.fromEntries(Object.entries(data.extraInputs ?? {}).map(([name, x]) => [name, { shape: x.shape, tokens: x.kind === 'tokens' }]));
  const problems = checkForwardGraph({ ...spec.graph }, spec.modules, { inputShape: shape, tokens: data.inputKind === 'tokens', targetShape: targetShapeOf(data), extraShapes });
  const first = problems[0];
  return first ? `with inputs of shape [N, ${shape.join(', ')}]: ${first.message}` : undefined;
}

function targetShapeOf(data: Dataset): { shape: number[]; long: boolean } {
  const t = data.targets;
  return t.kind === 'classes' ? { shape: t.shape ?? [], long: true } : { shape: [t.dim], long: false };
}

/**
 * A batch as forward's arguments, in forward's order: the inputs in the data's shape (integer tensors for
 * token ids), the targets where forward takes them, and the batch's rows of each further input.
 */
export function forwardArguments(spec: GraphModelSpec, data: Dataset, inputs: Tensor, targets: Tensor | Int32Array, extra: Record<string, Tensor> = {}): RuntimeValue[] {
  const n = inputs.shape[0]!;
  const shape = [n, ...(data.inputShape ?? [data.inputDim])];
  const x: RuntimeValue = data.inputKind === 'tokens' ? new LongTensor(Int32Array.from(inputs.data), shape) : new Tensor(inputs.data, shape, inputs.requiresGrad);
  const graph = spec.graph;
  const args: RuntimeValue[] = Array<RuntimeValue>(Math.max(1, graph.root.inputs.length)).fill(null);
  args[0] = x;
  if (graph.loss) args[graph.loss.targetsInput] = targetValue(data, targets, n);
  for (const e of graph.extraInputs ?? []) {
    const t = extra[e.name];
    if (!t) throw new Error(`the batch has no values for forward's input ${e.name}`);
    args[e.position] = data.extraInputs?.[e.name]?.kind === 'tokens' ? new LongTensor(Int32Array.from(t.data), t.shape) : t;
  }
  return args;
}

/** The targets as torch holds them: class indices of shape (N, …) as an integer tensor, values as (N, k). */
export function targetValue(data: Dataset, targets: Tensor | Int32Array, n: number): RuntimeValue {
  if (targets instanceof Int32Array) {
    const t = data.targets;
    return new LongTensor(targets, t.kind === 'classes' && t.shape ? [n, ...t.shape] : [n]);
  }
  return targets;
}

export { targetWidth };
