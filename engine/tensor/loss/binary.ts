/**
 * Binary classification losses for a probability (BCELoss) or a logit
 * (BCEWithLogitsLoss) x and a target y ∈ [0, 1] of the same shape.
 * Targets receive no gradient here (passing one that requires grad throws).
 */
import { logistic } from '../activation';
import { formatShape, lastDim } from '../shape';
import type { Tensor } from '../tensor';
import { scratch64 } from '../dtype';
import { elementwiseLoss, type LossOptions } from './reduction';

/** torch clamps each log term of BCE at −100 so that log 0 stays finite. */
const LOG_CLAMP = -100;
/** torch's floor for x(1 − x) in the BCE gradient. */
const BCE_GRAD_EPSILON = 1e-12;

/**
 * torch.nn.BCELoss, x ∈ [0, 1]:
 *   ℓ = −[y·max(log x, −100) + (1 − y)·max(log(1 − x), −100)]
 *   ∂ℓ/∂x = (x − y) / max(x(1 − x), 1e-12)     (torch's backward formula)
 */
export function bceLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  for (const v of input.data) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`bceLoss: all elements of input should be between 0 and 1, got ${v}`);
  }
  return elementwiseLoss(
    {
      name: 'BinaryCrossEntropy',
      differenceOnly: false,
      loss: (x, y, out, round) => {
        for (let i = 0; i < out.length; i++) {
          const logX = Math.max(Math.log(x[i]!), LOG_CLAMP);
          const logOneMinusX = Math.max(Math.log1p(-x[i]!), LOG_CLAMP);
          out[i] = round(-(y[i]! * logX + (1 - y[i]!) * logOneMinusX));
        }
      },
      gradient: (x, y, upstream, norm, gx) => {
        for (let i = 0; i < gx.length; i++) {
          const xi = x[i]!;
          gx[i] = (norm * upstream[i]! * (xi - y[i]!)) / Math.max((1 - xi) * xi, BCE_GRAD_EPSILON);
        }
      },
    },
    input,
    target,
    options.reduction ?? 'mean',
  );
}

export interface BceWithLogitsOptions extends LossOptions {
  /**
   * Weight p of positive examples, broadcast along the last dimension (one
   * per class, or a single value), as torch's `pos_weight`. No gradient.
   */
  posWeight?: Tensor;
}

/**
 * torch.nn.BCEWithLogitsLoss, in the overflow-free form torch uses, with
 * lw = 1 + (p − 1)·y (lw = 1 without pos_weight):
 *   ℓ = (1 − y)·x + lw·(log(1 + e^(−|x|)) + max(−x, 0))
 *     = max(x, 0) − x·y + log(1 + e^(−|x|))         when p = 1
 *   ∂ℓ/∂x = lw·σ(x) − p·y                            (σ(x) − y when p = 1)
 */
export function bceWithLogitsLoss(input: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  const columns = lastDim(input.shape);
  const posWeight = options.posWeight?.data;
  if (posWeight && posWeight.length !== 1 && posWeight.length !== columns) {
    throw new RangeError(`bceWithLogitsLoss: pos_weight ${formatShape(options.posWeight!.shape)} does not broadcast to ${formatShape(input.shape)}`);
  }
  // p per column (1 without pos_weight), so the kernels index it by column.
  const positiveWeights = scratch64(columns).fill(1);
  if (posWeight) for (let j = 0; j < columns; j++) positiveWeights[j] = posWeight[posWeight.length === 1 ? 0 : j]!;
  return elementwiseLoss(
    {
      name: 'BinaryCrossEntropyWithLogits',
      differenceOnly: false,
      loss: (x, y, out, round) => {
        for (let offset = 0; offset < out.length; offset += columns) {
          for (let j = 0; j < columns; j++) {
            const xi = x[offset + j]!;
            const yi = y[offset + j]!;
            const logWeight = 1 + (positiveWeights[j]! - 1) * yi;
            out[offset + j] = round((1 - yi) * xi + logWeight * (Math.log1p(Math.exp(-Math.abs(xi))) + Math.max(-xi, 0)));
          }
        }
      },
      gradient: (x, y, upstream, norm, gx) => {
        for (let offset = 0; offset < gx.length; offset += columns) {
          for (let j = 0; j < columns; j++) {
            const p = positiveWeights[j]!;
            const yi = y[offset + j]!;
            gx[offset + j] = norm * upstream[offset + j]! * ((1 + (p - 1) * yi) * logistic(x[offset + j]!) - p * yi);
          }
        }
      },
    },
    input,
    target,
    options.reduction ?? 'mean',
  );
}
