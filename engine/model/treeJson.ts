/**
 * A module tree as model-file JSON (the nested format of decodeModules.ts),
 * so that "Convert to Model File" writes what the Python code builds and the
 * file decodes to the same tree: each module with the constructor arguments
 * that differ from torch's defaults, the initialization steps the code adds
 * after torch's own, the model's own parameters and buffers, and ties.
 */
import { constructModule, CONTAINER_TYPES, moduleDefinition } from '../modules/catalogue';
import { findInitializer } from '../init/registry';
import { REQUIRED } from '../modules/signature';
import { isModuleArg, joinPath, namedModules, type ArgValue, type InitStep, type ModuleNode, type TensorDecl, type TensorTie } from '../modules/tree';
import { ACTIVATION_ARGS, ACTIVATION_TYPES, type ActivationType, type InitSpec, type LayerSpec, type LinearLayerSpec } from './spec';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Gives each tensor shared by several slots (`self.transformer.wte.weight =
 * self.lm_head.weight`, as the Python reader builds it: one declaration object
 * in two places) to the slot whose module created it, puts a fresh default
 * declaration in every other slot, and returns the ties that say which slot
 * shares which: the form a model file's `tie` decodes to.
 */
export function canonicalizeTies(root: ModuleNode): TensorTie[] {
  const slots = new Map<TensorDecl, { module: ModuleNode; path: string; index: number }[]>();
  for (const { path, module } of namedModules(root)) {
    module.tensors.forEach((decl, index) => {
      const list = slots.get(decl) ?? [];
      if (!list.some((s) => s.module === module && s.index === index)) list.push({ module, path, index });
      slots.set(decl, list);
    });
  }
  const ties: TensorTie[] = [];
  for (const [decl, places] of slots) {
    if (places.length < 2) continue;
    const creator = places.find((p) => startsWithDefaults(decl, defaultDecl(p.module, decl.name))) ?? places[0]!;
    const target = joinPath(creator.path, decl.name);
    for (const p of places) {
      if (p === creator) continue;
      const own = p.module.tensors[p.index]!;
      p.module.tensors[p.index] = defaultDecl(p.module, own.name) ?? { ...own, init: [] };
      ties.push({ name: joinPath(p.path, own.name), target });
    }
  }
  return ties;
}

/** The declaration a torch module makes for one of its tensors by default (undefined for the model's own modules). */
function defaultDecl(module: ModuleNode, name: string): TensorDecl | undefined {
  if (CONTAINER_TYPES.has(module.type) || !moduleDefinition(module.type)) return undefined;
  try {
    return constructModule(module.type, [], module.args).tensors.find((t) => t.name === name);
  } catch {
    return undefined;
  }
}

function startsWithDefaults(decl: TensorDecl, fresh: TensorDecl | undefined): boolean {
  if (!fresh) return false;
  // `seq` (when each fill runs) differs between the two by construction; the fills themselves must agree.
  const text = (s: InitStep | undefined): string => JSON.stringify(s && s.op === 'init' ? { ...s, seq: undefined } : s);
  return fresh.init.length <= decl.init.length && fresh.init.every((s, i) => text(s) === text(decl.init[i]));
}

