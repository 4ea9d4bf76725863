/**
 * How an optimizer decays weights, and the effective decay rate per element.
 *
 * Both forms shrink θ towards 0 each step; what differs is by how much:
 *
 *   decoupled (AdamW)   Δθ_decay = −lr·λ·θ            rate lr·λ, the same for every weight
 *                       paper form: −η_t·λ·θ         rate η_t·λ
 *   coupled L2 (Adam)   g ← g + λθ, then divided by √v̂ + ε, so each element
 *                       shrinks at about λ·lr/(√v̂_i + ε): weights with large
 *                       gradients (large √v̂) are barely decayed, weights with
 *                       tiny gradients are decayed much more than λ·lr.
 *                       (This ignores the momentum's smoothing of λθ, which
 *                       changes slowly; it is the per-step rate in steady state.)
 *   coupled L2 (SGD)    g ← g + λθ, step −lr·g: rate lr·λ
 *
 * A tensor excluded by the optimizer's `no_decay` patterns has rate 0.
 */
import type { OptimizerSpec } from '../model/spec';
import { decayAll, decayExcept, type Mask } from '../optim/masks';

export interface DecaySemantics {
  form: 'decoupled' | 'coupled-adam' | 'coupled-sgd' | 'none';
  /** λ (the optimizer's weight_decay). */
  lambda: number;
  /** Whether a tensor is decayed. */
  decays: Mask;
  /** The optimizer's ε (Adam family), for diagnosing a vanishing denominator. */
  eps: number;
}

export function decaySemantics(spec: OptimizerSpec | undefined): DecaySemantics {
  const o = spec ?? { type: 'AdamW' as const, lr: 1e-3, args: {}, noDecay: [] };
  const lambda = typeof o.args.weight_decay === 'number' ? o.args.weight_decay : o.type === 'AdamW' ? 1e-2 : 0;
  const eps = typeof o.args.eps === 'number' ? o.args.eps : 1e-8;
  const decays = o.noDecay.length > 0 ? decayExcept(o.noDecay) : decayAll;
  if (lambda === 0) return { form: 'none', lambda, decays, eps };
  const form = o.type === 'AdamW' ? 'decoupled' : o.type === 'Adam' ? 'coupled-adam' : 'coupled-sgd';
  return { form, lambda, decays, eps };
}

/**
 * The effective per-element decay rate of tensor `name` at one step.
 * `decayLr` is what multiplies λ in the decoupled form (lr_t for torch, η_t
 * for the paper form); `meanStepSize` is mean(lr/(√v̂ + ε)) over the tensor.
 */
export function effectiveDecay(d: DecaySemantics, name: string, decayLr: number, meanStepSize: number | null): number {
  if (d.form === 'none' || !d.decays(name)) return 0;
  if (d.form === 'coupled-adam') return meanStepSize === null ? NaN : d.lambda * meanStepSize;
  return d.lambda * decayLr;
}
