/**
 * A Python file → the models in it, each as the model-file tree a
 * `*.nn.json` would give (ranges on the Python code), decoded and linted by
 * the engine exactly as a model file is. Nothing is executed: the syntax
 * tree is read, and only literal arithmetic is evaluated.
 *
 * Models are `class X(nn.Module)` definitions and `name = nn.Sequential(…)`
 * assignments. The loss and optimizer come from the code that instantiates
 * them (`model = X()`, `criterion = nn.BCELoss()`,
 * `optim.AdamW(model.parameters(), …)`), at module level, under
 * `if __name__ == "__main__":` or in a top-level function.
 */
import { decodeModel, forwardGap, type DecodeOptions, type DecodeResult } from '../engine/model/decode';
import type { ModelDiagnostic } from '../engine/model/diagnostic';
import type { Located, LocatedEntry, SourceRange } from '../engine/model/located';
import { lintModel } from '../engine/model/lints';
import { MODEL_FORMAT_VERSION } from '../engine/model/spec';
import { readClass, type ClassModel } from './classModel';
import { directivesFor, readDirectives, justAbove, type Directive } from './directives';
import { evaluate, type PyValue, type Scope } from './evaluate';
import { sequentialUses, type LayerUse } from './forward';
import { Imports } from './imports';
import { runOne, type InitEnv } from './initStatements';
import { array, entry, object, scalar } from './located';
import { buildModule, type LayerRecord, type ModuleValue } from './modules';
import { NO_FORWARD, Notes } from './notes';
import { sourceFile, torchPackageName, type FileLoader, type SourceFile } from './interp/files';
import { readModuleTree, type ReadTree } from './interp/readModel';
import { checkForwardGraph } from '../engine/graph/check';
import type { ForwardGraph } from '../engine/graph/ir';
import { namedParameters } from '../engine/modules/tree';
import type { SyntaxNode, SyntaxTree } from './parser';
import { plainTree } from './plainTree';
import { assignmentOf, callee, rangeOf, snippet, statements, unparen } from './syntax';
import { optimizerRoot, readLoss, readOptimizer, type ParameterInfo } from './training';

export interface PythonModel {
  name: string;
  /** A class, an `nn.Sequential(…)` assignment, or a call of the file's function that returns a model (`model = resnet50()`). */
  kind: 'class' | 'sequential' | 'call';
  /**
   * The file's model: the one instantiated at module level (the first, when several are), else the
   * outermost class that no other class uses. Commands and the inspector take it when none is named.
   */
  primary: boolean;
  /** The class definition or the assignment: CodeLenses go on its first line. */
  anchor: SourceRange;
  nameRange: SourceRange;
  /** False when a construct outside the subset stops Weightscope from modelling it (its notes say which). */
  modelable: boolean;
  /** The spec (when modelable and free of errors), its diagnostics, and the model-file tree. */
  result: DecodeResult;
  /** The layers in forward order, for hovers. */
  uses: LayerUse[];
}

export interface PythonFile {
  /** The syntax tree the models were read from (plain nodes), for hovers. */
  root: SyntaxNode;
  models: PythonModel[];
  /** Every diagnostic of the file (each model's, and the file's own), sorted and without repeats. */
  diagnostics: ModelDiagnostic[];
}

interface Candidate {
  kind: 'class' | 'sequential' | 'call';
  name: string;
  node: SyntaxNode;
  nameNode: SyntaxNode;
  /** nn.Sequential(…) call, for a Sequential model. */
  call?: SyntaxNode;
  instantiations: SyntaxNode[];
  /** Statements outside the class that initialize an instance (`model.apply(init_weights)`), with the instance's name. */
  instanceStatements: { statement: SyntaxNode; variable: string }[];
  losses: SyntaxNode[];
  optimizers: { call: SyntaxNode; variable: string; resolve: (name: string) => SyntaxNode | undefined; scope: Scope; assumed?: boolean }[];
  /** The scope each loss was built in (a function's local constants). */
  lossScopes: Map<SyntaxNode, Scope>;
  notes: Notes;
}

const TRANSFER = new Set(['to', 'cuda', 'cpu', 'float', 'double', 'train', 'eval']);

