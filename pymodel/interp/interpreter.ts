/**
 * Reads what a model's constructor builds by following its code, never
 * running it: `__init__` bodies, the helper functions and classes they call
 * (in the same file or a sibling file), loops and comprehensions over
 * computable ranges, conditionals on computable values, and the statements
 * that initialize parameters afterwards. The result is the module tree that
 * `torch.manual_seed(s); Model(...)` would create, with each tensor's
 * initialization steps in torch's order.
 *
 * Only a small, safe part of Python is modelled (see values.ts); whatever is
 * outside it becomes `unknown` and is reported once, where it was met, with
 * what was assumed. A budget on statements and call depth bounds the work on
 * any input.
 */
import type { ModuleNode } from '../../engine/modules/tree';
import { bindArguments, defParameters } from './bindArguments';
import type { Notes } from '../notes';
import type { SyntaxNode } from '../parser';
import { parameterName, snippet, statements, unparen } from '../syntax';
import { sourceFile, torchPackageName, type FileLoader, type SourceFile } from './files';
import { moduleDefinition } from '../../engine/modules/catalogue';
import { TorchApi } from './torchApi';
import {
  isUnknown, list, show, truthiness, unknown,
  type ClassValue, type DictValue, type FunctionValue, type ListValue, type ModuleValue, type Value,
} from './values';

/** Statements a whole model may take to read; real models need a few thousand. */
const STATEMENT_BUDGET = 200_000;
const MAX_DEPTH = 64;

type Flow = { kind: 'normal' } | { kind: 'return'; value: Value } | { kind: 'break' } | { kind: 'continue' };
const NORMAL: Flow = { kind: 'normal' };

export interface CallArgs {
  positional: Value[];
  keywords: Map<string, Value>;
}

/** Variables of one function call (or the module level), with the file they belong to. */
export class Env {
  readonly vars = new Map<string, Value>();
  constructor(readonly file: SourceFile, readonly parent?: Env) {}
}

export class BudgetExceeded extends Error {}

export class Interpreter {
  readonly torch: TorchApi;
  private statementsLeft = STATEMENT_BUDGET;
  private depth = 0;
  private readonly files = new Map<string, SourceFile>();
  private readonly globals = new Map<SourceFile, Map<string, Value>>();
  private readonly evaluating = new Set<SyntaxNode>();
  /** Call sites in the main file, innermost last: where to report what happens in other files. */
  private readonly sites: SyntaxNode[] = [];
  private readonly reported = new Set<string>();

  constructor(readonly main: SourceFile, readonly notes: Notes, private readonly load?: FileLoader) {
    this.files.set(main.path, main);
    this.torch = new TorchApi(this);
  }

  // ---------------------------------------------------------------------------
  // Reporting

  /** Reports an assumption once, on `node` if it is in the main file, else on the call site that led there. */
  assume(node: SyntaxNode, construct: string, assumption: string): void {
    const where = this.siteOf(node);
    const key = `${where.startIndex}|${construct}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.notes.assume(where, construct, assumption);
  }

  private siteOf(node: SyntaxNode): SyntaxNode {
    return this.inMain(node) ? node : this.sites.find((s) => this.inMain(s)) ?? this.main.root;
  }

  private inMain(node: SyntaxNode): boolean {
    let n: SyntaxNode | null = node;
    while (n.parent) n = n.parent;
    return n === this.main.root;
  }

  /** A module left out of the tree (reported once per place): the inspection says it is incomplete. */
  omit(node: SyntaxNode, construct: string, why: string): void {
    const where = this.siteOf(node);
    const key = `${where.startIndex}|omit|${construct}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.notes.omit(where, construct, why);
  }

  /** The value an unknown stands for, reported: `what` is what could not be computed. */
  report(v: Value, what: string): void {
    if (isUnknown(v)) this.assume(v.node, `${what}: ${v.reason}`, 'Weightscope could not compute it.');
  }

  // ---------------------------------------------------------------------------
  // Names

  /** Looks a name up: locals, then the file's top-level definitions, then its imports. */
  lookup(name: string, env: Env, node: SyntaxNode): Value {
    for (let e: Env | undefined = env; e; e = e.parent) if (e.vars.has(name)) return e.vars.get(name)!;
    return this.global(env.file, name, node);
  }

  /** A name of an imported module file (`misc_nn_ops.Conv2dNormActivation`), or undefined when it has none. */
  namespaceMember(file: SourceFile, name: string, node: SyntaxNode): Value | undefined {
    return file.definitions.has(name) || file.imports.qualifyName(name) ? this.global(file, name, node) : undefined;
  }

  global(file: SourceFile, name: string, node: SyntaxNode): Value {
    let values = this.globals.get(file);
    if (!values) this.globals.set(file, (values = new Map()));
    if (values.has(name)) return values.get(name)!;
    const def = file.definitions.get(name);
    let value: Value;
    if (def && torchPackageName(file.path, `.${name}`) && moduleDefinition(name)) {
      // A class of torch's own files that Weightscope knows: the catalogue's, not the file's code.
      value = { kind: 'builtin', name: `torch.nn.${name}` };
    } else if (def) {
      if (this.evaluating.has(def)) return unknown(node, `\`${name}\` (defined in terms of itself)`);
      this.evaluating.add(def);
      try {
        value = this.definitionValue(file, def, name);
      } finally {
        this.evaluating.delete(def);
      }
    } else {
      value = this.imported(file, name, node);
    }
    values.set(name, value);
    if (typeof value === 'object' && value !== null && value.kind === 'object' && value.cls === undefined && value.attrs.has(' argparse')) this.configureParser(file, name);
    return value;
  }

