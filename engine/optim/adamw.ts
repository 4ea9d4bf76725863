/**
 * AdamW and Adam, as chains of gradient transformations.
 *
 * AdamW, torch's form (torch.optim.AdamW, the default `decay: 'torch'`):
 *
 *     input: lr_t (learning rate, possibly scheduled), β1, β2, ε, λ (weight decay),
 *            θ_0 (params), amsgrad, maximize
 *     initialize: m_0 ← 0, v_0 ← 0, v^max_0 ← 0
 *     for t = 1, 2, …:
 *         g_t ← ∇f_t(θ_{t−1})                  (−∇f_t(θ_{t−1}) if maximize)
 *         θ_t ← θ_{t−1} − lr_t·λ·θ_{t−1}        decoupled decay, applied first
 *         m_t ← β1·m_{t−1} + (1 − β1)·g_t
 *         v_t ← β2·v_{t−1} + (1 − β2)·g_t²
 *         m̂_t ← m_t/(1 − β1^t)
 *         v̂_t ← v_t/(1 − β2^t)                 amsgrad: v^max_t ← max(v^max_{t−1}, v_t), v̂_t ← v^max_t/(1 − β2^t)
 *         θ_t ← θ_t − lr_t·m̂_t/(√v̂_t + ε)
 *
 *     = chain(scaleByAdam, addDecayedWeights(λ), scaleByLearningRate(lr))
 *
 * AdamW, the paper's form (`decay: 'paper'`; Loshchilov & Hutter, "Decoupled
 * Weight Decay Regularization", ICLR 2019, Algorithm 2), with a base step size
 * α = `lr` and a schedule multiplier η_t = `multiplier` (default 1):
 *
 *         θ_t ← θ_{t−1} − η_t·(α·m̂_t/(√v̂_t + ε) + λ·θ_{t−1})
 *
 *     = chain(scaleByAdam, scaleBySchedule(α), addDecayedWeights(λ), scaleByLearningRate(η))
 *
 * The two agree when η_t = 1 and λ_paper = α·λ_torch: torch multiplies the
 * decay by the whole learning rate, the paper only by the schedule. So with a
 * schedule, torch's decay follows the lr, while the paper's decay follows η_t
 * and does not change when α is tuned (λ and α are decoupled).
 *
 * Adam (torch.optim.Adam) with `weightDecay` λ adds the coupled L2 gradient
 * λθ to g before the moments: chain(addL2(λ), scaleByAdam, scaleByLearningRate(lr)).
 *
 * `maximize` negates the gradient first, as torch's `maximize=True`.
 */
import { scaleByAdam } from './adam';
import { addDecayedWeights, addL2 } from './decay';
import type { Mask } from './masks';
import { maximize as negate, scaleByLearningRate, scaleBySchedule } from './scale';
import type { Schedule } from './schedules';
import { chain, type GradientTransformation } from './transform';
import { checkAdamArgs } from './validate';

export interface AdamWOptions {
  /** Learning rate (torch) or base step size α (paper): a number or a schedule. Default 1e-3. */
  lr?: number | Schedule;
  /** [β1, β2], default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** λ; default 1e-2 for adamw, 0 for adam (torch's defaults). */
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** Which parameters are decayed (default all, as torch). See masks.ts. */
  mask?: Mask;
  /** 'torch' (default): decay by lr_t·λ. 'paper': decay by η_t·λ. */
  decay?: 'torch' | 'paper';
  /** η_t, the schedule multiplier (default 1). The effective lr is lr_t·η_t. */
  multiplier?: Schedule;
}

export function adamw(options: AdamWOptions = {}): GradientTransformation<unknown[]> {
  const o = withDefaults(options, 1e-2);
  const moments = scaleByAdam({ b1: o.betas[0], b2: o.betas[1], eps: o.eps, amsgrad: o.amsgrad });
  const head = o.maximize ? [negate()] : [];
  if (o.decay === 'paper') {
    const eta = o.multiplier ?? (() => 1);
    return chain(...head, moments, scaleBySchedule(asSchedule(o.lr), 'alpha'), addDecayedWeights(o.weightDecay, o.mask), scaleByLearningRate(eta, 'eta'));
  }
  return chain(...head, moments, addDecayedWeights(o.weightDecay, o.mask), scaleByLearningRate(effectiveLr(o.lr, o.multiplier)));
}

export function adam(options: Omit<AdamWOptions, 'decay'> = {}): GradientTransformation<unknown[]> {
  const o = withDefaults(options, 0);
  const head = o.maximize ? [negate()] : [];
  return chain(
    ...head,
    addL2(o.weightDecay, o.mask),
    scaleByAdam({ b1: o.betas[0], b2: o.betas[1], eps: o.eps, amsgrad: o.amsgrad }),
    scaleByLearningRate(effectiveLr(o.lr, o.multiplier)),
  );
}

function withDefaults(options: AdamWOptions, weightDecay: number) {
  const o = { lr: 1e-3, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay, amsgrad: false, maximize: false, decay: 'torch' as const, ...options };
  checkAdamArgs(typeof o.lr === 'number' ? o.lr : undefined, o.betas, o.eps, o.weightDecay);
  return o;
}

function asSchedule(lr: number | Schedule): Schedule {
  return typeof lr === 'number' ? () => lr : lr;
}

/** lr_t·η_t; exactly `lr` when there is no multiplier. */
function effectiveLr(lr: number | Schedule, multiplier: Schedule | undefined): number | Schedule {
  if (!multiplier) return lr;
  const base = asSchedule(lr);
  return (t) => base(t) * multiplier(t);
}
