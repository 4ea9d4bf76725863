/**
 * The model as torch sees it: a tree of modules, each owning parameters and
 * buffers, named as `state_dict` names them (`transformer.h.0.attn.c_attn.weight`).
 *
 * Every front end (the `*.nn.json`/`*.nn.yaml` decoder, the Python reader)
 * produces this tree; the initializer, the inspector and (in time) the
 * forward pass read it. It is plain data, so it crosses the worker boundary
 * as it is.
 *
 * torch's rules kept here:
 * - `state_dict()` visits a module's own parameters (registration order),
 *   then its persistent buffers, then its children, depth first;
 * - `parameters()` visits the same parameters but yields a tensor shared
 *   under two names (a tied weight) once, under the first name met;
 * - `register_buffer(name, t, persistent=False)` keeps a buffer out of the
 *   `state_dict`, and buffers are never parameters.
 */
import type { InitSpec } from '../model/spec';

/** A constructor argument as torch takes it: numbers, strings, booleans, None and tuples of them. */
export type ArgValue = number | string | boolean | null | readonly ArgValue[] | ModuleArg;

/** A module passed to a constructor (`nn.TransformerEncoder(encoder_layer, 6)`). */
export interface ModuleArg {
  readonly module: ModuleNode;
}

export function isModuleArg(v: ArgValue | undefined): v is ModuleArg {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'module' in v;
}

/**
 * One step of a tensor's initialization, in the order torch runs them: a
 * module's `reset_parameters` at construction, then the model's own code.
 */
export type InitStep =
  /** Fill with a `torch.nn.init` function (or an equivalent `.data.normal_()` etc.). */
  | {
      op: 'init';
      init: InitSpec;
      origin: 'torch default' | 'model file';
      /** torch's spelling, e.g. `kaiming_uniform_(a=√5)`. */
      label?: string;
      /**
       * When torch runs this fill among all the model's fills (see `inTorchOrder`): the generator is consumed in
       * this order. A deep copy (`_get_clones`) keeps its original's number, and so its values.
       */
      seq?: number;
    }
  /** `p.mul_(factor)` (or `p.data *= factor`) on the current values. */
  | { op: 'scale'; factor: number }
  /** `weight[index].fill_(value)`: nn.Embedding's `padding_idx` row. */
  | { op: 'fillRow'; index: number; value: number }
  /**
   * `torch.tril(t, diagonal)` / `torch.triu(t, diagonal)` over the last two
   * dimensions: entries above (tril) or below (triu) the diagonal become 0.
   * A causal mask (`torch.tril(torch.ones(T, T))`) is `ones_` then this.
   */
  | { op: 'triangle'; lower: boolean; diagonal: number };

let lastSeq = 0;

/**
 * `step`, numbered as the next fill torch runs. Front ends attach every fill
 * when torch would run it (a module's `reset_parameters` as it is constructed,
 * the model's code as it executes), so these numbers are torch's order of
 * generator draws across all tensors, which the per-tensor step lists lose.
 */
export function inTorchOrder(step: InitStep): InitStep {
  return step.op === 'init' ? { ...step, seq: ++lastSeq } : step;
}

/**
 * Numbers a fill created earlier as the next one torch runs (in place): a model file's own fills are decoded with
 * their modules but run once the whole model is built (engine/model/decodeModules.ts, fileFillsAfterConstruction).
 */
export function numberInTorchOrder(step: InitStep): void {
  if (step.op === 'init') step.seq = ++lastSeq;
}

export interface TensorDecl {
  /** The name within its module: `weight`, `weight_ih_l0_reverse`, `running_mean`. */
  name: string;
  shape: number[];
  kind: 'parameter' | 'buffer';
  /** Buffers only: false for `register_buffer(…, persistent=False)`, which `state_dict` leaves out. */
  persistent: boolean;
  dtype: 'float32' | 'int64';
  /** How the initial value comes about, in order; empty means `torch.empty` (uninitialized memory). */
  init: InitStep[];
  /** Set when the shape or the initialization is a guess: the reason, for the inspector. */
  approximate?: string;
  /**
   * The fills of the tensors this one replaced in their modules (`wte.weight = lm_head.weight` after nn.Embedding
   * drew wte's own weight): torch's generator moved past those draws, so they keep their place in the draw
   * order, but none of them is this tensor's value. Same shape as this tensor.
   */
  replacedDraws?: InitStep[];
}

export interface ModuleNode {
  /** The `torch.nn` class (`Conv2d`, `Sequential`, `ModuleDict`), or `Module` for a class the model defines. */
  type: string;
  /** The model's own class name (`Block`, `CausalSelfAttention`), for `type: 'Module'`. */
  className?: string;
  /** Constructor arguments as torch names them, defaults filled in. */
  args: Record<string, ArgValue>;
  /** Own parameters and buffers, in registration order. */
  tensors: TensorDecl[];
  /** Submodules by attribute name (or index, for Sequential and ModuleList), in registration order. */
  children: ModuleChild[];
}

export interface ModuleChild {
  name: string;
  module: ModuleNode;
}

/**
 * `self.a.weight = self.b.weight`: the tensor under `name` is the object
 * registered under `target`. Both stay in the `state_dict`; `parameters()`
 * yields it once.
 */
export interface TensorTie {
  name: string;
  target: string;
}

