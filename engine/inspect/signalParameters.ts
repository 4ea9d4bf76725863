/**
 * Which initializer each parameter gets, and the mean and variance of one of
 * its entries, without drawing anything — the inputs of the signal theory.
 *
 * Resolution follows initializeParameters (engine/model/initialize.ts): a
 * layer's own `init` wins, then the first matching `initPatterns` entry, then
 * torch's constructor default (nn.Linear.reset_parameters: weight
 * kaiming_uniform_(a=√5) and bias U(±1/√fan_in); nn.LayerNorm: ones and zeros).
 */
import { constantTheory } from '../init/constant';
import { linearBiasTheory, linearWeightTheory } from '../init/linear';
import { getInitializer } from '../init/registry';
import { describeCall } from '../model/initialize';
import { globMatches } from '../model/patterns';
import { layerPrefix, type InitSpec, type LayerNormLayerSpec, type LinearLayerSpec, type ChainModelSpec } from '../model/spec';
import type { Distribution } from '../stats/distribution';

/** Mean and variance of one entry of a parameter tensor. */
export interface EntryMoments {
  mean: number;
  variance: number;
}

export interface ResolvedParameter {
  /** `state_dict` name, e.g. `fc1.weight`. */
  name: string;
  /** The file's initializer, or undefined for torch's default. */
  init: InitSpec | undefined;
  /** The call as a torch user would write it, e.g. `normal_(std=0.01)`. */
  label: string;
  moments: EntryMoments;
}

export const NO_PARAMETER: EntryMoments = { mean: 0, variance: 0 };

function momentsOf(d: Distribution): EntryMoments {
  return { mean: d.mean, variance: d.std * d.std };
}

/** The file's initializer for parameter `name`: the layer's own, else the first matching pattern. */
export function fileInitializer(spec: ChainModelSpec, name: string, own: InitSpec | undefined): InitSpec | undefined {
  return own ?? spec.initPatterns?.find((p) => globMatches(p.pattern, name))?.init;
}

function resolve(name: string, shape: number[], init: InitSpec | undefined, fallback: () => Distribution, defaultLabel: string): ResolvedParameter {
  if (!init) return { name, init, label: defaultLabel, moments: momentsOf(fallback()) };
  const initializer = getInitializer(init.fn);
  if (!initializer) throw new Error(`Unknown initializer "${init.fn}"`);
  return { name, init, label: describeCall(init), moments: momentsOf(initializer.theory(shape, init.args)) };
}

export function linearParameters(spec: ChainModelSpec, layer: LinearLayerSpec, index: number): { weight: ResolvedParameter; bias: ResolvedParameter | null } {
  const prefix = layerPrefix(layer, index);
  const shape = [layer.outFeatures, layer.inFeatures];
  const weight = resolve(`${prefix}.weight`, shape, fileInitializer(spec, `${prefix}.weight`, layer.init?.weight), () => linearWeightTheory(shape), 'kaiming_uniform_(a=√5)');
  if (!layer.bias) return { weight, bias: null };
  const bias = resolve(`${prefix}.bias`, [layer.outFeatures], fileInitializer(spec, `${prefix}.bias`, layer.init?.bias), () => linearBiasTheory(layer.inFeatures), 'uniform_(−1/√fan_in, 1/√fan_in)');
  return { weight, bias };
}

/** γ and β of a LayerNorm (γ = 1, β = 0 without affine parameters). */
export function layerNormParameters(spec: ChainModelSpec, layer: LayerNormLayerSpec, index: number): { weight: EntryMoments; bias: EntryMoments } {
  if (!layer.elementwiseAffine) return { weight: { mean: 1, variance: 0 }, bias: NO_PARAMETER };
  const prefix = layerPrefix(layer, index);
  const shape = [layer.normalizedShape];
  const param = (p: string, value: number, label: string): EntryMoments =>
    resolve(`${prefix}.${p}`, shape, fileInitializer(spec, `${prefix}.${p}`, undefined), () => constantTheory(value), label).moments;
  return { weight: param('weight', 1, 'ones_'), bias: param('bias', 0, 'zeros_') };
}