/** Decoding options, and where the file is and how to read its sibling files (for imports between them). */
export interface PythonOptions extends DecodeOptions {
  /** The file's path as `load` names files ('' when it has none). */
  path?: string;
  load?: FileLoader;
}

export function resolvePython(tree: SyntaxTree, text: string, options: PythonOptions = {}): PythonFile {
  const root = plainTree(tree, text);
  const fileDiagnostics: ModelDiagnostic[] = [];
  // The readers below recurse over the syntax; a hostile file (1+1+…+1, 10,000 terms) would overflow the stack.
  const deep = tooDeep(root);
  if (deep) {
    fileDiagnostics.push({ severity: 'error', code: 'syntax', message: `The code is nested more than ${MAX_PYTHON_NESTING} levels deep here; Weightscope does not read files nested this deep.`, range: { start: deep.startIndex, end: deep.startIndex + 1 } });
    return { root, models: [], diagnostics: fileDiagnostics };
  }
  syntaxErrors(root, fileDiagnostics);
  const imports = Imports.read(root);
  const constants = new Map<string, PyValue>();
  const moduleScope: Scope = { imports, lookup: (name) => constants.get(name) };
  const moduleFunctions = new Map<string, SyntaxNode>();
  const candidates: Candidate[] = [];
  const classNames = new Set<string>();
  const top = statements(root);
  // `from models import BaseVAE`: a class another file of the project defines (read when the host can read that file).
  const siblingClass = (qualified: string): boolean => {
    const dot = qualified.lastIndexOf('.');
    return dot > 0 && !/^(torch|numpy|math|typing|enum|abc|dataclasses|collections)\b/.test(qualified) && !!options.load?.(options.path ?? '', qualified.slice(0, dot));
  };

  for (const s of top) {
    const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
    if (def?.type === 'function_definition') moduleFunctions.set(def.childForFieldName('name')!.text, def);
    if (def?.type === 'class_definition') {
      classNames.add(def.childForFieldName('name')!.text);
      if (isModuleClass(def, imports, candidates, siblingClass)) candidates.push(newCandidate('class', def, def.childForFieldName('name')!));
    }
    const a = assignmentOf(s);
    if (a?.left.type === 'identifier') {
      const v = evaluate(a.right, moduleScope);
      if (v.ok) constants.set(a.left.text, v.value);
    }
  }

  // Scopes that build and train models: the module (with its __main__ block) and each top-level function.
  const scopes: SyntaxNode[][] = [top.flatMap((s) => (isMainGuard(s) ? statements(s.childForFieldName('consequence')) : [s]))];
  for (const def of moduleFunctions.values()) scopes.push(statements(def.childForFieldName('body')));
  for (const body of scopes) walkScope(body, { imports, moduleScope, candidates, classNames, fileDiagnostics, moduleFunctions, path: options.path ?? '' });

  // A Python file without models is none of Weightscope's business: not even its syntax errors.
  if (candidates.length === 0) return { root, models: [], diagnostics: [] };
  const mainFile = sourceFile(options.path ?? '', root);
  const directives = readDirectives(root, text, fileDiagnostics);
  const models: PythonModel[] = [];
  const single = candidates.length === 1 ? candidates[0] : undefined;
  for (const c of candidates) {
    models.push(resolveCandidate(c, { text, imports, moduleScope, moduleFunctions, classNames, directives, candidates, options, single, file: mainFile }));
  }
  const used = markPrimary(candidates, models);
  // A class that only serves as a part of the file's model (Block in GPT) is read as part of it: its own reading
  // (with its constructor's defaults) is said when it is picked, not in the file's problems.
  const hasPrimary = models.some((m) => m.primary && m.modelable);
  const all = [...fileDiagnostics, ...models.flatMap((m, i) => (hasPrimary && !m.primary && used.has(candidates[i]!) ? [] : m.result.diagnostics))];
  return { root, models, diagnostics: dedupe(all) };
}

interface WalkContext {
  /** The file's path, for torch's own files (their relative imports are torch.nn's names). */
  path: string;
  moduleFunctions: ReadonlyMap<string, SyntaxNode>;
  imports: Imports;
  moduleScope: Scope;
  candidates: Candidate[];
  classNames: ReadonlySet<string>;
  fileDiagnostics: ModelDiagnostic[];
}

