/**
 * One `class X(nn.Module)`: the submodules its `__init__` builds, the
 * initialization statements it runs, and the chain its `forward` applies.
 * Constructor parameters take their default values, or the literal
 * arguments of the file's one instantiation (`model = MLP(784, 256)`).
 */
import type { PyValue, Scope } from './evaluate';
import { evaluate } from './evaluate';
import { readForward, type LayerUse } from './forward';
import { layersOfRoot, runInitStatements, runOne, type InitEnv } from './initStatements';
import { buildModule, layersOf, nodeOf, type ModuleValue } from './modules';
import { Notes } from './notes';
import type { SyntaxNode } from './parser';
import { assignmentOf, callArguments, callee, dottedParts, expressionOf, parameterName, snippet, statements, unparen } from './syntax';

export interface ClassModel {
  name: string;
  node: SyntaxNode;
  nameNode: SyntaxNode;
  submodules: Map<string, ModuleValue>;
  /** The forward chain, or undefined when it cannot be followed (the notes say why). */
  uses: LayerUse[] | undefined;
  forward: SyntaxNode | undefined;
  notes: Notes;
  /** Functions `.apply` may name: module-level defs and this class's methods as `self.name`. */
  functions: Map<string, SyntaxNode>;
  scope: Scope;
  /** The name `__init__` calls the instance (`self`). */
  self: string;
  /** A loss built as a submodule (`self.criterion = nn.CrossEntropyLoss()`). */
  loss?: SyntaxNode;
  /** The optimizer a LightningModule's configure_optimizers returns, and that method's assignments. */
  optimizer?: { call: SyntaxNode; resolve: (name: string) => SyntaxNode | undefined; scope: Scope };
}

export interface ClassContext {
  moduleScope: Scope;
  moduleFunctions: ReadonlyMap<string, SyntaxNode>;
  classNames: ReadonlySet<string>;
  /** Literal constructor arguments from the file's instantiation, if there is exactly one. */
  instantiation?: SyntaxNode;
}

export function readClass(node: SyntaxNode, ctx: ClassContext): ClassModel {
  const nameNode = node.childForFieldName('name')!;
  const notes = new Notes();
  const methods = new Map<string, SyntaxNode>();
  for (const s of statements(node.childForFieldName('body'))) {
    const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
    if (def?.type === 'function_definition') methods.set(def.childForFieldName('name')!.text, def);
  }
  const functions = new Map(ctx.moduleFunctions);
  const self = selfName(methods.get('__init__')) ?? 'self';
  for (const [name, def] of methods) functions.set(`${self}.${name}`, def);
  const values = new Map<string, PyValue>();
  const scope: Scope = { imports: ctx.moduleScope.imports, lookup: (name) => (values.has(name) ? values.get(name) : ctx.moduleScope.lookup(name)) };
  const submodules = new Map<string, ModuleValue>();
  const model: ClassModel = { name: nameNode.text, node, nameNode, submodules, uses: undefined, forward: methods.get('forward'), notes, functions, scope, self };

  const init = methods.get('__init__');
  if (!init) {
    notes.block(nameNode, `${nameNode.text} has no __init__, so it builds no layers Weightscope can read.`);
    return model;
  }
  bindConstructorParameters(init, ctx, values, notes);
  const env = (): InitEnv => ({
    scope, notes, roots: new Map([[self, submodules]]), modules: new Map(), params: new Map(), functions,
    allLayers: () => layersOfRoot(submodules), self,
  });
  for (const s of statements(init.childForFieldName('body'))) {
    if (isDocstring(s) || isSuperInit(s)) continue;
    const a = assignmentOf(s);
    const target = a ? dottedParts(a.left) : undefined;
    if (a && target?.length === 2 && target[0] === self) {
      const fn = callee(a.right);
      const q = fn ? scope.imports.qualify(fn) : undefined;
      if (q?.startsWith('torch.nn.') && q.endsWith('Loss')) {
        model.loss = unparen(a.right);
        continue;
      }
      const module = buildModule(a.right, target[1]!, { scope, notes, classNames: ctx.classNames });
      if (module) {
        submodules.set(target[1]!, module);
        continue;
      }
      const v = evaluate(a.right, scope);
      if (v.ok) {
        values.set(`${self}.${target[1]}`, v.value);
        continue;
      }
    }
    if (a && a.left.type === 'identifier') {
      const v = evaluate(a.right, scope);
      if (v.ok) {
        values.set(a.left.text, v.value);
        continue;
      }
    }
    if (mutatesModules(s, self)) {
      notes.block(s, `\`${snippet(s)}\` adds or replaces submodules in a way Weightscope does not follow (it reads self.name = nn.Module(…) assignments, nn.Sequential and nn.ModuleList written out), so it cannot model ${nameNode.text}.`);
      continue;
    }
    if (runOne(s, env())) continue;
    // self.reset_parameters() / self._init_weights(): a method of this class, read for its init statements.
    const method = selfMethodCall(s, self, methods);
    if (method) {
      for (const u of runInitStatements(statements(method.childForFieldName('body')), env())) {
        notes.assume(u, `\`${snippet(u)}\` in ${method.childForFieldName('name')!.text}()`, 'Weightscope assumed it does not change the initialization.');
      }
      continue;
    }
    notes.assume(s, `\`${snippet(s)}\` in __init__`, 'Weightscope assumed it does not change the layers or their initialization.');
  }

  const configure = methods.get('configure_optimizers');
  if (configure) model.optimizer = configuredOptimizer(configure, scope);

  const forward = methods.get('forward');
  if (!forward) {
    notes.block(nameNode, `${nameNode.text} has no forward method, so Weightscope cannot tell in which order its layers run.`);
    return model;
  }
  model.uses = readForward(forward, { scope, notes, submodules, self });
  if (model.uses) reportUnused(model, notes);
  return model;
}

