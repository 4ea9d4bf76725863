import type { FloatArray } from '../tensor/dtype';

/** Class indices per example (1, or ∏shape for per-position targets). */
export function targetWidth(targets: Dataset['targets']): number {
  if (targets.kind === 'values') return targets.dim;
  return (targets.shape ?? []).reduce((a, b) => a * b, 1);
}

/**
 * An in-memory dataset: `count` examples of `inputDim` features, row-major.
 * Targets are either real values (`count × targetDim`, for regression and for
 * binary labels in {0, 1}) or class indices (for CrossEntropyLoss).
 */
export interface Dataset {
  count: number;
  /** Values per example: the product of `inputShape`. */
  inputDim: number;
  /** One example's shape, when it is not a plain vector: (C, H, W) images, (T) token sequences. Default [inputDim]. */
  inputShape?: number[];
  /** `tokens`: the inputs are integer ids (nn.Embedding's input), stored exactly as numbers. Default `values`. */
  inputKind?: 'values' | 'tokens';
  inputs: FloatArray;
  /**
   * Class targets hold one index per example, or `shape` per example ((T) next-token targets of a language
   * model, `count × ∏shape` indices in all).
   */
  targets: { kind: 'values'; dim: number; data: FloatArray } | { kind: 'classes'; classes: number; data: Int32Array; shape?: number[] };
  /** Where the data came from, for messages ("synthetic binary, seed 0"). */
  description: string;
  /**
   * Arrays for a forward's further inputs (`forward(self, obs, action)`), by forward's name for each:
   * `count` rows of `shape`, row-major, token ids stored exactly as numbers like `inputs`.
   */
  extraInputs?: Record<string, ExtraInputData>;
}

export interface ExtraInputData {
  shape: number[];
  kind: 'values' | 'tokens';
  data: FloatArray;
}
