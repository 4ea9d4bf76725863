/**
 * `torch.nn` constructor calls → the modules they build: layers the engine
 * has (Linear, the activations, Dropout, LayerNorm), containers
 * (Sequential, ModuleList over literal ranges), shape-only modules (Flatten)
 * and everything else, kept as "opaque" so that using it in `forward` is
 * reported rather than guessed.
 */
import type { Located, LocatedEntry } from '../engine/model/located';
import { ACTIVATION_ARGS, ACTIVATION_TYPES, type ActivationType } from '../engine/model/spec';
import { evaluate, forEachBinding, type PyValue, type Scope } from './evaluate';
import { entry, scalar } from './located';
import type { Notes } from './notes';
import type { SyntaxNode } from './parser';
import { callArguments, callee, snippet, unparen } from './syntax';

export type LayerType = 'Linear' | 'Dropout' | 'LayerNorm' | ActivationType;

export interface LayerRecord {
  /** `state_dict` prefix (`fc1`, `net.0`, `layers.2`); empty for activations written as calls in forward. */
  path: string;
  type: LayerType;
  /** The constructor call (or the functional call in forward). */
  call: SyntaxNode;
  /** Model-file keys other than type and name: in_features, out_features, bias, p, eps, …. */
  entries: LocatedEntry[];
  /** Per-parameter initializers set by init statements (last one wins, as in torch). */
  init: { weight?: Located; bias?: Located };
  /** The statements that set them, for hovers. */
  initCalls: { weight?: SyntaxNode; bias?: SyntaxNode };
  /** When the code built the layer and ran each fill of its parameters (codeOrder), to tell whether a chain keeps torch's order of draws. */
  builtAt?: number;
  fillsAt?: { weight?: CodeFill[]; bias?: CodeFill[] };
  /** Numbers the init statements need: weight shape [out, in], bias presence, LayerNorm width. */
  shape: { in?: number; out?: number; bias: boolean; width?: number };
}

/** A fill of a parameter as the code runs it: when (codeOrder), and whether it draws from the generator. */
export interface CodeFill {
  at: number;
  draws: boolean;
}

let ticks = 0;

/** A number that grows with every layer built and every fill read, in the order the code runs them. */
export function codeOrder(): number {
  return ++ticks;
}

export type ModuleValue =
  | { kind: 'layer'; layer: LayerRecord }
  | { kind: 'sequential'; node: SyntaxNode; path: string; children: ModuleValue[] }
  | { kind: 'list'; node: SyntaxNode; path: string; items: ModuleValue[] }
  | { kind: 'identity'; node: SyntaxNode; what: string }
  | { kind: 'opaque'; node: SyntaxNode; what: string; /** Already reported where it was built. */ reported?: boolean };

export interface BuildContext {
  scope: Scope;
  notes: Notes;
  /** Class names defined in the file (a custom module is named as such). */
  classNames: ReadonlySet<string>;
}

const ACTIVATIONS = new Set<string>(ACTIVATION_TYPES);

/** Positional parameters of each constructor, in torch's order (keyword-only ones are left out). */
const POSITIONAL: Readonly<Record<string, readonly string[]>> = {
  Linear: ['in_features', 'out_features', 'bias'],
  Dropout: ['p', 'inplace'],
  LayerNorm: ['normalized_shape', 'eps', 'elementwise_affine'],
  ReLU: ['inplace'], SELU: ['inplace'], SiLU: ['inplace'], Tanh: [], Sigmoid: [], Identity: [],
  LeakyReLU: ['negative_slope', 'inplace'], ELU: ['alpha', 'inplace'], GELU: ['approximate'], Softplus: ['beta', 'threshold'],
};

/** Arguments with no effect on the numbers (or the engine's float32 and CPU defaults). */
const HARMLESS = new Set(['inplace', 'device']);

