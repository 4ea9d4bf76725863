/**
 * The nested part of the model-file format: any `torch.nn` module by class
 * name with torch's constructor arguments, containers, and the model's own
 * modules, decoded into the module tree (engine/modules). Every problem is a
 * diagnostic on the exact key or value.
 *
 *   { "type": "Conv2d", "name": "conv1", "in_channels": 1, "out_channels": 32, "kernel_size": 3 }
 *   { "type": "Sequential", "name": "features", "layers": [ … ] }          (also ModuleList)
 *   { "type": "ModuleDict", "name": "transformer", "modules": { "wte": { … }, … } }
 *   { "type": "Module", "class": "Block", "name": "block",
 *     "modules": { "attn": { … } },
 *     "parameters": { "cls_token": { "shape": [1, 1, 768], "init": "zeros_" } },
 *     "buffers": { "mask": { "shape": [1, 1, 8, 8], "persistent": false } } }
 *
 * On any module, `init` re-initializes its tensors after construction:
 * `{ "weight": <initializer>, "attn.c_proj.weight": [<initializer>, { "scale": 0.5 }] }`
 * (a list runs in order; `{ "scale": c }` is `p.mul_(c)`, `{ "row": i, "fill": v }` is
 * `p[i].fill_(v)`), and
 * `approximations: { "<tensor>": "why" }` marks a tensor whose shape or
 * initializer is a guess (the Python reader writes it).
 *
 * When the file's fills run, which decides what each draws from torch's
 * generator: the model is built first, every module constructed in file
 * order with its `reset_parameters`; then the file's own fills run, as the
 * code after the constructors in an `__init__` would, in the order of the
 * tree read bottom-up: a module's submodules (in order) first, then its own
 * `parameters`/`buffers`, then its `init` entries (in order; a list in
 * order), up to the model's own tensors; the top-level `init` patterns last
 * (engine/model/moduleTree.ts). The equivalent torch script:
 *
 *     torch.manual_seed(seed)
 *     model = Model()                 # every module's defaults, in __init__ order
 *     with torch.no_grad():
 *         nn.init.normal_(model.block.attn.out_proj.weight, std=0.02)   # the attn entry's init
 *         nn.init.normal_(model.block.attn.out_proj.weight, std=0.02)   # then Block's init on it:
 *         model.block.attn.out_proj.weight.mul_(0.5)                    #   a list, in order
 *         …
 *
 * A module given as a constructor argument (`encoder_layer`) is built, and
 * its own `init` run, before the module that takes it, as
 * `layer = …; nn.init.…(layer.…); nn.TransformerEncoder(layer, n)` does: its
 * copies start from those values.
 */
import { CONTAINER_TYPES, constructModule, moduleDefinition } from '../modules/catalogue';
import { ModuleArgumentError } from '../modules/signature';
import { joinPath, moduleAt, numberInTorchOrder, tensorEntries, type ArgValue, type InitStep, type ModuleNode, type TensorDecl } from '../modules/tree';
import { DiagnosticSink, entry, optionalBoolean, optionalString, type LocatedObject } from './decodeSupport';
import { decodeInitializer } from './decodeInitializer';
import type { Located, LocatedEntry } from './located';

/** The file's fills decoded so far and not yet numbered (see above); undefined outside a model's decoding. */
let pendingFills: InitStep[] | undefined;

/**
 * Decodes a model (or a constructor argument) with its file fills numbered after everything `decode` constructs,
 * in the order they were decoded. Nested calls number their own fills when they return.
 */
export function fileFillsAfterConstruction<T>(decode: () => T): T {
  const outer = pendingFills;
  const fills: InitStep[] = [];
  pendingFills = fills;
  try {
    return decode();
  } finally {
    pendingFills = outer;
    for (const step of fills) numberInTorchOrder(step);
  }
}

/** A fill the file gives: numbered now, or queued while a model is decoded. */
function fileFill(step: InitStep): InitStep {
  if (pendingFills) pendingFills.push(step);
  else numberInTorchOrder(step);
  return step;
}

/** Keys of a module entry that are not constructor arguments. */
const STRUCTURE_KEYS = new Set(['type', 'name', 'class', 'layers', 'modules', 'parameters', 'buffers', 'init', 'approximations', 'description']);

const NAME = /^[A-Za-z0-9_]+$/;