/**
 * A LightningModule's `configure_optimizers`: the optimizer call it returns
 * (directly, through a variable, or as the first of a list or a dict's
 * "optimizer"), with the method's own assignments for its arguments.
 */
function configuredOptimizer(def: SyntaxNode, moduleScope: Scope): ClassModel['optimizer'] {
  const assigned = new Map<string, SyntaxNode>();
  const values = new Map<string, PyValue>();
  const scope: Scope = { imports: moduleScope.imports, lookup: (name) => (values.has(name) ? values.get(name) : moduleScope.lookup(name)) };
  const isOptimizer = (n: SyntaxNode | undefined): SyntaxNode | undefined => {
    const call = n ? unparen(n) : undefined;
    const fn = call ? callee(call) : undefined;
    const q = fn ? scope.imports.qualify(fn) : undefined;
    return q?.startsWith('torch.optim.') && !q.startsWith('torch.optim.lr_scheduler') ? call : undefined;
  };
  const follow = (n: SyntaxNode): SyntaxNode => (n.type === 'identifier' && assigned.has(n.text) ? assigned.get(n.text)! : n);
  for (const s of statements(def.childForFieldName('body'))) {
    const a = assignmentOf(s);
    if (a?.left.type === 'identifier') {
      assigned.set(a.left.text, a.right);
      const v = evaluate(a.right, scope);
      if (v.ok) values.set(a.left.text, v.value);
      continue;
    }
    if (s.type !== 'return_statement' || !s.namedChild(0)) continue;
    let value = follow(unparen(s.namedChild(0)!));
    // return [optimizer], [scheduler] / (optimizer, …): the first item, as deep as it goes.
    for (let depth = 0; depth < 3 && ['list', 'tuple', 'expression_list'].includes(value.type) && value.namedChildren[0]; depth++) {
      value = follow(unparen(value.namedChildren[0]));
    }
    if (value.type === 'dictionary') {
      const pair = value.namedChildren.find((p) => p.type === 'pair' && /^['"]optimizer['"]$/.test(p.childForFieldName('key')?.text ?? ''));
      if (pair) value = follow(unparen(pair.childForFieldName('value')!));
    }
    const call = isOptimizer(value);
    if (call) return { call, resolve: (name) => assigned.get(name), scope };
  }
  return undefined;
}

/** Statements that add submodules other than by `self.name = …`: ModuleList.append, add_module, setattr, loops assigning self.*. */
function mutatesModules(s: SyntaxNode, self: string): boolean {
  const text = s.text;
  const selfAssign = new RegExp(`\\b${self}\\.\\w+(\\[[^\\]]*\\])?\\s*(\\+?=)(?!=)`);
  if (/\.(append|extend|insert|add_module|register_module)\s*\(|\bsetattr\s*\(/.test(text)) return true;
  // An assignment to self.* nested in a loop or a branch (a plain one was read above).
  return s.type !== 'expression_statement' && selfAssign.test(text) || s.type === 'expression_statement' && s.namedChild(0)?.type === 'augmented_assignment' && selfAssign.test(text);
}

/** `self.m()` with `m` a method of this class taking no other argument. */
function selfMethodCall(s: SyntaxNode, self: string, methods: ReadonlyMap<string, SyntaxNode>): SyntaxNode | undefined {
  const call = expressionOf(s);
  const fn = call && unparen(call).type === 'call' ? unparen(call).childForFieldName('function') : undefined;
  const parts = fn ? dottedParts(fn) : undefined;
  if (!parts || parts.length !== 2 || parts[0] !== self) return undefined;
  const def = methods.get(parts[1]!);
  const params = def?.childForFieldName('parameters')?.namedChildren ?? [];
  return def && params.length === 1 && callArguments(unparen(call!)).positional.length === 0 ? def : undefined;
}

function selfName(def: SyntaxNode | undefined): string | undefined {
  const first = def?.childForFieldName('parameters')?.namedChildren[0];
  return first?.type === 'identifier' ? first.text : undefined;
}

function isDocstring(s: SyntaxNode): boolean {
  return s.type === 'expression_statement' && unparen(s.namedChild(0)!).type === 'string';
}

function isSuperInit(s: SyntaxNode): boolean {
  const e = expressionOf(s);
  return !!e && /^(super\s*\([^)]*\)\s*\.__init__|nn\.Module\.__init__|torch\.nn\.Module\.__init__)\s*\(/.test(e.text);
}

/** Constructor parameters: the instantiation's literal arguments, else the defaults. */
function bindConstructorParameters(init: SyntaxNode, ctx: ClassContext, values: Map<string, PyValue>, notes: Notes): void {
  const params = init.childForFieldName('parameters')?.namedChildren.filter((p): p is SyntaxNode => p !== null).slice(1) ?? [];
  const given = ctx.instantiation ? callArguments(ctx.instantiation) : undefined;
  params.forEach((p, i) => {
    const name = parameterName(p);
    if (!name) return;
    const arg = given?.keywords.get(name)?.value ?? given?.positional[i];
    if (arg) {
      const v = evaluate(arg, ctx.moduleScope);
      if (v.ok) {
        values.set(name, v.value);
        return;
      }
      notes.assume(arg, `the argument ${snippet(arg)} for ${name}`, `${v.reason} has no value Weightscope can compute; it uses ${name}'s default instead.`);
    }
    const def = p.childForFieldName('value');
    if (def) {
      const v = evaluate(def, ctx.moduleScope);
      if (v.ok) values.set(name, v.value);
    }
  });
}

function reportUnused(model: ClassModel, notes: Notes): void {
  const used = new Set(model.uses!.map((u) => u.layer));
  for (const [attr, m] of model.submodules) {
    const unused = layersOf(m).filter((l) => !used.has(l) && (l.type === 'Linear' || l.type === 'LayerNorm'));
    if (unused.length > 0) {
      notes.assume(nodeOf(m), `self.${attr}, never applied in forward`, `Weightscope leaves its parameters (${unused.map((l) => l.path).join(', ')}) out of the model.`);
    }
  }
}