/** The module that `expr` constructs, or undefined when it is not a module constructor call. */
export function buildModule(expr: SyntaxNode, path: string, ctx: BuildContext): ModuleValue | undefined {
  const node = unparen(expr);
  const fn = callee(node);
  if (!fn) return undefined;
  const qualified = ctx.scope.imports.qualify(fn);
  const nnName = qualified?.startsWith('torch.nn.') && qualified.split('.').length === 3 ? qualified.slice('torch.nn.'.length) : undefined;
  if (!nnName) {
    if (fn.type === 'identifier' && ctx.classNames.has(fn.text)) return { kind: 'opaque', node, what: `the custom module ${fn.text}` };
    return undefined;
  }
  if (nnName === 'Sequential') return sequential(node, path, ctx);
  if (nnName === 'ModuleList') return moduleList(node, path, ctx);
  if (nnName === 'Flatten' || nnName === 'Unflatten') return { kind: 'identity', node, what: `nn.${nnName}` };
  if (nnName === 'Linear' || nnName === 'Dropout' || nnName === 'LayerNorm' || ACTIVATIONS.has(nnName)) {
    const layer = layer_(node, nnName as LayerType, path, ctx);
    return layer ? { kind: 'layer', layer } : { kind: 'opaque', node, what: `nn.${nnName}(…)`, reported: true };
  }
  if (/^[A-Z]/.test(nnName)) return { kind: 'opaque', node, what: `nn.${nnName}` };
  return undefined;
}

function layer_(call: SyntaxNode, type: LayerType, path: string, ctx: BuildContext): LayerRecord | undefined {
  const args = callArguments(call);
  if (args.splat) {
    ctx.notes.block(args.splat, `nn.${type}(…): unpacked arguments (${snippet(args.splat)}) have no value Weightscope can read.`);
    return undefined;
  }
  const positional = POSITIONAL[type] ?? [];
  const allowed = type === 'Linear' ? ['in_features', 'out_features', 'bias'] : type === 'Dropout' ? ['p'] : type === 'LayerNorm' ? ['normalized_shape', 'eps', 'elementwise_affine'] : [...ACTIVATION_ARGS[type as ActivationType]];
  const given: { key: string; keyNode: SyntaxNode; value: SyntaxNode }[] = [];
  args.positional.forEach((value, i) => {
    const key = positional[i];
    if (key) given.push({ key, keyNode: value, value });
    else ctx.notes.assume(value, `extra argument ${snippet(value)} of nn.${type}`, 'It is ignored.');
  });
  for (const [key, { name, value }] of args.keywords) given.push({ key, keyNode: name, value });

  const entries: LocatedEntry[] = [];
  const record: LayerRecord = { path, type, call, entries, init: {}, initCalls: {}, shape: { bias: true }, builtAt: codeOrder() };
  let ok = true;
  for (const g of given) {
    if (HARMLESS.has(g.key)) continue;
    if (g.key === 'dtype') {
      ctx.notes.assume(g.keyNode, `dtype=${g.value.text}`, 'Weightscope initializes and trains in float32, PyTorch\'s default dtype.');
      continue;
    }
    if (!allowed.includes(g.key)) {
      ctx.notes.assume(g.keyNode, `argument ${g.key} of nn.${type}`, 'It is ignored.');
      continue;
    }
    const v = evaluate(g.value, ctx.scope);
    if (!v.ok) {
      ctx.notes.block(v.node, `${g.key} of nn.${type}: ${v.reason} is not something Weightscope can compute (it evaluates literal arithmetic, module-level constants and constructor defaults).`);
      ok = false;
      continue;
    }
    let value: PyValue = v.value;
    if (g.key === 'normalized_shape' && Array.isArray(value)) {
      if (value.length !== 1) {
        ctx.notes.block(g.value, `nn.LayerNorm over ${value.length} dimensions: Weightscope models LayerNorm over the last dimension of (N, features) inputs only.`);
        ok = false;
        continue;
      }
      value = value[0]!;
    }
    if (Array.isArray(value)) {
      ctx.notes.block(g.value, `${g.key} of nn.${type} is a sequence; Weightscope expects a number here.`);
      ok = false;
      continue;
    }
    entries.push(entry(g.key, g.keyNode, scalar(value as string | number | boolean | null, g.value)));
  }
  if (!ok) return undefined;
  const num = (key: string): number | undefined => {
    const e = entries.find((x) => x.key === key)?.value;
    return e?.kind === 'scalar' && typeof e.value === 'number' ? e.value : undefined;
  };
  const bias = entries.find((x) => x.key === 'bias')?.value;
  record.shape = { in: num('in_features'), out: num('out_features'), bias: !(bias?.kind === 'scalar' && bias.value === false), width: num('normalized_shape') };
  return record;
}

