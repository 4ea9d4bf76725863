/**
 * traceMomentum: SGD's heavy-ball momentum (torch.optim.SGD), per parameter:
 *
 *     b_1 = g_1                                   first step: the buffer is the gradient
 *     b_t = μ·b_{t−1} + (1 − τ)·g_t               τ = dampening
 *     output  b_t,  or with Nesterov  g_t + μ·b_t
 *
 * with torch's roundings: `buf.mul_(μ).add_(g, alpha=1−τ)` is fma(1−τ, g, b·μ)
 * and `g.add(buf, alpha=μ)` is fma(μ, b, g). With μ = 0 it is the identity.
 */
import { evaluateUpdate } from './apply';
import { arithmeticOf } from './float32';
import type { FloatArray } from '../tensor/dtype';
import { zerosLike, type GradientTransformation, type Update } from './transform';

export interface MomentumOptions {
  /** μ ≥ 0. */
  momentum: number;
  /** τ, default 0. */
  dampening?: number;
  nesterov?: boolean;
}

export interface MomentumParamState {
  /** Whether the buffer holds a value yet (torch's buffer is None before the first step). */
  started: boolean;
  readonly buffer: FloatArray;
  /** Scratch for g + μ·b (Nesterov only). */
  readonly lookahead: FloatArray | null;
}

export type MomentumState = Record<string, MomentumParamState>;

export function traceMomentum({ momentum, dampening = 0, nesterov = false }: MomentumOptions): GradientTransformation<MomentumState> {
  return {
    init(params) {
      const state: MomentumState = {};
      for (const [name, p] of Object.entries(params)) state[name] = { started: false, buffer: zerosLike(p), lookahead: nesterov ? zerosLike(p) : null };
      return state;
    },
    update(updates, state, params, trace) {
      if (momentum === 0) return { updates, state };
      const out: Record<string, Update> = {};
      for (const name of Object.keys(updates)) {
        const s = state[name];
        if (!s) throw new Error(`traceMomentum: no state for parameter '${name}' (was it in init's params?)`);
        const g = evaluateUpdate(updates[name]!, params[name]!);
        accumulate(s, g, momentum, dampening);
        out[name] = s.lookahead ? lookahead(s.lookahead, g, s.buffer, momentum) : s.buffer;
        if (trace) trace.tensor(name, 'momentum', s.buffer);
      }
      return { updates: out, state };
    },
  };
}

function accumulate(s: MomentumParamState, g: FloatArray, momentum: number, dampening: number): void {
  const b = s.buffer;
  if (!s.started) {
    b.set(g);
    s.started = true;
    return;
  }
  const A = arithmeticOf(b);
  const mu = A.round(momentum);
  const keep = A.round(1 - dampening);
  for (let i = 0; i < b.length; i++) b[i] = A.fma(keep, g[i]!, A.round(b[i]! * mu));
}

function lookahead(out: FloatArray, g: FloatArray, b: FloatArray, momentum: number): FloatArray {
  const A = arithmeticOf(out);
  const mu = A.round(momentum);
  for (let i = 0; i < out.length; i++) out[i] = A.fma(mu, b[i]!, g[i]!);
  return out;
}
