/**
 * Weight decay, in its two forms.
 *
 * Decoupled (Loshchilov & Hutter, "Decoupled Weight Decay Regularization",
 * ICLR 2019; torch.optim.AdamW): λθ is added to the *update*, after the
 * adaptive scaling, so every weight shrinks by the same relative amount:
 *
 *     addDecayedWeights(λ):  u ← u + λθ        then ×(−lr):  Δθ = −lr·u − lr·λ·θ
 *
 * Coupled L2 (torch.optim.Adam(weight_decay=λ), torch.optim.SGD(weight_decay=λ)):
 * λθ is added to the *gradient*, before the moments, as the gradient of
 * (λ/2)‖θ‖². Adam then divides it by √v̂, so weights with large gradients
 * are barely decayed; this is what AdamW fixes:
 *
 *     addL2(λ):  g ← g + λθ     (torch: grad = grad.add(param, alpha=λ), a fused multiply-add)
 */
import type { FloatArray } from '../tensor/dtype';
import { evaluateUpdate } from './apply';
import { arithmeticOf } from './float32';
import { decayAll, type Mask } from './masks';
import { asTerms, stateless, zerosLike, type GradientTransformation, type Term, type Update } from './transform';

/** Add the decoupled decay term λθ to the update of every masked parameter. */
export function addDecayedWeights(weightDecay: number, mask: Mask = decayAll): GradientTransformation<null> {
  const term: Term = { kind: 'decay', label: 'decay', scale: weightDecay, divisor: 1 };
  return stateless((update, name) => (weightDecay !== 0 && mask(name) ? [...asTerms(update), term] : update));
}

/** Per-parameter buffers for g + λθ, reused every step. */
export type L2State = Record<string, FloatArray>;

/** Add the coupled L2 gradient λθ to the gradient of every masked parameter. */
export function addL2(weightDecay: number, mask: Mask = decayAll): GradientTransformation<L2State> {
  return {
    init(params) {
      const state: L2State = {};
      for (const [name, p] of Object.entries(params)) if (weightDecay !== 0 && mask(name)) state[name] = zerosLike(p);
      return state;
    },
    update(updates, state, params) {
      const out: Record<string, Update> = {};
      for (const name of Object.keys(updates)) {
        const buffer = state[name];
        out[name] = buffer ? addScaled(evaluateUpdate(updates[name]!, params[name]!), weightDecay, params[name]!, buffer) : updates[name]!;
      }
      return { updates: out, state };
    },
  };
}

/** out ← g + λ·θ as torch's `g.add(θ, alpha=λ)`. */
function addScaled(g: FloatArray, lambda: number, theta: FloatArray, out: FloatArray): FloatArray {
  const A = arithmeticOf(out);
  const l = A.round(lambda);
  for (let i = 0; i < out.length; i++) out[i] = A.fma(l, theta[i]!, g[i]!);
  return out;
}