function sequential(call: SyntaxNode, path: string, ctx: BuildContext): ModuleValue {
  const args = callArguments(call);
  const children: ModuleValue[] = [];
  const childPath = (name: string | number): string => (path ? `${path}.${name}` : String(name));
  // nn.Sequential(OrderedDict([('fc1', nn.Linear(…)), …])): children named by the keys.
  const only = args.positional.length === 1 ? unparen(args.positional[0]!) : undefined;
  if (only && ctx.scope.imports.qualify(callee(only) ?? only) === 'collections.OrderedDict') {
    const list = callArguments(only).positional[0];
    for (const pair of list && (list.type === 'list' || list.type === 'tuple') ? list.namedChildren : []) {
      const [key, value] = pair?.type === 'tuple' ? pair.namedChildren : [];
      const name = key ? evaluate(key, ctx.scope) : undefined;
      if (!key || !value || !name?.ok || typeof name.value !== 'string') {
        ctx.notes.block(pair ?? call, 'nn.Sequential(OrderedDict(…)): Weightscope reads (name, module) pairs with literal names.');
        return { kind: 'opaque', node: call, what: 'this nn.Sequential', reported: true };
      }
      children.push(child(value, childPath(name.value), ctx));
    }
    return { kind: 'sequential', node: call, path, children };
  }
  for (const arg of callArguments(call).positional) children.push(child(arg, childPath(children.length), ctx));
  if (args.splat) {
    const inner = args.splat.namedChild(0);
    if (args.splat.type === 'list_splat' && inner && (inner.type === 'list' || inner.type === 'list_comprehension')) {
      for (const m of listItems(inner, ctx)) children.push(m.build(childPath(children.length)));
    } else {
      ctx.notes.block(args.splat, `nn.Sequential(${snippet(args.splat)}): Weightscope reads modules written out in the call (or a literal list or comprehension), not a list built elsewhere.`);
      return { kind: 'opaque', node: call, what: 'this nn.Sequential', reported: true };
    }
  }
  return { kind: 'sequential', node: call, path, children };
}

function moduleList(call: SyntaxNode, path: string, ctx: BuildContext): ModuleValue {
  const args = callArguments(call);
  const arg = args.positional[0] ? unparen(args.positional[0]) : undefined;
  if (!arg) return { kind: 'list', node: call, path, items: [] };
  if (arg.type !== 'list' && arg.type !== 'list_comprehension') {
    ctx.notes.block(arg, `nn.ModuleList(${snippet(arg)}): Weightscope reads a literal list or a comprehension over a literal range.`);
    return { kind: 'opaque', node: call, what: 'this nn.ModuleList', reported: true };
  }
  const items = listItems(arg, ctx).map((m, i) => m.build(path ? `${path}.${i}` : String(i)));
  return { kind: 'list', node: call, path, items };
}

/** The module constructors of a literal list or a list comprehension, each built later with its path. */
function listItems(list: SyntaxNode, ctx: BuildContext): { build: (path: string) => ModuleValue }[] {
  if (list.type === 'list') {
    return list.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment').map((c) => ({ build: (p: string) => child(c, p, ctx) }));
  }
  const body = list.childForFieldName('body');
  const out: { build: (path: string) => ModuleValue }[] = [];
  if (!body) return out;
  const failed = forEachBinding(list, ctx.scope, (inner) => {
    out.push({ build: (p: string) => child(body, p, { ...ctx, scope: inner }) });
    return undefined;
  });
  if (failed && !failed.ok) ctx.notes.block(failed.node, `${snippet(list)}: ${failed.reason} is not something Weightscope can compute, so it cannot count these modules.`);
  return out;
}

function child(expr: SyntaxNode, path: string, ctx: BuildContext): ModuleValue {
  const m = buildModule(expr, path, ctx);
  if (m) return m;
  return { kind: 'opaque', node: expr, what: `\`${snippet(expr)}\`` };
}

/** The syntax a module value came from. */
export function nodeOf(m: ModuleValue): SyntaxNode {
  return m.kind === 'layer' ? m.layer.call : m.node;
}

/** Every layer in a module value, in order (for init statements that reach all of them). */
export function layersOf(m: ModuleValue): LayerRecord[] {
  switch (m.kind) {
    case 'layer':
      return [m.layer];
    case 'sequential':
      return m.children.flatMap(layersOf);
    case 'list':
      return m.items.flatMap(layersOf);
    default:
      return [];
  }
}
