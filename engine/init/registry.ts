/**
 * Initializers by torch name, so that model files can say
 * { "fn": "kaiming_normal_", "mode": "fan_out" }. Each entry validates its
 * arguments (torch's names and defaults), applies itself in place, and reports
 * its theoretical distribution for a shape.
 *
 * Names are torch.nn.init's; the trailing underscore may be left out. Beyond
 * torch: lecun_uniform_, lecun_normal_ and linear_default_ (nn.Linear's own
 * reset_parameters; on a 1-D bias it needs the weight's `fan_in`).
 */
import type { DenseTensor } from '../tensor/dtype';
import { skipNormal, skipRandperm, skipUniform, type TorchGenerator } from '../random';
import { InitArgumentError, resolveArgs, type InitArgs, type ParamSpec, type ResolvedArgs } from './args';
import { constant_, constantTheory, eye_, eyeTheory } from './constant';
import { kaiming_normal_, kaiming_uniform_, kaimingNormalTheory, kaimingUniformTheory, type KaimingOptions } from './kaiming';
import { lecunNormal_, lecunNormalTheory, lecunUniform_, lecunUniformTheory } from './lecun';
import { LINEAR_WEIGHT_A, linearBiasBound, linearBiasTheory, linearWeightTheory } from './linear';
import { orthogonal_, orthogonalTheory } from './orthogonal';
import { normal_, normalTheory, uniform_, uniformTheory } from './uniformNormal';
import { sparse_, sparseTheory } from './sparse';
import type { Theory } from './theory';
import { trunc_normal_, truncNormalTheory, truncNormalWarning } from './truncNormal';
import { xavier_normal_, xavier_uniform_, xavierNormalTheory, xavierUniformTheory } from './xavier';

export interface InitializerEntry {
  /** torch's name, with the trailing underscore. */
  readonly name: string;
  readonly params: readonly ParamSpec[];
  /** Whether the scale comes from the tensor's fans (so it needs ≥ 2 dimensions). */
  readonly needsFans: boolean;
  /** Validates `args`, then fills `tensor` in place. */
  apply(tensor: DenseTensor, args: InitArgs, rng: TorchGenerator): void;
  /** Validates `args`, then returns the distribution of one entry for this shape. */
  theory(shape: readonly number[], args: InitArgs): Theory;
  /** The UserWarnings torch would emit for this call (its exact text), if any. */
  warnings(shape: readonly number[], args: InitArgs): string[];
  /** What `apply` draws from the generator (nothing, torch's uniform_ or normal_ kernel, or sparse_'s normal_ and randperms). */
  readonly draws: Draws;
  /** Advances `gen` exactly as `apply` on a tensor of this shape and dtype would, without computing values. */
  advance(shape: readonly number[], gen: TorchGenerator, dtype: 'float32' | 'float64'): void;
}

/** The generator's consumption of an initializer: every one is a single torch kernel call on the whole tensor, or none. */
export type Draws = 'none' | 'uniform' | 'normal' | 'sparse';

interface Definition {
  params: readonly ParamSpec[];
  needsFans: boolean;
  draws: Draws;
  apply(tensor: DenseTensor, args: ResolvedArgs, rng: TorchGenerator): void;
  theory(shape: readonly number[], args: ResolvedArgs): Theory;
  warnings?(shape: readonly number[], args: ResolvedArgs): string[];
}

/** kaiming_*_ warn and return before any check when the tensor has no elements. */
const ZERO_ELEMENT_WARNING = 'Initializing zero-element tensors is a no-op';
const warnIfEmpty = (shape: readonly number[]): string[] => (shape.includes(0) ? [ZERO_ELEMENT_WARNING] : []);

/** A numeric parameter; without a default it is required. */
const num = (name: string, defaultValue?: number): ParamSpec =>
  defaultValue === undefined ? { name, type: 'number' } : { name, type: 'number', default: defaultValue };
/** A validated numeric argument (resolveArgs has checked its type and filled its default). */
const n = (args: ResolvedArgs, key: string): number => args[key] as number;

