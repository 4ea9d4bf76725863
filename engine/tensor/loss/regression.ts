/**
 * Regression losses between an input x and a target y of the same shape,
 * with d = x − y. All depend on d only, so ∂ℓ/∂y = −∂ℓ/∂x.
 */
import type { Tensor } from '../tensor';
import { elementwiseLoss, type LossOptions } from './reduction';

/** ℓ = (x − y)²;  ∂ℓ/∂x = 2(x − y).  (torch.nn.MSELoss) */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  return elementwiseLoss(
    {
      name: 'MseLoss',
      differenceOnly: true,
      loss: (x, y, out) => {
        for (let i = 0; i < out.length; i++) {
          const d = x[i]! - y[i]!;
          out[i] = d * d;
        }
      },
      derivative: (x, y, out) => {
        for (let i = 0; i < out.length; i++) out[i] = 2 * (x[i]! - y[i]!);
      },
    },
    input,
    target,
    options.reduction ?? 'mean',
  );
}

/** ℓ = |x − y|;  ∂ℓ/∂x = sign(x − y), 0 at d = 0 as torch's sign.  (torch.nn.L1Loss) */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  return elementwiseLoss(
    {
      name: 'L1Loss',
      differenceOnly: true,
      loss: (x, y, out) => {
        for (let i = 0; i < out.length; i++) out[i] = Math.abs(x[i]! - y[i]!);
      },
      derivative: (x, y, out) => {
        for (let i = 0; i < out.length; i++) out[i] = Math.sign(x[i]! - y[i]!);
      },
    },
    input,
    target,
    options.reduction ?? 'mean',
  );
}

export interface SmoothL1Options extends LossOptions {
  /** Where the loss switches from quadratic to linear; torch's default 1. */
  beta?: number;
}

/**
 * torch.nn.SmoothL1Loss:
 *   ℓ = 0.5·d²/β   if |d| < β,   |d| − 0.5·β   otherwise;
 *   ∂ℓ/∂x = d/β    if |d| < β,   sign(d)       otherwise.
 * β = 0 is exactly L1 (torch special-cases it the same way).
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1Options = {}): Tensor {
  const beta = options.beta ?? 1;
  if (beta < 0) throw new RangeError(`smoothL1Loss: beta must be ≥ 0, got ${beta}`);
  if (beta === 0) return l1Loss(input, target, options);
  return elementwiseLoss(
    {
      name: 'SmoothL1Loss',
      differenceOnly: true,
      loss: (x, y, out) => {
        for (let i = 0; i < out.length; i++) {
          const z = Math.abs(x[i]! - y[i]!);
          out[i] = z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta;
        }
      },
      derivative: (x, y, out) => {
        for (let i = 0; i < out.length; i++) {
          const d = x[i]! - y[i]!;
          out[i] = Math.abs(d) < beta ? d / beta : Math.sign(d);
        }
      },
    },
    input,
    target,
    options.reduction ?? 'mean',
  );
}

export interface HuberOptions extends LossOptions {
  /** Where the loss switches from quadratic to linear; torch's default 1. */
  delta?: number;
}

/**
 * torch.nn.HuberLoss (= δ·SmoothL1 with β = δ):
 *   ℓ = 0.5·d²           if |d| < δ,   δ·(|d| − 0.5·δ)   otherwise;
 *   ∂ℓ/∂x = d            if |d| < δ,   δ·sign(d)         otherwise.
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new RangeError(`huberLoss: delta must be > 0, got ${delta}`);
  return elementwiseLoss(
    {
      name: 'HuberLoss',
      differenceOnly: true,
      loss: (x, y, out) => {
        for (let i = 0; i < out.length; i++) {
          const z = Math.abs(x[i]! - y[i]!);
          out[i] = z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
        }
      },
      derivative: (x, y, out) => {
        for (let i = 0; i < out.length; i++) {
          const d = x[i]! - y[i]!;
          out[i] = Math.abs(d) < delta ? d : delta * Math.sign(d);
        }
      },
    },
    input,
    target,
    options.reduction ?? 'mean',
  );
}
