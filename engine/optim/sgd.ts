/**
 * SGD (torch.optim.SGD), as a chain:
 *
 *     g ← −g                     maximize
 *     g ← g + λθ                 weight_decay (coupled L2)
 *     d ← momentum(g)            b = μ·b + (1 − τ)·g; d = b, or g + μ·b with Nesterov
 *     θ ← θ − lr·d
 *     = chain(maximize?, addL2(λ), traceMomentum(μ, τ, nesterov), scaleByLearningRate(lr))
 */
import { addL2 } from './decay';
import type { Mask } from './masks';
import { traceMomentum } from './momentum';
import { maximize as negate, scaleByLearningRate } from './scale';
import type { Schedule } from './schedules';
import { chain, type GradientTransformation } from './transform';
import { checkSgdArgs } from './validate';

export interface SgdOptions {
  /** Required, as in torch. */
  lr: number | Schedule;
  momentum?: number;
  dampening?: number;
  /** Coupled L2 weight decay λ. */
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  /** Which parameters get the L2 term (default all). */
  mask?: Mask;
}

export function sgd(options: SgdOptions): GradientTransformation<unknown[]> {
  const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false, mask } = options;
  checkSgdArgs(typeof lr === 'number' ? lr : undefined, momentum, dampening, weightDecay, nesterov);
  return chain(
    ...(maximize ? [negate()] : []),
    addL2(weightDecay, mask),
    traceMomentum({ momentum, dampening, nesterov }),
    scaleByLearningRate(lr),
  );
}
