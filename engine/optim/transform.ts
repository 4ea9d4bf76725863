/**
 * Optimizers as composable gradient transformations, in the style of optax.
 *
 * A `GradientTransformation` is a pair of pure-looking functions
 *
 *     init(params)                   → state
 *     update(updates, state, params) → { updates, state }
 *
 * and an optimizer is a `chain` of them: the gradients go in as the first
 * `updates`, each transformation rewrites the updates (and its own state), and
 * the last updates are added to the parameters by `applyUpdates`:
 *
 *     adamw = chain(scaleByAdam(), addDecayedWeights(λ), scaleByLearningRate(lr))
 *     Δθ    = −lr · (m̂/(√v̂ + ε) + λθ)
 *
 * Updates as terms. In optax Δθ is one tensor. Here a parameter's update is
 * either a bare tensor (a gradient, or anything derived from it) or, once it
 * has been scaled, a list of additive `Term`s, each a tensor expression times
 * a scalar coefficient. Keeping the terms apart is what makes each one
 * observable (the Adam step and the decay step are separate numbers in a
 * trace) and what lets `applyUpdates` add them to θ with exactly torch's
 * operations and rounding (see float32.ts and apply.ts):
 *
 *     direction: Δθ = c·d            torch: θ.add_(d, alpha=c)
 *     ratio:     Δθ = c·n/q          torch: θ.addcdiv_(n, q, value=c)
 *     decay:     Δθ = c·θ            torch: θ.mul_(1 + c)   (applied before the others)
 *
 * The coefficient is c = scale / divisor, evaluated in double when applied,
 * so that Adam's step size comes out as torch's Python expression lr / (1 − β1^t).
 *
 * State is updated in place (the moment buffers are large), and a term may
 * point into a transformation's state: apply the updates before the next
 * `update` call. Parameters are named (`fc1.weight`) and flat; a transform
 * never needs their shapes.
 */
import type { FloatArray } from '../tensor/dtype';
import type { TraceSink } from './trace';

/** Named, flat parameter (or gradient) tensors, e.g. { 'fc1.weight': Float32Array(…) }. */
export type Params = Readonly<Record<string, FloatArray>>;

interface TermBase {
  /** What the term is, e.g. 'adam', 'decay', 'direction'; names it in a trace. */
  readonly label: string;
  /** Multiplied by scaling transformations. */
  readonly scale: number;
  /** Divides the scale; used for Adam's bias correction 1 − β1^t. */
  readonly divisor: number;
}

/** Δθ = (scale/divisor)·data. */
export interface DirectionTerm extends TermBase {
  readonly kind: 'direction';
  readonly data: FloatArray;
}

/** Δθ = (scale/divisor)·numer/denom, element-wise. */
export interface RatioTerm extends TermBase {
  readonly kind: 'ratio';
  readonly numer: FloatArray;
  readonly denom: FloatArray;
  /**
   * Σ(numer/denom)², in double, when the transformation that made the term
   * had it anyway (a traced Adam step): a trace then reports the term's norm
   * |c|·√Σ(n/q)² without dividing every element again.
   */
  readonly ratioSumSq?: number;
}

/** Δθ = (scale/divisor)·θ: decoupled weight decay, applied multiplicatively first. */
export interface DecayTerm extends TermBase {
  readonly kind: 'decay';
}

export type Term = DirectionTerm | RatioTerm | DecayTerm;

/** A parameter's update: a bare tensor (coefficient 1) or a list of terms. */
export type Update = FloatArray | readonly Term[];
export type Updates = Readonly<Record<string, Update>>;

export interface GradientTransformation<S = unknown> {
  init(params: Params): S;
  /**
   * Transform the updates (the gradients, for the first transformation).
   * `trace`, when given, receives the transformation's intermediate terms;
   * without it no work is done for observability.
   */
  update(updates: Updates, state: S, params: Params, trace?: TraceSink): { updates: Updates; state: S };
}

/** Run transformations one after the other; the state is the list of their states. */
export function chain(...transforms: GradientTransformation<any>[]): GradientTransformation<unknown[]> {
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update(updates, state, params, trace) {
      const next: unknown[] = [];
      let current = updates;
      transforms.forEach((t, i) => {
        const out = t.update(current, state[i], params, trace);
        current = out.updates;
        next.push(out.state);
      });
      return { updates: current, state: next };
    },
  };
}

/** A transformation with no state that maps each parameter's update on its own. */
export function stateless(fn: (update: Update, name: string) => Update): GradientTransformation<null> {
  return {
    init: () => null,
    update: (updates, state) => ({ updates: mapUpdates(updates, fn), state }),
  };
}

export function mapUpdates(updates: Updates, fn: (update: Update, name: string) => Update): Updates {
  const out: Record<string, Update> = {};
  for (const name of Object.keys(updates)) out[name] = fn(updates[name]!, name);
  return out;
}

export function isTensor(update: Update): update is FloatArray {
  return update instanceof Float32Array || update instanceof Float64Array;
}

/** The update as a list of terms (a bare tensor becomes one 'direction' term). */
export function asTerms(update: Update): readonly Term[] {
  return isTensor(update) ? [{ kind: 'direction', label: 'direction', data: update, scale: 1, divisor: 1 }] : update;
}

/** Multiply every term's coefficient by `factor`. */
export function scaleUpdate(update: Update, factor: number): Term[] {
  return asTerms(update).map((t) => ({ ...t, scale: t.scale * factor }));
}

/** Look up a parameter, with a clear error for a missing name. */
export function paramOf(params: Params, name: string): FloatArray {
  const p = params[name];
  if (!p) throw new Error(`no parameter named '${name}' (updates and params must have the same names)`);
  return p;
}

/** A zero tensor of the same dtype and length. */
export function zerosLike(p: FloatArray): FloatArray {
  return p instanceof Float32Array ? new Float32Array(p.length) : new Float64Array(p.length);
}
