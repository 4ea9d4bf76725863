/**
 * Elementwise functions y = f(x) with ∂L/∂x = g · f′(x).
 *
 * `unaryOp` takes two whole-array kernels rather than per-element callbacks,
 * so each op's inner loop is a plain loop over typed arrays. Kernels compute
 * in float64; storing into a Float32Array rounds once. For √ and negation
 * that is bit-exact with torch; for exp/log torch uses vectorized SLEEF
 * routines (≤ 1 ulp), so float32 results can differ from torch by 1 ulp.
 */
import type { FloatArray } from './dtype';
import { opResult, zerosLike } from './op';
import type { Tensor } from './tensor';

/** Fills y[i] = f(x[i]). */
export type ForwardKernel = (x: FloatArray, y: FloatArray) => void;
/** Fills gx[i] = g[i] · f′(x[i]); may use the forward output y (e.g. tanh′ = 1 − y²). */
export type BackwardKernel = (x: FloatArray, y: FloatArray, g: FloatArray, gx: FloatArray) => void;

export function unaryOp(name: string, x: Tensor, forward: ForwardKernel, backward: BackwardKernel): Tensor {
  const y = zerosLike(x.data);
  forward(x.data, y);
  return opResult(name, y, x.shape, [x], (g) => {
    const gx = zerosLike(g);
    backward(x.data, y, g, gx);
    return [gx];
  });
}

/** −x. */
export function neg(x: Tensor): Tensor {
  return unaryOp(
    'NegBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) ys[i] = -xs[i]!;
    },
    (_xs, _ys, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] = -g[i]!;
    },
  );
}

/** eˣ;  d/dx = eˣ = y. */
export function exp(x: Tensor): Tensor {
  return unaryOp(
    'ExpBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) ys[i] = Math.exp(xs[i]!);
    },
    (_xs, ys, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] = g[i]! * ys[i]!;
    },
  );
}

/** ln x (−∞ at 0, NaN below);  d/dx = 1/x. */
export function log(x: Tensor): Tensor {
  return unaryOp(
    'LogBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) ys[i] = Math.log(xs[i]!);
    },
    (xs, _ys, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] = g[i]! / xs[i]!;
    },
  );
}

/** √x;  d/dx = 1/(2√x) = 1/(2y). */
export function sqrt(x: Tensor): Tensor {
  return unaryOp(
    'SqrtBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) ys[i] = Math.sqrt(xs[i]!);
    },
    (_xs, ys, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] = g[i]! / (2 * ys[i]!);
    },
  );
}

/**
 * xᵖ for a constant exponent p;  d/dx = p·xᵖ⁻¹ (torch: 0 where p = 0).
 * p = 2 is computed as x·x, as torch does; in float64 the square of a float32
 * value is exact, so the rounded result matches torch bit for bit.
 */
export function pow(x: Tensor, exponent: number): Tensor {
  const p = exponent;
  return unaryOp(
    'PowBackward',
    x,
    (xs, ys) => {
      if (p === 2) {
        for (let i = 0; i < xs.length; i++) ys[i] = xs[i]! * xs[i]!;
      } else {
        for (let i = 0; i < xs.length; i++) ys[i] = Math.pow(xs[i]!, p);
      }
    },
    (xs, _ys, g, gx) => {
      if (p === 0) return; // gx is already zero
      for (let i = 0; i < g.length; i++) gx[i] = g[i]! * p * Math.pow(xs[i]!, p - 1);
    },
  );
}
