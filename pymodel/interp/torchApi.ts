/**
 * What the module reader knows of torch, Python's builtins, math and numpy:
 * `nn.<Module>(…)` builds a node through the engine's module catalogue,
 * `nn.init.*_` and the tensor methods that fill in place (`normal_`,
 * `zero_`, `mul_`, `copy_`) append initialization steps, `torch.zeros(…)`
 * and friends make new tensors, `nn.Parameter` and `register_buffer`
 * register them, and a module's `modules()`, `named_parameters()` and
 * `apply()` walk the tree as torch does.
 */
import { calculateGain } from '../../engine/init/gain';
import { findInitializer } from '../../engine/init/registry';
import { CONTAINER_TYPES, constructModule, moduleDefinition } from '../../engine/modules/catalogue';
import { ModuleArgumentError } from '../../engine/modules/signature';
import { cloneModule, inTorchOrder, joinPath, namedModules, tensorEntries, type ArgValue, type InitStep, type ModuleNode, type TensorDecl } from '../../engine/modules/tree';
import type { SyntaxNode } from '../parser';
import { snippet } from '../syntax';
import type { CallArgs, Interpreter } from './interpreter';
import {
  isUnknown, list, show, truthiness, unknown,
  type BuiltinValue, type ClassValue, type DictValue, type ModuleValue, type NewTensorValue, type TensorValue, type Value,
} from './values';

/** Abstract torch bases and the classes that derive from them, for `isinstance`. */
const ABSTRACT: Readonly<Record<string, RegExp>> = {
  'torch.nn.modules.conv._ConvNd': /^Conv(Transpose)?[123]d$/,
  'torch.nn.modules.conv._ConvTransposeNd': /^ConvTranspose[123]d$/,
  'torch.nn.modules.batchnorm._BatchNorm': /^(BatchNorm[123]d|SyncBatchNorm)$/,
  'torch.nn.modules.batchnorm._NormBase': /^(BatchNorm[123]d|SyncBatchNorm|InstanceNorm[123]d)$/,
  'torch.nn.modules.instancenorm._InstanceNorm': /^InstanceNorm[123]d$/,
  'torch.nn.modules.rnn.RNNBase': /^(RNN|LSTM|GRU)$/,
  'torch.nn.modules.rnn.RNNCellBase': /^(RNN|LSTM|GRU)Cell$/,
  'torch.nn.modules.linear.Linear': /^(Linear|NonDynamicallyQuantizableLinear)$/,
  'torch.nn.Linear': /^(Linear|NonDynamicallyQuantizableLinear)$/,
};

/** Arguments that change no tensor's shape or initialization: an unknown value takes torch's default. */
const HARMLESS_ARGUMENTS = new Set(['inplace', 'dropout', 'p', 'eps', 'momentum', 'batch_first', 'layer_norm_eps', 'norm_first', 'padding_mode', 'stride', 'padding', 'dilation', 'approximate', 'negative_slope', 'dim', 'align_corners', 'mode', 'scale_factor', 'size', 'ceil_mode', 'return_indices', 'count_include_pad', 'enable_nested_tensor', 'output_padding', 'activation', 'process_group', 'sparse', 'max_norm', 'norm_type', 'scale_grad_by_freq', 'include_last_offset', 'nonlinearity', 'add_zero_attn', 'beta', 'threshold', 'alpha', 'lambd', 'min_val', 'max_val', 'start_dim', 'end_dim', 'output_size', 'kernel_size_pool']);

export class TorchApi {
  private readonly wrappers = new WeakMap<ModuleNode, ModuleValue>();

  constructor(private readonly it: Interpreter) {}

  /** The one module value of a node (attributes and class live on it). */
  wrap(node: ModuleNode, cls?: ClassValue): ModuleValue {
    let v = this.wrappers.get(node);
    if (!v) this.wrappers.set(node, (v = { kind: 'module', node, attrs: new Map(), ...(cls ? { cls } : {}) }));
    return v;
  }

  register(v: ModuleValue): void {
    this.wrappers.set(v.node, v);
  }

  childValues(m: ModuleValue): Value[] {
    return m.node.children.map((c) => this.wrap(c.module));
  }

  // ---------------------------------------------------------------------------
  // Attributes

  getAttribute(object: Value, name: string, node: SyntaxNode): Value {
    if (isUnknown(object)) return object;
    if (object === null || typeof object !== 'object') {
      if (typeof object === 'string') return { kind: 'builtin', name: `str.${name}`, self: object };
      return unknown(node, `\`${snippet(node)}\``);
    }
    switch (object.kind) {
      case 'module':
        return this.moduleAttribute(object, name, node);
      case 'tensor':
      case 'newTensor':
        return this.tensorAttribute(object, name, node);
      case 'object': {
        if (object.attrs.has(name)) return object.attrs.get(name)!;
        if (object.namespace) return this.it.namespaceMember(object.namespace, name, node) ?? unknown(node, `\`${snippet(node)}\``);
        if (object.attrs.has(ARGPARSE)) return { kind: 'builtin', name: `argparse.${name}`, self: object };
        const m = object.cls ? this.it.method(object.cls, name) : undefined;
        if (m) return { ...m, self: object };
        const classAttr = object.cls ? this.it.classAttribute(object.cls, name) : undefined;
        if (classAttr !== undefined) return classAttr;
        if (name === '__class__' && object.cls) return object.cls;
        return unknown(node, `\`${snippet(node)}\``);
      }
      case 'class': {
        if (name === '__name__') return object.name;
        const m = this.it.method(object, name);
        if (m) return m;
        const attr = this.it.classAttribute(object, name);
        return attr ?? unknown(node, `\`${snippet(node)}\``);
      }
      case 'builtin':
        if (object.self !== undefined) {
          if (object.name === 'super') return { kind: 'builtin', name: `super.${name}`, self: object.self };
          return unknown(node, `\`${snippet(node)}\``);
        }
        if (name === '__name__') return object.name.split('.').pop()!;
        // Weightscope reads models as torch 1.13 builds them: names that came later do not exist.
        if (TORCH_2_NAMES.has(`${object.name}.${name}`)) return unknown(node, `${object.name}.${name} (added after torch 1.13)`);
        return { kind: 'builtin', name: `${object.name}.${name}` };
      case 'list':
        return { kind: 'builtin', name: `list.${name}`, self: object };
      case 'dict':
        return { kind: 'builtin', name: `dict.${name}`, self: object };
      case 'function':
        if (name === '__name__') return object.def.childForFieldName('name')?.text ?? '<lambda>';
        return unknown(node, `\`${snippet(node)}\``);
      default:
        return unknown(node, `\`${snippet(node)}\``);
    }
  }

  private moduleAttribute(m: ModuleValue, name: string, node: SyntaxNode): Value {
    const child = m.node.children.find((c) => c.name === name);
    if (child) return this.wrap(child.module);
    const tensor = m.node.tensors.find((t) => t.name === name);
    if (tensor) return { kind: 'tensor', decl: tensor };
    if (m.attrs.has(name)) return m.attrs.get(name)!;
    const method = m.cls ? this.it.method(m.cls, name) : undefined;
    if (method) return { ...method, self: m };
    const classAttr = m.cls ? this.it.classAttribute(m.cls, name) : undefined;
    if (classAttr !== undefined) return classAttr;
    if (name === '__class__') return m.cls ?? { kind: 'builtin', name: `torch.nn.${m.node.type}` };
    if (MODULE_METHODS.has(name)) return { kind: 'builtin', name: `module.${name}`, self: m };
    // A torch module's constructor arguments are its attributes (m.in_features, m.padding_idx).
    if (name in m.node.args) return fromArg(m.node.args[name]!);
    const def = moduleDefinition(m.node.type);
    // A parameter registered as None (bias=False) reads as None.
    if (def && !CONTAINER_TYPES.has(m.node.type) && /^(weight|bias)/.test(name)) return null;
    if (m.cls === undefined && def && !CONTAINER_TYPES.has(m.node.type)) return unknown(node, `\`${snippet(node)}\` (an attribute of nn.${m.node.type} Weightscope does not model)`);
    return unknown(node, `\`${snippet(node)}\``);
  }

  private tensorAttribute(t: TensorValue | NewTensorValue, name: string, node: SyntaxNode): Value {
    const shape = t.kind === 'tensor' ? (t.row !== undefined ? t.decl.shape.slice(1) : t.decl.shape) : t.shape;
    switch (name) {
      case 'data':
        return t;
      case 'shape':
        return shape ? list(shape, true) : unknown(node, 'the shape of this tensor');
      case 'ndim':
        return shape ? shape.length : unknown(node, 'the shape of this tensor');
      case 'requires_grad':
        return t.kind === 'tensor' ? t.decl.kind === 'parameter' : t.parameter;
      case 'dtype':
        return { kind: 'builtin', name: `torch.${t.kind === 'tensor' ? t.decl.dtype : t.dtype}` };
      case 'device':
        return { kind: 'builtin', name: 'torch.device' };
      default:
        return { kind: 'builtin', name: `tensor.${name}`, self: t };
    }
  }