const GAIN = [num('gain', 1)];
const KAIMING: readonly ParamSpec[] = [num('a', 0), { name: 'mode', type: 'string', default: 'fan_in' }, { name: 'nonlinearity', type: 'string', default: 'leaky_relu' }];
const kaimingOptions = (args: ResolvedArgs): KaimingOptions => ({ a: n(args, 'a'), mode: args.mode as string, nonlinearity: args.nonlinearity as string });

const DEFINITIONS: Record<string, Definition> = {
  uniform_: {
    draws: 'uniform',
    params: [num('a', 0), num('b', 1)],
    needsFans: false,
    apply: (t, args, rng) => uniform_(t, rng, { a: n(args, 'a'), b: n(args, 'b') }),
    theory: (_shape, args) => uniformTheory({ a: n(args, 'a'), b: n(args, 'b') }),
  },
  normal_: {
    draws: 'normal',
    params: [num('mean', 0), num('std', 1)],
    needsFans: false,
    apply: (t, args, rng) => normal_(t, rng, { mean: n(args, 'mean'), std: n(args, 'std') }),
    theory: (_shape, args) => normalTheory({ mean: n(args, 'mean'), std: n(args, 'std') }),
  },
  trunc_normal_: {
    draws: 'uniform',
    params: [num('mean', 0), num('std', 1), num('a', -2), num('b', 2)],
    needsFans: false,
    apply: (t, args, rng) => trunc_normal_(t, rng, { mean: n(args, 'mean'), std: n(args, 'std'), a: n(args, 'a'), b: n(args, 'b') }),
    theory: (_shape, args) => truncNormalTheory({ mean: n(args, 'mean'), std: n(args, 'std'), a: n(args, 'a'), b: n(args, 'b') }),
    warnings: (_shape, args) => {
      const warning = truncNormalWarning({ mean: n(args, 'mean'), std: n(args, 'std'), a: n(args, 'a'), b: n(args, 'b') });
      return warning ? [warning] : [];
    },
  },
  constant_: {
    draws: 'none',
    params: [{ ...num('val'), nonFinite: true }],
    needsFans: false,
    apply: (t, args) => constant_(t, n(args, 'val')),
    theory: (_shape, args) => constantTheory(n(args, 'val')),
  },
  ones_: { draws: 'none', params: [], needsFans: false, apply: (t) => constant_(t, 1), theory: () => constantTheory(1) },
  zeros_: { draws: 'none', params: [], needsFans: false, apply: (t) => constant_(t, 0), theory: () => constantTheory(0) },
  eye_: { draws: 'none', params: [], needsFans: false, apply: (t) => eye_(t), theory: (shape) => eyeTheory(shape) },
  xavier_uniform_: {
    draws: 'uniform',
    params: GAIN,
    needsFans: true,
    apply: (t, args, rng) => xavier_uniform_(t, rng, { gain: n(args, 'gain') }),
    theory: (shape, args) => xavierUniformTheory(shape, { gain: n(args, 'gain') }),
  },
  xavier_normal_: {
    draws: 'normal',
    params: GAIN,
    needsFans: true,
    apply: (t, args, rng) => xavier_normal_(t, rng, { gain: n(args, 'gain') }),
    theory: (shape, args) => xavierNormalTheory(shape, { gain: n(args, 'gain') }),
  },
  kaiming_uniform_: {
    draws: 'uniform',
    params: KAIMING,
    needsFans: true,
    apply: (t, args, rng) => kaiming_uniform_(t, rng, kaimingOptions(args)),
    theory: (shape, args) => kaimingUniformTheory(shape, kaimingOptions(args)),
    warnings: warnIfEmpty,
  },
  kaiming_normal_: {
    draws: 'normal',
    params: KAIMING,
    needsFans: true,
    apply: (t, args, rng) => kaiming_normal_(t, rng, kaimingOptions(args)),
    theory: (shape, args) => kaimingNormalTheory(shape, kaimingOptions(args)),
    warnings: warnIfEmpty,
  },
  orthogonal_: {
    draws: 'normal',
    params: GAIN,
    needsFans: true,
    apply: (t, args, rng) => orthogonal_(t, rng, { gain: n(args, 'gain') }),
    theory: (shape, args) => orthogonalTheory(shape, { gain: n(args, 'gain') }),
  },
  sparse_: {
    draws: 'sparse',
    params: [num('sparsity'), num('std', 0.01)],
    needsFans: true,
    apply: (t, args, rng) => sparse_(t, rng, { sparsity: n(args, 'sparsity'), std: n(args, 'std') }),
    theory: (shape, args) => sparseTheory(shape, { sparsity: n(args, 'sparsity'), std: n(args, 'std') }),
  },
  lecun_uniform_: { draws: 'uniform', params: [], needsFans: true, apply: (t, _a, rng) => lecunUniform_(t, rng), theory: (shape) => lecunUniformTheory(shape) },
  lecun_normal_: { draws: 'normal', params: [], needsFans: true, apply: (t, _a, rng) => lecunNormal_(t, rng), theory: (shape) => lecunNormalTheory(shape) },
  linear_default_: {
    draws: 'uniform',
    params: [{ name: 'fan_in', type: 'number', optional: true }],
    needsFans: false,
    apply: (t, args, rng) => {
      if (t.shape.length >= 2) kaiming_uniform_(t, rng, { a: LINEAR_WEIGHT_A });
      else {
        const bound = linearBiasBound(biasFanIn(args));
        uniform_(t, rng, { a: -bound, b: bound });
      }
    },
    theory: (shape, args) => (shape.length >= 2 ? linearWeightTheory(shape) : linearBiasTheory(biasFanIn(args))),
  },
};

