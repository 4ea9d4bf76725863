/**
 * Initialization statements → per-parameter initializers:
 *
 *   nn.init.kaiming_normal_(self.fc1.weight, nonlinearity='relu')
 *   self.fc1.weight.data.normal_(0, 0.01);  self.fc1.bias.data.zero_() / .fill_(0.01)
 *   with torch.no_grad(): …
 *   self.apply(init_fn)  /  for m in self.modules(): …   with  if isinstance(m, nn.Linear): …
 *   for name, p in self.named_parameters(): if 'bias' in name: nn.init.zeros_(p) …
 *
 * Statements run in order and a later one overwrites an earlier one's values,
 * as the in-place calls do in torch; each fill's place in the code is kept
 * (LayerRecord.fillsAt), since every one of them draws from the generator.
 */
import { findInitializer, canonicalInitializerName } from '../engine/init/registry';
import type { LocatedEntry } from '../engine/model/located';
import { evaluate, truthy, withBindings, type PyValue, type Scope } from './evaluate';
import { entry, object, scalar } from './located';
import { codeOrder, layersOf, type LayerRecord, type ModuleValue } from './modules';
import type { Notes } from './notes';
import type { SyntaxNode } from './parser';
import { callArguments, callee, dottedParts, expressionOf, assignmentOf, parameterName, snippet, statements, unparen } from './syntax';

export type Param = 'weight' | 'bias';

export interface ParamRef {
  layer: LayerRecord;
  param: Param;
}

/** Names the statements can see: the model's submodules under `self` (or an instance variable), loop variables. */
export interface InitEnv {
  scope: Scope;
  notes: Notes;
  /** `self` (or `model`) → the model's submodules by attribute. */
  roots: ReadonlyMap<string, ReadonlyMap<string, ModuleValue>>;
  /** A loop or apply variable bound to one layer (`m`). */
  modules: ReadonlyMap<string, LayerRecord | 'other'>;
  /** A loop variable bound to one parameter (`p`). */
  params: ReadonlyMap<string, ParamRef>;
  /** Functions an `apply` can name: module-level defs and the class's methods (`self._init_weights`). */
  functions: ReadonlyMap<string, SyntaxNode>;
  /** Every layer of the model, in order (what `.apply` and `.modules()` visit); computed when asked. */
  allLayers: () => readonly LayerRecord[];
  /** The model's root name (`self`), for `self.apply`. */
  self: string;
}

/** Tensor methods that initialize in place: their torch positional parameters and the nn.init equivalent. */
const TENSOR_METHODS: Readonly<Record<string, { fn: string; params: readonly { name: string; as: string; default?: number }[] }>> = {
  normal_: { fn: 'normal_', params: [{ name: 'mean', as: 'mean', default: 0 }, { name: 'std', as: 'std', default: 1 }] },
  uniform_: { fn: 'uniform_', params: [{ name: 'from', as: 'a', default: 0 }, { name: 'to', as: 'b', default: 1 }] },
  zero_: { fn: 'zeros_', params: [] },
  fill_: { fn: 'constant_', params: [{ name: 'value', as: 'val' }] },
};

/** Runs init statements; returns the statements it did not recognize (the caller decides what to say about them). */
export function runInitStatements(stmts: readonly SyntaxNode[], env: InitEnv): SyntaxNode[] {
  const unread: SyntaxNode[] = [];
  for (const s of stmts) {
    if (!runOne(s, env)) unread.push(s);
  }
  return unread;
}

/** Is `s` an init statement? If so, applies it and returns true. */
export function runOne(s: SyntaxNode, env: InitEnv): boolean {
  if (s.type === 'with_statement') {
    const clause = s.namedChildren.find((c) => c?.type === 'with_clause');
    const what = clause?.text ?? '';
    if (!/no_grad\(\)/.test(what)) return false;
    const unread = runInitStatements(statements(s.childForFieldName('body')), env);
    for (const u of unread) env.notes.assume(u, `\`${snippet(u)}\` in torch.no_grad()`, 'Weightscope assumed it does not change the initialization.');
    return true;
  }
  if (s.type === 'if_statement') return runIf(s, env);
  if (s.type === 'for_statement') return runFor(s, env);
  if (s.type === 'pass_statement') return true;
  const assignment = assignmentOf(s);
  if (assignment) {
    const target = paramOf(assignment.left, env);
    if (target) {
      env.notes.assume(s, `assigning ${snippet(assignment.left)}`, 'Weightscope keeps the initializer set before this line (or torch\'s default); write it as nn.init.*_(…) or .data.normal_(…) for Weightscope to read it.');
      return true;
    }
    return false;
  }
  const expr = expressionOf(s);
  if (!expr || unparen(expr).type !== 'call') return false;
  return runCall(unparen(expr), s, env);
}

