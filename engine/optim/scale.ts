/**
 * Scaling transformations: multiply every term of the update by a number.
 *
 *     scale(k):                 u ← k·u
 *     scaleBySchedule(s):       u ← s(t)·u        t = updates so far (0, 1, 2, …)
 *     scaleByLearningRate(lr):  u ← −lr_t·u       (gradient descent)
 *     maximize():               g ← −g            (torch's maximize=True: ascend)
 */
import type { FloatArray } from '../tensor/dtype';
import { evaluateUpdate } from './apply';
import type { Schedule } from './schedules';
import { mapUpdates, scaleUpdate, stateless, zerosLike, type GradientTransformation, type Update } from './transform';

export function scale(factor: number): GradientTransformation<null> {
  return stateless((update) => scaleUpdate(update, factor));
}

export interface ScheduleState {
  /** Updates applied so far. */
  count: number;
}

/** Multiply by s(t), a number or a schedule; s(t) is recorded in a trace under `key`. */
export function scaleBySchedule(s: number | Schedule, key = 'scale'): GradientTransformation<ScheduleState> {
  return scheduledScale(s, 1, key);
}

/** Multiply by −lr_t, lr a number or a schedule; lr_t is recorded in a trace under `key`. */
export function scaleByLearningRate(lr: number | Schedule, key = 'lr'): GradientTransformation<ScheduleState> {
  return scheduledScale(lr, -1, key);
}

function scheduledScale(s: number | Schedule, sign: 1 | -1, key: string): GradientTransformation<ScheduleState> {
  const schedule: Schedule = typeof s === 'number' ? () => s : s;
  return {
    init: () => ({ count: 0 }),
    update(updates, state, _params, trace) {
      const value = schedule(state.count);
      if (trace) for (const name of Object.keys(updates)) trace.scalar(name, key, value);
      return { updates: mapUpdates(updates, (u) => scaleUpdate(u, sign * value)), state: { count: state.count + 1 } };
    },
  };
}

/** Per-parameter buffers for −g, reused every step. */
export type MaximizeState = Record<string, FloatArray>;

/** Negate the gradients, to maximize the objective (torch: `maximize=True`). */
export function maximize(): GradientTransformation<MaximizeState> {
  return {
    init(params) {
      const state: MaximizeState = {};
      for (const [name, p] of Object.entries(params)) state[name] = zerosLike(p);
      return state;
    },
    update(updates, state, params) {
      const out: Record<string, Update> = {};
      for (const name of Object.keys(updates)) {
        const g = evaluateUpdate(updates[name]!, params[name]!);
        const neg = state[name]!;
        for (let i = 0; i < neg.length; i++) neg[i] = -g[i]!;
        out[name] = neg;
      }
      return { updates: out, state };
    },
  };
}