  setAttribute(object: Value, name: string, value: Value, node: SyntaxNode): void {
    if (typeof object !== 'object' || object === null) return;
    if (object.kind === 'object') {
      object.attrs.set(name, value);
      return;
    }
    if (object.kind === 'tensor' && name === 'data') {
      this.replaceValues(object, value, node);
      return;
    }
    if (object.kind !== 'module') return;
    const node_ = object.node;
    if (typeof value === 'object' && value !== null && value.kind === 'module') {
      this.setChild(object, name, value, node);
      return;
    }
    const slot = node_.tensors.findIndex((t) => t.name === name);
    if (typeof value === 'object' && value !== null && value.kind === 'tensor' && value.row === undefined && (value.decl.kind === 'parameter' || slot >= 0)) {
      // self.a.weight = self.b.weight: one tensor under two names (torch shares the Parameter).
      if (slot >= 0) {
        const old = node_.tensors[slot]!;
        // The replaced tensor was drawn at construction (nanoGPT's wte before `wte.weight = lm_head.weight`): the
        // generator moved past those draws, so the shared tensor keeps them for the draw schedule (not for its
        // values). Different shapes would need the old shape per step; torch's ties share one shape.
        if (old !== value.decl && sameShape(old.shape, value.decl.shape)) {
          const drawn = [...(old.replacedDraws ?? []), ...old.init].filter((step) => step.op === 'init' && !value.decl.init.includes(step));
          if (drawn.length) value.decl.replacedDraws = [...(value.decl.replacedDraws ?? []), ...drawn];
        }
        node_.tensors[slot] = value.decl;
      } else node_.tensors.push(value.decl);
      return;
    }
    if (typeof value === 'object' && value !== null && value.kind === 'newTensor') {
      if (value.parameter || (slot >= 0 && node_.tensors[slot]!.kind === 'buffer')) {
        const decl = this.declOf(name, value, slot >= 0 && !value.parameter ? 'buffer' : 'parameter');
        // The module's own initialization ran at construction (torch drew it): the new value's steps follow it.
        if (slot >= 0) {
          const old = node_.tensors[slot]!;
          node_.tensors[slot] = { ...decl, kind: old.kind, persistent: old.persistent, init: [...old.init, ...decl.init] };
        } else node_.tensors.push(decl);
        return;
      }
    }
    if (value === null) {
      // Setting a registered parameter, buffer or submodule to None keeps the slot as None: out of the state_dict.
      if (slot >= 0) {
        node_.tensors.splice(slot, 1);
        return;
      }
      const c = node_.children.findIndex((ch) => ch.name === name);
      if (c >= 0) {
        node_.children.splice(c, 1);
        return;
      }
    }
    object.attrs.set(name, value);
  }

  /** Registers (or replaces, keeping its place) a submodule. */
  setChild(parent: ModuleValue, name: string, value: Value, node: SyntaxNode): void {
    if (typeof value !== 'object' || value === null || value.kind !== 'module') {
      if (value === null) {
        const i = parent.node.children.findIndex((c) => c.name === name);
        if (i >= 0) parent.node.children.splice(i, 1);
        return;
      }
      parent.attrs.set(name, value);
      if (isUnknown(value)) this.it.report(value, `the module ${name}`);
      return;
    }
    const i = parent.node.children.findIndex((c) => c.name === name);
    if (i >= 0) parent.node.children[i] = { name, module: value.node };
    else parent.node.children.push({ name, module: value.node });
    void node;
  }

  private declOf(name: string, t: NewTensorValue, kind: 'parameter' | 'buffer', persistent = true): TensorDecl {
    const decl: TensorDecl = { name, shape: t.shape ?? [], kind, persistent, dtype: t.dtype, init: [...t.steps] };
    if (t.approximate) decl.approximate = t.approximate;
    if (!t.shape) decl.approximate = 'its shape comes from an expression Weightscope could not compute';
    return decl;
  }

  /** `p.data = expr` / `p.copy_(expr)`: the tensor now holds what the expression makes. */
  private replaceValues(t: TensorValue, value: Value, node: SyntaxNode): void {
    // The new values follow the old steps (the last fill decides the distribution).
    if (typeof value === 'object' && value !== null && value.kind === 'newTensor' && value.steps.some((s) => s.op === 'init')) {
      t.decl.init.push(...value.steps);
      if (value.approximate) t.decl.approximate = value.approximate;
      return;
    }
    if (typeof value === 'object' && value !== null && value.kind === 'tensor' && value.decl.init.some((s) => s.op === 'init')) {
      t.decl.init.push(...value.decl.init.slice(value.decl.init.map((s) => s.op).lastIndexOf('init')));
      return;
    }
    this.approximate(t.decl, node, 'its values come from an expression Weightscope could not follow');
  }

  private approximate(decl: TensorDecl, node: SyntaxNode, why: string): void {
    decl.approximate = why;
    this.it.assume(node, `\`${snippet(node)}\``, `The tensor ${decl.name} is marked approximate: ${why}.`);
  }

  // ---------------------------------------------------------------------------
  // Indexing

  index(object: Value, index: Value, node: SyntaxNode): Value {
    if (isUnknown(object)) return object;
    if (isUnknown(index)) return index;
    if (typeof object === 'string' && typeof index === 'number') return orElse(object.at(index), unknown(node, 'an index out of range'));
    if (typeof object !== 'object' || object === null) return unknown(node, `\`${snippet(node)}\``);
    if (object.kind === 'list' && typeof index === 'number') return orElse(object.items.at(index), unknown(node, 'an index out of range'));
    if (object.kind === 'dict' && (typeof index === 'string' || typeof index === 'number')) return orElse(object.entries.get(index), unknown(node, `the key ${show(index)}`));
    if (object.kind === 'module') {
      const children = object.node.children;
      if (typeof index === 'number') {
        const c = children.at(index);
        return c ? this.wrap(c.module) : unknown(node, 'an index out of range');
      }
      if (typeof index === 'string') {
        const c = children.find((x) => x.name === index);
        return c ? this.wrap(c.module) : unknown(node, `the key ${show(index)}`);
      }
    }
    if (object.kind === 'tensor' && typeof index === 'number') return { kind: 'tensor', decl: object.decl, row: index < 0 ? (object.decl.shape[0] ?? 0) + index : index };
    return unknown(node, `\`${snippet(node)}\``);
  }