function runCall(call: SyntaxNode, statement: SyntaxNode, env: InitEnv): boolean {
  const fn = callee(call)!;
  const qualified = env.scope.imports.qualify(fn);
  const args = callArguments(call);
  if (qualified?.startsWith('torch.nn.init.')) {
    const name = qualified.slice('torch.nn.init.'.length);
    const tensor = args.positional[0] ?? args.keywords.get('tensor')?.value;
    const targets = tensor ? paramsOf(tensor, env) : undefined;
    if (!targets) {
      if (tensor) env.notes.assume(tensor, `nn.init.${name} on ${snippet(tensor)}`, 'Weightscope cannot tell which parameter this is, so it keeps that parameter\'s earlier initializer.');
      return true;
    }
    const fnName = canonicalInitializerName(name);
    const known = findInitializer(fnName);
    const positional = known ? known.params.map((p) => p.name) : [];
    const entries: LocatedEntry[] = [entry('fn', fn.type === 'attribute' ? fn.childForFieldName('attribute')! : fn, scalar(fnName, fn.type === 'attribute' ? fn.childForFieldName('attribute')! : fn))];
    const given: { key: string; keyNode: SyntaxNode; value: SyntaxNode }[] = [];
    args.positional.slice(1).forEach((v, i) => {
      const key = positional[i];
      if (key) given.push({ key, keyNode: v, value: v });
      else env.notes.assume(v, `extra argument ${snippet(v)} of ${fnName}`, 'It is ignored.');
    });
    for (const [key, { name: keyNode, value }] of args.keywords) if (key !== 'tensor' && key !== 'generator') given.push({ key, keyNode, value });
    for (const g of given) {
      const v = evaluate(g.value, env.scope);
      if (!v.ok || !(typeof v.value === 'number' || typeof v.value === 'string' || typeof v.value === 'boolean')) {
        env.notes.assume(g.value, `${g.key}=${snippet(g.value)} of ${fnName}`, `${v.ok ? 'It is not a number or a string' : `${v.reason} has no value Weightscope can compute`}; it assumed torch's default for ${g.key}.`);
        continue;
      }
      entries.push(entry(g.key, g.keyNode, scalar(v.value, g.value)));
    }
    for (const t of targets) setInit(t, object(call, entries), statement, env);
    return true;
  }
  if (fn.type === 'attribute') {
    const method = fn.childForFieldName('attribute')?.text ?? '';
    const object_ = fn.childForFieldName('object')!;
    const spec = TENSOR_METHODS[method];
    if (spec) {
      const targets = paramsOf(object_, env);
      if (!targets) return false;
      const methodNode = fn.childForFieldName('attribute')!;
      const entries: LocatedEntry[] = [entry('fn', methodNode, scalar(spec.fn, methodNode))];
      spec.params.forEach((p, i) => {
        const node = args.keywords.get(p.name)?.value ?? args.positional[i];
        const keyNode = args.keywords.get(p.name)?.name ?? node;
        if (!node) {
          if (p.default !== undefined) entries.push(entry(p.as, methodNode, scalar(p.default, methodNode)));
          return;
        }
        const v = evaluate(node, env.scope);
        if (!v.ok || typeof v.value !== 'number') {
          env.notes.assume(node, `${p.name}=${snippet(node)} of .${method}()`, `${v.ok ? 'It is not a number' : `${v.reason} has no value Weightscope can compute`}; the initializer is not read.`);
          return;
        }
        entries.push(entry(p.as, keyNode!, scalar(v.value, node)));
      });
      if (spec.fn === 'constant_' && !entries.some((e) => e.key === 'val')) return true;
      for (const t of targets) setInit(t, object(call, entries), statement, env);
      return true;
    }
    if (method === 'apply') {
      const root = dottedParts(object_);
      if (!root || root.length !== 1 || !env.roots.has(root[0]!)) return false;
      const target = args.positional[0];
      const def = target ? functionFor(target, env) : undefined;
      if (!def) {
        env.notes.assume(target ?? call, `${snippet(call)}`, 'Weightscope reads .apply(fn) when fn is a def in this file; it kept the initializers set so far.');
        return true;
      }
      const param = (def.childForFieldName('parameters')?.namedChildren ?? []).map(parameterName).filter((p) => p !== undefined && p !== 'self')[0];
      if (!param) return true;
      runPerLayer(statements(def.childForFieldName('body')), param, env);
      return true;
    }
  }
  return false;
}

