/**
 * What a model trains on when its file says nothing about data or training:
 * a seeded synthetic task that fits its loss (binary labels for the BCE
 * losses, classes for cross-entropy, real targets otherwise), so that Train
 * works on any model with no setup.
 */
import type { Dataset } from '../data/dataset';
import { syntheticDataset, type SyntheticTask } from '../data/synthetic';
import type { DType } from '../tensor/dtype';
import type { ModelSpec } from '../model/spec';

export const DEFAULT_EXAMPLES = 1024;
export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_STEPS = 500;

export function outputWidth(spec: ModelSpec): number {
  let width = spec.inputFeatures;
  for (const layer of spec.layers) if (layer.type === 'Linear') width = layer.outFeatures;
  return width;
}

export function taskForLoss(loss: string | undefined): SyntheticTask {
  if (loss === 'BCELoss' || loss === 'BCEWithLogitsLoss') return 'binary';
  if (loss === 'CrossEntropyLoss') return 'multiclass';
  return 'regression';
}

export function defaultDataset(spec: ModelSpec, dtype: DType = 'float32'): Dataset {
  return syntheticDataset({
    task: taskForLoss(spec.loss?.type),
    count: DEFAULT_EXAMPLES,
    inputDim: spec.inputFeatures,
    outputDim: outputWidth(spec),
    seed: spec.seed,
    dtype,
  });
}