  /** An argparse parser at module level: the file's `parser.add_argument(…)` statements, run in order, give its defaults. */
  private configureParser(file: SourceFile, name: string): void {
    const env = new Env(file);
    for (const s of statements(file.root)) {
      const e = s.type === 'expression_statement' ? s.namedChild(0) : undefined;
      if (e?.type === 'call' && e.text.startsWith(`${name}.add_argument`)) this.evaluate(e, env);
    }
  }

  private definitionValue(file: SourceFile, statement: SyntaxNode, name: string): Value {
    const def = statement.type === 'decorated_definition' ? statement.childForFieldName('definition')! : statement;
    if (def.type === 'function_definition') return { kind: 'function', def, file };
    if (def.type === 'class_definition') {
      const decorators = statement.type === 'decorated_definition' ? statement.namedChildren.filter((c) => c?.type === 'decorator').map((c) => c!.text) : [];
      const env = new Env(file);
      const bases = (def.childForFieldName('superclasses')?.namedChildren ?? [])
        .filter((b): b is SyntaxNode => b !== null && b.type !== 'keyword_argument')
        .map((b) => {
          const v = this.evaluate(b, env);
          if (typeof v === 'object' && v !== null && v.kind === 'class') return v;
          if (typeof v === 'object' && v !== null && v.kind === 'builtin') return v.name;
          return file.imports.qualify(b) ?? b.text;
        });
      return { kind: 'class', name, def, file, bases, dataclass: decorators.some((d) => /dataclass/.test(d)) };
    }
    // A top-level assignment: its value, computed when first needed.
    const right = def.childForFieldName('right');
    return right ? this.evaluate(right, new Env(file)) : unknown(def, `\`${name}\``);
  }

  /** A name bound by an import: a torch/math/numpy name, or a definition in a sibling file. */
  private imported(file: SourceFile, name: string, node: SyntaxNode): Value {
    const builtin = BUILTINS.has(name) ? name : undefined;
    const q = file.imports.qualifyName(name);
    const torchOwn = q ? torchPackageName(file.path, q) : undefined;
    if (torchOwn) return { kind: 'builtin', name: torchOwn };
    if (q && q !== name) {
      const from = this.importedDefinition(file, q, node);
      if (from) return from;
      return { kind: 'builtin', name: q };
    }
    if (q) return { kind: 'builtin', name: q };
    if (builtin) return { kind: 'builtin', name: builtin };
    // from .base import *: a definition of that file.
    for (const moduleName of file.starImports) {
      if (/^(torch|numpy|math)\b/.test(moduleName)) continue;
      const other = this.file(file, moduleName);
      if (other && other !== file && (other.definitions.has(name) || other.imports.qualifyName(name))) return this.global(other, name, node);
    }
    return unknown(node, `the name \`${name}\``);
  }

  /** `model.GPTConfig` / `.blocks.ResBlock`: the definition in the sibling file, if it can be read. */
  private importedDefinition(file: SourceFile, qualified: string, node: SyntaxNode): Value | undefined {
    if (/^(torch|numpy|math|collections|functools|typing|dataclasses|copy|itertools|timm)\b/.test(qualified)) return undefined;
    if (!this.load) return undefined;
    const dot = qualified.lastIndexOf('.');
    if (dot <= 0 || /^\.+$/.test(qualified.slice(0, dot))) {
      // `from . import components` / `import model`: a file of the project, imported whole.
      const whole = this.file(file, qualified);
      if (whole) return { kind: 'object', cls: undefined, attrs: new Map(), namespace: whole };
      if (dot <= 0) return undefined;
    }
    const moduleName = qualified.slice(0, dot);
    const name = qualified.slice(dot + 1);
    const other = this.file(file, moduleName);
    // `from ...ops import misc`: a file of the project, imported whole.
    const whole = !other || (!other.definitions.has(name) && !other.imports.qualifyName(name)) ? this.file(file, qualified) : undefined;
    if (whole) return { kind: 'object', cls: undefined, attrs: new Map(), namespace: whole };
    if (!other) return undefined;
    if (!other.definitions.has(name) && !other.imports.qualifyName(name)) return undefined;
    return this.global(other, name, node);
  }

  private file(from: SourceFile, moduleName: string): SourceFile | undefined {
    const loaded = this.load?.(from.path, moduleName);
    if (!loaded) return undefined;
    let f = this.files.get(loaded.path);
    if (!f) this.files.set(loaded.path, (f = sourceFile(loaded.path, loaded.root)));
    return f;
  }

  // ---------------------------------------------------------------------------
  // Statements

  execBlock(body: SyntaxNode[], env: Env): Flow {
    for (const s of body) {
      const flow = this.exec(s, env);
      if (flow.kind !== 'normal') return flow;
    }
    return NORMAL;
  }