function biasFanIn(args: ResolvedArgs): number {
  const fanIn = args.fan_in;
  if (fanIn === undefined) {
    throw new InitArgumentError('linear_default_: a 1-D bias needs "fan_in", the in_features of its layer (the bound is 1/√fan_in).');
  }
  return fanIn as number;
}

function advanceDraws(draws: Draws, shape: readonly number[], gen: TorchGenerator, dtype: 'float32' | 'float64'): void {
  let numel = 1;
  for (const d of shape) numel *= d;
  if (draws === 'uniform') skipUniform(gen, numel, dtype);
  else if (draws === 'normal') skipNormal(gen, numel, dtype);
  else if (draws === 'sparse') {
    // sparse_: normal_ over the tensor, then one randperm(rows) per column.
    skipNormal(gen, numel, dtype);
    for (let c = 0; c < (shape[1] ?? 0); c++) skipRandperm(gen, shape[0] ?? 0);
  }
}

function makeEntry(name: string, def: Definition): InitializerEntry {
  return {
    name,
    params: def.params,
    needsFans: def.needsFans,
    apply: (tensor, args, rng) => def.apply(tensor, resolveArgs(name, def.params, args), rng),
    theory: (shape, args) => def.theory(shape, resolveArgs(name, def.params, args)),
    warnings: (shape, args) => def.warnings?.(shape, resolveArgs(name, def.params, args)) ?? [],
    draws: def.draws,
    advance: (shape, gen, dtype) => advanceDraws(def.draws, shape, gen, dtype),
  };
}

const REGISTRY: ReadonlyMap<string, InitializerEntry> = new Map(
  Object.entries(DEFINITIONS).map(([name, def]) => [name, makeEntry(name, def)]),
);

/** All registered names, with trailing underscores. */
export const INITIALIZER_NAMES: readonly string[] = [...REGISTRY.keys()];

/** `xavier_uniform` → `xavier_uniform_`. */
export function canonicalInitializerName(name: string): string {
  return name.endsWith('_') ? name : `${name}_`;
}

/** The entry for a name (trailing underscore optional), or undefined. */
export function findInitializer(name: string): InitializerEntry | undefined {
  return REGISTRY.get(canonicalInitializerName(name));
}

/** Like findInitializer, but an unknown name throws with the list of known names. */
export function getInitializer(name: string): InitializerEntry {
  const entry = findInitializer(name);
  if (!entry) throw new InitArgumentError(`Unknown initializer "${name}". Known initializers: ${INITIALIZER_NAMES.join(', ')}.`);
  return entry;
}

export function applyInitializer(name: string, tensor: DenseTensor, args: InitArgs, rng: TorchGenerator): void {
  getInitializer(name).apply(tensor, args, rng);
}

export function initializerTheory(name: string, shape: readonly number[], args: InitArgs = {}): Theory {
  return getInitializer(name).theory(shape, args);
}