/** A `layers` list: the children of a Sequential (named by `name`, else by position). */
export function decodeModuleList(d: DiagnosticSink, list: Located, type: 'Sequential' | 'ModuleList', path: string): ModuleNode {
  const node: ModuleNode = { type, args: {}, tensors: [], children: [] };
  if (list.kind !== 'array') {
    d.error('type', '"layers" must be a list of modules.', list.range);
    return node;
  }
  list.items.forEach((item, index) => {
    const obj = d.expectObject(item, `layer ${index}`);
    if (!obj) return;
    const name = optionalString(d, obj, 'name') ?? String(index);
    if (!NAME.test(name)) {
      d.error('bad-name', `Module name "${name}" is not a valid attribute name (letters, digits, _).`, entry(obj, 'name')!.value.range);
      return;
    }
    if (node.children.some((c) => c.name === name)) {
      d.error('duplicate-name', `Two modules are named "${name}" in this list; state_dict names must be unique.`, entry(obj, 'name')?.value.range ?? obj.range);
      return;
    }
    const module = decodeModuleEntry(d, obj, joinPath(path, name));
    if (module) node.children.push({ name, module });
  });
  return node;
}

/** One module entry, or undefined after reporting why not. */
export function decodeModuleEntry(d: DiagnosticSink, obj: LocatedObject, path: string): ModuleNode | undefined {
  const typeEntry = entry(obj, 'type');
  if (!typeEntry) {
    d.error('missing-type', `Module ${path || '(root)'} needs a "type": a torch.nn class such as Conv2d, or Sequential, ModuleList, ModuleDict, Module.`, obj.range);
    return undefined;
  }
  const type = typeEntry.value.kind === 'scalar' ? String(typeEntry.value.value) : '';
  const def = moduleDefinition(type);
  if (!def) {
    d.error('unknown-layer', `"${type}" is not a torch.nn module Weightscope knows. Containers: Sequential, ModuleList, ModuleDict, Module (a class of your own).`, typeEntry.value.range);
    return undefined;
  }
  let module: ModuleNode | undefined;
  if (CONTAINER_TYPES.has(type)) module = decodeContainer(d, obj, type, path);
  else module = construct(d, obj, type, path);
  if (!module) return undefined;
  decodeOwnTensors(d, obj, module, path);
  decodeModuleInit(d, obj, module, path);
  return module;
}

function decodeContainer(d: DiagnosticSink, obj: LocatedObject, type: string, path: string): ModuleNode | undefined {
  const known = type === 'Module' ? ['class', 'modules', 'parameters', 'buffers'] : type === 'ModuleDict' ? ['modules'] : ['layers'];
  for (const e of obj.entries) {
    if (!STRUCTURE_KEYS.has(e.key)) d.warning('unknown-key', `${type} takes no argument "${e.key}"; it is ignored.`, e.keyRange);
    else if (['class', 'modules', 'parameters', 'buffers', 'layers'].includes(e.key) && !known.includes(e.key)) {
      d.warning('unknown-key', `"${e.key}" does not apply to a ${type}${e.key === 'layers' ? ' (use "modules")' : e.key === 'modules' ? ' (use "layers")' : ''}; it is ignored.`, e.keyRange);
    }
  }
  if (type === 'Sequential' || type === 'ModuleList') {
    const layers = entry(obj, 'layers');
    return layers ? decodeModuleList(d, layers.value, type, path) : { type, args: {}, tensors: [], children: [] };
  }
  const node: ModuleNode = { type, args: {}, tensors: [], children: [] };
  if (type === 'Module') {
    const className = optionalString(d, obj, 'class');
    if (className) node.className = className;
  }
  const modules = entry(obj, 'modules');
  const named = modules ? d.expectObject(modules.value, 'modules') : undefined;
  for (const e of named?.entries ?? []) {
    if (!NAME.test(e.key)) {
      d.error('bad-name', `Module name "${e.key}" is not a valid attribute name (letters, digits, _).`, e.keyRange);
      continue;
    }
    const childObj = d.expectObject(e.value, e.key);
    const child = childObj ? decodeModuleEntry(d, childObj, joinPath(path, e.key)) : undefined;
    if (child) node.children.push({ name: e.key, module: child });
  }
  return node;
}

