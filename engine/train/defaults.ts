/**
 * What a model trains on when its file says nothing about data or training:
 * a seeded synthetic task that fits its loss (binary labels for the BCE
 * losses, classes for cross-entropy, real targets otherwise), so that Train
 * works on any model with no setup.
 */
import type { Dataset } from '../data/dataset';
import { syntheticDataset, type SyntheticTask } from '../data/synthetic';
import type { DType } from '../tensor/dtype';
import { isGraphModel, type ChainModelSpec, type RunnableModelSpec } from '../model/spec';
import { graphDefaultDataset } from '../graph/data';

export const DEFAULT_EXAMPLES = 1024;
export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_STEPS = 500;

export function outputWidth(spec: ChainModelSpec): number {
  let width = spec.inputFeatures;
  for (const layer of spec.layers) if (layer.type === 'Linear') width = layer.outFeatures;
  return width;
}

export function taskForLoss(loss: string | undefined): SyntheticTask {
  if (loss === 'BCELoss' || loss === 'BCEWithLogitsLoss') return 'binary';
  if (loss === 'CrossEntropyLoss') return 'multiclass';
  return 'regression';
}

export function defaultDataset(spec: RunnableModelSpec, dtype: DType = 'float32'): Dataset {
  if (isGraphModel(spec)) return graphDefaultDataset(spec, dtype);
  return syntheticDataset({
    task: taskForLoss(spec.loss?.type),
    count: DEFAULT_EXAMPLES,
    inputDim: spec.inputFeatures,
    outputDim: outputWidth(spec),
    seed: spec.seed,
    dtype,
  });
}

/** The minibatch size: the caller's, else the model file's, else `fallback`. */
export function plannedBatchSize(spec: RunnableModelSpec, override?: number, fallback = DEFAULT_BATCH_SIZE): number {
  return override ?? spec.training?.batchSize ?? fallback;
}

/**
 * Optimizer steps of a training: the caller's, else the model file's
 * `steps`, else its `epochs` × ⌈training examples / batch size⌉ (the batches
 * torch's DataLoader yields per epoch with drop_last=False, after the
 * validation split holds out ⌈split·count⌉ examples), else `fallback`.
 */
export function plannedSteps(spec: RunnableModelSpec, dataCount: number, batchSize: number, override?: number, fallback = DEFAULT_STEPS): number {
  if (override !== undefined) return override;
  const t = spec.training;
  if (t?.steps !== undefined) return t.steps;
  if (t?.epochs !== undefined) {
    const held = Math.ceil((t.validationSplit ?? 0) * dataCount);
    const trainCount = held > 0 && held < dataCount ? dataCount - held : dataCount;
    return t.epochs * Math.ceil(trainCount / batchSize);
  }
  return fallback;
}