  slice(object: Value, [start, stop, step]: (Value | undefined)[], node: SyntaxNode): Value {
    const num = (v: Value | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
    const cut = <T>(items: T[]): T[] => {
      const s = num(step) ?? 1;
      const n = items.length;
      const clamp = (x: number): number => Math.max(0, Math.min(n, x < 0 ? n + x : x));
      const from = start === undefined || start === null ? (s > 0 ? 0 : n - 1) : clamp(num(start) ?? 0);
      const to = stop === undefined || stop === null ? (s > 0 ? n : -1) : clamp(num(stop) ?? n);
      const out: T[] = [];
      for (let i = from; s > 0 ? i < to : i > to; i += s) out.push(items[i]!);
      return out;
    };
    if ([start, stop, step].some((v) => v !== undefined && v !== null && typeof v !== 'number')) return unknown(node, `\`${snippet(node)}\``);
    if (typeof object === 'string') return cut([...object]).join('');
    if (typeof object === 'object' && object !== null && object.kind === 'list') return list(cut(object.items), object.tuple);
    if (typeof object === 'object' && object !== null && object.kind === 'module' && (object.node.type === 'Sequential' || object.node.type === 'ModuleList')) {
      // torch: a slice of a Sequential is a new Sequential of the same modules (keys kept).
      return this.wrap({ type: object.node.type, args: {}, tensors: [], children: cut(object.node.children) });
    }
    return unknown(node, `\`${snippet(node)}\``);
  }

  sliceAssign(t: TensorValue, node: SyntaxNode, value: Value): void {
    this.approximate(t.decl, node, 'part of it is assigned by an expression Weightscope does not follow');
    void value;
  }

  // ---------------------------------------------------------------------------
  // Arithmetic on tensor expressions

  tensorArithmetic(op: string, a: Value, b: Value, node: SyntaxNode): Value | undefined {
    const isT = (v: Value): v is NewTensorValue | TensorValue => typeof v === 'object' && v !== null && (v.kind === 'newTensor' || v.kind === 'tensor');
    if (!isT(a) && !isT(b)) return undefined;
    const [t, other, tensorFirst] = isT(a) ? [a, b, true] : [b as NewTensorValue | TensorValue, a, false];
    const base: NewTensorValue = t.kind === 'newTensor'
      ? { ...t, steps: [...t.steps] }
      : { kind: 'newTensor', shape: t.decl.shape, steps: [...t.decl.init], parameter: false, dtype: t.decl.dtype };
    if (typeof other === 'number' && (op === '*' || (op === '/' && tensorFirst))) {
      base.steps.push({ op: 'scale', factor: op === '*' ? other : 1 / other });
      return base;
    }
    return { ...base, approximate: `its values come from \`${snippet(node)}\`, which Weightscope does not compute` };
  }

  /** `p *= c`, `p.data /= c` on a registered tensor. */
  inPlace(t: TensorValue, op: string, value: Value, node: SyntaxNode): void {
    if (typeof value === 'number' && (op === '*' || op === '/')) {
      t.decl.init.push({ op: 'scale', factor: op === '*' ? value : 1 / value });
      return;
    }
    this.approximate(t.decl, node, `\`${snippet(node)}\` changes its values in a way Weightscope does not follow`);
  }

  // ---------------------------------------------------------------------------
  // Calls

  callBuiltin(fn: BuiltinValue, given: CallArgs, node: SyntaxNode): Value {
    const args: CallArgs = fn.partial
      ? { positional: [...fn.partial.positional, ...given.positional], keywords: new Map([...fn.partial.keywords, ...given.keywords]) }
      : given;
    const name = fn.name;
    if (fn.self !== undefined) return this.method(fn, args, node);
    const p = args.positional;
    const nnName = /^torch\.nn\.(?:modules\.\w+\.)?([A-Z]\w*)$/.exec(name)?.[1];
    if (nnName) return this.construct(nnName, args, node);
    // einops' layers hold no parameters.
    const einops = /^einops\.layers\.torch\.(Rearrange|Reduce)$/.exec(name)?.[1];
    if (einops) return this.wrap({ type: 'Module', className: einops, args: {}, tensors: [], children: [] });
    const initName = /^torch\.nn\.init\.(\w+)$/.exec(name)?.[1];
    if (initName) return this.initCall(initName, args, node);
    if (/(^|\.)_?trunc_normal_$/.test(name)) return this.initCall('trunc_normal_', args, node);
    if (name === 'torch.nn.utils.weight_norm') return this.weightNorm(p[0] ?? null, p[1] ?? args.keywords.get('name') ?? 'weight', p[2] ?? args.keywords.get('dim') ?? 0, node);
    if (name.startsWith('torch.')) return this.torchFunction(name.slice(6), args, node);
    switch (name) {
      case 'range': {
        const [a, b, s] = p.length === 1 ? [0, p[0], 1] : [p[0], p[1], p[2] ?? 1];
        if (typeof a !== 'number' || typeof b !== 'number' || typeof s !== 'number' || s === 0) return unknown(node, `\`${snippet(node)}\``);
        const out: number[] = [];
        for (let i = a; s > 0 ? i < b : i > b; i += s) {
          out.push(i);
          if (out.length > 100_000) return unknown(node, 'a range of more than 100,000 items');
        }
        return list(out, true);
      }
      case 'len': {
        const v = p[0];
        if (typeof v === 'string') return v.length;
        if (typeof v === 'object' && v !== null && v.kind === 'list') return v.items.length;
        if (typeof v === 'object' && v !== null && v.kind === 'dict') return v.entries.size;
        if (typeof v === 'object' && v !== null && v.kind === 'module') return v.node.children.length;
        return unknown(node, `\`${snippet(node)}\``);
      }
      case 'int':
      case 'float':
      case 'bool':
      case 'str': {
        const v = p[0] ?? (name === 'str' ? '' : 0);
        if (name === 'int' && (typeof v === 'number' || typeof v === 'boolean')) return Math.trunc(Number(v));
        if (name === 'int' && typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v);
        if (name === 'float' && (typeof v === 'number' || typeof v === 'boolean')) return Number(v);
        if (name === 'float' && typeof v === 'string') return pythonFloat(v) ?? unknown(node, `\`${snippet(node)}\``);
        if (name === 'bool') return truthiness(v) ?? unknown(node, `\`${snippet(node)}\``);
        if (name === 'str' && (typeof v === 'number' || typeof v === 'string')) return String(v);
        return unknown(node, `\`${snippet(node)}\``);
      }
      case 'min':
      case 'max':
      case 'sum': {
        const items = p.length === 1 ? this.it.iterate(p[0]!, node) : p;
        if (!items || !items.every((x) => typeof x === 'number')) return unknown(node, `\`${snippet(node)}\``);
        const xs = items as number[];
        if (name === 'sum') return xs.reduce((s, x) => s + x, 0);
        return xs.length ? (name === 'min' ? Math.min(...xs) : Math.max(...xs)) : unknown(node, `${name} of nothing`);
      }
      case 'abs':
        return typeof p[0] === 'number' ? Math.abs(p[0]) : unknown(node, `\`${snippet(node)}\``);
      case 'round': {
        if (typeof p[0] !== 'number') return unknown(node, `\`${snippet(node)}\``);
        const digits = typeof p[1] === 'number' ? p[1] : 0;
        const f = 10 ** digits;
        // Python rounds halves to even.
        const x = p[0] * f;
        const r = Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
        return r / f;
      }
      case 'divmod':
        return typeof p[0] === 'number' && typeof p[1] === 'number' && p[1] !== 0 ? list([Math.floor(p[0] / p[1]), ((p[0] % p[1]) + p[1]) % p[1]], true) : unknown(node, `\`${snippet(node)}\``);
      case 'pow':
        return typeof p[0] === 'number' && typeof p[1] === 'number' ? p[0] ** p[1] : unknown(node, `\`${snippet(node)}\``);
      case 'list':
      case 'tuple':
      case 'set':
      case 'sorted':
      case 'reversed': {
        if (p.length === 0) return list([], name === 'tuple');
        const items = this.it.iterate(p[0]!, node);
        if (!items) return unknown(node, `\`${snippet(node)}\``);
        if (name === 'sorted') return list([...items].sort((x, y) => (typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1)));
        if (name === 'reversed') return list([...items].reverse());
        return list([...items], name === 'tuple');
      }
      case 'dict':
      case 'collections.OrderedDict':
      case 'types.SimpleNamespace': {
        const d: DictValue = { kind: 'dict', entries: new Map() };
        if (p[0] !== undefined) {
          const items = typeof p[0] === 'object' && p[0] !== null && p[0].kind === 'dict' ? [...p[0].entries].map(([k, v]) => list([k, v], true)) : this.it.iterate(p[0], node) ?? [];
          for (const pair of items) {
            if (typeof pair === 'object' && pair !== null && pair.kind === 'list' && (typeof pair.items[0] === 'string' || typeof pair.items[0] === 'number')) d.entries.set(pair.items[0], pair.items[1] ?? null);
          }
        }
        for (const [k, v] of args.keywords) d.entries.set(k, v);
        if (name === 'types.SimpleNamespace') return { kind: 'object', cls: undefined, attrs: new Map([...d.entries].map(([k, v]) => [String(k), v])) };
        return d;
      }
      case 'zip': {
        const lists = p.map((x) => this.it.iterate(x, node));
        if (lists.some((l) => !l)) return unknown(node, `\`${snippet(node)}\``);
        const n = Math.min(...lists.map((l) => l!.length));
        return list(Array.from({ length: n }, (_, i) => list(lists.map((l) => l![i]!), true)));
      }
      case 'enumerate': {
        const items = this.it.iterate(p[0]!, node);
        const start = typeof p[1] === 'number' ? p[1] : 0;
        return items ? list(items.map((x, i) => list([i + start, x], true))) : unknown(node, `\`${snippet(node)}\``);
      }
      case 'map': {
        const items = this.it.iterate(p[1]!, node);
        return items ? list(items.map((x) => this.it.call(p[0]!, { positional: [x], keywords: new Map() }, node))) : unknown(node, `\`${snippet(node)}\``);
      }
      case 'any':
      case 'all': {
        const items = this.it.iterate(p[0]!, node);
        const ts = items?.map((x) => truthiness(x));
        if (!ts || ts.some((t) => t === undefined)) return unknown(node, `\`${snippet(node)}\``);
        return name === 'any' ? ts.some(Boolean) : ts.every(Boolean);
      }
      case 'isinstance':
        return this.isInstance(p[0]!, p[1]!, node);
      case 'issubclass':
        return unknown(node, `\`${snippet(node)}\``);
      case 'getattr': {
        if (typeof p[1] !== 'string') return unknown(node, `\`${snippet(node)}\``);
        const v = this.getAttribute(p[0]!, p[1], node);
        return isUnknown(v) && p[2] !== undefined ? p[2] : v;
      }
      case 'hasattr': {
        if (typeof p[1] !== 'string') return unknown(node, `\`${snippet(node)}\``);
        const v = this.getAttribute(p[0]!, p[1], node);
        if (isUnknown(v) && / \(added after torch 1\.13\)$/.test(v.reason)) {
          this.it.assume(node, `\`${snippet(node)}\``, `Weightscope reads models as torch 1.13 builds them, where ${v.reason.replace(/ \(.*$/, '')} does not exist, so it is False.`);
          return false;
        }
        return !isUnknown(v);
      }
      case 'setattr':
        if (typeof p[1] === 'string') this.setAttribute(p[0]!, p[1], p[2] ?? null, node);
        return null;
      case 'print':
        return null;
      case 'typing.cast':
        return p[1] ?? null;
      case 'argparse.ArgumentParser':
        // A parser is read for its defaults: parse_args() gives what a run without options gets.
        return { kind: 'object', cls: undefined, attrs: new Map<string, Value>([[ARGPARSE, { kind: 'dict', entries: new Map() }]]) };
      case 'tyro.cli': {
        // tyro.cli(Args): the dataclass with its defaults, as a run without options gets it.
        const cls = p[0];
        return typeof cls === 'object' && cls !== null && cls.kind === 'class' ? this.it.instantiate(cls, { positional: [], keywords: new Map() }, node) : unknown(node, `\`${snippet(node)}\``);
      }
      case 'type':
        return typeof p[0] === 'object' && p[0] !== null && p[0].kind === 'module' ? this.getAttribute(p[0], '__class__', node) : unknown(node, `\`${snippet(node)}\``);
      case 'math.sqrt':
      case 'numpy.sqrt':
        return typeof p[0] === 'number' && p[0] >= 0 ? Math.sqrt(p[0]) : unknown(node, `\`${snippet(node)}\``);
      case 'math.log':
      case 'numpy.log':
        return typeof p[0] === 'number' && p[0] > 0 ? (typeof p[1] === 'number' ? Math.log(p[0]) / Math.log(p[1]) : Math.log(p[0])) : unknown(node, `\`${snippet(node)}\``);
      case 'math.log2':
      case 'numpy.log2':
        return typeof p[0] === 'number' && p[0] > 0 ? Math.log2(p[0]) : unknown(node, `\`${snippet(node)}\``);
      case 'math.exp':
      case 'numpy.exp':
        return typeof p[0] === 'number' ? Math.exp(p[0]) : unknown(node, `\`${snippet(node)}\``);
      case 'math.ceil':
      case 'math.floor':
      case 'numpy.ceil':
      case 'numpy.floor':
        return typeof p[0] === 'number' ? (name.endsWith('ceil') ? Math.ceil(p[0]) : Math.floor(p[0])) : unknown(node, `\`${snippet(node)}\``);
      case 'math.prod':
      case 'numpy.prod': {
        const items = p[0] !== undefined ? this.it.iterate(p[0], node) : undefined;
        return items?.every((x) => typeof x === 'number') ? (items as number[]).reduce((a, b) => a * b, 1) : unknown(node, `\`${snippet(node)}\``);
      }
      case 'functools.partial': {
        const [target, ...bound] = p;
        const partial = { positional: bound, keywords: new Map(args.keywords) };
        if (typeof target === 'object' && target !== null && (target.kind === 'function' || target.kind === 'builtin')) return { ...target, partial } as Value;
        if (typeof target === 'object' && target !== null && target.kind === 'class') return { kind: 'builtin', name: '__class_partial__', self: list([target, list(bound), { kind: 'dict', entries: new Map(args.keywords) }]) };
        return unknown(node, `\`${snippet(node)}\``);
      }
      case 'itertools.repeat': {
        const times = p[1] ?? args.keywords.get('times');
        return typeof times === 'number' && times >= 0 && times <= 100_000 ? list(Array.from({ length: times }, () => p[0] ?? null)) : unknown(node, `\`${snippet(node)}\``);
      }
      case 'itertools.chain': {
        const parts = p.map((x) => this.it.iterate(x, node));
        return parts.every((x) => x !== undefined) ? list(parts.flatMap((x) => x!)) : unknown(node, `\`${snippet(node)}\``);
      }
      case 'copy.copy': {
        // A shallow copy: a new object, list or dict holding the same values.
        const v = p[0]!;
        if (typeof v !== 'object' || v === null) return v;
        if (v.kind === 'object') return { ...v, attrs: new Map(v.attrs) };
        if (v.kind === 'list') return list([...v.items], v.tuple);
        if (v.kind === 'dict') return { kind: 'dict', entries: new Map(v.entries) };
        return unknown(node, `\`${snippet(node)}\` (a shallow copy of ${show(v)})`);
      }
      case 'copy.deepcopy': {
        const v = p[0]!;
        if (typeof v === 'object' && v !== null && v.kind === 'module') {
          const copy = this.wrap(cloneModule(v.node), v.cls);
          for (const [k, x] of v.attrs) copy.attrs.set(k, x);
          return copy;
        }
        return v;
      }
      case 'dataclasses.asdict': {
        const o = p[0];
        return typeof o === 'object' && o !== null && o.kind === 'object' ? { kind: 'dict', entries: new Map(o.attrs) } : unknown(node, `\`${snippet(node)}\``);
      }
      case 'dataclasses.field': {
        const d = args.keywords.get('default');
        return d === undefined ? unknown(node, 'a dataclass field without a default') : { kind: 'dict', entries: new Map([['__field_default__', d]]) };
      }
      case 'ValueError':
      case 'NotImplementedError':
      case 'TypeError':
      case 'RuntimeError':
      case 'AssertionError':
      case 'KeyError':
        return unknown(node, 'an exception');
      default:
        return unknown(node, `\`${snippet(node)}\``);
    }
  }

  /** A method call on a value: list.append, module.apply, tensor.normal_, str.endswith, super().__init__, …. */
  private method(fn: BuiltinValue, args: CallArgs, node: SyntaxNode): Value {
    const self = fn.self!;
    const p = args.positional;
    const dot = fn.name.indexOf('.');
    const kind = fn.name.slice(0, dot);
    const name = fn.name.slice(dot + 1);
    if (kind === 'super') return this.superCall(self, name, args, node);
    if (kind === 'argparse' && typeof self === 'object' && self !== null && self.kind === 'object') return this.argparse(self, name, args, node);
    if (fn.name === '__class_partial__' && typeof self === 'object' && self !== null && self.kind === 'list') {
      const [cls, bound, kw] = self.items as [ClassValue, { items: Value[] }, DictValue];
      return this.it.instantiate(cls, { positional: [...bound.items, ...p], keywords: new Map([...[...kw.entries].map(([k, v]) => [String(k), v] as [string, Value]), ...args.keywords]) }, node);
    }
    if (typeof self === 'string') return stringMethod(self, name, p) ?? unknown(node, `\`${snippet(node)}\``);
    if (typeof self !== 'object' || self === null) return unknown(node, `\`${snippet(node)}\``);
    if (self.kind === 'list') {
      switch (name) {
        case 'append':
          self.items.push(p[0] ?? null);
          return null;
        case 'extend': {
          const items = this.it.iterate(p[0]!, node);
          if (items) self.items.push(...items);
          return null;
        }
        case 'insert':
          if (typeof p[0] === 'number') self.items.splice(p[0], 0, p[1] ?? null);
          return null;
        case 'pop':
          return orElse(typeof p[0] === 'number' ? self.items.splice(p[0], 1)[0] : self.items.pop(), unknown(node, 'pop from an empty list'));
        case 'index': {
          const i = self.items.findIndex((x) => x === p[0]);
          return i >= 0 ? i : unknown(node, `\`${snippet(node)}\``);
        }
        case 'copy':
          return list([...self.items], self.tuple);
      }
    }
    if (self.kind === 'dict') {
      switch (name) {
        case 'items':
          return list([...self.entries].map(([k, v]) => list([k, v], true)));
        case 'keys':
          return list([...self.entries.keys()]);
        case 'values':
          return list([...self.entries.values()]);
        case 'get':
          return (typeof p[0] === 'string' || typeof p[0] === 'number') && self.entries.has(p[0]) ? self.entries.get(p[0])! : p[1] ?? null;
        case 'pop': {
          if (typeof p[0] !== 'string' && typeof p[0] !== 'number') return unknown(node, `\`${snippet(node)}\``);
          const v = self.entries.get(p[0]);
          self.entries.delete(p[0]);
          return orElse(v, orElse(p[1], unknown(node, `the key ${show(p[0])}`)));
        }
        case 'update':
          if (typeof p[0] === 'object' && p[0] !== null && p[0].kind === 'dict') for (const [k, v] of p[0].entries) self.entries.set(k, v);
          for (const [k, v] of args.keywords) self.entries.set(k, v);
          return null;
        case 'setdefault':
          if ((typeof p[0] === 'string' || typeof p[0] === 'number') && !self.entries.has(p[0])) self.entries.set(p[0], p[1] ?? null);
          return typeof p[0] === 'string' || typeof p[0] === 'number' ? self.entries.get(p[0])! : unknown(node, `\`${snippet(node)}\``);
      }
    }
    if (self.kind === 'module') return this.moduleMethod(self, name, args, node);
    if (self.kind === 'tensor' || self.kind === 'newTensor') return this.tensorMethod(self, name, args, node);
    return unknown(node, `\`${snippet(node)}\``);
  }

  private moduleMethod(m: ModuleValue, name: string, args: CallArgs, node: SyntaxNode): Value {
    const p = args.positional;
    switch (name) {
      case 'modules':
      case 'named_modules': {
        const seen = new Set<ModuleNode>();
        const out: Value[] = [];
        for (const { path, module } of namedModules(m.node)) {
          if (seen.has(module)) continue;
          seen.add(module);
          out.push(name === 'modules' ? this.wrap(module) : list([path, this.wrap(module)], true));
        }
        return list(out);
      }
      case 'children':
      case 'named_children':
        return list(m.node.children.map((c) => (name === 'children' ? this.wrap(c.module) : list([c.name, this.wrap(c.module)], true))));
      case 'parameters':
      case 'named_parameters':
      case 'buffers':
      case 'named_buffers': {
        const want = name.includes('parameters') ? 'parameter' : 'buffer';
        const entries = tensorEntries(m.node).filter((e) => e.decl.kind === want && e.sameAs === undefined);
        return list(entries.map((e) => (name.startsWith('named') ? list([e.name, { kind: 'tensor', decl: e.decl }], true) : { kind: 'tensor', decl: e.decl })));
      }
      case 'apply': {
        // torch: children first (depth first), then the module itself.
        const visit = (node_: ModuleNode): void => {
          for (const c of node_.children) visit(c.module);
          this.it.call(p[0]!, { positional: [this.wrap(node_)], keywords: new Map() }, node);
        };
        visit(m.node);
        return m;
      }
      case 'register_buffer': {
        const bufferName = p[0];
        const value = p[1] ?? args.keywords.get('tensor') ?? null;
        const persistent = truthiness(args.keywords.get('persistent') ?? p[2] ?? true) ?? true;
        if (typeof bufferName !== 'string') return unknown(node, 'a buffer name');
        if (value === null) return null;
        const t = this.asNewTensor(value, node);
        const decl = this.declOf(bufferName, t, 'buffer', persistent);
        const slot = m.node.tensors.findIndex((x) => x.name === bufferName);
        if (slot >= 0) m.node.tensors[slot] = decl;
        else m.node.tensors.push(decl);
        return null;
      }
      case 'register_parameter': {
        if (typeof p[0] !== 'string') return unknown(node, 'a parameter name');
        if (p[1] === null || p[1] === undefined) return null;
        this.setAttribute(m, p[0], p[1].constructor === Object && typeof p[1] === 'object' && p[1].kind === 'newTensor' ? { ...p[1], parameter: true } : p[1], node);
        return null;
      }
      case 'add_module':
      case 'register_module':
        if (typeof p[0] === 'string') this.setChild(m, p[0], p[1] ?? null, node);
        return null;
      case 'append':
        this.setChild(m, String(m.node.children.length), p[0] ?? null, node);
        return m;
      case 'extend':
      case 'update': {
        const items = p[0] !== undefined ? this.it.iterate(p[0], node) : [];
        for (const item of items ?? []) {
          if (typeof item === 'object' && item !== null && item.kind === 'list' && m.node.type === 'ModuleDict') this.setChild(m, String(item.items[0]), item.items[1] ?? null, node);
          else this.setChild(m, String(m.node.children.length), item, node);
        }
        return m;
      }
      case 'insert': {
        if (typeof p[0] !== 'number' || typeof p[1] !== 'object' || p[1] === null || p[1].kind !== 'module') return unknown(node, `\`${snippet(node)}\``);
        const children = m.node.children.map((c) => c.module);
        children.splice(p[0], 0, p[1].node);
        m.node.children = children.map((module, i) => ({ name: String(i), module }));
        return null;
      }
      case 'items':
        return list(m.node.children.map((c) => list([c.name, this.wrap(c.module)], true)));
      case 'keys':
        return list(m.node.children.map((c) => c.name));
      case 'values':
        return list(m.node.children.map((c) => this.wrap(c.module)));
      case 'reset_parameters': {
        // Re-running a torch module's reset_parameters draws its defaults again.
        const fresh = moduleDefinition(m.node.type) && !CONTAINER_TYPES.has(m.node.type) ? constructModule(m.node.type, [], m.node.args) : undefined;
        for (const t of fresh?.tensors ?? []) m.node.tensors.find((x) => x.name === t.name)?.init.push(...t.init);
        return null;
      }
      case 'to': case 'cuda': case 'cpu': case 'float': case 'double': case 'half': case 'train': case 'eval': case 'requires_grad_': case 'type':
        return m;
      default:
        return unknown(node, `\`${snippet(node)}\``);
    }
  }

  private tensorMethod(t: TensorValue | NewTensorValue, name: string, args: CallArgs, node: SyntaxNode): Value {
    const p = args.positional;
    const kw = args.keywords;
    const shape = t.kind === 'tensor' ? t.decl.shape : t.shape;
    const steps = (): InitStep[] | undefined => (t.kind === 'tensor' ? t.decl.init : t.steps);
    const push = (step: InitStep): Value => {
      if (t.kind === 'tensor' && t.row !== undefined) {
        if (step.op === 'init' && (step.init.fn === 'zeros_' || step.init.fn === 'constant_')) {
          t.decl.init.push({ op: 'fillRow', index: t.row, value: step.init.fn === 'zeros_' ? 0 : Number(step.init.args.val) });
        } else this.approximate(t.decl, node, `one row is changed by \`${snippet(node)}\``);
        return t;
      }
      steps()!.push(step);
      return t;
    };
    const init = (fn: string, a: Record<string, number | string>): InitStep => inTorchOrder({ op: 'init', init: { fn, args: a }, origin: 'model file' });
    const num = (v: Value | undefined, fallback: number): number | undefined => (v === undefined ? fallback : typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : undefined);
    switch (name) {
      case 'normal_': {
        const mean = num(p[0] ?? kw.get('mean'), 0);
        const std = num(p[1] ?? kw.get('std'), 1);
        if (mean === undefined || std === undefined) return this.unknownFill(t, node);
        return push(init('normal_', { mean, std }));
      }
      case 'uniform_': {
        const a = num(p[0] ?? kw.get('from') ?? kw.get('a'), 0);
        const b = num(p[1] ?? kw.get('to') ?? kw.get('b'), 1);
        if (a === undefined || b === undefined) return this.unknownFill(t, node);
        return push(init('uniform_', { a, b }));
      }
      case 'zero_':
        return push(init('zeros_', {}));
      case 'fill_': {
        const v = num(p[0], NaN);
        if (v === undefined || Number.isNaN(v)) return this.unknownFill(t, node);
        return push(init('constant_', { val: v }));
      }
      case 'mul_':
      case 'div_': {
        const c = num(p[0], NaN);
        if (c === undefined || Number.isNaN(c) || c === 0 && name === 'div_') return this.unknownFill(t, node);
        return push({ op: 'scale', factor: name === 'mul_' ? c : 1 / c });
      }
      case 'copy_':
        if (t.kind === 'tensor') this.replaceValues(t, p[0] ?? null, node);
        return t;
      case 'size':
        if (!shape) return unknown(node, 'the shape of this tensor');
        return typeof p[0] === 'number' ? shape.at(p[0]) ?? unknown(node, 'a dimension out of range') : list(shape, true);
      case 'dim':
        return shape ? shape.length : unknown(node, 'the shape of this tensor');
      case 'numel':
        return shape ? shape.reduce((a, b) => a * b, 1) : unknown(node, 'the shape of this tensor');
      case 'view':
      case 'reshape':
      case 'expand':
      case 'unsqueeze':
      case 'squeeze':
      case 'transpose':
      case 'permute':
      case 't': {
        const base = this.asNewTensor(t, node);
        return { ...base, shape: reshaped(name, base.shape, p) };
      }
      case 'detach': case 'clone': case 'float': case 'double': case 'to': case 'contiguous': case 'requires_grad_': case 'cuda': case 'cpu':
        return t;
      case 'exponential_': case 'bernoulli_': case 'geometric_': case 'log_normal_': case 'cauchy_': case 'random_': case 'add_': case 'sub_':
      case 'clamp_': case 'erfinv_': case 'tanh_': case 'sqrt_': case 'abs_': case 'fmod_': case 'sign_':
        if (t.kind === 'tensor') this.approximate(t.decl, node, `\`${snippet(node)}\` changes its values in a way Weightscope does not compute`);
        else t.approximate = `\`${snippet(node)}\` changes its values in a way Weightscope does not compute`;
        return t;
      default:
        return unknown(node, `\`${snippet(node)}\``);
    }
  }

  private unknownFill(t: TensorValue | NewTensorValue, node: SyntaxNode): Value {
    if (t.kind === 'tensor') this.approximate(t.decl, node, `\`${snippet(node)}\` has arguments Weightscope could not compute`);
    else t.approximate = `\`${snippet(node)}\` has arguments Weightscope could not compute`;
    return t;
  }

  /** A registered tensor as an expression (its shape and steps), or a new one as it is. */
  private asNewTensor(v: Value, node: SyntaxNode): NewTensorValue {
    if (typeof v === 'object' && v !== null && v.kind === 'newTensor') return v;
    if (typeof v === 'object' && v !== null && v.kind === 'tensor') return { kind: 'newTensor', shape: v.decl.shape, steps: [...v.decl.init], parameter: false, dtype: v.decl.dtype };
    return { kind: 'newTensor', shape: undefined, steps: [], parameter: false, dtype: 'float32', approximate: `it is made by \`${snippet(node)}\`, which Weightscope does not compute` };
  }

  /**
   * torch.nn.utils.weight_norm(module, name, dim): the parameter is replaced, at the end of the module's
   * parameters, by name_g (its norm over every dimension but `dim`, computed from the values) and name_v (the
   * values themselves).
   */
  private weightNorm(m: Value, name: Value, dim: Value, node: SyntaxNode): Value {
    if (typeof m !== 'object' || m === null || m.kind !== 'module' || typeof name !== 'string' || typeof dim !== 'number') return unknown(node, `\`${snippet(node)}\``);
    const at = m.node.tensors.findIndex((t) => t.name === name && t.kind === 'parameter');
    if (at < 0) return unknown(node, `\`${snippet(node)}\` (no parameter ${name})`);
    const [w] = m.node.tensors.splice(at, 1);
    const d = dim < 0 ? w!.shape.length + dim : dim;
    const g: TensorDecl = {
      name: `${name}_g`, shape: dim === -1 ? [] : w!.shape.map((n, i) => (i === d ? n : 1)), kind: 'parameter', persistent: true, dtype: 'float32', init: [],
      approximate: `weight_norm's magnitude: the norm of ${name} over every dimension but ${dim}, computed from its values`,
    };
    m.node.tensors.push(g, { ...w!, name: `${name}_v`, init: [...w!.init] });
    return m;
  }

  /** An argparse parser: add_argument records each option's default; parse_args returns them. */
  private argparse(parser: { attrs: Map<string, Value> }, name: string, args: CallArgs, node: SyntaxNode): Value {
    const defaults = parser.attrs.get(ARGPARSE) as DictValue;
    switch (name) {
      case 'add_argument': {
        const flags = args.positional.filter((x): x is string => typeof x === 'string');
        const long = flags.find((f) => f.startsWith('--')) ?? flags[0];
        const dest = args.keywords.get('dest') ?? (long ? long.replace(/^-+/, '').replace(/-/g, '_') : undefined);
        if (typeof dest !== 'string') return null;
        const action = args.keywords.get('action');
        const value = args.keywords.has('default') ? args.keywords.get('default')! : action === 'store_true' ? false : action === 'store_false' ? true : null;
        const type = args.keywords.get('type');
        // type=int applies to a string default too.
        const converted = typeof value === 'string' && typeof type === 'object' && type !== null && type.kind === 'builtin' && (type.name === 'int' || type.name === 'float') && Number.isFinite(Number(value)) ? Number(value) : value;
        defaults.entries.set(dest, converted);
        return null;
      }
      case 'add_argument_group':
      case 'add_mutually_exclusive_group':
        return { kind: 'object', cls: undefined, attrs: parser.attrs };
      case 'set_defaults':
        for (const [k, v] of args.keywords) defaults.entries.set(k, v);
        return null;
      case 'parse_args':
      case 'parse_known_args': {
        const namespace: Value = { kind: 'object', cls: undefined, attrs: new Map([...defaults.entries].map(([k, v]) => [String(k), v])) };
        return name === 'parse_args' ? namespace : list([namespace, list([])], true);
      }
      default:
        return unknown(node, `\`${snippet(node)}\``);
    }
  }

  /** `super().__init__(…)` and `super(Net, self).__init__(…)`: the next class's constructor on the same instance. */
  private superCall(self: Value, name: string, args: CallArgs, node: SyntaxNode): Value {
    if (typeof self !== 'object' || self === null || self.kind !== 'list') return unknown(node, '`super()`');
    const [owner, instance] = self.items as [Value, Value];
    if (typeof owner !== 'object' || owner === null || owner.kind !== 'class') return unknown(node, '`super()` outside a method of a class');
    for (const base of owner.bases) {
      if (typeof base === 'string') {
        if (name === '__init__' && typeof instance === 'object' && instance !== null && instance.kind === 'module') this.superInit(instance, base, args, node);
        return null;
      }
      const m = this.it.method(base, name);
      if (m) return this.it.callFunction({ ...m, self: instance }, args, node);
      // super().__init__(…) of a @dataclass: its generated __init__ sets the fields.
      if (name === '__init__' && base.dataclass && typeof instance === 'object' && instance !== null && instance.kind === 'object') {
        this.it.initFields(base, instance.attrs, args);
        return null;
      }
    }
    return null;
  }

  /** A torch base class's constructor run on a module of the model's own class. */
  superInit(m: ModuleValue, base: string, args: CallArgs, node: SyntaxNode): void {
    const type = /^torch\.nn\.(?:modules\.\w+\.)?(\w+)$/.exec(base)?.[1];
    if (!type || type === 'Module') return;
    if (type === 'Sequential' || type === 'ModuleList' || type === 'ModuleDict') {
      const built = this.construct(type, args, node);
      if (typeof built === 'object' && built !== null && built.kind === 'module') {
        m.node.type = type;
        m.node.children.push(...built.node.children);
      }
      return;
    }
    const built = this.construct(type, args, node);
    if (typeof built === 'object' && built !== null && built.kind === 'module') {
      // class MyConv(nn.Conv2d): the instance is a Conv2d with the class's extras.
      m.node.type = type;
      m.node.args = built.node.args;
      m.node.tensors.push(...built.node.tensors);
      m.node.children.push(...built.node.children);
    }
  }

  private isInstance(v: Value, cls: Value, node: SyntaxNode): Value {
    if (isUnknown(cls)) return cls;
    if (typeof cls === 'object' && cls !== null && cls.kind === 'list') {
      const results = cls.items.map((c) => this.isInstance(v, c, node));
      if (results.some((r) => r === true)) return true;
      return results.every((r) => r === false) ? false : unknown(node, `\`${snippet(node)}\``);
    }
    if (typeof cls === 'object' && cls !== null && cls.kind === 'builtin') {
      const name = cls.name;
      const isList = typeof v === 'object' && v !== null && v.kind === 'list';
      switch (name) {
        case 'int': return typeof v === 'number' && Number.isInteger(v);
        case 'float': return typeof v === 'number';
        case 'numbers.Number': case 'numbers.Real': return typeof v === 'number';
        case 'bool': return typeof v === 'boolean';
        case 'str': return typeof v === 'string';
        case 'list': case 'typing.List': return isList && !v.tuple;
        case 'tuple': case 'typing.Tuple': return isList && v.tuple;
        case 'typing.Sequence': case 'collections.abc.Sequence': case 'typing.Iterable': case 'collections.abc.Iterable':
          return isList || typeof v === 'string';
        case 'dict': case 'typing.Dict': case 'typing.Mapping': case 'collections.abc.Mapping': return typeof v === 'object' && v !== null && v.kind === 'dict';
      }
      if (isUnknown(v)) return v;
      if (typeof v !== 'object' || v === null || v.kind !== 'module') {
        // A torch.nn class is no match for a plain value; a class Weightscope does not know may be.
        return name.startsWith('torch.nn.') || typeof v !== 'object' || v === null ? false : unknown(node, `\`${snippet(node)}\``);
      }
      if (name === 'torch.nn.Module') return true;
      const abstract = ABSTRACT[name];
      if (abstract) return abstract.test(v.node.type);
      const type = /^torch\.nn\.(?:modules\.\w+\.)?(\w+)$/.exec(name)?.[1];
      return type !== undefined && v.node.type === type;
    }
    if (typeof cls === 'object' && cls !== null && cls.kind === 'class') {
      const own = typeof v === 'object' && v !== null && (v.kind === 'module' || v.kind === 'object') ? v.cls : undefined;
      const derives = (c: ClassValue | undefined, seen = new Set<ClassValue>()): boolean =>
        !!c && !seen.has(c) && (c.def === cls.def || (seen.add(c), c.bases.some((b) => typeof b !== 'string' && derives(b, seen))));
      return derives(own);
    }
    return unknown(node, `\`${snippet(node)}\``);
  }

  // ---------------------------------------------------------------------------
  // torch.nn modules

  construct(type: string, args: CallArgs, node: SyntaxNode): Value {
    if (type === 'Parameter') {
      const data = args.positional[0] ?? args.keywords.get('data');
      if (data === undefined) return unknown(node, 'nn.Parameter() without data');
      if (isUnknown(data)) {
        this.it.report(data, `the data of \`${snippet(node)}\``);
        return { kind: 'newTensor', shape: undefined, steps: [], parameter: true, dtype: 'float32', approximate: `its data (\`${snippet(node)}\`) is not something Weightscope computes` };
      }
      return { ...this.asNewTensor(data, node), parameter: true };
    }
    if (type === 'Sequential' || type === 'ModuleList' || type === 'ModuleDict') return this.container(type, args, node);
    if (type === 'ParameterList' || type === 'ParameterDict') {
      const holder: ModuleNode = { type, args: {}, tensors: [], children: [] };
      const items = args.positional[0] !== undefined ? this.it.iterate(args.positional[0], node) ?? [] : [];
      items.forEach((item, i) => {
        const [key, value] = type === 'ParameterDict' && typeof item === 'object' && item !== null && item.kind === 'list' ? [String(item.items[0]), item.items[1]!] : [String(i), item];
        holder.tensors.push(this.declOf(key, { ...this.asNewTensor(value, node), parameter: true }, 'parameter'));
      });
      return this.wrap(holder);
    }
    const def = moduleDefinition(type);
    if (!def) {
      this.it.omit(node, `nn.${type}`, 'Weightscope does not know this torch.nn module.');
      return unknown(node, `nn.${type}, which Weightscope does not know`);
    }
    const keywords: Record<string, ArgValue> = {};
    const names = def.signature.map(([n]) => n);
    const put = (key: string, v: Value): boolean => {
      const arg = toArg(v);
      if (arg !== undefined) {
        keywords[key] = arg;
        return true;
      }
      if (HARMLESS_ARGUMENTS.has(key) || def.anyArguments) {
        if (isUnknown(v)) this.it.assume(v.node, `${key} of nn.${type} (${v.reason})`, `Weightscope used torch's default; it does not change the parameters' shapes or initialization.`);
        return true;
      }
      if (isUnknown(v)) this.it.omit(v.node, `${key} of nn.${type}`, `${v.reason} is not something Weightscope can compute, so it could not build this nn.${type}.`);
      else this.it.omit(node, `${key} of nn.${type} = ${show(v)}`, `Weightscope could not build this nn.${type} with it.`);
      return false;
    };
    let ok = true;
    args.positional.forEach((v, i) => {
      const key = def.anyArguments ? String(i) : names[i];
      if (key === undefined) {
        this.it.assume(node, `the extra argument ${show(v)} of nn.${type}`, 'Weightscope ignored it.');
        return;
      }
      ok = put(key, v) && ok;
    });
    for (const [k, v] of args.keywords) ok = put(k, v) && ok;
    if (!ok) return unknown(node, `nn.${type}(…) with arguments Weightscope could not compute`);
    try {
      return this.wrap(constructModule(type, [], keywords));
    } catch (err) {
      if (!(err instanceof ModuleArgumentError)) throw err;
      this.it.omit(node, `\`${snippet(node)}\``, `torch would raise "${err.message}".`);
      return unknown(node, `\`${snippet(node)}\` (${err.message})`);
    }
  }

  private container(type: 'Sequential' | 'ModuleList' | 'ModuleDict', args: CallArgs, node: SyntaxNode): Value {
    const holder = this.wrap({ type, args: {}, tensors: [], children: [] });
    const p = args.positional;
    const addPairs = (pairs: Value[]): void => {
      for (const pair of pairs) {
        if (typeof pair === 'object' && pair !== null && pair.kind === 'list' && pair.items.length === 2) this.setChild(holder, String(pair.items[0]), pair.items[1]!, node);
      }
    };
    if (type === 'ModuleDict' || (type === 'Sequential' && p.length === 1 && typeof p[0] === 'object' && p[0] !== null && p[0].kind === 'dict')) {
      const src = p[0];
      if (typeof src === 'object' && src !== null && src.kind === 'dict') addPairs([...src.entries].map(([k, v]) => list([k, v], true)));
      else if (src !== undefined) addPairs(this.it.iterate(src, node) ?? []);
      return holder;
    }
    const items = type === 'ModuleList' ? (p[0] !== undefined ? this.it.iterate(p[0], node) ?? [] : []) : p;
    items.forEach((item, i) => {
      if (typeof item === 'object' && item !== null && item.kind === 'module') this.setChild(holder, String(i), item, node);
      else {
        this.it.report(item, `item ${i} of nn.${type}`);
        // Keep torch's numbering: the next module is still item i + 1.
        holder.node.children.push({ name: String(i), module: { type: 'Identity', args: {}, tensors: [], children: [] } });
      }
    });
    return holder;
  }

  // ---------------------------------------------------------------------------
  // nn.init and tensor factories

  private initCall(fn: string, args: CallArgs, node: SyntaxNode): Value {
    if (fn === 'calculate_gain') {
      const [nl, param] = [args.positional[0] ?? args.keywords.get('nonlinearity'), args.positional[1] ?? args.keywords.get('param')];
      if (typeof nl !== 'string') return unknown(node, `\`${snippet(node)}\``);
      try {
        return calculateGain(nl, typeof param === 'number' ? param : undefined);
      } catch (err) {
        return unknown(node, err instanceof Error ? err.message : String(err));
      }
    }
    const name = fn.endsWith('_') ? fn : `${fn}_`;
    const entry = findInitializer(name);
    const target = args.positional[0] ?? args.keywords.get('tensor');
    if (typeof target !== 'object' || target === null || (target.kind !== 'tensor' && target.kind !== 'newTensor')) {
      if (isUnknown(target ?? null)) this.it.report(target!, `the tensor of \`${snippet(node)}\``);
      return target ?? null;
    }
    if (!entry) {
      if (target.kind === 'tensor') this.approximate(target.decl, node, `nn.init.${fn} is not an initializer Weightscope knows`);
      return target;
    }
    const initArgs: Record<string, number | string> = {};
    const rest = args.positional.slice(1);
    let ok = true;
    entry.params.forEach((param, i) => {
      const v = args.keywords.get(param.name) ?? rest[i];
      if (v === undefined) return;
      if (typeof v === 'number' || typeof v === 'string') initArgs[param.name] = v;
      else if (typeof v === 'boolean') initArgs[param.name] = Number(v);
      else ok = false;
    });
    const shape = target.kind === 'tensor' ? target.decl.shape : target.shape;
    if (!ok || !shape) return this.unknownFill(target, node);
    try {
      entry.theory(shape, initArgs);
    } catch (err) {
      this.it.assume(node, `\`${snippet(node)}\`: torch would raise "${err instanceof Error ? err.message : String(err)}"`, 'Weightscope left the tensor as it was.');
      return target;
    }
    const step: InitStep = inTorchOrder({ op: 'init', init: { fn: name, args: initArgs }, origin: 'model file' });
    if (target.kind === 'tensor') target.decl.init.push(step);
    else target.steps.push(step);
    return target;
  }

  private torchFunction(name: string, args: CallArgs, node: SyntaxNode): Value {
    const p = args.positional;
    const sizeArgs = (): number[] | undefined => {
      const first = p[0] ?? args.keywords.get('size');
      const items = typeof first === 'object' && first !== null && first.kind === 'list' ? first.items : p;
      return items.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0) ? (items as number[]) : undefined;
    };
    const made = (steps: InitStep[], shape = sizeArgs(), dtype: 'float32' | 'int64' = 'float32'): NewTensorValue =>
      shape ? { kind: 'newTensor', shape, steps, parameter: false, dtype } : { kind: 'newTensor', shape: undefined, steps, parameter: false, dtype, approximate: `its size in \`${snippet(node)}\` is not something Weightscope computes` };
    const fill = (fn: string, a: Record<string, number>): InitStep => inTorchOrder({ op: 'init', init: { fn, args: a }, origin: 'model file' });
    switch (name) {
      case 'zeros':
        return made([fill('zeros_', {})]);
      case 'ones':
        return made([fill('ones_', {})]);
      case 'randn':
        return made([fill('normal_', { mean: 0, std: 1 })]);
      case 'rand':
        return made([fill('uniform_', { a: 0, b: 1 })]);
      case 'empty':
      case 'Tensor':
      case 'FloatTensor':
        return made([]);
      case 'full': {
        const shapeV = p[0];
        const shape = typeof shapeV === 'object' && shapeV !== null && shapeV.kind === 'list' && shapeV.items.every((x) => typeof x === 'number') ? (shapeV.items as number[]) : undefined;
        const value = p[1] ?? args.keywords.get('fill_value');
        return typeof value === 'number' ? made([fill('constant_', { val: value })], shape) : made([], shape);
      }
      case 'zeros_like':
      case 'ones_like':
      case 'randn_like':
      case 'empty_like': {
        const base = this.asNewTensor(p[0] ?? null, node);
        const steps = name === 'zeros_like' ? [fill('zeros_', {})] : name === 'ones_like' ? [fill('ones_', {})] : name === 'randn_like' ? [fill('normal_', { mean: 0, std: 1 })] : [];
        return { ...base, steps, parameter: false };
      }
      case 'eye': {
        const n = p[0];
        const m = p[1] ?? n;
        return typeof n === 'number' && typeof m === 'number' ? made([fill('eye_', {})], [n, m]) : made([], undefined);
      }
      case 'tril':
      case 'triu': {
        const base = this.asNewTensor(p[0] ?? null, node);
        const diagonal = p[1] ?? args.keywords.get('diagonal') ?? 0;
        // A mask of known values (torch.tril(torch.ones(T, T))): the same fill, then the triangle kept.
        if (base.shape && base.shape.length >= 2 && base.steps.length > 0 && !base.approximate && typeof diagonal === 'number') {
          return { ...base, steps: [...base.steps, { op: 'triangle', lower: name === 'tril', diagonal }] };
        }
        return { ...base, steps: [], approximate: `its values come from torch.${name}(…), a fixed mask rather than a random draw` };
      }
      case 'arange':
      case 'linspace':
      case 'tensor':
      case 'as_tensor':
      case 'from_numpy':
        return made([], undefined, name === 'arange' ? 'int64' : 'float32');
      case 'no_grad':
      case 'enable_grad':
        return { kind: 'builtin', name: 'torch.no_grad' };
      case 'cuda.is_available':
      case 'backends.mps.is_available':
        return false;
      case 'device':
        return { kind: 'builtin', name: 'torch.device' };
      case 'sqrt':
      case 'tensor.sqrt':
        return typeof p[0] === 'number' ? Math.sqrt(p[0]) : unknown(node, `\`${snippet(node)}\``);
      default:
        return unknown(node, `\`${snippet(node)}\``);
    }
  }
}