  exec(s: SyntaxNode, env: Env): Flow {
    if (--this.statementsLeft < 0) throw new BudgetExceeded();
    switch (s.type) {
      case 'expression_statement': {
        const inner = s.namedChild(0);
        if (!inner) return NORMAL;
        if (inner.type === 'assignment') this.assign(inner, env);
        else if (inner.type === 'augmented_assignment') this.augmented(inner, env);
        else if (inner.type !== 'string') this.evaluate(inner, env);
        return NORMAL;
      }
      case 'return_statement': {
        const value = s.namedChild(0);
        return { kind: 'return', value: value ? this.evaluate(value, env) : null };
      }
      case 'if_statement':
        return this.ifStatement(s, env);
      case 'for_statement':
        return this.forStatement(s, env);
      case 'with_statement': {
        // `with torch.no_grad():` and the like change nothing the reader tracks.
        return this.execBlock(statements(s.childForFieldName('body')), env);
      }
      case 'try_statement':
        return this.execBlock(statements(s.childForFieldName('body')), env);
      case 'pass_statement':
      case 'import_statement':
      case 'import_from_statement':
      case 'assert_statement':
      case 'comment':
      case 'global_statement':
      case 'nonlocal_statement':
        return NORMAL;
      case 'break_statement':
        return { kind: 'break' };
      case 'continue_statement':
        return { kind: 'continue' };
      case 'raise_statement':
        // A guard clause reached: torch would raise here. Reading on (as if it did not) keeps the rest of the model.
        this.assume(s, `\`${snippet(s)}\``, 'Weightscope read on as if it were not raised.');
        return NORMAL;
      case 'function_definition':
        env.vars.set(s.childForFieldName('name')!.text, { kind: 'function', def: s, file: env.file });
        return NORMAL;
      case 'decorated_definition': {
        const def = s.childForFieldName('definition');
        return def ? this.exec(def, env) : NORMAL;
      }
      case 'class_definition':
        env.vars.set(s.childForFieldName('name')!.text, this.definitionValue(env.file, s, s.childForFieldName('name')!.text));
        return NORMAL;
      case 'delete_statement': {
        // del d[key] / del self.layer: the entry (or the submodule) is gone.
        for (const target of s.namedChildren.flatMap((c) => (c?.type === 'expression_list' ? c.namedChildren : [c]))) {
          if (target?.type === 'subscript') {
            const object = this.evaluate(target.childForFieldName('value')!, env);
            const key = this.evaluate(target.childForFieldName('subscript')!, env);
            if (typeof object === 'object' && object !== null && object.kind === 'dict' && (typeof key === 'string' || typeof key === 'number')) object.entries.delete(key);
            else if (typeof object === 'object' && object !== null && object.kind === 'list' && typeof key === 'number') object.items.splice(key, 1);
          } else if (target?.type === 'attribute') {
            const object = this.evaluate(target.childForFieldName('object')!, env);
            this.torch.setAttribute(object, target.childForFieldName('attribute')!.text, null, target);
          }
        }
        return NORMAL;
      }
      case 'while_statement':
        this.assume(s, `the while loop \`${snippet(s)}\``, 'Weightscope skipped it.');
        return NORMAL;
      default:
        this.assume(s, `\`${snippet(s)}\``, 'Weightscope skipped it.');
        return NORMAL;
    }
  }

  private ifStatement(s: SyntaxNode, env: Env): Flow {
    const condition = s.childForFieldName('condition')!;
    const value = this.evaluate(condition, env);
    const truth = truthiness(value);
    if (truth === true) return this.execBlock(statements(s.childForFieldName('consequence')), env);
    if (truth === undefined) {
      this.assume(condition, `the condition \`${snippet(condition)}\`${isUnknown(value) ? ` (${value.reason})` : ''}`, 'Weightscope assumed it is false.');
    }
    for (const alt of s.childrenForFieldName('alternative')) {
      if (!alt) continue;
      if (alt.type === 'elif_clause') {
        const c = alt.childForFieldName('condition')!;
        const v = this.evaluate(c, env);
        const t = truthiness(v);
        if (t === undefined) this.assume(c, `the condition \`${snippet(c)}\``, 'Weightscope assumed it is false.');
        if (t === true) return this.execBlock(statements(alt.childForFieldName('consequence')), env);
      } else if (alt.type === 'else_clause') {
        return this.execBlock(statements(alt.childForFieldName('body')), env);
      }
    }
    return NORMAL;
  }

  private forStatement(s: SyntaxNode, env: Env): Flow {
    const right = s.childForFieldName('right')!;
    const items = this.iterate(this.evaluate(right, env), right);
    if (!items) return NORMAL;
    const left = s.childForFieldName('left')!;
    for (const item of items) {
      this.bind(left, item, env);
      const flow = this.execBlock(statements(s.childForFieldName('body')), env);
      if (flow.kind === 'break') break;
      if (flow.kind === 'return') return flow;
    }
    return NORMAL;
  }

  /** The items of an iterable value, or undefined (reported) when they cannot be listed. */
  iterate(v: Value, node: SyntaxNode): Value[] | undefined {
    if (typeof v === 'string') return [...v];
    if (typeof v === 'object' && v !== null) {
      if (v.kind === 'list') return v.items;
      if (v.kind === 'dict') return [...v.entries.keys()];
      if (v.kind === 'module' && (v.node.type === 'Sequential' || v.node.type === 'ModuleList')) return this.torch.childValues(v);
      if (v.kind === 'module' && v.node.type === 'ModuleDict') return v.node.children.map((c) => c.name);
    }
    if (isUnknown(v)) this.assume(v.node, `the loop over \`${snippet(node)}\` (${v.reason})`, 'Weightscope could not list its items and skipped the loop.');
    else this.assume(node, `the loop over \`${snippet(node)}\``, 'Weightscope could not list its items and skipped the loop.');
    return undefined;
  }

  private assign(a: SyntaxNode, env: Env): void {
    const right = a.childForFieldName('right');
    const left = a.childForFieldName('left')!;
    if (!right) return; // an annotation without a value
    // a = b = value: tree-sitter nests the second assignment as the right side; every target gets the value.
    let inner = right;
    const targets = [left];
    while (inner.type === 'assignment' && inner.childForFieldName('right')) {
      targets.push(inner.childForFieldName('left')!);
      inner = inner.childForFieldName('right')!;
    }
    const value = this.evaluate(inner, env);
    for (const t of targets) this.bind(t, value, env);
  }

  private augmented(a: SyntaxNode, env: Env): void {
    const left = a.childForFieldName('left')!;
    const right = a.childForFieldName('right')!;
    const op = a.childForFieldName('operator')!.text.slice(0, -1);
    const current = this.evaluate(left, env);
    const value = this.binary(op, current, this.evaluate(right, env), a);
    // p.data *= c on a tensor scales it in place.
    if (typeof current === 'object' && current !== null && current.kind === 'tensor') {
      this.torch.inPlace(current, op, this.evaluate(right, env), a);
      return;
    }
    if (typeof current === 'object' && current !== null && current.kind === 'list' && op === '+') {
      const added = this.evaluate(right, env);
      const items = this.iterate(added, right);
      if (items) current.items.push(...items);
      return;
    }
    this.bind(left, value, env);
  }

