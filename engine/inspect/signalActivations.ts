/**
 * The model's activations as scalar functions, for the Gaussian integrals of
 * the signal theory. Same formulas and torch defaults as the tensor ops in
 * engine/tensor/activation.ts (which work on whole tensors).
 */
import { SELU_ALPHA, SELU_SCALE, logistic } from '../tensor/activation';
import { erf } from '../tensor/erf';
import type { ActivationLayerSpec } from '../model/spec';

export interface ScalarActivation {
  f: (z: number) => number;
  /** Whether f′ jumps at 0 (then quadrature splits there; see signalQuadrature.ts). */
  kinked: boolean;
}

const GELU_TANH_KAPPA = 0.044715;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function numberArg(layer: ActivationLayerSpec, key: string, fallback: number): number {
  const v = layer.args[key];
  return typeof v === 'number' ? v : fallback;
}

/** f(z) = scale·z for z > 0, scale·α·(eᶻ − 1) otherwise; C¹ at 0 only when α = 1. */
function scaledElu(alpha: number, scale: number): ScalarActivation {
  return { f: (z) => (z > 0 ? scale * z : scale * alpha * Math.expm1(z)), kinked: alpha !== 1 };
}

export function scalarActivation(layer: ActivationLayerSpec): ScalarActivation {
  switch (layer.type) {
    case 'ReLU':
      return { f: (z) => (z > 0 ? z : 0), kinked: true };
    case 'LeakyReLU': {
      const slope = numberArg(layer, 'negative_slope', 0.01);
      return { f: (z) => (z > 0 ? z : slope * z), kinked: slope !== 1 };
    }
    case 'ELU':
      return scaledElu(numberArg(layer, 'alpha', 1), 1);
    case 'SELU':
      return scaledElu(SELU_ALPHA, SELU_SCALE);
    case 'GELU':
      return layer.args.approximate === 'tanh'
        ? { f: (z) => 0.5 * z * (1 + Math.tanh(SQRT_2_OVER_PI * (z + GELU_TANH_KAPPA * z * z * z))), kinked: false }
        : { f: (z) => 0.5 * z * (1 + erf(z * Math.SQRT1_2)), kinked: false };
    case 'SiLU':
      return { f: (z) => z * logistic(z), kinked: false };
    case 'Tanh':
      return { f: Math.tanh, kinked: false };
    case 'Sigmoid':
      return { f: logistic, kinked: false };
    case 'Softplus': {
      const beta = numberArg(layer, 'beta', 1);
      const threshold = numberArg(layer, 'threshold', 20);
      return { f: (z) => (z * beta > threshold ? z : Math.log1p(Math.exp(z * beta)) / beta), kinked: false };
    }
    case 'Identity':
      return { f: (z) => z, kinked: false };
  }
}
