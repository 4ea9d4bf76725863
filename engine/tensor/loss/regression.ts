/**
 * Regression losses between an input x and a target y of the same shape,
 * with d = x − y. All depend on d only, so ∂ℓ/∂y = −∂ℓ/∂x.
 *
 * MSE reproduces torch's float32 kernels step by step (d rounded, then d²;
 * gradient (fround(2/N)·d)·g), so its element losses and gradients are
 * bit-exact with torch. The others evaluate each element's formula in
 * float64 and round once, which can differ from torch's float32 result by an
 * ulp (torch's own scalar and vectorized paths round differently there).
 */
import type { Tensor } from '../tensor';
import { elementwiseLoss, type LossOptions } from './reduction';

/** ℓ = (x − y)²;  ∂ℓ/∂x = 2(x − y).  (torch.nn.MSELoss) */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  return elementwiseLoss(
    {
      name: 'MseLoss',
      differenceOnly: true,
      loss: (x, y, out, round) => {
        for (let i = 0; i < out.length; i++) {
          const d = round(x[i]! - y[i]!);
          out[i] = round(d * d);
        }
      },
      gradient: (x, y, upstream, norm, gx, round) => {
        const twoNorm = round(2 * norm); // torch: norm = 2/N (or 2) cast to the dtype
        for (let i = 0; i < gx.length; i++) gx[i] = round(twoNorm * round(x[i]! - y[i]!)) * upstream[i]!;
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
      loss: (x, y, out, round) => {
        for (let i = 0; i < out.length; i++) out[i] = round(Math.abs(x[i]! - y[i]!));
      },
      gradient: (x, y, upstream, norm, gx) => {
        for (let i = 0; i < gx.length; i++) gx[i] = norm * upstream[i]! * Math.sign(x[i]! - y[i]!);
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
      loss: (x, y, out, round) => {
        for (let i = 0; i < out.length; i++) {
          const z = Math.abs(x[i]! - y[i]!);
          out[i] = round(z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta);
        }
      },
      gradient: (x, y, upstream, norm, gx) => {
        for (let i = 0; i < gx.length; i++) {
          const d = x[i]! - y[i]!;
          gx[i] = norm * upstream[i]! * (Math.abs(d) < beta ? d / beta : Math.sign(d));
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
      loss: (x, y, out, round) => {
        for (let i = 0; i < out.length; i++) {
          const z = Math.abs(x[i]! - y[i]!);
          out[i] = round(z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta));
        }
      },
      gradient: (x, y, upstream, norm, gx) => {
        for (let i = 0; i < gx.length; i++) {
          const d = x[i]! - y[i]!;
          gx[i] = norm * upstream[i]! * (Math.abs(d) < delta ? d : delta * Math.sign(d));
        }
      },
    },
    input,
    target,
    options.reduction ?? 'mean',
  );
}