  /** Binds a target (a name, a tuple of targets, `self.x`, `x[i]`) to a value. */
  bind(target: SyntaxNode, value: Value, env: Env): void {
    const t = unparen(target);
    switch (t.type) {
      case 'identifier':
        env.vars.set(t.text, value);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'tuple':
      case 'list_pattern':
      case 'list': {
        const targets = t.namedChildren.filter((c): c is SyntaxNode => c !== null);
        const items = typeof value === 'object' && value !== null && value.kind === 'list' ? value.items : undefined;
        targets.forEach((sub, i) => this.bind(sub, items && i < items.length ? items[i]! : unknown(t, `item ${i} of ${show(value)}`), env));
        return;
      }
      case 'attribute': {
        const object = this.evaluate(t.childForFieldName('object')!, env);
        this.torch.setAttribute(object, t.childForFieldName('attribute')!.text, value, t);
        return;
      }
      case 'subscript': {
        const object = this.evaluate(t.childForFieldName('value')!, env);
        const index = this.evaluate(t.childForFieldName('subscript')!, env);
        if (typeof object === 'object' && object !== null && object.kind === 'dict' && (typeof index === 'string' || typeof index === 'number')) object.entries.set(index, value);
        else if (typeof object === 'object' && object !== null && object.kind === 'list' && typeof index === 'number') object.items[index < 0 ? object.items.length + index : index] = value;
        else if (typeof object === 'object' && object !== null && object.kind === 'module' && (typeof index === 'string' || typeof index === 'number')) this.torch.setChild(object, String(index), value, t);
        else if (typeof object === 'object' && object !== null && object.kind === 'tensor') this.torch.sliceAssign(object, t, value);
        else if (typeof object === 'object' && object !== null && object.kind === 'newTensor') object.approximate = `part of it is set by \`${snippet(t.parent ?? t)}\`, which Weightscope does not compute`;
        return;
      }
      default:
        return;
    }
  }

  // ---------------------------------------------------------------------------
  // Expressions

  evaluate(node: SyntaxNode, env: Env): Value {
    const n = unparen(node);
    switch (n.type) {
      case 'integer': {
        const t = n.text.replace(/_/g, '').toLowerCase();
        const v = /^0[box]/.test(t) ? Number(t) : Number(t.replace(/[lj]$/, ''));
        return Number.isFinite(v) ? v : unknown(n, `the number ${n.text}`);
      }
      case 'float': {
        const v = Number(n.text.replace(/_/g, ''));
        return Number.isFinite(v) ? v : unknown(n, `the number ${n.text}`);
      }
      case 'true':
        return true;
      case 'false':
        return false;
      case 'none':
        return null;
      case 'ellipsis':
        return unknown(n, '...');
      case 'string':
        return stringValue(n) ?? this.fString(n, env);
      case 'concatenated_string': {
        const parts = n.namedChildren.map((p) => (p ? stringValue(p) : undefined));
        return parts.every((p) => p !== undefined) ? parts.join('') : unknown(n, 'an f-string');
      }
      case 'identifier':
        return this.lookup(n.text, env, n);
      case 'attribute': {
        const object = this.evaluate(n.childForFieldName('object')!, env);
        return this.torch.getAttribute(object, n.childForFieldName('attribute')!.text, n);
      }
      case 'subscript':
        return this.subscript(n, env);
      case 'call':
        return this.callExpression(n, env);
      case 'binary_operator': {
        const left = this.evaluate(n.childForFieldName('left')!, env);
        const right = this.evaluate(n.childForFieldName('right')!, env);
        return this.binary(n.childForFieldName('operator')!.text, left, right, n);
      }
      case 'unary_operator': {
        const v = this.evaluate(n.childForFieldName('argument')!, env);
        const op = n.childForFieldName('operator')!.text;
        if (typeof v === 'number' || typeof v === 'boolean') return op === '-' ? -Number(v) : op === '+' ? Number(v) : op === '~' ? ~Number(v) : unknown(n, n.text);
        return isUnknown(v) ? v : unknown(n, `${op} on ${show(v)}`);
      }
      case 'not_operator': {
        const t = truthiness(this.evaluate(n.childForFieldName('argument')!, env));
        return t === undefined ? unknown(n, `\`${snippet(n)}\``) : !t;
      }
      case 'boolean_operator': {
        const left = this.evaluate(n.childForFieldName('left')!, env);
        const t = truthiness(left);
        if (t === undefined) return left;
        const op = n.childForFieldName('operator')!.text;
        if ((op === 'and' && !t) || (op === 'or' && t)) return left;
        return this.evaluate(n.childForFieldName('right')!, env);
      }
      case 'comparison_operator':
        return this.comparison(n, env);
      case 'conditional_expression': {
        const [whenTrue, condition, whenFalse] = n.namedChildren;
        const t = truthiness(this.evaluate(condition!, env));
        if (t === undefined) return unknown(condition!, `the condition \`${snippet(condition!)}\``);
        return this.evaluate(t ? whenTrue! : whenFalse!, env);
      }
      case 'list':
      case 'tuple':
      case 'expression_list':
      case 'set':
        return list(this.elements(n, env), n.type !== 'list');
      case 'dictionary': {
        const d: DictValue = { kind: 'dict', entries: new Map() };
        for (const pair of n.namedChildren) {
          if (pair?.type === 'pair') {
            const key = this.evaluate(pair.childForFieldName('key')!, env);
            if (typeof key === 'string' || typeof key === 'number') d.entries.set(key, this.evaluate(pair.childForFieldName('value')!, env));
          } else if (pair?.type === 'dictionary_splat') {
            const inner = this.evaluate(pair.namedChild(0)!, env);
            if (typeof inner === 'object' && inner !== null && inner.kind === 'dict') for (const [k, v] of inner.entries) d.entries.set(k, v);
          }
        }
        return d;
      }
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
        return list(this.comprehension(n, env, (inner) => [this.evaluate(n.childForFieldName('body')!, inner)]) ?? [], n.type !== 'list_comprehension');
      case 'dictionary_comprehension': {
        const d: DictValue = { kind: 'dict', entries: new Map() };
        const body = n.childForFieldName('body')!;
        this.comprehension(n, env, (inner) => {
          const key = this.evaluate(body.childForFieldName('key')!, inner);
          if (typeof key === 'string' || typeof key === 'number') d.entries.set(key, this.evaluate(body.childForFieldName('value')!, inner));
          return [];
        });
        return d;
      }
      case 'lambda':
        return { kind: 'function', def: n, file: env.file };
      case 'keyword_argument':
        return this.evaluate(n.childForFieldName('value')!, env);
      default:
        return unknown(n, `\`${snippet(n)}\``);
    }
  }

