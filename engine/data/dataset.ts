import type { FloatArray } from '../tensor/dtype';

/**
 * An in-memory dataset: `count` examples of `inputDim` features, row-major.
 * Targets are either real values (`count × targetDim`, for regression and for
 * binary labels in {0, 1}) or class indices (for CrossEntropyLoss).
 */
export interface Dataset {
  count: number;
  inputDim: number;
  inputs: FloatArray;
  targets: { kind: 'values'; dim: number; data: FloatArray } | { kind: 'classes'; classes: number; data: Int32Array };
  /** Where the data came from, for messages ("synthetic binary, seed 0"). */
  description: string;
}
