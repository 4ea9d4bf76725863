/**
 * Draws a model's initial parameters as PyTorch would.
 *
 * Mirrors what happens in torch: constructing `nn.Linear` runs
 * `reset_parameters` (weight `kaiming_uniform_(a=√5)`, bias U(±1/√fan_in)),
 * constructing `nn.LayerNorm` sets weight = 1 and bias = 0, and then the
 * model's own initializers (here: the file's `init`) overwrite what they name.
 * Parameters come out in `state_dict` order with `state_dict` names.
 */
import { getInitializer } from '../init/registry';
import { linearBiasTheory, linearResetParameters, linearWeightTheory } from '../init/linear';
import { constantTheory } from '../init/constant';
import type { Theory } from '../init/theory';
import type { Rng } from '../rng';
import { allocate, type DType, type FloatArray } from '../tensor/dtype';
import { globToRegExp } from './patterns';
import { layerPrefix, type InitSpec, type ModelSpec } from './spec';

export interface InitializedParameter {
  /** `state_dict` name, e.g. `fc1.weight`. */
  name: string;
  shape: number[];
  data: FloatArray;
  /** The initializer call as torch spells it, e.g. `kaiming_uniform_(a=√5)`. */
  initializer: string;
  origin: 'torch default' | 'model file' | 'checkpoint';
  /** The distribution the values were drawn from; null for values loaded from a checkpoint. */
  theory: Theory | null;
}

/** Values by `state_dict` name that replace the drawn ones (a checkpoint); shapes were checked by the caller. */
export type InitialValues = ReadonlyMap<string, { data: ArrayLike<number> }>;

export function initializeParameters(spec: ModelSpec, rng: Rng, dtype: DType = 'float32', checkpoint?: InitialValues, checkpointLabel = 'init_from'): InitializedParameter[] {
  const drawn = drawParameters(spec, rng, dtype);
  if (!checkpoint) return drawn;
  // torch: construct (and initialize) the model, then load_state_dict overwrites every tensor.
  return drawn.map((p) => {
    const values = checkpoint.get(p.name);
    if (!values) return p;
    const data = p.data.slice();
    data.set(values.data);
    return { ...p, data, initializer: checkpointLabel, origin: 'checkpoint', theory: null };
  });
}

function drawParameters(spec: ModelSpec, rng: Rng, dtype: DType): InitializedParameter[] {
  const out: InitializedParameter[] = [];
  const patterns = (spec.initPatterns ?? []).map((p) => ({ test: globToRegExp(p.pattern), init: p.init }));
  const byPattern = (name: string): InitSpec | undefined => patterns.find((p) => p.test.test(name))?.init;
  spec.layers.forEach((layer, index) => {
    const prefix = layerPrefix(layer, index);
    if (layer.type === 'Linear') {
      const weight = { shape: [layer.outFeatures, layer.inFeatures], data: allocate(dtype, layer.outFeatures * layer.inFeatures) };
      const bias = layer.bias ? { shape: [layer.outFeatures], data: allocate(dtype, layer.outFeatures) } : null;
      linearResetParameters(weight, bias, rng);
      out.push(applyOverride(
        { name: `${prefix}.weight`, ...weight, initializer: 'kaiming_uniform_(a=√5)', origin: 'torch default', theory: linearWeightTheory(weight.shape) },
        layer.init?.weight ?? byPattern(`${prefix}.weight`), rng));
      if (bias) {
        out.push(applyOverride(
          { name: `${prefix}.bias`, ...bias, initializer: 'uniform_(−1/√fan_in, 1/√fan_in)', origin: 'torch default', theory: linearBiasTheory(layer.inFeatures) },
          layer.init?.bias ?? byPattern(`${prefix}.bias`), rng));
      }
    } else if (layer.type === 'LayerNorm' && layer.elementwiseAffine) {
      const n = layer.normalizedShape;
      out.push(applyOverride({ name: `${prefix}.weight`, shape: [n], data: allocate(dtype, n).fill(1), initializer: 'ones_', origin: 'torch default', theory: constantTheory(1) }, byPattern(`${prefix}.weight`), rng));
      out.push(applyOverride({ name: `${prefix}.bias`, shape: [n], data: allocate(dtype, n), initializer: 'zeros_', origin: 'torch default', theory: constantTheory(0) }, byPattern(`${prefix}.bias`), rng));
    }
  });
  return out;
}

/** Re-initializes a default-initialized parameter with the file's initializer, if it names one. */
function applyOverride(param: InitializedParameter, init: InitSpec | undefined, rng: Rng): InitializedParameter {
  if (!init) return param;
  const initializer = getInitializer(init.fn);
  if (!initializer) throw new Error(`Unknown initializer "${init.fn}"`);
  initializer.apply(param, init.args, rng);
  return { ...param, initializer: describeCall(init), origin: 'model file', theory: initializer.theory(param.shape, init.args) };
}

/** `normal_(std=0.01)`: the call as a torch user would write it. */
export function describeCall(init: InitSpec): string {
  const args = Object.entries(init.args).map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v}'` : String(v)}`);
  return `${init.fn}(${args.join(', ')})`;
}