  /** `f"layer{i}"`: each interpolation's value as Python's str() writes it (format specs are not applied). */
  private fString(n: SyntaxNode, env: Env): Value {
    let out = '';
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_content') out += c.text;
      else if (c.type === 'escape_sequence') out += unescape(c.text);
      else if (c.type === 'interpolation') {
        if (c.childForFieldName('format_specifier')) return unknown(n, 'an f-string with a format specifier');
        const v = this.evaluate(c.childForFieldName('expression') ?? c.namedChild(0)!, env);
        if (typeof v === 'number') out += Number.isInteger(v) ? String(v) : String(v);
        else if (typeof v === 'string') out += v;
        else if (typeof v === 'boolean') out += v ? 'True' : 'False';
        else if (v === null) out += 'None';
        else return isUnknown(v) ? v : unknown(n, `an f-string of ${show(v)}`);
      }
    }
    return out;
  }

  /** List items, with `*splat`s expanded. */
  private elements(n: SyntaxNode, env: Env): Value[] {
    const out: Value[] = [];
    for (const c of n.namedChildren) {
      if (!c || c.type === 'comment') continue;
      if (c.type === 'list_splat') {
        const items = this.iterate(this.evaluate(c.namedChild(0)!, env), c);
        if (items) out.push(...items);
      } else out.push(this.evaluate(c, env));
    }
    return out;
  }

  /** Runs `each` for every binding of the comprehension's for/if clauses; undefined when a clause cannot be followed. */
  private comprehension(n: SyntaxNode, env: Env, each: (inner: Env) => Value[]): Value[] | undefined {
    const clauses = n.namedChildren.filter((c): c is SyntaxNode => c !== null && (c.type === 'for_in_clause' || c.type === 'if_clause'));
    const out: Value[] = [];
    const walk = (i: number, scope: Env): boolean => {
      if (i === clauses.length) {
        out.push(...each(scope));
        return true;
      }
      const clause = clauses[i]!;
      if (clause.type === 'if_clause') {
        const t = truthiness(this.evaluate(clause.namedChild(0)!, scope));
        if (t === undefined) {
          this.assume(clause, `the condition \`${snippet(clause)}\``, 'Weightscope assumed it is true.');
          return walk(i + 1, scope);
        }
        return t ? walk(i + 1, scope) : true;
      }
      const right = clause.childForFieldName('right')!;
      const items = this.iterate(this.evaluate(right, scope), right);
      if (!items) return false;
      for (const item of items) {
        const inner = new Env(scope.file, scope);
        this.bind(clause.childForFieldName('left')!, item, inner);
        if (!walk(i + 1, inner)) return false;
      }
      return true;
    };
    return walk(0, env) ? out : undefined;
  }

  private subscript(n: SyntaxNode, env: Env): Value {
    const object = this.evaluate(n.childForFieldName('value')!, env);
    const indexNode = n.childForFieldName('subscript')!;
    if (indexNode.type === 'slice') {
      // start:stop:step, each optional: the parts are told apart by the colons between them.
      const parts: (Value | undefined)[] = [undefined, undefined, undefined];
      let colons = 0;
      for (const c of indexNode.children) {
        if (c.type === ':') colons++;
        else if (c.isNamed && c.type !== 'comment') parts[colons] = this.evaluate(c, env);
      }
      return this.torch.slice(object, parts, n);
    }
    const index = this.evaluate(indexNode, env);
    return this.torch.index(object, index, n);
  }

  binary(op: string, a: Value, b: Value, node: SyntaxNode): Value {
    if (isUnknown(a)) return a;
    if (isUnknown(b)) return b;
    const tensorResult = this.torch.tensorArithmetic(op, a, b, node);
    if (tensorResult !== undefined) return tensorResult;
    if (typeof a === 'object' && a !== null && a.kind === 'list' && typeof b === 'object' && b !== null && b.kind === 'list' && op === '+') return list([...a.items, ...b.items], a.tuple);
    if (typeof a === 'object' && a !== null && a.kind === 'list' && typeof b === 'number' && op === '*') return list(Array.from({ length: Math.max(0, b) }, () => a.items).flat(), a.tuple);
    if (typeof a === 'string' && typeof b === 'string' && op === '+') return a + b;
    if (typeof a === 'string' && op === '%') return percentFormat(a, b) ?? unknown(node, 'a formatted string');
    const x = typeof a === 'boolean' ? Number(a) : a;
    const y = typeof b === 'boolean' ? Number(b) : b;
    if (typeof x !== 'number' || typeof y !== 'number') return unknown(node, `\`${op}\` on ${show(a)} and ${show(b)}`);
    switch (op) {
      case '+': return x + y;
      case '-': return x - y;
      case '*': return x * y;
      case '/': return y === 0 ? unknown(node, 'a division by zero') : x / y;
      case '//': return y === 0 ? unknown(node, 'a division by zero') : Math.floor(x / y);
      case '%': return y === 0 ? unknown(node, 'a division by zero') : ((x % y) + y) % y;
      case '**': return x ** y;
      case '<<': return x << y;
      case '>>': return x >> y;
      case '&': return x & y;
      case '|': return x | y;
      case '^': return x ^ y;
      case '@': return unknown(node, 'a matrix product');
      default: return unknown(node, `the operator ${op}`);
    }
  }

  private comparison(n: SyntaxNode, env: Env): Value {
    const operands = n.namedChildren.filter((c): c is SyntaxNode => c !== null);
    const operators = n.children.filter((c) => !c.isNamed || c.type === 'not' || c.type === 'is' || c.type === 'in').map((c) => c.text);
    // `is not` / `not in` arrive as two tokens.
    const ops: string[] = [];
    for (let i = 0; i < operators.length; i++) {
      const o = operators[i]!;
      if ((o === 'is' && operators[i + 1] === 'not') || (o === 'not' && operators[i + 1] === 'in')) {
        ops.push(`${o} ${operators[i + 1]}`);
        i++;
      } else ops.push(o);
    }
    let left = this.evaluate(operands[0]!, env);
    for (let i = 1; i < operands.length; i++) {
      const right = this.evaluate(operands[i]!, env);
      const r = compare(ops[i - 1] ?? '==', left, right);
      if (r === undefined) return unknown(n, `\`${snippet(n)}\``);
      if (!r) return false;
      left = right;
    }
    return true;
  }

  // ---------------------------------------------------------------------------
  // Calls

  private callExpression(n: SyntaxNode, env: Env): Value {
    const fnNode = n.childForFieldName('function')!;
    const fn = this.evaluate(fnNode, env);
    const args = this.callArgs(n, env);
    if (!args) return unknown(n, `the arguments of \`${snippet(n)}\``);
    if (typeof fn === 'object' && fn !== null && fn.kind === 'builtin' && fn.name === 'super' && fn.self === undefined) {
      // super() / super(Cls, self): the class whose method is running and its instance.
      const owner = args.positional[0] ?? this.lookup('__class__', env, n);
      const instance = args.positional[1] ?? this.lookup('__self__', env, n);
      return { kind: 'builtin', name: 'super', self: list([owner, instance]) };
    }
    if (this.inMain(n)) this.sites.push(n);
    try {
      return this.call(fn, args, n);
    } finally {
      if (this.inMain(n)) this.sites.pop();
    }
  }

  callArgs(n: SyntaxNode, env: Env): CallArgs | undefined {
    const out: CallArgs = { positional: [], keywords: new Map() };
    const list = n.childForFieldName('arguments');
    if (!list) return out;
    if (list.type === 'generator_expression') {
      out.positional.push(this.evaluate(list, env));
      return out;
    }
    for (const arg of list.namedChildren) {
      if (!arg || arg.type === 'comment') continue;
      if (arg.type === 'keyword_argument') {
        out.keywords.set(arg.childForFieldName('name')!.text, this.evaluate(arg.childForFieldName('value')!, env));
      } else if (arg.type === 'list_splat') {
        const items = this.iterate(this.evaluate(arg.namedChild(0)!, env), arg);
        if (!items) return undefined;
        out.positional.push(...items);
      } else if (arg.type === 'dictionary_splat') {
        const d = this.evaluate(arg.namedChild(0)!, env);
        if (typeof d === 'object' && d !== null && d.kind === 'dict') for (const [k, v] of d.entries) out.keywords.set(String(k), v);
        else if (typeof d === 'object' && d !== null && d.kind === 'object') for (const [k, v] of d.attrs) out.keywords.set(k, v);
        else {
          this.assume(arg, `the keyword arguments \`${snippet(arg)}\``, 'Weightscope could not list them and used the defaults.');
        }
      } else {
        out.positional.push(this.evaluate(arg, env));
      }
    }
    return out;
  }

  call(fn: Value, args: CallArgs, node: SyntaxNode): Value {
    if (typeof fn !== 'object' || fn === null) return unknown(node, `a call of ${show(fn)}`);
    switch (fn.kind) {
      case 'function':
        return this.callFunction(fn, args, node);
      case 'class':
        return this.instantiate(fn, args, node);
      case 'builtin':
        return this.torch.callBuiltin(fn, args, node);
      case 'unknown':
        return fn;
      default:
        return unknown(node, `a call of ${show(fn)}`);
    }
  }

  callFunction(fn: FunctionValue, args: CallArgs, node: SyntaxNode): Value {
    if (this.depth >= MAX_DEPTH) return unknown(node, `\`${snippet(node)}\` (calls nested more than ${MAX_DEPTH} deep)`);
    const env = new Env(fn.file);
    const bound = fn.binding === 'static' ? [] : fn.binding === 'class' ? [fn.owner!] : fn.self !== undefined ? [fn.self] : [];
    const positional = [...(fn.partial?.positional ?? []), ...bound, ...args.positional];
    const keywords = new Map([...(fn.partial?.keywords ?? []), ...args.keywords]);
    if (fn.def.type === 'lambda') {
      this.bindParameters(fn.def.childForFieldName('parameters'), { positional, keywords }, env);
      return this.withDepth(() => this.evaluate(fn.def.childForFieldName('body')!, env));
    }
    this.bindParameters(fn.def.childForFieldName('parameters'), { positional, keywords }, env);
    if (fn.owner) env.vars.set('__class__', fn.owner);
    if (fn.self !== undefined) env.vars.set('__self__', fn.self);
    const flow = this.withDepth(() => this.execBlock(statements(fn.def.childForFieldName('body')), env));
    return flow.kind === 'return' ? flow.value : null;
  }

  private withDepth<T>(f: () => T): T {
    this.depth++;
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  /** Binds a def's parameters: positional, keywords, defaults, `*args`, `**kwargs` (bindArguments.ts). */
  bindParameters(params: SyntaxNode | null, args: CallArgs, env: Env): void {
    const bound = bindArguments<Value>(defParameters(params), args.positional, args.keywords, {
      absent: (p) => (p.defaultNode ? this.evaluate(p.defaultNode, new Env(env.file)) : unknown(p.node, `the argument \`${p.name}\` (no value given and no default)`)),
      rest: (_p, items) => ({ kind: 'list', items, tuple: true }),
      keywords: (_p, rest): DictValue => ({ kind: 'dict', entries: rest }),
    });
    for (const [name, value] of bound) env.vars.set(name, value);
  }

  /** `Block(config)`: an nn.Module subclass builds a module; any other class an object. */
  instantiate(cls: ClassValue, args: CallArgs, node: SyntaxNode): Value {
    const torchBase = this.torchBase(cls);
    if (torchBase) {
      const module: ModuleValue = { kind: 'module', node: { type: 'Module', className: cls.name, args: {}, tensors: [], children: [] }, attrs: new Map(), cls };
      this.torch.register(module);
      const init = this.method(cls, '__init__');
      if (init) this.callFunction({ ...init, self: module }, args, node);
      else this.torch.superInit(module, torchBase, args, node);
      return module;
    }
    const object = { kind: 'object' as const, cls, attrs: new Map<string, Value>() };
    this.classDefaults(cls, object.attrs);
    const init = this.method(cls, '__init__');
    if (init && !cls.dataclass) this.callFunction({ ...init, self: object }, args, node);
    else this.initFields(cls, object.attrs, args);
    const post = this.method(cls, '__post_init__');
    if (post) this.callFunction({ ...post, self: object }, { positional: [], keywords: new Map() }, node);
    return object;
  }

  /** The torch class an nn.Module subclass derives from (`torch.nn.Module`, `torch.nn.Sequential`, …), through the file's own bases. */
  torchBase(cls: ClassValue): string | undefined {
    return alongBases(cls, (c) => {
      const b = c.bases.find((x): x is string => typeof x === 'string' && /^(torch\.nn\.|pytorch_lightning\.|lightning\.)/.test(x));
      return b?.replace(/^torch\.nn\.modules\.\w+\./, 'torch.nn.');
    });
  }

  /** A method by name along the class's bases (the file's own classes), with the class that defines it. */
  method(cls: ClassValue, name: string): FunctionValue | undefined {
    return alongBases(cls, (c) => {
      for (const s of statements(c.def.childForFieldName('body'))) {
        const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
        if (def?.type !== 'function_definition' || def.childForFieldName('name')!.text !== name) continue;
        const decorators = s.type === 'decorated_definition' ? s.namedChildren.filter((d) => d?.type === 'decorator').map((d) => d!.text) : [];
        const binding = decorators.includes('@staticmethod') ? 'static' : decorators.includes('@classmethod') ? 'class' : undefined;
        return { kind: 'function', def, file: c.file, owner: c, ...(binding ? { binding } : {}) } satisfies FunctionValue;
      }
      return undefined;
    });
  }

  /** A class attribute (`expansion = 4` in the class body), along its bases; undefined when there is none. */
  classAttribute(cls: ClassValue, name: string): Value | undefined {
    return alongBases(cls, (c) => {
      for (const s of statements(c.def.childForFieldName('body'))) {
        const inner = s.type === 'expression_statement' ? s.namedChild(0) : undefined;
        const left = inner?.type === 'assignment' ? inner.childForFieldName('left') : undefined;
        const right = inner?.childForFieldName('right');
        if (left?.type === 'identifier' && left.text === name && right) return this.evaluate(right, new Env(c.file));
      }
      return undefined;
    });
  }

  /** Class-level assignments (`n_embd: int = 768`) as defaults. */
  private classDefaults(cls: ClassValue, attrs: Map<string, Value>): void {
    for (const b of [...cls.bases].reverse()) if (typeof b !== 'string') this.classDefaults(b, attrs);
    const env = new Env(cls.file);
    for (const s of statements(cls.def.childForFieldName('body'))) {
      const inner = s.type === 'expression_statement' ? s.namedChild(0) : undefined;
      if (inner?.type !== 'assignment') continue;
      const left = inner.childForFieldName('left');
      const right = inner.childForFieldName('right');
      if (left?.type === 'identifier' && right) {
        const v = this.evaluate(right, env);
        // dataclasses.field(default=…) → its default.
        attrs.set(left.text, typeof v === 'object' && v !== null && v.kind === 'dict' && v.entries.has('__field_default__') ? v.entries.get('__field_default__')! : v);
      }
    }
  }

  /** A @dataclass's generated __init__ (or a plain class used as a namespace): fields in order, then keywords. */
  initFields(cls: ClassValue, attrs: Map<string, Value>, args: CallArgs): void {
    const fields = this.dataclassFields(cls);
    args.positional.forEach((v, i) => fields[i] && attrs.set(fields[i]!, v));
    for (const [k, v] of args.keywords) attrs.set(k, v);
  }

  private dataclassFields(cls: ClassValue): string[] {
    const fields: string[] = [];
    for (const b of cls.bases) if (typeof b !== 'string') fields.push(...this.dataclassFields(b));
    for (const s of statements(cls.def.childForFieldName('body'))) {
      const inner = s.type === 'expression_statement' ? s.namedChild(0) : undefined;
      const left = inner?.type === 'assignment' ? inner.childForFieldName('left') : undefined;
      if (left?.type === 'identifier' && !fields.includes(left.text)) fields.push(left.text);
    }
    return fields;
  }

  /** The constructor parameters of a class that have no default (self, *args and **kwargs left out). */
  requiredParameters(cls: ClassValue): string[] {
    const init = this.method(cls, '__init__');
    const params = init?.def.childForFieldName('parameters')?.namedChildren.filter((p): p is SyntaxNode => p !== null) ?? [];
    return params.slice(1).filter((p) => p.type === 'identifier' || p.type === 'typed_parameter' && p.namedChildren[0]?.type === 'identifier').map((p) => parameterName(p)!).filter(Boolean);
  }

  /** Runs a model class's constructor with the given arguments: the module tree it builds. */
  build(cls: ClassValue, args: CallArgs, site: SyntaxNode): { module?: ModuleValue; error?: string } {
    try {
      const v = this.instantiate(cls, args, site);
      return typeof v === 'object' && v !== null && v.kind === 'module' ? { module: v } : { error: `${cls.name} is not an nn.Module` };
    } catch (err) {
      if (err instanceof BudgetExceeded) return { error: `reading ${cls.name}'s constructor took more than ${STATEMENT_BUDGET.toLocaleString('en-US')} steps` };
      throw err;
    }
  }
}