/** A `state_dict` entry (or a non-persistent buffer) with the module that holds it. */
export interface TensorEntry {
  /** Full dotted name: `layer1.0.bn1.running_mean`. */
  name: string;
  decl: TensorDecl;
  /** Dotted path of the owning module ('' for the root). */
  modulePath: string;
  module: ModuleNode;
  /** The name this tensor is first met under, when it is tied to it (then `decl` is that tensor's). */
  sameAs?: string;
}

/** Joins a module path and a local name: `('', 'fc')` → `fc`, `('net', '0')` → `net.0`. */
export function joinPath(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

/** Every module of the tree with its dotted path, parents before children (torch's `named_modules`). */
export function namedModules(root: ModuleNode, prefix = ''): { path: string; module: ModuleNode }[] {
  const out: { path: string; module: ModuleNode }[] = [];
  const visit = (m: ModuleNode, path: string): void => {
    out.push({ path, module: m });
    for (const c of m.children) visit(c.module, joinPath(path, c.name));
  };
  visit(root, prefix);
  return out;
}

/** The module at a dotted path, or undefined. */
export function moduleAt(root: ModuleNode, path: string): ModuleNode | undefined {
  if (path === '') return root;
  let m: ModuleNode | undefined = root;
  for (const part of path.split('.')) {
    m = m?.children.find((c) => c.name === part)?.module;
    if (!m) return undefined;
  }
  return m;
}

/**
 * Every tensor of the tree in `state_dict` order, with ties resolved: a tied
 * name carries the target's declaration and `sameAs` the name met first.
 * Non-persistent buffers are included (flagged by their decl) so that the
 * inspector can show them; `stateDictKeys` leaves them out.
 */
export function tensorEntries(root: ModuleNode, ties: readonly TensorTie[] = []): TensorEntry[] {
  const raw: TensorEntry[] = [];
  for (const { path, module } of namedModules(root)) {
    // torch: own parameters, then own buffers (each in registration order), then children.
    for (const kind of ['parameter', 'buffer'] as const) {
      for (const decl of module.tensors) if (decl.kind === kind) raw.push({ name: joinPath(path, decl.name), decl, modulePath: path, module });
    }
  }
  const byName = new Map(raw.map((e) => [e.name, e]));
  const owner = (name: string): string => {
    const seen = new Set<string>();
    let n = name;
    for (let tie = ties.find((t) => t.name === n); tie && !seen.has(n); tie = ties.find((t) => t.name === n)) {
      seen.add(n);
      n = tie.target;
    }
    return n;
  };
  // A tensor is one object: shared by a tie, or by the same declaration under two names (a tree built in memory).
  const firstName = new Map<TensorDecl, string>();
  return raw.map((e) => {
    const decl = ties.length > 0 ? byName.get(owner(e.name))?.decl ?? e.decl : e.decl;
    const first = firstName.get(decl);
    if (first === undefined) {
      firstName.set(decl, e.name);
      return decl === e.decl ? e : { ...e, decl };
    }
    return { ...e, decl, sameAs: first };
  });
}

/** The ties of a tree whose shared tensors are shared declaration objects (as the Python reader builds them). */
export function tiesByIdentity(root: ModuleNode): TensorTie[] {
  return tensorEntries(root).filter((e) => e.sameAs !== undefined).map((e) => ({ name: e.name, target: e.sameAs! }));
}

/** torch's `model.state_dict().keys()`. */
export function stateDictKeys(root: ModuleNode, ties: readonly TensorTie[] = []): string[] {
  return tensorEntries(root, ties).filter((e) => e.decl.kind === 'parameter' || e.decl.persistent).map((e) => e.name);
}

/** torch's `model.named_parameters()`: each tensor once, under the first name met. */
export function namedParameters(root: ModuleNode, ties: readonly TensorTie[] = []): TensorEntry[] {
  return tensorEntries(root, ties).filter((e) => e.decl.kind === 'parameter' && e.sameAs === undefined);
}

/**
 * A deep copy of a module node, as `copy.deepcopy(layer)`: new tensors with the
 * same declarations; a tensor shared within the copied tree stays shared.
 */
export function cloneModule(m: ModuleNode, memo: Map<TensorDecl, TensorDecl> = new Map()): ModuleNode {
  const copy = (t: TensorDecl): TensorDecl => {
    let c = memo.get(t);
    if (!c) memo.set(t, (c = { ...t, shape: [...t.shape], init: [...t.init] }));
    return c;
  };
  return {
    ...m,
    args: { ...m.args },
    tensors: m.tensors.map(copy),
    children: m.children.map((c) => ({ name: c.name, module: cloneModule(c.module, memo) })),
  };
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** torch's `sum(p.numel() for p in model.parameters())`: a tied tensor counted once. */
export function countParameters(root: ModuleNode, ties: readonly TensorTie[] = []): number {
  let n = 0;
  for (const e of namedParameters(root, ties)) n += numelOf(e.decl.shape);
  return n;
}

/** Parameters of one module and everything below it (ties counted once within it). */
export function subtreeParameterCount(module: ModuleNode): number {
  let n = 0;
  const seen = new Set<TensorDecl>();
  for (const e of tensorEntries(module)) {
    if (e.decl.kind !== 'parameter' || seen.has(e.decl)) continue;
    seen.add(e.decl);
    n += numelOf(e.decl.shape);
  }
  return n;
}