/** Where an argparse parser keeps its defaults (a name no Python attribute can have). */
const ARGPARSE = ' argparse';

/** torch names newer than 1.13, whose `hasattr` checks pick the code path torch 1.13 takes. */
const TORCH_2_NAMES = new Set(['torch.nn.functional.scaled_dot_product_attention', 'torch.compile', 'torch.nn.RMSNorm', 'torch.nn.Buffer']);

/** `v`, or the fallback when it is missing (undefined): a Python None (null) is a value. */
function orElse(v: Value | undefined, fallback: Value): Value {
  return v === undefined ? fallback : v;
}

/** The methods every nn.Module has that the reader follows. */
const MODULE_METHODS = new Set([
  'modules', 'named_modules', 'children', 'named_children', 'parameters', 'named_parameters', 'buffers', 'named_buffers', 'apply',
  'register_buffer', 'register_parameter', 'add_module', 'register_module', 'append', 'extend', 'insert', 'update', 'items', 'keys', 'values',
  'reset_parameters', 'to', 'cuda', 'cpu', 'float', 'double', 'half', 'train', 'eval', 'requires_grad_', 'type',
]);

/** A reader value as a module constructor argument (undefined when it is not one). */
function toArg(v: Value): ArgValue | undefined {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  switch (v.kind) {
    case 'list': {
      const items = v.items.map(toArg);
      return items.every((x) => x !== undefined) ? (items as ArgValue[]) : undefined;
    }
    case 'module':
      return { module: v.node };
    case 'builtin': {
      // activation=F.gelu / nn.GELU: by name, as TransformerEncoderLayer takes it.
      const last = v.name.split('.').pop()!;
      return v.name.startsWith('torch.') ? last.toLowerCase() : undefined;
    }
    default:
      return undefined;
  }
}