/** The first answer of `find` on the class, then on its bases (the file's own classes), depth first as Python's MRO is for single inheritance. */
function alongBases<T>(cls: ClassValue, find: (c: ClassValue) => T | undefined, seen = new Set<ClassValue>()): T | undefined {
  if (seen.has(cls)) return undefined;
  seen.add(cls);
  const own = find(cls);
  if (own !== undefined) return own;
  for (const b of cls.bases) {
    if (typeof b === 'string') continue;
    const found = alongBases(b, find, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Builtin functions the reader knows by name. */
const BUILTINS = new Set([
  'range', 'len', 'int', 'float', 'bool', 'str', 'min', 'max', 'abs', 'round', 'sum', 'list', 'tuple', 'dict', 'set', 'zip', 'enumerate',
  'isinstance', 'issubclass', 'getattr', 'hasattr', 'setattr', 'print', 'super', 'any', 'all', 'sorted', 'reversed', 'map', 'filter', 'type', 'divmod', 'pow',
  'ValueError', 'NotImplementedError', 'TypeError', 'RuntimeError', 'AssertionError', 'KeyError',
]);

/** `"denselayer%d" % (i + 1)`: printf-style formatting with %d, %i, %s and %%. */
function percentFormat(format: string, args: Value): string | undefined {
  const items = typeof args === 'object' && args !== null && args.kind === 'list' && args.tuple ? args.items : [args];
  let i = 0;
  let failed = false;
  const out = format.replace(/%([%dis])/g, (_, c: string) => {
    if (c === '%') return '%';
    const v = items[i++];
    if (typeof v === 'number') return c === 's' ? String(v) : String(Math.trunc(v));
    if (typeof v === 'string' && c === 's') return v;
    failed = true;
    return '';
  });
  return failed || i !== items.length ? undefined : out;
}

function stringValue(n: SyntaxNode): string | undefined {
  if (n.type !== 'string') return undefined;
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return n.namedChildren.filter((c) => c?.type === 'string_content' || c?.type === 'escape_sequence').map((c) => (c!.type === 'escape_sequence' ? unescape(c!.text) : c!.text)).join('');
}

function unescape(s: string): string {
  const map: Record<string, string> = { '\\n': '\n', '\\t': '\t', "\\'": "'", '\\"': '"', '\\\\': '\\' };
  return map[s] ?? s;
}

/** A Python comparison, or undefined when it depends on an unknown. */
function compare(op: string, a: Value, b: Value): boolean | undefined {
  if (isUnknown(a) || isUnknown(b)) return undefined;
  switch (op) {
    case 'is':
    case '==':
      return equal(a, b);
    case 'is not':
    case '!=': {
      const e = equal(a, b);
      return e === undefined ? undefined : !e;
    }
    case 'in':
    case 'not in': {
      let found: boolean | undefined;
      if (typeof b === 'string' && typeof a === 'string') found = b.includes(a);
      else if (typeof b === 'object' && b !== null && b.kind === 'list') found = b.items.some((x) => equal(a, x) === true);
      else if (typeof b === 'object' && b !== null && b.kind === 'dict') found = (typeof a === 'string' || typeof a === 'number') && b.entries.has(a);
      else return undefined;
      return op === 'in' ? found : !found;
    }
  }
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  // Ordering: numbers with numbers, strings with strings (Python raises for anything else).
  if ((typeof x === 'number' && typeof y === 'number') || (typeof x === 'string' && typeof y === 'string')) {
    switch (op) {
      case '<': return x < y;
      case '<=': return x <= y;
      case '>': return x > y;
      case '>=': return x >= y;
    }
  }
  return undefined;
}

function equal(a: Value, b: Value): boolean | undefined {
  if (a === null || b === null) return a === b;
  if (typeof a !== 'object' || typeof b !== 'object') {
    if (typeof a === 'object' || typeof b === 'object') return false;
    return (typeof a === 'boolean' ? Number(a) : a) === (typeof b === 'boolean' ? Number(b) : b);
  }
  if (a.kind === 'list' && b.kind === 'list') return a.items.length === b.items.length && a.items.every((x, i) => equal(x, b.items[i]!) === true);
  if (a.kind === 'builtin' && b.kind === 'builtin') return a.name === b.name;
  if (a.kind === 'module' && b.kind === 'module') return a.node === b.node;
  if (a.kind === 'tensor' && b.kind === 'tensor') return a.decl === b.decl;
  return a === b;
}

export type { ListValue, ModuleNode };