function functionFor(target: SyntaxNode, env: InitEnv): SyntaxNode | undefined {
  const parts = dottedParts(target);
  if (!parts) return undefined;
  if (parts.length === 1) return env.functions.get(parts[0]!);
  if (parts.length === 2 && parts[0] === env.self) return env.functions.get(`${env.self}.${parts[1]}`);
  return undefined;
}

/** The body of an apply function or a `for m in self.modules()` loop, once per module. */
function runPerLayer(body: SyntaxNode[], variable: string, env: InitEnv): void {
  const reported = new Set<SyntaxNode>();
  // torch visits every module, the containers and the model itself too: they are "other" here.
  const visits: (LayerRecord | 'other')[] = [...env.allLayers(), 'other'];
  for (const layer of visits) {
    const modules = new Map(env.modules);
    modules.set(variable, layer);
    const inner: InitEnv = { ...env, modules };
    for (const u of runInitStatements(body, inner)) {
      if (reported.has(u)) continue;
      reported.add(u);
      env.notes.assume(u, `\`${snippet(u)}\``, 'Weightscope assumed it does not change the initialization.');
    }
  }
}

function runFor(s: SyntaxNode, env: InitEnv): boolean {
  const left = s.childForFieldName('left');
  const right = s.childForFieldName('right');
  const body = statements(s.childForFieldName('body'));
  if (!left || !right) return false;
  const call = unparen(right);
  const fn = callee(call);
  const parts = fn ? dottedParts(fn) : undefined;
  if (!parts || parts.length !== 2 || !env.roots.has(parts[0]!)) return false;
  const method = parts[1];
  if ((method === 'modules' || method === 'children') && left.type === 'identifier') {
    runPerLayer(body, left.text, env);
    return true;
  }
  if (method === 'named_parameters' || method === 'parameters') {
    const names = method === 'named_parameters' ? unparen(left).namedChildren.filter((c) => c?.type === 'identifier').map((c) => c!.text) : [left.text];
    if ((method === 'named_parameters' && names.length !== 2) || (method === 'parameters' && left.type !== 'identifier')) return false;
    const [nameVar, paramVar] = method === 'named_parameters' ? names : [undefined, names[0]];
    const reported = new Set<SyntaxNode>();
    for (const ref of allParams(env.allLayers())) {
      const params = new Map(env.params);
      params.set(paramVar!, ref);
      const values = new Map<string, PyValue>();
      if (nameVar) values.set(nameVar, `${ref.layer.path}.${ref.param}`);
      const shape = paramShape(ref);
      values.set(`${paramVar}.ndim`, shape.length);
      values.set(`${paramVar}.shape`, shape);
      const inner: InitEnv = { ...env, params, scope: withBindings(env.scope, values) };
      for (const u of runInitStatements(body, inner)) {
        if (reported.has(u)) continue;
        reported.add(u);
        env.notes.assume(u, `\`${snippet(u)}\``, 'Weightscope assumed it does not change the initialization.');
      }
    }
    return true;
  }
  return false;
}

function runIf(s: SyntaxNode, env: InitEnv): boolean {
  // if / elif / else: the first branch whose condition holds.
  const branches: { condition: SyntaxNode | null; body: SyntaxNode | null }[] = [{ condition: s.childForFieldName('condition'), body: s.childForFieldName('consequence') }];
  for (const alt of s.childrenForFieldName('alternative')) {
    if (!alt) continue;
    if (alt.type === 'elif_clause') branches.push({ condition: alt.childForFieldName('condition'), body: alt.childForFieldName('consequence') });
    else branches.push({ condition: null, body: alt.childForFieldName('body') });
  }
  const decisions: (boolean | undefined)[] = [];
  for (const b of branches) {
    const holds = b.condition ? condition(b.condition, env) : true;
    decisions.push(holds);
    if (holds === undefined) {
      // We cannot decide: this is not an init statement we understand.
      if (decisions.length === 1 && !mentionsTensor(s, env)) return false;
      env.notes.assume(b.condition!, `the condition \`${snippet(b.condition!)}\``, 'Weightscope cannot decide it, so it skipped this if statement.');
      return true;
    }
    if (holds) {
      for (const u of runInitStatements(statements(b.body), env)) env.notes.assume(u, `\`${snippet(u)}\``, 'Weightscope assumed it does not change the initialization.');
      return true;
    }
  }
  return true;
}

function mentionsTensor(s: SyntaxNode, env: InitEnv): boolean {
  return [...env.modules.keys(), ...env.params.keys()].some((v) => new RegExp(`\\b${v}\\b`).test(s.text));
}