/** `nn.<type>(**args)`: constructor arguments are every key that is not structure. */
function construct(d: DiagnosticSink, obj: LocatedObject, type: string, path: string): ModuleNode | undefined {
  const keywords: Record<string, ArgValue> = {};
  const ranges = new Map<string, LocatedEntry>();
  let ok = true;
  for (const e of obj.entries) {
    // nn.PReLU(init=0.25): a number under "init" is that constructor argument, not a re-initialization.
    const constructorInit = e.key === 'init' && e.value.kind === 'scalar' && moduleDefinition(type)?.signature.some(([n]) => n === 'init');
    if (STRUCTURE_KEYS.has(e.key) && !constructorInit) {
      if (['layers', 'modules', 'parameters', 'buffers', 'class'].includes(e.key)) d.warning('unknown-key', `"${e.key}" applies to containers and Module entries; ${type} builds its own submodules, so it is ignored.`, e.keyRange);
      continue;
    }
    const value = argValue(d, e.value, joinPath(path, e.key));
    if (value === undefined) ok = false;
    else keywords[e.key] = value;
    ranges.set(e.key, e);
  }
  if (!ok) return undefined;
  try {
    return constructModule(type, [], keywords);
  } catch (err) {
    if (!(err instanceof ModuleArgumentError)) throw err;
    const at = err.argument ? ranges.get(err.argument) : undefined;
    d.error(err.message.includes('unexpected keyword') ? 'unknown-argument' : 'bad-argument', err.message, at ? (err.message.includes('unexpected keyword') ? at.keyRange : at.value.range) : entry(obj, 'type')!.value.range);
    return undefined;
  }
}

/** A constructor argument: a scalar, a list of scalars (a tuple), or a module entry (`encoder_layer`). */
function argValue(d: DiagnosticSink, node: Located, path: string): ArgValue | undefined {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'array') {
    const items = node.items.map((i) => argValue(d, i, path));
    return items.every((i) => i !== undefined) ? (items as ArgValue[]) : undefined;
  }
  if (entry(node, 'type')) {
    // Built, and its own fills run, before the module that takes it (see above).
    const module = fileFillsAfterConstruction(() => decodeModuleEntry(d, node, path));
    return module ? { module } : undefined;
  }
  d.error('type', 'A constructor argument is a number, string, boolean, null, a list of them, or a module ({ "type": … }).', node.range);
  return undefined;
}

/** A Module entry's `parameters` and `buffers`: `{ "<name>": { "shape": [...], "init": …, "persistent": false } }`. */
export function decodeOwnTensors(d: DiagnosticSink, obj: LocatedObject, module: ModuleNode, path: string): void {
  for (const kind of ['parameters', 'buffers'] as const) {
    const e = entry(obj, kind);
    const items = e && module.type === 'Module' ? d.expectObject(e.value, kind) : undefined;
    for (const item of items?.entries ?? []) {
      if (!NAME.test(item.key) || module.tensors.some((t) => t.name === item.key) || module.children.some((c) => c.name === item.key)) {
        d.error('bad-name', `"${item.key}" is not a free attribute name of ${path || 'the model'} (letters, digits, _; not used by another tensor or module).`, item.keyRange);
        continue;
      }
      const spec = d.expectObject(item.value, item.key);
      if (!spec) continue;
      d.warnUnknownKeys(spec.entries, new Set(kind === 'buffers' ? ['shape', 'init', 'persistent', 'dtype'] : ['shape', 'init']), item.key);
      const shapeEntry = entry(spec, 'shape');
      const shape = shapeEntry?.value.kind === 'array' && shapeEntry.value.items.every((x) => x.kind === 'scalar' && Number.isInteger(x.value) && (x.value as number) >= 0)
        ? shapeEntry.value.items.map((x) => (x as { value: number }).value)
        : undefined;
      if (!shape) {
        d.error('bad-shape', `${item.key} needs a "shape": a list of non-negative integers, e.g. [1, 1, 768].`, shapeEntry?.value.range ?? item.keyRange);
        continue;
      }
      const dtype = optionalString(d, spec, 'dtype');
      const decl: TensorDecl = {
        name: item.key,
        shape,
        kind: kind === 'parameters' ? 'parameter' : 'buffer',
        persistent: kind === 'parameters' ? true : optionalBoolean(d, spec, 'persistent') ?? true,
        dtype: dtype === 'int64' ? 'int64' : 'float32',
        init: [],
      };
      const init = entry(spec, 'init');
      if (init) decl.init.push(...decodeSteps(d, init.value, decl, joinPath(path, item.key)));
      module.tensors.push(decl);
    }
  }
}