function fromArg(a: ArgValue): Value {
  if (a === null || typeof a !== 'object') return a;
  if (Array.isArray(a)) return list(a.map(fromArg), true);
  return null;
}

function stringMethod(s: string, name: string, p: Value[]): Value | undefined {
  const arg = p[0];
  switch (name) {
    case 'endswith':
    case 'startswith': {
      const options = typeof arg === 'string' ? [arg] : typeof arg === 'object' && arg !== null && arg.kind === 'list' ? arg.items.filter((x): x is string => typeof x === 'string') : undefined;
      if (!options) return undefined;
      return options.some((o) => (name === 'endswith' ? s.endsWith(o) : s.startsWith(o)));
    }
    case 'find':
      return typeof arg === 'string' ? s.indexOf(arg) : undefined;
    case 'lower':
      return s.toLowerCase();
    case 'upper':
      return s.toUpperCase();
    case 'strip':
      return s.trim();
    case 'split':
      return typeof arg === 'string' ? list(s.split(arg)) : list(s.trim().split(/\s+/));
    case 'rsplit':
      return typeof arg === 'string' ? list(s.split(arg)) : undefined;
    case 'replace':
      return typeof arg === 'string' && typeof p[1] === 'string' ? s.split(arg).join(p[1]) : undefined;
    case 'join': {
      const items = typeof arg === 'object' && arg !== null && arg.kind === 'list' ? arg.items : undefined;
      return items?.every((x) => typeof x === 'string') ? (items as string[]).join(s) : undefined;
    }
    case 'format':
      return undefined;
    default:
      return undefined;
  }
}