/** isinstance(m, nn.Linear) / type(m) == nn.Linear / m.bias is not None / 'bias' in name / p.dim() > 1 / and, or, not. */
function condition(c: SyntaxNode, env: InitEnv): boolean | undefined {
  const n = unparen(c);
  if (n.type === 'not_operator') {
    const inner = n.childForFieldName('argument');
    const v = inner ? condition(inner, env) : undefined;
    return v === undefined ? undefined : !v;
  }
  if (n.type === 'boolean_operator') {
    const a = condition(n.childForFieldName('left')!, env);
    const b = condition(n.childForFieldName('right')!, env);
    if (a === undefined || b === undefined) return undefined;
    return n.childForFieldName('operator')?.text === 'and' ? a && b : a || b;
  }
  if (n.type === 'call') {
    const fn = callee(n)!;
    if (fn.text === 'isinstance') {
      const [subject, classes] = callArguments(n).positional;
      const layer = subject?.type === 'identifier' ? env.modules.get(subject.text) : undefined;
      if (!layer || !classes) return undefined;
      const list = unparen(classes).type === 'tuple' ? unparen(classes).namedChildren.filter((x): x is SyntaxNode => x !== null) : [classes];
      return list.some((cls) => isClass(cls, layer, env));
    }
    if (fn.type === 'identifier' && fn.text === 'hasattr') {
      const [subject, attr] = callArguments(n).positional;
      const layer = subject?.type === 'identifier' ? env.modules.get(subject.text) : undefined;
      const name = attr ? evaluate(attr, env.scope) : undefined;
      if (!layer || !name?.ok) return undefined;
      if (layer === 'other') return false;
      return name.value === 'weight' ? hasParam(layer, 'weight') : name.value === 'bias' ? hasParam(layer, 'bias') : undefined;
    }
    // p.dim() as a value.
    const parts = dottedParts(fn);
    if (parts?.length === 2 && parts[1] === 'dim' && env.params.has(parts[0]!)) return undefined;
  }
  if (n.type === 'comparison_operator') {
    const [a, b] = n.namedChildren;
    const op = n.children.filter((x) => x && !x.isNamed).map((x) => x!.text).join(' ');
    // m.bias is not None / m.bias is None
    if (a && b && b.type === 'none' && (op === 'is not' || op === 'is')) {
      const ref = paramOf(a, env);
      const parts = dottedParts(a);
      const layer = parts?.length === 2 ? env.modules.get(parts[0]!) : undefined;
      const exists = ref ? hasParam(ref.layer, ref.param) : layer === 'other' ? false : layer ? hasParam(layer, parts![1] as Param) : undefined;
      if (exists === undefined) return undefined;
      return op === 'is not' ? exists : !exists;
    }
    // type(m) == nn.Linear
    if (a && b && op === '==' && callee(a)?.text === 'type') {
      const subject = callArguments(unparen(a)).positional[0];
      const layer = subject?.type === 'identifier' ? env.modules.get(subject.text) : undefined;
      if (!layer) return undefined;
      return isClass(b, layer, env);
    }
    // p.dim() > 1: rewrite as p.ndim
    const dimCall = a && callee(a) && dottedParts(callee(a)!);
    if (dimCall?.length === 2 && dimCall[1] === 'dim' && env.params.has(dimCall[0]!) && b) {
      const ndim = paramShape(env.params.get(dimCall[0]!)!).length;
      const other = evaluate(b, env.scope);
      if (!other.ok || typeof other.value !== 'number') return undefined;
      const y = other.value;
      switch (op) {
        case '>': return ndim > y;
        case '>=': return ndim >= y;
        case '<': return ndim < y;
        case '<=': return ndim <= y;
        case '==': return ndim === y;
        case '!=': return ndim !== y;
        default: return undefined;
      }
    }
  }
  const v = evaluate(n, env.scope);
  return v.ok ? truthy(v.value) : undefined;
}

function isClass(cls: SyntaxNode, layer: LayerRecord | 'other', env: InitEnv): boolean {
  const q = env.scope.imports.qualify(cls);
  if (layer === 'other') return false;
  return q === `torch.nn.${layer.type}`;
}

function hasParam(layer: LayerRecord, param: Param): boolean {
  if (layer.type === 'Linear') return param === 'weight' || layer.shape.bias;
  if (layer.type === 'LayerNorm') {
    const affine = layer.entries.find((e) => e.key === 'elementwise_affine')?.value;
    return !(affine?.kind === 'scalar' && affine.value === false);
  }
  return false;
}