/** The `layers` list (and `class`, `parameters`, `buffers`, `tie`) of a model file for a module tree. */
export function moduleTreeJson(root: ModuleNode, ties: readonly TensorTie[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  // A model that is one torch module (fc = nn.Linear(…)): its tensors have no prefix.
  if (root.type !== 'Module' && root.type !== 'Sequential') {
    out.module = moduleJson(root);
    if (ties.length > 0) out.tie = Object.fromEntries(ties.map((t) => [t.name, t.target]));
    return out;
  }
  if (root.type === 'Module' && root.className) out.class = root.className;
  out.layers = root.children.map((c) => ({ name: c.name, ...moduleJson(c.module) }));
  Object.assign(out, ownTensorsJson(root));
  if (ties.length > 0) out.tie = Object.fromEntries(ties.map((t) => [t.name, t.target]));
  return out;
}

function moduleJson(m: ModuleNode): Record<string, Json> {
  const out: Record<string, Json> = { type: m.type };
  if (m.type === 'Module') {
    if (m.className) out.class = m.className;
    if (m.children.length) out.modules = Object.fromEntries(m.children.map((c) => [c.name, moduleJson(c.module)]));
    Object.assign(out, ownTensorsJson(m));
    return out;
  }
  if (m.type === 'Sequential' || m.type === 'ModuleList') {
    out.layers = m.children.map((c) => ({ name: c.name, ...moduleJson(c.module) }));
    return out;
  }
  if (m.type === 'ModuleDict') {
    out.modules = Object.fromEntries(m.children.map((c) => [c.name, moduleJson(c.module)]));
    return out;
  }
  const def = moduleDefinition(m.type);
  const defaults = new Map(def?.signature.map(([k, v]) => [k, v]) ?? []);
  for (const [key, value] of Object.entries(m.args)) {
    const d = defaults.get(key);
    if (d !== undefined && d !== REQUIRED && sameArg(d as ArgValue, value)) continue;
    out[key] = argJson(value);
  }
  const fresh = def && !def.anyArguments ? constructModule(m.type, [], m.args) : undefined;
  const init: Record<string, Json> = {};
  const approximate: Record<string, Json> = {};
  for (const t of m.tensors) {
    const base = fresh?.tensors.find((x) => x.name === t.name)?.init.length ?? 0;
    const added = t.init.slice(base);
    if (added.length) init[t.name] = added.map(stepJson);
    if (t.approximate) approximate[t.name] = t.approximate;
  }
  // Steps on the tensors of built-in submodules (MultiheadAttention.out_proj) go by dotted name.
  if (fresh) addNestedSteps(m, fresh, '', init);
  if (Object.keys(init).length) out.init = init;
  if (Object.keys(approximate).length) out.approximations = approximate;
  return out;
}

function addNestedSteps(m: ModuleNode, fresh: ModuleNode, prefix: string, init: Record<string, Json>): void {
  m.children.forEach((c, i) => {
    const f = fresh.children[i]?.module;
    if (!f) return;
    for (const t of c.module.tensors) {
      const base = f.tensors.find((x) => x.name === t.name)?.init.length ?? 0;
      const added = t.init.slice(base);
      if (added.length) init[joinPath(joinPath(prefix, c.name), t.name)] = added.map(stepJson);
    }
    addNestedSteps(c.module, f, joinPath(prefix, c.name), init);
  });
}

function ownTensorsJson(m: ModuleNode): Record<string, Json> {
  const out: Record<string, Json> = {};
  const params = m.tensors.filter((t) => t.kind === 'parameter');
  const buffers = m.tensors.filter((t) => t.kind === 'buffer');
  const tensor = (t: TensorDecl): Json => ({
    shape: t.shape,
    ...(t.init.length ? { init: t.init.map(stepJson) } : {}),
    ...(t.kind === 'buffer' && !t.persistent ? { persistent: false } : {}),
    ...(t.dtype === 'int64' ? { dtype: 'int64' } : {}),
  });
  if (params.length) out.parameters = Object.fromEntries(params.map((t) => [t.name, tensor(t)]));
  if (buffers.length) out.buffers = Object.fromEntries(buffers.map((t) => [t.name, tensor(t)]));
  const approximate = m.tensors.filter((t) => t.approximate);
  if (approximate.length) out.approximations = Object.fromEntries(approximate.map((t) => [t.name, t.approximate!]));
  return out;
}

function stepJson(s: InitStep): Json {
  if (s.op === 'scale') return { scale: s.factor };
  if (s.op === 'fillRow') return { row: s.index, fill: s.value };
  if (s.op === 'triangle') return { [s.lower ? 'tril' : 'triu']: s.diagonal };
  const args = Object.entries(s.init.args);
  return args.length === 0 ? s.init.fn : { fn: s.init.fn, ...Object.fromEntries(args) };
}

function argJson(v: ArgValue): Json {
  if (isModuleArg(v)) return moduleJson(v.module);
  if (Array.isArray(v)) return v.map(argJson);
  return v as Json;
}

function sameArg(a: ArgValue, b: ArgValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A tree that is a plain chain: a Sequential of Linear, activation, Dropout
 * and (1-D) LayerNorm layers, possibly nested in Sequentials, with no
 * initialization beyond one initializer per Linear tensor, drawn in the
 * order a chain draws. Such a model is what the engine trains, so it becomes
 * `layers` (names are the dotted state_dict prefixes); anything else returns
 * undefined.
 */
export function chainFromTree(root: ModuleNode): LayerSpec[] | undefined {
  if (root.type !== 'Sequential' || root.tensors.length > 0) return undefined;
  const layers: LayerSpec[] = [];
  const linears: ModuleNode[] = [];
  const visit = (m: ModuleNode, path: string): boolean => {
    if (m.type === 'Sequential' && m !== root && m.tensors.length === 0) return m.children.every((c) => visit(c.module, joinPath(path, c.name)));
    if (m.type === 'Sequential') return m.children.every((c) => visit(c.module, joinPath(path, c.name)));
    const layer = layerOf(m, path);
    if (!layer) return false;
    layers.push(layer);
    if (m.type === 'Linear') linears.push(m);
    return true;
  };
  return visit(root, '') && layers.length > 0 && drawsInChainOrder(linears) ? layers : undefined;
}

/**
 * Whether the tree's fills that draw come in the order a chain runs them (engine/model/moduleTree.ts): every
 * layer's defaults, layer by layer, then the file's fill of each tensor, layer by layer, weight then bias. The
 * steps' `seq` is the order torch runs them in; code that fills in another order stays a tree.
 */
function drawsInChainOrder(linears: readonly ModuleNode[]): boolean {
  const order = (position: 0 | 1): (number | undefined)[] => linears.flatMap((m) => m.tensors.map((t) => {
    const step = t.init[position];
    return step?.op === 'init' && findInitializer(step.init.fn)?.draws !== 'none' ? step.seq ?? Number.NaN : undefined;
  }));
  const seqs = [...order(0), ...order(1)].filter((s): s is number => s !== undefined);
  // Steps that carry no order (none a front end makes) cannot contradict the chain's.
  if (seqs.some(Number.isNaN)) return true;
  return seqs.every((s, i) => i === 0 || s > seqs[i - 1]!);
}

function layerOf(m: ModuleNode, name: string): LayerSpec | undefined {
  const a = m.args;
  const named = { name };
  if (m.type === 'Linear' && m.children.length === 0) {
    const init: { weight?: InitSpec; bias?: InitSpec } = {};
    for (const t of m.tensors) {
      const extra = t.init.slice(1);
      if (extra.length > 1 || t.approximate) return undefined;
      const step = extra[0];
      if (step && step.op !== 'init') return undefined;
      if (step) init[t.name as 'weight' | 'bias'] = step.init;
    }
    const layer: LinearLayerSpec = { type: 'Linear', ...named, inFeatures: a.in_features as number, outFeatures: a.out_features as number, bias: a.bias !== false };
    if (init.weight || init.bias) layer.init = init;
    return layer;
  }
  if (m.tensors.some((t) => t.init.length > 1 || t.approximate)) return undefined;
  if (m.type === 'Dropout') return { type: 'Dropout', ...named, p: typeof a.p === 'number' ? a.p : 0.5 };
  if (m.type === 'LayerNorm') {
    const shape = Array.isArray(a.normalized_shape) ? a.normalized_shape : [a.normalized_shape];
    if (shape.length !== 1 || typeof shape[0] !== 'number') return undefined;
    return { type: 'LayerNorm', ...named, normalizedShape: shape[0], eps: a.eps as number, elementwiseAffine: a.elementwise_affine !== false };
  }
  if ((ACTIVATION_TYPES as readonly string[]).includes(m.type)) {
    const type = m.type as ActivationType;
    const args: Record<string, number | boolean | string> = {};
    for (const key of ACTIVATION_ARGS[type]) {
      const v = a[key];
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') args[key] = v;
    }
    return { type, ...named, args };
  }
  return undefined;
}

/** A chain layer as a model-file entry (the inverse of decode.ts's decodeLayer). */
export function layerJson(layer: LayerSpec): Record<string, Json> {
  const head: Record<string, Json> = { ...(layer.name !== undefined ? { name: layer.name } : {}), type: layer.type };
  switch (layer.type) {
    case 'Linear': {
      const init: Record<string, Json> = {};
      if (layer.init?.weight) init.weight = { fn: layer.init.weight.fn, ...layer.init.weight.args };
      if (layer.init?.bias) init.bias = { fn: layer.init.bias.fn, ...layer.init.bias.args };
      return { ...head, in_features: layer.inFeatures, out_features: layer.outFeatures, ...(layer.bias ? {} : { bias: false }), ...(Object.keys(init).length ? { init } : {}) };
    }
    case 'Dropout':
      return { ...head, p: layer.p };
    case 'LayerNorm':
      return { ...head, normalized_shape: layer.normalizedShape, eps: layer.eps, ...(layer.elementwiseAffine ? {} : { elementwise_affine: false }) };
    default:
      return { ...head, ...layer.args };
  }
}