/** The shape after view/reshape/unsqueeze/…, when the arguments say it. */
function reshaped(op: string, shape: number[] | undefined, p: Value[]): number[] | undefined {
  if (!shape) return undefined;
  const ints = (p.length === 1 && typeof p[0] === 'object' && p[0] !== null && p[0].kind === 'list' ? p[0].items : p) as Value[];
  if (!ints.every((x) => typeof x === 'number')) return undefined;
  const dims = ints as number[];
  const numel = shape.reduce((a, b) => a * b, 1);
  switch (op) {
    case 'view':
    case 'reshape': {
      const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const out = dims.map((d) => (d === -1 ? numel / known : d));
      return out.reduce((a, b) => a * b, 1) === numel ? out : undefined;
    }
    case 'unsqueeze': {
      const d = dims[0]!;
      const at = d < 0 ? shape.length + d + 1 : d;
      return [...shape.slice(0, at), 1, ...shape.slice(at)];
    }
    case 'expand':
      return dims.map((d, i) => (d === -1 ? shape[i - (dims.length - shape.length)]! : d));
    case 'squeeze':
      return dims.length ? shape.filter((d, i) => !(i === dims[0] && d === 1)) : shape.filter((d) => d !== 1);
    case 't':
      return [...shape].reverse();
    case 'transpose': {
      const [a, b] = dims.map((d) => (d < 0 ? shape.length + d : d));
      if (a === undefined || b === undefined || a >= shape.length || b >= shape.length) return undefined;
      const out = [...shape];
      [out[a], out[b]] = [out[b]!, out[a]!];
      return out;
    }
    case 'permute':
      return dims.length === shape.length ? dims.map((d) => shape[d < 0 ? shape.length + d : d]!) : undefined;
    default:
      return undefined;
  }
}

export { joinPath };

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Python's float(str): a decimal literal, or inf/infinity/nan in any case with a sign (`float("-inf")` for masks). */
function pythonFloat(text: string): number | undefined {
  const t = text.trim().toLowerCase().replace(/_/g, '');
  const special = /^([+-]?)(inf|infinity|nan)$/.exec(t);
  if (special) return special[2] === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : undefined;
}