export function paramShape(ref: ParamRef): number[] {
  const s = ref.layer.shape;
  if (ref.layer.type === 'Linear') return ref.param === 'weight' ? [s.out ?? 0, s.in ?? 0] : [s.out ?? 0];
  return [s.width ?? 0];
}

function allParams(layers: readonly LayerRecord[]): ParamRef[] {
  return layers.flatMap((layer) => (['weight', 'bias'] as const).filter((p) => hasParam(layer, p)).map((param) => ({ layer, param })));
}

/** `self.fc1.weight`, `self.net[0].bias.data`, `m.weight`, `p`: the parameter(s) an expression names. */
export function paramsOf(node: SyntaxNode, env: InitEnv): ParamRef[] | undefined {
  const one = paramOf(node, env);
  if (one) return [one];
  return undefined;
}

function paramOf(node: SyntaxNode, env: InitEnv): ParamRef | undefined {
  let n = unparen(node);
  if (n.type === 'attribute' && n.childForFieldName('attribute')?.text === 'data') n = n.childForFieldName('object')!;
  if (n.type === 'identifier') return env.params.get(n.text);
  if (n.type !== 'attribute') return undefined;
  const param = n.childForFieldName('attribute')?.text;
  if (param !== 'weight' && param !== 'bias') return undefined;
  const owner = n.childForFieldName('object')!;
  if (owner.type === 'identifier' && env.modules.has(owner.text)) {
    const layer = env.modules.get(owner.text)!;
    return layer === 'other' || (layer.type !== 'Linear' && layer.type !== 'LayerNorm') ? undefined : { layer, param };
  }
  const m = moduleAt(owner, env.roots);
  return m?.kind === 'layer' ? { layer: m.layer, param } : undefined;
}

/** The submodule an expression names: `self.fc1`, `self.net[0]`, `model.layers[2]`. */
export function moduleAt(node: SyntaxNode, roots: ReadonlyMap<string, ReadonlyMap<string, ModuleValue>>): ModuleValue | undefined {
  const n = unparen(node);
  if (n.type === 'attribute') {
    const object_ = n.childForFieldName('object')!;
    const attr = n.childForFieldName('attribute')!.text;
    if (object_.type === 'identifier') return roots.get(object_.text)?.get(attr);
    const parent = moduleAt(object_, roots);
    if (parent?.kind === 'sequential') return parent.children.find((c) => c.kind === 'layer' && c.layer.path.endsWith(`.${attr}`));
    return undefined;
  }
  if (n.type === 'subscript') {
    const value = n.childForFieldName('value')!;
    const index = n.childForFieldName('subscript');
    if (!index || index.type !== 'integer') return undefined;
    // `net[0]` on an nn.Sequential model: its children by position.
    if (value.type === 'identifier') return roots.get(value.text)?.get(index.text);
    const parent = moduleAt(value, roots);
    if (!parent) return undefined;
    const items = parent.kind === 'sequential' ? parent.children : parent.kind === 'list' ? parent.items : undefined;
    const i = Number(index.text);
    return items?.[i];
  }
  return undefined;
}

function setInit(t: ParamRef, value: ReturnType<typeof object>, statement: SyntaxNode, env: InitEnv): void {
  const { layer, param } = t;
  if (!hasParam(layer, param)) {
    env.notes.assume(statement, `initializing ${layer.path}.${param}`, `${layer.path} has no ${param} (torch raises here); Weightscope ignores the statement.`);
    return;
  }
  if (layer.type !== 'Linear') {
    const fn = value.entries.find((e) => e.key === 'fn')?.value;
    const name = fn?.kind === 'scalar' ? String(fn.value) : '';
    const isDefault = (param === 'weight' && name === 'ones_') || (param === 'bias' && name === 'zeros_');
    if (!isDefault) env.notes.assume(statement, `${name} on ${layer.path}.${param} (nn.${layer.type})`, `Weightscope initializes ${layer.type} parameters as torch's default (weight ones, bias zeros).`);
    return;
  }
  layer.init[param] = value;
  layer.initCalls[param] = statement;
  // Every fill draws in torch, also one that a later statement overwrites: the chain keeps the last, so its reader
  // checks these (resolve.ts, chainKeepsDraws).
  const fn = value.entries.find((e) => e.key === 'fn')?.value;
  const draws = findInitializer(fn?.kind === 'scalar' ? String(fn.value) : '')?.draws !== 'none';
  const fills = (layer.fillsAt ??= {});
  (fills[param] ??= []).push({ at: codeOrder(), draws });
}

/** Every layer in a set of submodules. */
export function layersOfRoot(root: ReadonlyMap<string, ModuleValue>): LayerRecord[] {
  return [...root.values()].flatMap(layersOf);
}

