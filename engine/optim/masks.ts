/**
 * Masks choose the parameters a decay (or L2) term applies to: a mask returns
 * true for a parameter that is decayed.
 *
 * Common practice (Hugging Face Trainer, GPT/BERT training recipes) is not to
 * decay biases and normalization weights: they are 1-D, few, and shrinking
 * them towards 0 does not regularize (a LayerNorm gain of 0 switches the
 * layer off). `noDecayBiasAndNorm` is that preset.
 */
import { globMatcher } from '../model/patterns';

/** true = this parameter is decayed. */
export type Mask = (name: string) => boolean;

/** Every parameter is decayed (torch's default). */
export const decayAll: Mask = () => true;

/** Decay exactly the parameters whose names match one of the glob patterns (`*` spans dots). */
export function decayOnly(patterns: readonly string[]): Mask {
  const res = patterns.map(globMatcher);
  return (name) => res.some((re) => re.test(name));
}

/** Decay every parameter except those matching one of the glob patterns. */
export function decayExcept(patterns: readonly string[]): Mask {
  const only = decayOnly(patterns);
  return (name) => !only(name);
}

export interface NoDecayOptions {
  /**
   * Modules known to be normalization layers (e.g. `['net.2']` for an
   * unnamed `nn.LayerNorm` inside `nn.Sequential`), whose `.weight` is excluded.
   * Without it, norm layers are recognized by name (see `isNormModuleName`).
   */
  normModules?: readonly string[];
}

/**
 * Decay everything except biases (`*.bias`, 1-D in every torch layer) and the
 * weights of normalization layers (LayerNorm, BatchNorm, GroupNorm, RMSNorm).
 */
export function noDecayBiasAndNorm(options: NoDecayOptions = {}): Mask {
  const norms = new Set(options.normModules ?? []);
  return (name) => {
    const dot = name.lastIndexOf('.');
    const module = dot < 0 ? '' : name.slice(0, dot);
    const leaf = name.slice(dot + 1);
    if (leaf === 'bias') return false;
    if (leaf === 'weight' && (norms.has(module) || isNormModuleName(module))) return false;
    return true;
  };
}

/**
 * Whether a module path names a normalization layer by the usual torch
 * conventions: its last segment contains `norm` (`ln_norm`, `norm1`,
 * `layer_norm`, `LayerNorm`, `batchnorm`), or is `ln`, `ln_f`, `ln_1`, `ln_final`, `bn`, `bn1`.
 */
export function isNormModuleName(module: string): boolean {
  const last = module.slice(module.lastIndexOf('.') + 1).toLowerCase();
  return last.includes('norm') || /^(ln|bn)(_?[a-z]?\d*|_[a-z]+)$/.test(last);
}
