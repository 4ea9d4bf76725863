/**
 * Every `torch.nn` module Weightscope knows, by class name: one definition
 * per module (its constructor signature and what its `reset_parameters` does),
 * and `constructModule`, which builds a module node as `nn.X(*args, **kwargs)`
 * would. Adding a layer type means adding its definition to one of the
 * `defs/` files; front ends and the inspector need no change.
 */
import { ATTENTION } from './defs/attention';
import type { ModuleDefinition } from './defs/common';
import { CONVOLUTIONS } from './defs/conv';
import { EMBEDDINGS } from './defs/embedding';
import { BILINEAR, IDENTITY, LINEAR, NON_DYNAMICALLY_QUANTIZABLE_LINEAR } from './defs/linear';
import { NORMALIZATIONS } from './defs/norm';
import { RECURRENT } from './defs/recurrent';
import { CONTAINERS, STATELESS } from './defs/stateless';
import { bindArguments, ModuleArgumentError } from './signature';
import type { ArgValue, ModuleNode } from './tree';

export type { ModuleDefinition } from './defs/common';

const DEFINITIONS: ReadonlyMap<string, ModuleDefinition> = new Map(
  [LINEAR, NON_DYNAMICALLY_QUANTIZABLE_LINEAR, BILINEAR, IDENTITY, ...CONVOLUTIONS, ...NORMALIZATIONS, ...EMBEDDINGS, ...RECURRENT, ...ATTENTION, ...STATELESS, ...CONTAINERS]
    .map((d) => [d.type, d]),
);

/** The definition of a `torch.nn` class, or undefined when Weightscope does not know it. */
export function moduleDefinition(type: string): ModuleDefinition | undefined {
  return DEFINITIONS.get(type);
}

/** Every known class name. */
export const MODULE_TYPES: readonly string[] = [...DEFINITIONS.keys()];

/** Types that hold other modules and get their children from the front end. */
export const CONTAINER_TYPES: ReadonlySet<string> = new Set(['Sequential', 'ModuleList', 'ModuleDict', 'Module']);

/**
 * `nn.<type>(*positional, **keywords)`: the module with its tensors and
 * built-in children. Throws ModuleArgumentError for an unknown type or bad
 * arguments, with torch's message where torch has one.
 */
export function constructModule(type: string, positional: readonly ArgValue[] = [], keywords: Readonly<Record<string, ArgValue>> = {}): ModuleNode {
  const def = DEFINITIONS.get(type);
  if (!def) throw new ModuleArgumentError(`nn.${type} is not a module Weightscope knows.`);
  const args = def.anyArguments ? { ...Object.fromEntries(positional.map((v, i) => [String(i), v])), ...keywords } : bindArguments(type, def.signature, positional, keywords);
  const built = def.build(args, (t, kw) => constructModule(t, [], kw));
  return { type, args, tensors: built.tensors, children: built.children };
}
