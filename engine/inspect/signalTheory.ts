/**
 * Signal through depth, predicted: how the activation scale evolves layer by
 * layer, from the initializers' theoretical distributions alone (no sampling).
 *
 * Mean-field view (Glorot & Bengio 2010; He et al. 2015; Poole et al. 2016).
 * In a wide layer every unit's pre-activation is a sum of many independent
 * terms, so over units and examples it is close to normal. Each layer's output
 * is summarized by three moments, taken over units and examples:
 *
 *   m = E[a]            mean
 *   q = E[a²]           second moment: total std √(q − m²), RMS √q
 *   r = E[a(x)·a(x′)]   the same unit on two independent examples x, x′
 *
 * and q − r is the variance *across examples* (averaged over units): the part
 * of the activation that depends on the input. Biases, and the mean that a ReLU
 * passes on to the next layer, add to q and r alike: they hold up the total
 * std but carry no information about the input. The "signal std" √(q − r) is
 * what vanishes when an initialization is too small, even where biases keep
 * the total std from vanishing.
 *
 * Rules (exact for wide layers with independent, zero-mean weights; entries of
 * mean μ_w ≠ 0 make units correlated and are treated to first order):
 *
 *   Linear, y = Wx + b, W entries (μ_w, σ_w²), b entries (μ_b, σ_b²), n = fan_in:
 *     m′ = n·μ_w·m + μ_b
 *     s′ = m′² + n·(σ_w²·s + μ_w²·(s − m²)) + σ_b²      for s = q and s = r,
 *     so with μ_w = μ_b = 0: Var(y) = n·σ_w²·E[x²] + σ_b².
 *   Activation f, pre-activation z ~ N(μ, v), v = q − μ², correlation
 *   ρ = (r − μ²)/v between the two examples:
 *     m′ = E[f(z)],  q′ = E[f(z)²],  r′ = E[f(z)·f(z′)]
 *     ReLU (μ = 0):       q′ = v/2,  m′ = √(v/2π),
 *                         r′ = v/(2π)·(√(1 − ρ²) + (π − arccos ρ)·ρ)   (arc-cosine kernel)
 *     LeakyReLU, slope a (μ = 0), f = a·z + (1 − a)·relu(z):
 *                         q′ = (1 + a²)/2·v,  m′ = (1 − a)·√(v/2π),
 *                         r′ = a·ρv + (1 − a)²·r′_ReLU
 *     otherwise           Gauss–Hermite quadrature (signalQuadrature.ts).
 *   Dropout(p), training mode: y = x·ξ/(1 − p), ξ ~ Bernoulli(1 − p) per element,
 *     m′ = m, q′ = q/(1 − p) (inverted dropout keeps the mean, not E[x²]), r′ = r;
 *     the identity in evaluation mode.
 *   LayerNorm: each row is centered and divided by √(Var_row + eps), with
 *     Var_row ≈ v = q − m², then scaled by γ and shifted by β:
 *     m′ = E[β],  q′ = E[γ²]·v/(v + eps) + E[β²],  r′ = E[γ²]·(r − m²)/(v + eps) + E[β²].
 */
import { layerPrefix, type ActivationLayerSpec, type LayerSpec, type ChainModelSpec } from '../model/spec';
import { scalarActivation } from './signalActivations';
import { layerNormParameters, linearParameters, NO_PARAMETER, type EntryMoments } from './signalParameters';
import { bivariateNormalExpectation, normalExpectation } from './signalQuadrature';

/** The three moments of a layer's output (see the module comment). */
export interface SignalMoments {
  /** m = E[a]. */
  mean: number;
  /** q = E[a²]. */
  meanSquare: number;
  /** r = E[a(x)·a(x′)] for independent examples x, x′. */
  crossMoment: number;
}

/** Standardized features (mean 0, variance 1) of independent examples, as the default dataset's. */
export const UNIT_INPUT: SignalMoments = { mean: 0, meanSquare: 1, crossMoment: 0 };

/** The statistics a layer's moments imply. */
export interface SignalStats {
  mean: number;
  /** Total std over units and examples, √(q − m²). */
  std: number;
  /** √q. */
  rms: number;
  /** Std across examples, averaged over units: √(q − r). */
  signalStd: number;
}

export interface PredictedLayer extends SignalStats {
  index: number;
  /** `state_dict` prefix (`fc1`, or the position). */
  name: string;
  kind: LayerSpec['type'];
  /** std of this layer's output over std of its input. */
  stdRatio: number;
}

export interface SignalPrediction {
  input: SignalStats;
  layers: PredictedLayer[];
}

export interface PredictOptions {
  /** Moments of the input features; default UNIT_INPUT. */
  input?: SignalMoments;
  /** Dropout active (training mode, torch's default for a new module); default true. */
  training?: boolean;
}

export function statsOf(m: SignalMoments): SignalStats {
  return {
    mean: m.mean,
    std: Math.sqrt(Math.max(0, m.meanSquare - m.mean * m.mean)),
    rms: Math.sqrt(m.meanSquare),
    signalStd: Math.sqrt(Math.max(0, m.meanSquare - m.crossMoment)),
  };
}