/** `init` on a module entry: re-initializes its tensors (or its submodules', by dotted name) after construction. */
function decodeModuleInit(d: DiagnosticSink, obj: LocatedObject, module: ModuleNode, path: string): void {
  const e = entry(obj, 'init');
  // A scalar "init" is nn.PReLU's constructor argument (read by construct).
  const takesInit = moduleDefinition(module.type)?.signature.some(([n]) => n === 'init') ?? false;
  const items = e && !(takesInit && e.value.kind === 'scalar') ? d.expectObject(e.value, 'init') : undefined;
  for (const item of items?.entries ?? []) {
    const decl = tensorOf(module, item.key);
    if (!decl) {
      const names = tensorEntries(module).map((t) => t.name);
      d.error('unknown-parameter', `${path || 'The model'} has no tensor "${item.key}"; it has ${names.length ? names.join(', ') : 'none'}.`, item.keyRange);
      continue;
    }
    decl.init.push(...decodeSteps(d, item.value, decl, joinPath(path, item.key)));
  }
  decodeApproximations(d, obj, module, path);
}

/** `approximations: { "<tensor>": "why" }`: tensors whose shape or initializer is a guess. */
export function decodeApproximations(d: DiagnosticSink, obj: LocatedObject, module: ModuleNode, path: string): void {
  const approx = entry(obj, 'approximations');
  const reasons = approx ? d.expectObject(approx.value, 'approximations') : undefined;
  for (const item of reasons?.entries ?? []) {
    const decl = tensorOf(module, item.key);
    if (decl && item.value.kind === 'scalar' && typeof item.value.value === 'string') decl.approximate = item.value.value;
    else d.warning('unknown-parameter', `"${item.key}" is not a tensor of ${path || 'the model'} with a reason text.`, item.keyRange);
  }
}

function tensorOf(module: ModuleNode, dotted: string): TensorDecl | undefined {
  const dot = dotted.lastIndexOf('.');
  const owner = dot < 0 ? module : moduleAt(module, dotted.slice(0, dot));
  return owner?.tensors.find((t) => t.name === dotted.slice(dot + 1));
}

/** An initializer, `{ "scale": c }`, or a list of them in order. */
function decodeSteps(d: DiagnosticSink, node: Located, decl: TensorDecl, name: string): InitStep[] {
  const items = node.kind === 'array' ? node.items : [node];
  const steps: InitStep[] = [];
  for (const item of items) {
    const row = item.kind === 'object' && item.entries.length === 2 ? entry(item, 'row') : undefined;
    const fill = row && item.kind === 'object' ? entry(item, 'fill') : undefined;
    if (row && fill) {
      // weight[row].fill_(value): nn.Embedding's padding row.
      const index = row.value.kind === 'scalar' ? row.value.value : undefined;
      const value = fill.value.kind === 'scalar' ? fill.value.value : undefined;
      if (typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < (decl.shape[0] ?? 0) && typeof value === 'number' && Number.isFinite(value)) steps.push({ op: 'fillRow', index, value });
      else d.error('bad-value', `{ "row", "fill" } sets one row of ${name}: row is an index below ${decl.shape[0] ?? 0}, fill a number.`, item.range);
      continue;
    }
    const triangle = item.kind === 'object' && item.entries.length === 1 ? entry(item, 'tril') ?? entry(item, 'triu') : undefined;
    if (triangle) {
      // torch.tril / torch.triu of the values: a mask such as a causal attention mask.
      const diagonal = triangle.value.kind === 'scalar' ? triangle.value.value : undefined;
      if (typeof diagonal === 'number' && Number.isInteger(diagonal) && decl.shape.length >= 2) steps.push({ op: 'triangle', lower: triangle.key === 'tril', diagonal });
      else d.error('bad-value', `{ "${triangle.key}": diagonal } keeps a triangle of the last two dimensions of ${name}: diagonal is an integer, and the tensor has at least two dimensions.`, item.range);
      continue;
    }
    const scale = item.kind === 'object' && item.entries.length === 1 ? entry(item, 'scale') : undefined;
    if (scale) {
      if (scale.value.kind === 'scalar' && typeof scale.value.value === 'number' && Number.isFinite(scale.value.value)) steps.push({ op: 'scale', factor: scale.value.value });
      else d.error('type', '"scale" must be a finite number (p.mul_(scale)).', scale.value.range);
      continue;
    }
    const init = decodeInitializer(d, item, decl.shape, name);
    if (init) steps.push(fileFill({ op: 'init', init, origin: 'model file' }));
  }
  return steps;
}
