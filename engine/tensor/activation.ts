/**
 * Elementwise activations of torch.nn.functional (ReLU, LeakyReLU, ELU, SELU,
 * GELU exact and tanh, Sigmoid, Tanh, SiLU, Softplus, Mish), with torch's defaults and
 * torch's choices at the kinks (the derivative at exactly 0 is that of the
 * x ≤ 0 branch, as in torch's backward kernels).
 *
 * Each is computed in float64 and rounded once to the dtype. torch evaluates
 * the composite formulas (GELU, SiLU, Softplus, …) in float32 step by step
 * with vectorized transcendental functions, so float32 results can differ
 * from torch by an ulp or two; float64 results agree to ~1e-15 relative.
 */
import { scratch64, type FloatArray } from './dtype';
import { erf } from './erf';
import { roundTo } from './op';
import type { Tensor } from './tensor';
import { RELU_WASM_MIN_LENGTH, reluBackwardWasm, reluWasm } from './reluWasm';
import { unaryOp } from './unary';

/** ReLU(x) = max(0, x);  ReLU′(x) = 1 if x > 0 else 0. */
export function relu(x: Tensor): Tensor {
  return unaryOp(
    'ReluBackward',
    x,
    (xs, ys) => {
      // The same bits three ways: WebAssembly SIMD for all but tiny arrays, else the loops below.
      if (xs.length >= RELU_WASM_MIN_LENGTH && reluWasm(xs, ys)) return;
      if (xs instanceof Float32Array && ys instanceof Float32Array) return reluFloat32(xs, ys);
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i]!;
        ys[i] = v > 0 || Number.isNaN(v) ? v : 0;
      }
    },
    (_xs, ys, g, gx) => {
      if (g.length >= RELU_WASM_MIN_LENGTH && reluBackwardWasm(ys, g, gx)) return;
      if (ys instanceof Float32Array && g instanceof Float32Array && gx instanceof Float32Array) return reluBackwardFloat32(ys, g, gx);
      for (let i = 0; i < g.length; i++) gx[i] = ys[i]! > 0 ? g[i]! : 0;
    },
  );
}

/**
 * float32 ReLU on the bit patterns, without branches: the signs of hidden
 * units are a coin toss, so a branch per element is mispredicted half the
 * time, which made this loop several times slower than a copy. With the bits
 * b of x read as an int32 (sign bit = the int's sign):
 *   keep x  iff  b ≥ 0 (x ≥ +0; +0 stays +0)  or  |b| > 0x7f800000 (x is NaN: it propagates, as in torch),
 * else +0. `b >> 31` is all ones for b < 0, and `(0x7f800000 − (b & 0x7fffffff)) >> 31`
 * all ones for a NaN, so y = b & (~(b >> 31) | nanMask). Same values as the
 * generic loop above, bit for bit.
 */
function reluFloat32(xs: Float32Array, ys: Float32Array): void {
  const x = new Int32Array(xs.buffer, xs.byteOffset, xs.length);
  const y = new Int32Array(ys.buffer, ys.byteOffset, ys.length);
  for (let i = 0; i < x.length; i++) {
    const b = x[i]!;
    y[i] = b & (~(b >> 31) | ((0x7f800000 - (b & 0x7fffffff)) >> 31));
  }
}

/**
 * ∂L/∂x = g where y > 0, else +0, as a mask on g's bits (no branch, as
 * reluFloat32): y > 0 iff its bits c satisfy 0 < c ≤ 0x7f800000 (positive,
 * up to +∞, not NaN), i.e. (−c) >> 31, ~(c >> 31) and ~((0x7f800000 − c) >> 31)
 * are all ones.
 */
function reluBackwardFloat32(ys: Float32Array, gs: Float32Array, gxs: Float32Array): void {
  const y = new Int32Array(ys.buffer, ys.byteOffset, ys.length);
  const g = new Int32Array(gs.buffer, gs.byteOffset, gs.length);
  const gx = new Int32Array(gxs.buffer, gxs.byteOffset, gxs.length);
  for (let i = 0; i < g.length; i++) {
    const c = y[i]!;
    gx[i] = g[i]! & (-c >> 31) & ~(c >> 31) & ~((0x7f800000 - c) >> 31);
  }
}

/**
 * LeakyReLU(x) = x if x > 0 else negative_slope·x;  derivative 1 or negative_slope.
 * The slope is first cast to the tensor's dtype, as torch does, so the float32
 * product is one rounding of x·fround(slope) — bit-exact with torch.
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const slope = roundTo(x.dtype, negativeSlope);
  return unaryOp(
    'LeakyReluBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i]!;
        ys[i] = v > 0 ? v : v * slope;
      }
    },
    (xs, _ys, g, gx) => {
      for (let i = 0; i < g.length; i++) gx[i] = xs[i]! > 0 ? g[i]! : g[i]! * slope;
    },
  );
}

/**
 * scale·ELU with torch's elu kernel:
 *   f(x) = scale·x                   for x > 0
 *        = scale·α·(eˣ − 1)          for x ≤ 0  (expm1, accurate near 0)
 *   f′(x) = scale  or  scale·α·eˣ.
 */
