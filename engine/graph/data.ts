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
import type { DType } from '../tensor/dtype';
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
  if (input.shape.length > 1) return syntheticImages({ count, shape: input.shape, classes: width, seed: spec.seed, dtype });
  return syntheticDataset({ task: forwardLossTask(spec) ?? taskForLoss(spec.loss?.type), count, inputDim: input.shape[0]!, outputDim: width, seed: spec.seed, dtype });
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
  const problems = checkForwardGraph({ ...spec.graph }, spec.modules, { inputShape: shape, tokens: data.inputKind === 'tokens', targetShape: targetShapeOf(data) });
  const first = problems[0];
  return first ? `with inputs of shape [N, ${shape.join(', ')}]: ${first.message}` : undefined;
}

function targetShapeOf(data: Dataset): { shape: number[]; long: boolean } {
  const t = data.targets;
  return t.kind === 'classes' ? { shape: t.shape ?? [], long: true } : { shape: [t.dim], long: false };
}

/** A batch as forward's arguments: the inputs in the data's shape (integer tensors for token ids), then the targets when forward takes them. */
export function forwardArguments(spec: GraphModelSpec, data: Dataset, inputs: Tensor, targets: Tensor | Int32Array): RuntimeValue[] {
  const n = inputs.shape[0]!;
  const shape = [n, ...(data.inputShape ?? [data.inputDim])];
  const x: RuntimeValue = data.inputKind === 'tokens' ? new LongTensor(Int32Array.from(inputs.data), shape) : new Tensor(inputs.data, shape, inputs.requiresGrad);
  if (!spec.graph.loss) return [x];
  return [x, targetValue(data, targets, n)];
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