/** y = Wx + b (see the module comment for the rule). */
export function propagateLinear(x: SignalMoments, fanIn: number, weight: EntryMoments, bias: EntryMoments): SignalMoments {
  const mean = fanIn * weight.mean * x.mean + bias.mean;
  const next = (s: number): number =>
    mean * mean + fanIn * (weight.variance * s + weight.mean * weight.mean * (s - x.mean * x.mean)) + bias.variance;
  return { mean, meanSquare: next(x.meanSquare), crossMoment: next(x.crossMoment) };
}

/** r′ of ReLU for zero-mean z of variance v and correlation ρ (Cho & Saul's arc-cosine kernel of degree 1). */
function reluCrossMoment(variance: number, rho: number): number {
  return (variance / (2 * Math.PI)) * (Math.sqrt(1 - rho * rho) + (Math.PI - Math.acos(rho)) * rho);
}

/** a = f(z) for z ~ N(μ, v) (see the module comment). */
export function propagateActivation(z: SignalMoments, layer: ActivationLayerSpec): SignalMoments {
  if (layer.type === 'Identity') return z;
  const mu = z.mean;
  const variance = Math.max(0, z.meanSquare - mu * mu);
  const rho = variance > 0 ? Math.min(1, Math.max(-1, (z.crossMoment - mu * mu) / variance)) : 1;
  if (mu === 0 && (layer.type === 'ReLU' || layer.type === 'LeakyReLU')) {
    const a = layer.type === 'ReLU' ? 0 : typeof layer.args.negative_slope === 'number' ? layer.args.negative_slope : 0.01;
    return {
      mean: (1 - a) * Math.sqrt(variance / (2 * Math.PI)),
      meanSquare: ((1 + a * a) / 2) * variance,
      crossMoment: a * rho * variance + (1 - a) * (1 - a) * reluCrossMoment(variance, rho),
    };
  }
  if (!Number.isFinite(variance)) return { mean: NaN, meanSquare: NaN, crossMoment: NaN };
  const { f, kinked } = scalarActivation(layer);
  return {
    mean: normalExpectation(f, mu, variance, kinked),
    meanSquare: normalExpectation((t) => f(t) * f(t), mu, variance, kinked),
    crossMoment: bivariateNormalExpectation(f, mu, variance, rho, kinked),
  };
}

/** Inverted dropout in training mode; the identity otherwise. */
export function propagateDropout(x: SignalMoments, p: number, training: boolean): SignalMoments {
  if (!training || p === 0) return x;
  if (p >= 1) return { mean: 0, meanSquare: 0, crossMoment: 0 };
  return { ...x, meanSquare: x.meanSquare / (1 - p) };
}

/** LayerNorm with per-unit scale γ and shift β (entries of the given moments). */
export function propagateLayerNorm(x: SignalMoments, eps: number, weight: EntryMoments, bias: EntryMoments): SignalMoments {
  const variance = Math.max(0, x.meanSquare - x.mean * x.mean);
  const gammaSquare = weight.variance + weight.mean * weight.mean;
  const betaSquare = bias.variance + bias.mean * bias.mean;
  return {
    mean: bias.mean,
    meanSquare: gammaSquare * (variance / (variance + eps)) + betaSquare,
    crossMoment: gammaSquare * ((x.crossMoment - x.mean * x.mean) / (variance + eps)) + betaSquare,
  };
}

/** The rule of layer `index` of `spec`. */
export function propagateLayer(x: SignalMoments, spec: ChainModelSpec, index: number, training = true): SignalMoments {
  const layer = spec.layers[index]!;
  switch (layer.type) {
    case 'Linear': {
      const { weight, bias } = linearParameters(spec, layer, index);
      return propagateLinear(x, layer.inFeatures, weight.moments, bias?.moments ?? NO_PARAMETER);
    }
    case 'Dropout':
      return propagateDropout(x, layer.p, training);
    case 'LayerNorm': {
      const { weight, bias } = layerNormParameters(spec, layer, index);
      return propagateLayerNorm(x, layer.eps, weight, bias);
    }
    default:
      return propagateActivation(x, layer);
  }
}

/** The predicted statistics after every layer of `spec`. */
export function predictSignal(spec: ChainModelSpec, options: PredictOptions = {}): SignalPrediction {
  let moments = options.input ?? UNIT_INPUT;
  const input = statsOf(moments);
  let previous = input;
  const layers = spec.layers.map((layer, index): PredictedLayer => {
    moments = propagateLayer(moments, spec, index, options.training ?? true);
    const stats = statsOf(moments);
    const predicted = { index, name: layerPrefix(layer, index), kind: layer.type, ...stats, stdRatio: stats.std / previous.std };
    previous = stats;
    return predicted;
  });
  return { input, layers };
}

/** Predicted std of the network's output for unit-variance inputs (the scale lint's number). */
export function predictedOutputStd(spec: ChainModelSpec): number {
  const { input, layers } = predictSignal(spec);
  return layers.length > 0 ? layers[layers.length - 1]!.std : input.std;
}