function scaledElu(name: string, x: Tensor, alpha: number, scale: number): Tensor {
  return unaryOp(
    name,
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i]!;
        ys[i] = v > 0 ? scale * v : scale * alpha * Math.expm1(v);
      }
    },
    (xs, _ys, g, gx) => {
      for (let i = 0; i < g.length; i++) {
        const v = xs[i]!;
        gx[i] = v > 0 ? g[i]! * scale : g[i]! * scale * alpha * Math.exp(v);
      }
    },
  );
}

/** ELU(x) = x if x > 0 else α(eˣ − 1), α = 1 by default. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return scaledElu('EluBackward', x, alpha, 1);
}

/** SELU constants from Klambauer et al. (2017), as in torch. */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;

/** SELU(x) = scale·(max(0, x) + min(0, α(eˣ − 1))). */
export function selu(x: Tensor): Tensor {
  return scaledElu('EluBackward', x, SELU_ALPHA, SELU_SCALE);
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π), torch's kBeta
const GELU_TANH_KAPPA = 0.044715;

export type GeluApproximate = 'none' | 'tanh';

/**
 * GELU(x) = x·Φ(x) with Φ the standard normal CDF:
 *   'none':  Φ(x) = ½(1 + erf(x/√2));  GELU′(x) = Φ(x) + x·φ(x),  φ(x) = e^(−x²/2)/√(2π)
 *   'tanh':  GELU(x) ≈ ½x(1 + tanh u),  u = √(2/π)(x + 0.044715x³);
 *            GELU′(x) = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)
 */
export function gelu(x: Tensor, approximate: GeluApproximate = 'none'): Tensor {
  // The forward pass keeps tanh u (or Φ(x)) for the backward pass: the transcendental function is most of the cost.
  const kept = scratch64(x.numel);
  if (approximate === 'tanh') {
    return unaryOp(
      'GeluBackward',
      x,
      (xs, ys) => {
        for (let i = 0; i < xs.length; i++) {
          const v = xs[i]!;
          const t = Math.tanh(SQRT_2_OVER_PI * (v + GELU_TANH_KAPPA * v * v * v));
          kept[i] = t;
          ys[i] = 0.5 * v * (1 + t);
        }
      },
      (xs, _ys, g, gx) => {
        for (let i = 0; i < g.length; i++) {
          const v = xs[i]!;
          const t = kept[i]!;
          const du = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_KAPPA * v * v);
          gx[i] = g[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du);
        }
      },
    );
  }
  return unaryOp('GeluBackward', x, (xs, ys) => geluErfForward(xs, ys, kept), (xs, _ys, g, gx) => geluErfBackward(xs, g, gx, kept));
}

// The exact GELU's loops as functions of their own, on arrays only (no closure): V8 compiles them to tighter code.

/** y = ½x(1 + erf(x/√2)), keeping Φ(x) = ½(1 + erf(x/√2)). */
function geluErfForward(xs: FloatArray, ys: FloatArray, kept: Float64Array): void {
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    const onePlusErf = 1 + erf(v * SQRT1_2);
    kept[i] = 0.5 * onePlusErf; // Φ(x)
    ys[i] = 0.5 * v * onePlusErf;
  }
}

/** ∂L/∂x = g·(Φ(x) + x·φ(x)). */
function geluErfBackward(xs: FloatArray, g: FloatArray, gx: FloatArray, kept: Float64Array): void {
  for (let i = 0; i < g.length; i++) {
    const v = xs[i]!;
    const pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
    gx[i] = g[i]! * (kept[i]! + v * pdf);
  }
}

/** σ(x) = 1/(1 + e^(−x)), evaluated without overflow for either sign of x. */
export function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Sigmoid(x) = σ(x);  σ′(x) = σ(x)(1 − σ(x)) = y(1 − y). */
export function sigmoid(x: Tensor): Tensor {
  return unaryOp(
    'SigmoidBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) ys[i] = logistic(xs[i]!);
    },
    (_xs, ys, g, gx) => {
      for (let i = 0; i < g.length; i++) {
        const y = ys[i]!;
        gx[i] = g[i]! * y * (1 - y);
      }
    },
  );
}