function newCandidate(kind: Candidate['kind'], node: SyntaxNode, nameNode: SyntaxNode, call?: SyntaxNode): Candidate {
  return { kind, name: nameNode.text, node, nameNode, call, instantiations: [], instanceStatements: [], losses: [], optimizers: [], lossScopes: new Map(), notes: new Notes() };
}

function walkScope(body: SyntaxNode[], ctx: WalkContext): void {
  const bindings = new Map<string, Candidate>();
  const assigned = new Map<string, SyntaxNode>();
  const resolve = (name: string): SyntaxNode | undefined => assigned.get(name);
  // Constants assigned in this scope (lr = 1e-3 inside main()), over the module's.
  const locals = new Map<string, PyValue>();
  const scope: Scope = { imports: ctx.imports, lookup: (name) => (locals.has(name) ? locals.get(name) : ctx.moduleScope.lookup(name)) };
  let lastModel: Candidate | undefined;
  const pendingLosses: SyntaxNode[] = [];
  const lossScopes = new Map<SyntaxNode, Scope>();
  let loopReported = false;
  for (const s of body) {
    const a = assignmentOf(s);
    if (a && a.left.type === 'identifier') {
      const value = evaluate(a.right, scope);
      if (value.ok) locals.set(a.left.text, value.value);
      else locals.delete(a.left.text);
      const rhs = stripTransfers(a.right);
      const fn = callee(rhs);
      const imported = fn ? ctx.imports.qualify(fn) : undefined;
      const qualified = imported ? torchPackageName(ctx.path, imported) ?? imported : undefined;
      const cls = fn?.type === 'identifier' ? ctx.candidates.find((c) => c.kind === 'class' && c.name === fn.text) : undefined;
      if (cls) {
        cls.instantiations.push(rhs);
        bindings.set(a.left.text, cls);
        lastModel = cls;
        for (const l of pendingLosses.splice(0)) cls.losses.push(l);
      } else if (fn?.type === 'identifier' && ctx.moduleFunctions.has(fn.text) && returnsModule(ctx.moduleFunctions.get(fn.text)!)) {
        // model = resnet50(): a function of the file that returns a model.
        let call = ctx.candidates.find((c) => c.kind === 'call' && c.name === fn.text);
        if (!call) ctx.candidates.push((call = newCandidate('call', ctx.moduleFunctions.get(fn.text)!, fn, rhs)));
        call.instantiations.push(rhs);
        bindings.set(a.left.text, call);
        lastModel = call;
        for (const l of pendingLosses.splice(0)) call.losses.push(l);
      } else if (qualified && /^torch\.nn\.[A-Z]\w*$/.test(qualified) && !qualified.endsWith('Loss') && !/^torch\.nn\.(Sequential|Parameter\w*)$/.test(qualified)) {
        // fc = nn.Linear(…) at module level: a model of one torch module.
        const one = newCandidate('call', s, a.left, rhs);
        one.instantiations.push(rhs);
        ctx.candidates.push(one);
        bindings.set(a.left.text, one);
        lastModel = one;
        for (const l of pendingLosses.splice(0)) one.losses.push(l);
      } else if (qualified === 'torch.nn.Sequential') {
        const seq = newCandidate('sequential', s, a.left, rhs);
        ctx.candidates.push(seq);
        bindings.set(a.left.text, seq);
        lastModel = seq;
        for (const l of pendingLosses.splice(0)) seq.losses.push(l);
      } else if (qualified?.startsWith('torch.nn.') && qualified.endsWith('Loss')) {
        lossScopes.set(rhs, scope);
        if (lastModel) lastModel.losses.push(rhs);
        else pendingLosses.push(rhs);
      } else if (qualified?.startsWith('torch.optim.') && !qualified.startsWith('torch.optim.lr_scheduler')) {
        const variable = optimizerRoot(rhs, resolve);
        const target = variable ? bindings.get(variable) : undefined;
        if (target) target.optimizers.push({ call: rhs, variable: variable!, resolve, scope });
        else {
          const only = ctx.candidates.length === 1 ? ctx.candidates[0] : undefined;
          if (only && variable) only.optimizers.push({ call: rhs, variable, resolve, scope, assumed: true });
        }
      }
      assigned.set(a.left.text, a.right);
      continue;
    }
    if (s.type === 'for_statement' || s.type === 'while_statement') {
      if (!loopReported && /\.backward\s*\(|\.step\s*\(/.test(s.text)) {
        loopReported = true;
        const header = s.childForFieldName('left') ?? s;
        ctx.fileDiagnostics.push({
          severity: 'information', code: 'py-not-modelled',
          message: `The training loop (${snippet(s)}): not read by Weightscope. Train runs its own loop: the optimizer above, minibatches of the data (synthetic unless a "# weightscope: data = …" comment names a file), steps from "# weightscope: training = …" or the weightscope.train.* settings.`,
          range: { start: s.startIndex, end: header.endIndex },
        });
      }
      continue;
    }
    // Statements on an instance: model.apply(init_weights), nn.init.zeros_(model.fc1.bias), with torch.no_grad(): …
    if (bindings.size === 0 || (s.type !== 'expression_statement' && s.type !== 'with_statement')) continue;
    const bound = [...new Set(identifiersIn(s).filter((id) => bindings.has(id)))];
    if (bound.length === 1) {
      bindings.get(bound[0]!)!.instanceStatements.push({ statement: s, variable: bound[0]! });
    }
  }
  for (const c of ctx.candidates) for (const l of c.losses) if (lossScopes.has(l)) c.lossScopes.set(l, lossScopes.get(l)!);
  // A loss with no model in its scope: the file's only model, if there is one.
  if (pendingLosses.length > 0) {
    const only = ctx.candidates.length === 1 ? ctx.candidates[0] : undefined;
    if (only) {
      only.losses.push(...pendingLosses);
      for (const l of pendingLosses) only.lossScopes.set(l, lossScopes.get(l)!);
    }
  }
}

function identifiersIn(node: SyntaxNode): string[] {
  return node.descendantsOfType('identifier').filter((n): n is SyntaxNode => n !== null).map((n) => n.text);
}

/** `MLP(...).to(device)` → `MLP(...)`. */
function stripTransfers(node: SyntaxNode): SyntaxNode {
  let n = unparen(node);
  for (;;) {
    const fn = callee(n);
    if (fn?.type !== 'attribute' || !TRANSFER.has(fn.childForFieldName('attribute')!.text)) return n;
    n = unparen(fn.childForFieldName('object')!);
  }
}

/** nn.Module subclasses, LightningModules included (they are nn.Modules). */
const MODULE_BASES = new Set(['torch.nn.Module', 'pytorch_lightning.LightningModule', 'lightning.LightningModule', 'lightning.pytorch.LightningModule', 'pytorch_lightning.core.LightningModule']);

/**
 * A class that is an nn.Module: derived from one (any torch.nn class: Module, Sequential, Conv2d),
 * from a module class defined above it, or from a class another file of the project defines (`from .base import BaseVAE`).
 */
function isModuleClass(def: SyntaxNode, imports: Imports, earlier: readonly Candidate[], siblingClass: (qualified: string) => boolean): boolean {
  const bases = def.childForFieldName('superclasses')?.namedChildren ?? [];
  return bases.some((b) => {
    if (b === null || b.type === 'keyword_argument') return false;
    const q = imports.qualify(b) ?? '';
    if (MODULE_BASES.has(q) || /^torch\.nn\.[A-Z]\w*$/.test(q)) return true;
    if (b.type === 'identifier' && earlier.some((c) => c.kind === 'class' && c.name === b.text)) return true;
    return q.startsWith('.') || (q !== '' && siblingClass(q));
  });
}

/** A function whose body returns something (a factory such as torchvision's resnet50). */
function returnsModule(def: SyntaxNode): boolean {
  return def.descendantsOfType('return_statement').some((r) => r !== null && r.namedChildren.length > 0);
}

function isMainGuard(s: SyntaxNode): boolean {
  return s.type === 'if_statement' && /^__name__\s*==\s*['"]__main__['"]$/.test(s.childForFieldName('condition')?.text ?? '');
}

interface ResolveContext {
  text: string;
  imports: Imports;
  moduleScope: Scope;
  moduleFunctions: ReadonlyMap<string, SyntaxNode>;
  classNames: ReadonlySet<string>;
  directives: readonly Directive[];
  candidates: readonly Candidate[];
  options: PythonOptions;
  single: Candidate | undefined;
  file: SourceFile;
}

function resolveCandidate(c: Candidate, ctx: ResolveContext): PythonModel {
  const notes = c.notes;
  let uses: LayerUse[] | undefined;
  let layersNode: SyntaxNode = c.nameNode;
  let submodules = new Map<string, ModuleValue>();
  let classModel: ClassModel | undefined;
  if (c.node.hasError) notes.block(c.nameNode, `${c.name} has a Python syntax error; Weightscope models it once the code parses.`);
  if (c.kind === 'call') {
    // Only the tree reader follows a factory function.
  } else if (c.kind === 'class') {
    if (c.instantiations.length > 1 && new Set(c.instantiations.map((i) => i.childForFieldName('arguments')?.text)).size > 1) {
      notes.assume(c.instantiations[1]!, `a second instantiation with other arguments (${snippet(c.instantiations[1]!)})`, `Weightscope models ${c.name} with the first one's arguments.`);
    }
    classModel = readClass(c.node, { moduleScope: ctx.moduleScope, moduleFunctions: ctx.moduleFunctions, classNames: ctx.classNames, instantiation: c.instantiations[0] });
    notes.items.push(...classModel.notes.items);
    notes.blockers += classModel.notes.blockers;
    uses = classModel.uses;
    submodules = classModel.submodules;
    // A loss or optimizer the class builds itself, when the code around it gives none.
    if (c.losses.length === 0 && classModel.loss) {
      c.losses.push(classModel.loss);
      c.lossScopes.set(classModel.loss, classModel.scope);
    }
    if (c.optimizers.length === 0 && classModel.optimizer) c.optimizers.push({ ...classModel.optimizer, variable: classModel.self });
    layersNode = classModel.forward?.childForFieldName('name') ?? c.nameNode;
  } else {
    const module = buildModule(c.call!, '', { scope: ctx.moduleScope, notes, classNames: ctx.classNames });
    if (module) {
      uses = sequentialUses(module, notes, ctx.moduleScope);
      // model[0] by position and, for nn.Sequential(OrderedDict(…)), model.fc1 by name (torch allows both).
      submodules = new Map(module.kind === 'sequential' ? module.children.flatMap((m, i) => childKeys(m, i).map((key) => [key, m] as [string, ModuleValue])) : []);
    }
    layersNode = c.call!;
  }

  // Initialization written on the instance, after construction.
  if (uses) {
    for (const { statement, variable } of c.instanceStatements) {
      const roots = new Map<string, ReadonlyMap<string, ModuleValue>>([[variable, submodules]]);
      const env: InitEnv = {
        scope: ctx.moduleScope, notes, roots, modules: new Map(), params: new Map(),
        functions: new Map(ctx.moduleFunctions), allLayers: () => [...new Set(uses!.map((u) => u.layer))], self: variable,
      };
      runOne(statement, env);
    }
    const lost = chainLosesDraws(uses.map((u) => u.layer));
    if (lost) notes.block(lost.site, lost.message);
  }

  const items: Located[] = [];
  const parameters: ParameterInfo[] = [];
  if (uses) {
    const seen = new Map<unknown, number>();
    for (const u of uses) {
      const count = seen.get(u.layer) ?? 0;
      seen.set(u.layer, count + 1);
      if (count > 0 && (u.layer.type === 'Linear' || u.layer.type === 'LayerNorm')) {
        notes.block(u.site, `forward applies ${u.layer.path} again (shared weights): Weightscope models each layer with its own parameters, so it cannot model ${c.name}.`);
      }
    }
    const named = new Set<string>();
    uses.forEach((u, index) => {
      const entries: LocatedEntry[] = [];
      const site = callee(u.site) ?? u.site;
      let prefix = String(index);
      if (u.layer.path && u.layer.path !== String(index) && !named.has(u.layer.path)) {
        named.add(u.layer.path);
        prefix = u.layer.path;
        entries.push(entry('name', site, scalar(u.layer.path, site)));
      }
      parameters.push(...parametersOf(u.layer, prefix));
      entries.push(entry('type', site, scalar(u.layer.type, site)), ...u.layer.entries);
      const init: LocatedEntry[] = [];
      for (const p of ['weight', 'bias'] as const) {
        const value = u.layer.init[p];
        if (value) init.push(entry(p, value.range, value));
      }
      if (init.length > 0) entries.push(entry('init', init[0]!.keyRange, object(init[0]!.keyRange, init)));
      items.push(object(u.site, entries));
    });
  }

  const entries: LocatedEntry[] = [
    entry('version', c.nameNode, scalar(MODEL_FORMAT_VERSION, c.nameNode)),
    entry('name', c.nameNode, scalar(c.name, c.nameNode)),
  ];
  const first = uses?.find((u) => u.layer.type === 'Linear' || u.layer.type === 'LayerNorm');
  const width = first?.layer.type === 'LayerNorm' ? first.layer.entries.find((e) => e.key === 'normalized_shape') : undefined;
  if (width) entries.push(entry('input', width.keyRange, width.value));
  entries.push(entry('layers', layersNode, array(layersNode, items)));

  const lossCall = c.losses[c.losses.length - 1];
  const loss = lossCall ? readLoss(lossCall, c.lossScopes.get(lossCall) ?? ctx.moduleScope, notes) : undefined;
  if (loss) entries.push(entry('loss', loss.range, loss));
  const modelRoot = object(c.nameNode, entries);
  const optimizerCall = c.optimizers[c.optimizers.length - 1];

  const directives = directivesFor(ctx.directives, c.node.startIndex, c.node.endIndex, ctx.text, (d) => ownedByAny(d, ctx));
  for (const d of directives) entries.push(d);

  let blocked = notes.blockers > 0 || !uses;
  // Not a chain of layers the engine runs: read the module tree by following the constructor's code.
  let tree: ReadTree | undefined;
  let treeNotes: Notes | undefined;
  if (blocked && !c.node.hasError) {
    treeNotes = new Notes();
    const read = readModuleTree(
      { kind: c.kind === 'class' ? 'class' : 'expression', node: c.kind === 'class' ? c.node : c.call!, name: c.name, instantiations: c.instantiations, instanceStatements: c.instanceStatements },
      ctx.file, treeNotes, ctx.options.load,
    );
    if ('root' in read) {
      tree = read;
      blocked = false;
    }
  }
  let result: DecodeResult;
  if (tree && treeNotes) {
    // The chain reader's reasons become why Train is off; the tree reader's notes say what it assumed.
    // A module the engine has no forward for is the reason; else what stopped the chain reader (a residual sum, a second use).
    // What stopped the chain reader in forward (a residual sum, nn.Conv2d applied) names the construct; else the tree says.
    // forward read as a dataflow graph; what stops it (reading, or the graph check) is why Train is off, on its syntax.
    const graphRead = forwardGraphOf(tree, ctx.text);
    const forwardUnavailable = graphRead.graph ? undefined : graphRead.reason;
    notes.items.splice(0, notes.items.length, ...treeNotes.items);
    if (forwardUnavailable !== undefined) {
      notes.items.push({ severity: 'information', code: NO_FORWARD, message: `Inspect shows every parameter of ${c.name}; Train and Signal through depth are off: ${forwardUnavailable}.`, range: graphRead.range ?? rangeOf(c.nameNode) });
    }
    const layersAt = entries.findIndex((e) => e.key === 'layers');
    if (layersAt >= 0) entries.splice(layersAt, 1);
    const inputAt = entries.findIndex((e) => e.key === 'input');
    if (inputAt >= 0) entries.splice(inputAt, 1);
    if (optimizerCall) {
      const params = namedParameters(tree.root, tree.ties).map((p) => ({ name: p.name, shape: p.decl.shape }));
      const opt = readOptimizer(optimizerCall.call, { scope: optimizerCall.scope, notes, root: optimizerCall.variable, parameters: params, resolve: optimizerCall.resolve });
      if (opt) entries.push(entry('optimizer', opt.range, opt));
    }
    const { forward: _read, ...plainTree_ } = tree;
    result = decodeModel(modelRoot, c.name, { ...ctx.options, modules: { ...plainTree_, ...(graphRead.read ? { graph: graphRead.read } : {}), ...(forwardUnavailable !== undefined ? { forwardUnavailable } : {}) } });
  } else if (blocked) {
    result = { spec: undefined, diagnostics: [], tree: modelRoot };
  } else {
    if (optimizerCall) {
      if (optimizerCall.assumed) notes.assume(optimizerCall.call, `the optimizer's parameters (${optimizerCall.variable})`, `Weightscope assumed ${optimizerCall.variable} is ${c.name}, the file's only model.`);
      const opt = readOptimizer(optimizerCall.call, { scope: optimizerCall.scope, notes, root: optimizerCall.variable, parameters, resolve: optimizerCall.resolve });
      if (opt) entries.splice(entries.findIndex((e) => e.key === 'layers') + 2, 0, entry('optimizer', opt.range, opt));
    }
    result = decodeModel(modelRoot, c.name, ctx.options);
    if (result.spec) {
      const lints = lintModel({ spec: result.spec, tree: modelRoot, text: ctx.text, language: 'yaml' });
      result.diagnostics.push(...lints.map((d) => ({ ...d, fixes: d.fixes.filter(isPythonEdit) })));
    }
  }
  result.diagnostics.unshift(...notes.items);
  return {
    name: c.name,
    kind: c.kind,
    anchor: rangeOf(c.node),
    nameRange: rangeOf(c.nameNode),
    modelable: !blocked,
    result,
    uses: uses ?? [],
    primary: false,
  };
}

/**
 * The file's model: the first instantiated at module level (or in a top-level function), in file order;
 * else the last class that no other class of the file uses (the outermost one).
 */
function markPrimary(candidates: readonly Candidate[], models: PythonModel[]): Set<Candidate> {
  const firstUse = (c: Candidate): number => Math.min(...c.instantiations.map((i) => i.startIndex), c.kind === 'sequential' ? c.node.startIndex : Infinity);
  const instantiated = candidates.filter((c) => Number.isFinite(firstUse(c))).sort((a, b) => firstUse(a) - firstUse(b));
  const classes = candidates.filter((c) => c.kind === 'class');
  const isUsed = (c: Candidate): boolean => classes.some((o) => o !== c && o.node.descendantsOfType('identifier').some((id) => id?.text === c.name));
  const used = new Set(classes.filter(isUsed));
  let primary: Candidate | undefined = instantiated[0];
  if (!primary) {
    // The outermost class, when exactly one class is used by no other: several unrelated ones are the user's to pick.
    const outer = classes.filter((c) => !used.has(c));
    primary = outer.length === 1 ? outer[0] : undefined;
  }
  const index = primary ? candidates.indexOf(primary) : -1;
  if (index >= 0) models[index]!.primary = true;
  return used;
}

/**
 * Why a chain of these layers would draw other numbers than the code does, if it would. A chain (a model file's
 * `layers`) builds its layers in order, then runs one fill per tensor, layer by layer, weight then bias
 * (engine/model/moduleTree.ts); torch draws in the order the code runs: each layer's defaults as it is built, then
 * every fill, also one that a later fill overwrites. When the two differ, the model is read as the tree its
 * constructor builds (interp/), which keeps every fill in the code's order.
 */
function chainLosesDraws(used: readonly LayerRecord[]): { site: SyntaxNode; message: string } | undefined {
  const linears = [...new Set(used)].filter((l) => l.type === 'Linear');
  let last = 0;
  for (const l of linears) {
    const built = l.builtAt ?? 0;
    if (built < last) return { site: l.call, message: `${l.path} is built before a layer that forward applies ahead of it: torch draws its defaults first` };
    last = built;
  }
  for (const l of linears) {
    for (const param of ['weight', 'bias'] as const) {
      const fills = l.fillsAt?.[param] ?? [];
      const site = l.initCalls[param] ?? l.call;
      if (fills.slice(0, -1).some((f) => f.draws)) return { site, message: `${l.path}.${param} is filled ${fills.length} times, and torch draws for each fill` };
      const fill = fills[fills.length - 1];
      if (!fill?.draws) continue;
      if (fill.at < last) return { site, message: `the code fills ${l.path}.${param} before a layer is built or a tensor ahead of it is filled, and torch draws in the code's order` };
      last = fill.at;
    }
  }
  return undefined;
}

/** A layer's parameters by state_dict name (for the optimizer's param groups). */
/** The keys a top-level nn.Sequential's child is reached by: its position, and its name when it has one. */
function childKeys(m: ModuleValue, index: number): string[] {
  const path = m.kind === 'layer' ? m.layer.path : m.kind === 'sequential' || m.kind === 'list' ? m.path : '';
  const name = path.split('.').pop() ?? '';
  return name && name !== String(index) ? [String(index), name] : [String(index)];
}

function parametersOf(layer: LayerUse['layer'], prefix: string): ParameterInfo[] {
  const { in: inF, out, bias, width } = layer.shape;
  if (layer.type === 'Linear' && inF !== undefined && out !== undefined) {
    const w = { name: `${prefix}.weight`, shape: [out, inF] };
    return bias ? [w, { name: `${prefix}.bias`, shape: [out] }] : [w];
  }
  if (layer.type === 'LayerNorm' && width !== undefined) {
    const affine = layer.entries.find((e) => e.key === 'elementwise_affine')?.value;
    if (affine?.kind === 'scalar' && affine.value === false) return [];
    return [{ name: `${prefix}.weight`, shape: [width] }, { name: `${prefix}.bias`, shape: [width] }];
  }
  return [];
}

/** A lint's quick fix is kept when it is a plain identifier replacement (BCELoss → BCEWithLogitsLoss), which is valid Python too. */
function isPythonEdit(fix: { edits: { range: SourceRange; newText: string }[] }): boolean {
  return fix.edits.every((e) => e.range.end > e.range.start && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e.newText));
}

function ownedByAny(d: Directive, ctx: ResolveContext): boolean {
  return ctx.candidates.some((c) => (d.start >= c.node.startIndex && d.end <= c.node.endIndex) || justAbove(d, c.node.startIndex, ctx.text));
}

/** Deeper than any real model's code (a long arithmetic chain nests one level per operator). */
const MAX_PYTHON_NESTING = 500;

/** The first node deeper than MAX_PYTHON_NESTING, found without recursion, or undefined. */
function tooDeep(root: SyntaxNode): SyntaxNode | undefined {
  const stack: [SyntaxNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_PYTHON_NESTING) return node;
    for (const c of node.children) if (c) stack.push([c, depth + 1]);
  }
  return undefined;
}

function syntaxErrors(root: SyntaxNode, out: ModelDiagnostic[]): void {
  if (!root.hasError) return;
  const found: SyntaxNode[] = [];
  const walk = (n: SyntaxNode): void => {
    if (found.length >= 5) return;
    if (n.isError || n.isMissing) {
      found.push(n);
      return;
    }
    if (!n.hasError) return;
    for (const c of n.children) if (c) walk(c);
  };
  walk(root);
  for (const n of found) {
    out.push({
      severity: 'error', code: 'syntax',
      message: n.isMissing ? `Python syntax error: missing ${n.type}.` : `Python syntax error near \`${snippet(n)}\`.`,
      range: { start: n.startIndex, end: Math.max(n.endIndex, n.startIndex + 1) },
    });
  }
}

function dedupe(items: ModelDiagnostic[]): ModelDiagnostic[] {
  const seen = new Set<string>();
  const out: ModelDiagnostic[] = [];
  for (const d of items) {
    const key = `${d.code}|${d.range.start}|${d.range.end}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort((a, b) => a.range.start - b.range.start || a.range.end - b.range.end);
}


/**
 * The tree's forward graph when it reads and passes the graph check (every op and module forward the engine has,
 * shapes that fit); else why not, on the construct's range.
 */
function forwardGraphOf(tree: ReadTree, text: string): { graph?: ForwardGraph; read?: ForwardGraph; reason: string; range?: SourceRange } {
  const read = tree.forward;
  if (!read) return { reason: forwardGap(tree.root) };
  if ('problem' in read) {
    const { node, message } = read.problem;
    return { reason: message.replace(/\.$/, ''), range: rangeOf(node) };
  }
  const problems = checkForwardGraph(read.graph, tree.root);
  const first = problems[0];
  if (!first) return { graph: read.graph, read: read.graph, reason: '' };
  const code = text.slice(first.range.start, first.range.end).split('\n')[0]!.trim();
  const others = problems.slice(1).filter((p) => p.unavailable).map((p) => p.construct);
  const more = others.length > 0 ? ` (also not available yet: ${others.slice(0, 6).join(', ')}${others.length > 6 ? ', …' : ''})` : '';
  return { read: read.graph, reason: `\`${code.length > 60 ? `${code.slice(0, 57)}…` : code}\`: ${first.message.replace(/\.$/, '')}${more}`, range: first.range };
}
