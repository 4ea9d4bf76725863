/**
 * What every module definition is made of: a constructor signature and a
 * `build` that declares the module's parameters and buffers with the steps of
 * its `reset_parameters`, exactly as torch 1.13's source does, and its
 * built-in submodules (`nn.MultiheadAttention.out_proj`).
 */
import type { InitSpec } from '../../model/spec';
import type { Parameter } from '../signature';
import { inTorchOrder, type ArgValue, type InitStep, type ModuleChild, type ModuleNode, type TensorDecl } from '../tree';

export interface BuiltModule {
  tensors: TensorDecl[];
  children: ModuleChild[];
}

/** Builds a module of the catalogue by type and keyword arguments (for definitions that contain others). */
export type MakeModule = (type: string, keywords: Readonly<Record<string, ArgValue>>) => ModuleNode;

export interface ModuleDefinition {
  type: string;
  signature: readonly Parameter[];
  /** Takes any arguments (`nn.Identity(*args, **kwargs)`), kept as given. */
  anyArguments?: boolean;
  /** One line for hovers: what torch initializes and how. */
  doc: string;
  /** The module's tensors and built-in children for bound arguments (throws ModuleArgumentError on bad ones). */
  build(args: Readonly<Record<string, ArgValue>>, make: MakeModule): BuiltModule;
}

export const NO_TENSORS: BuiltModule = { tensors: [], children: [] };

/** A parameter whose `reset_parameters` steps run now (numbered in torch's order, see inTorchOrder). */
export function parameter(name: string, shape: number[], ...init: InitStep[]): TensorDecl {
  return { name, shape, kind: 'parameter', persistent: true, dtype: 'float32', init: init.map(inTorchOrder) };
}

export function buffer(name: string, shape: number[], init: InitStep[], dtype: 'float32' | 'int64' = 'float32', persistent = true): TensorDecl {
  return { name, shape, kind: 'buffer', persistent, dtype, init: init.map(inTorchOrder) };
}

export function torchDefault(fn: string, args: InitSpec['args'], label?: string): InitStep {
  return { op: 'init', init: { fn, args }, origin: 'torch default', ...(label ? { label } : {}) };
}

export const ONES: InitStep = torchDefault('ones_', {}, 'ones_');
export const ZEROS: InitStep = torchDefault('zeros_', {}, 'zeros_');

/** `init.kaiming_uniform_(w, a=math.sqrt(5))`: U(±1/√fan_in) on a weight whose fans torch computes from its shape. */
export const KAIMING_A_SQRT5: InitStep = torchDefault('kaiming_uniform_', { a: Math.sqrt(5) }, 'kaiming_uniform_(a=√5)');

/** `bound = 1/√fan_in; init.uniform_(bias, −bound, bound)`, fan_in being the weight's. */
export function biasFromFanIn(fanIn: number): InitStep {
  return torchDefault('linear_default_', { fan_in: fanIn }, 'uniform_(−1/√fan_in, 1/√fan_in)');
}

/** `init.uniform_(t, −bound, bound)` with a label that says where the bound comes from. */
export function symmetricUniform(bound: number, label: string): InitStep {
  return torchDefault('uniform_', { a: -bound, b: bound }, label);
}

/** torch.nn.init._calculate_fan_in_and_fan_out's fan_in: shape[1] · ∏ shape[2:]. */
export function fanInOf(shape: readonly number[]): number {
  let n = shape[1] ?? 0;
  for (let i = 2; i < shape.length; i++) n *= shape[i]!;
  return n;
}

export function child(name: string, module: ModuleNode): ModuleChild {
  return { name, module };
}