/** Tanh(x);  tanh′(x) = 1 − tanh²(x) = 1 − y². */
export function tanh(x: Tensor): Tensor {
  return unaryOp(
    'TanhBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) ys[i] = Math.tanh(xs[i]!);
    },
    (_xs, ys, g, gx) => {
      for (let i = 0; i < g.length; i++) {
        const y = ys[i]!;
        gx[i] = g[i]! * (1 - y * y);
      }
    },
  );
}

/** SiLU(x) = x·σ(x);  SiLU′(x) = σ(x)(1 + x(1 − σ(x))). */
export function silu(x: Tensor): Tensor {
  return unaryOp(
    'SiluBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i]!;
        ys[i] = v * logistic(v);
      }
    },
    (xs, _ys, g, gx) => {
      for (let i = 0; i < g.length; i++) {
        const v = xs[i]!;
        const s = logistic(v);
        gx[i] = g[i]! * s * (1 + v * (1 - s));
      }
    },
  );
}

/**
 * Hardtanh(x) = min(max(x, lo), hi), as torch's kernel; its gradient passes
 * strictly inside (lo, hi) and is 0 at and beyond the bounds (torch's
 * hardtanh_backward: `(x > lo) & (x < hi)`).
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  return unaryOp(
    'HardtanhBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) ys[i] = Math.min(Math.max(xs[i]!, minVal), maxVal);
    },
    (xs, _ys, g, gx) => {
      for (let i = 0; i < g.length; i++) {
        const v = xs[i]!;
        gx[i] = v > minVal && v < maxVal ? g[i]! : 0;
      }
    },
  );
}

/** ReLU6(x) = min(max(x, 0), 6): torch's relu6 is hardtanh(x, 0, 6), gradient included. */
export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

/** torch's hardsigmoid_backward multiplies by 1/6 written as a float literal (`1.0f / 6.0f`), in every dtype. */
const HARDSIGMOID_SLOPE = Math.fround(1 / 6);

/**
 * Hardsigmoid(x) = min(max(x + 3, 0), 6) / 6, as torch's kernel;
 *   Hardsigmoid′(x) = 1/6 (its float32 value, as torch) on (−3, 3), else 0.
 */
export function hardsigmoid(x: Tensor): Tensor {
  return unaryOp(
    'HardsigmoidBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) ys[i] = Math.min(Math.max(xs[i]! + 3, 0), 6) / 6;
    },
    (xs, _ys, g, gx) => {
      for (let i = 0; i < g.length; i++) {
        const v = xs[i]!;
        gx[i] = v > -3 && v < 3 ? g[i]! * HARDSIGMOID_SLOPE : 0;
      }
    },
  );
}

/**
 * Hardswish(x) = x·min(max(x + 3, 0), 6) / 6, as torch's kernel;
 *   Hardswish′(x) = 0 below −3, x/3 + 1/2 on [−3, 3), 1 from 3 on (torch's hardswish_backward).
 */
export function hardswish(x: Tensor): Tensor {
  return unaryOp(
    'HardswishBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i]!;
        ys[i] = (v * Math.min(Math.max(v + 3, 0), 6)) / 6;
      }
    },
    (xs, _ys, g, gx) => {
      for (let i = 0; i < g.length; i++) {
        const v = xs[i]!;
        gx[i] = v < -3 ? 0 : v < 3 ? g[i]! * (v / 3 + 0.5) : g[i]!;
      }
    },
  );
}

/**
 * Softplus(x) = (1/β)·log(1 + e^(βx)), reverting to x where βx > threshold
 * (there log(1 + e^(βx)) = βx to within float precision), as torch:
 *   Softplus′(x) = σ(βx), or 1 above the threshold.
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return unaryOp(
    'SoftplusBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i]!;
        ys[i] = v * beta > threshold ? v : Math.log1p(Math.exp(v * beta)) / beta;
      }
    },
    (xs, _ys, g, gx) => {
      for (let i = 0; i < g.length; i++) {
        const v = xs[i]!;
        gx[i] = v * beta > threshold ? g[i]! : g[i]! * logistic(v * beta);
      }
    },
  );
}

/**
 * Mish(x) = x·tanh(softplus(x)) with softplus(x) = log(1 + eˣ) (no threshold,
 * as torch's kernel);  with t = tanh(softplus(x)) and σ(x) = d softplus/dx:
 *   Mish′(x) = t + x·σ(x)·(1 − t²).
 */
export function mish(x: Tensor): Tensor {
  return unaryOp(
    'MishBackward',
    x,
    (xs, ys) => {
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i]!;
        ys[i] = v * Math.tanh(Math.log1p(Math.exp(v)));
      }
    },
    (xs, _ys, g, gx) => {
      for (let i = 0; i < g.length; i++) {
        const v = xs[i]!;
        const t = Math.tanh(Math.log1p(Math.exp(v)));
        gx[i] = g[i]! * (t + v * logistic(v) * (1 - t * t));
      }
    },
  );
}
