/**
 * `forward` as a dataflow graph (engine/graph/ir.ts), read from the syntax
 * tree of a model whose module tree `readModuleTree` built: parsed, never run.
 *
 * The reader evaluates `forward` symbolically. A tensor (or a number only
 * known when the model runs, such as `B, T, C = x.size()`) is a symbol, the
 * SSA name of the graph node that computes it; everything that does not
 * depend on a symbol is computed now, with the module reader's interpreter
 * and the module's own attributes (`self.n_head`, `config.n_embd`), and
 * enters the graph as a constant. So:
 *   - `q, k, v = self.c_attn(x).split(self.n_embd, dim=2)`: a module call, a
 *     `Tensor.split` node with the constant 768, then three `getitem` nodes;
 *   - `for block in self.h: x = block(x)` is unrolled over the ModuleList;
 *   - `if targets is None:` takes the training path (targets are given), and
 *     `if self.training:` the training branch, as a training step does;
 *   - a submodule of the model's own class is read once, its `forward` in its
 *     own body (`ForwardGraph.bodies`, by module path); a helper method or a
 *     function of the file (`self._attn(q, k, v)`, `new_gelu(x)`) is inlined;
 *   - `nn.Sequential` (and classes derived from it with no `forward`) become
 *     a body that calls each child in order.
 * What it cannot read stops the reading with a message on the exact syntax
 * and naming the construct (`ForwardProblem`); the module tree (and so the
 * inspection) is unaffected.
 */
import type { ExtraInput, ForwardGraph, FunctionGraph, GraphArg, GraphCall, GraphNode, InputKind } from '../../engine/graph/ir';
import { BRANCH_OP } from '../../engine/graph/branch';
import { checkForwardGraph } from '../../engine/graph/check';
import { argValues, everyNode } from '../../engine/graph/ir';
import type { ModuleNode } from '../../engine/modules/tree';
import type { SyntaxNode } from '../parser';
import { parameterName, snippet, statements, unparen } from '../syntax';
import type { SourceFile } from './files';
import { bindArguments, defParameters, type DefParameter } from './bindArguments';
import { Env, type Interpreter } from './interpreter';
import { isUnknown, type BuiltinValue, type ClassValue, type FunctionValue, type ModuleValue, type Value } from './values';

/** A value only known when the model runs: the SSA name of the node computing it. */
interface Sym {
  kind: 'sym';
  name: string;
}

/** A tuple or list some of whose items are symbols. */
interface SymList {
  kind: 'symlist';
  items: FValue[];
}

type FValue = Sym | SymList | Value;

/** Why `forward` could not be read: the construct, at its syntax. */
export interface ForwardProblem {
  node: SyntaxNode;
  /** The construct in a few words, for the ranking of what is not read yet (`a while loop`, `nn.LSTM's tuple output`). */
  construct: string;
  message: string;
}

class Unreadable extends Error {
  constructor(readonly problem: ForwardProblem) {
    super(problem.message);
  }
}

const MAX_INLINE_DEPTH = 24;
/** Ops that give a tensor's sizes, and the Python arithmetic on them: a condition built of these is decided by shapes. */
const SIZE_QUERIES = /^(Tensor\.(size|shape|dim|ndim|ndimension|numel)|builtins\.len)$/;
const SIZE_ARITHMETIC = /^(operator\.(add|sub|mul|truediv|floordiv|mod|pow|neg|eq|ne|lt|le|gt|ge|getitem)|builtins\.(int|float|min|max|abs|round|len)|math\.\w+)$/;
/** Re-readings of forward with a branch on runtime sizes turned to its other side. */
const MAX_BRANCH_REREADS = 16;
/** Ops that compute a loss (the targets of a forward that computes its own loss meet one). */
const LOSS_OP = /(cross_entropy|nll_loss|_loss|kl_div|binary_cross_entropy(_with_logits)?)$/;
const MAX_NODES = 200_000;

const BINARY_OPS: Readonly<Record<string, string>> = {
  '+': 'operator.add', '-': 'operator.sub', '*': 'operator.mul', '/': 'operator.truediv', '//': 'operator.floordiv',
  '%': 'operator.mod', '**': 'operator.pow', '@': 'operator.matmul',
};
const COMPARE_OPS: Readonly<Record<string, string>> = {
  '==': 'operator.eq', '!=': 'operator.ne', '<': 'operator.lt', '<=': 'operator.le', '>': 'operator.gt', '>=': 'operator.ge',
};
/** Keyword arguments that say where or in which precision a value lives: the engine has one device and its own dtype. */
const PLACEMENT_KEYWORDS = new Set(['device', 'dtype', 'layout', 'pin_memory', 'non_blocking', 'memory_format']);
const MATH_CONSTANTS: Readonly<Record<string, number>> = {
  'math.pi': Math.PI, 'math.e': Math.E, 'math.tau': 2 * Math.PI, 'math.inf': Infinity, 'math.nan': NaN,
  'numpy.pi': Math.PI, 'numpy.e': Math.E, 'numpy.inf': Infinity, 'torch.pi': Math.PI,
};
/** Tensor attributes that are about placement, read as constants. */
const PLACEMENT_ATTRIBUTES: Readonly<Record<string, Value>> = { device: 'cpu', dtype: 'float32', is_cuda: false, requires_grad: true };

interface Frame {
  vars: Map<string, FValue>;
  self: ModuleValue | undefined;
  file: SourceFile;
  nodes: GraphNode[];
  depth: number;
}

export class ForwardReader {
  private readonly paths = new Map<ModuleNode, string>();
  private readonly bodies: Record<string, FunctionGraph> = {};
  private readonly reading = new Set<string>();
  private counter = 0;
  private nodeCount = 0;
  /** Sides decided for conditions on runtime sizes, by `start:occurrence` (kept across re-readings). */
  private readonly decisions = new Map<string, boolean>();
  private readonly conditionsSeen = new Map<number, number>();
  private branchesRead = 0;
  /** Every node by the value it computes (whether a condition comes from sizes alone). */
  private readonly producers = new Map<string, GraphNode>();

  /** `main` is the file the model is read from: nodes from other files carry their path (diagnostics go to the call in main). */
  constructor(private readonly it: Interpreter, private readonly root: ModuleValue, private readonly main?: SourceFile) {
    const walk = (node: ModuleNode, path: string): void => {
      if (this.paths.has(node)) return;
      this.paths.set(node, path);
      for (const c of node.children) walk(c.module, path ? `${path}.${c.name}` : c.name);
    };
    walk(root.node, '');
  }

  /**
   * The model's forward graph, or the first construct that stops it. A branch on runtime sizes is read on the
   * side guessed first (true), and read again on its other side when the graph check, on the example shapes,
   * finds it goes the other way (branch.ts), a few times at most.
   */
  read(): { graph: ForwardGraph } | { problem: ForwardProblem } {
    try {
      for (let attempt = 0; ; attempt++) {
        this.reset();
        let read = this.readOnce(true);
        // An optional `targets=None` that no loss reads is not the targets: read again with its default, as a call without it.
        if (read.optionalTargetsUnused) {
          this.reset();
          read = this.readOnce(false);
        }
        const misread = this.branchesRead > 0 && attempt < MAX_BRANCH_REREADS ? this.misreadBranch(read.graph) : undefined;
        if (!misread || this.decisions.has(misread.key)) return { graph: read.graph };
        this.decisions.set(misread.key, !misread.taken);
      }
    } catch (err) {
      if (err instanceof Unreadable) return { problem: err.problem };
      throw err;
    }
  }

  /** The first branch the graph check finds read on the wrong side for the example shapes. */
  private misreadBranch(graph: ForwardGraph): { key: string; taken: boolean } | undefined {
    return checkForwardGraph(structuredClone(graph), this.root.node).find((p) => p.branch)?.branch;
  }

  private reset(): void {
    this.conditionsSeen.clear();
    this.producers.clear();
    this.branchesRead = 0;
    for (const k of Object.keys(this.bodies)) delete this.bodies[k];
    this.reading.clear();
    this.activeFrames.length = 0;
    this.calls.length = 0;
    this.counter = 0;
    this.nodeCount = 0;
  }

  /**
   * One reading of forward. Its inputs after `self`: the first is the data; one named like targets (`targets`,
   * `labels`, `y`) is the targets when a loss computed in forward reads it (nanoGPT), and with a default it is
   * given on the training path (`targets=None`); every other input without a default is an input of its own
   * (`forward(self, obs, action)`), fed from the data by its name or a synthetic default of its kind; inputs
   * with defaults take them.
   */
  private readOnce(optionalTargetsGiven: boolean): { graph: ForwardGraph; optionalTargetsUnused: boolean } {
    const forward = this.forwardOf(this.root);
    if (!forward) return { graph: this.sequentialModel(), optionalTargetsUnused: false };
    this.parses(forward.def);
    const params = parametersOf(forward.def);
    const inputs: string[] = [];
    const names: string[] = [];
    const frame = this.frame(this.root, forward.file, 0);
    frame.vars.set(selfName(forward.def), this.root);
    this.activeFrames.push(frame);
    let targetsInput = -1;
    let targetsOptional = false;
    params.forEach((p, i) => {
      if (p.splat) this.fail(p.node, 'forward(*args)', `forward's \`${p.node.text}\`: Weightscope reads a forward with named inputs.`);
      const targets = i > 0 && targetsInput < 0 && isTargetsName(p.name) && (!p.hasDefault || optionalTargetsGiven);
      if (i === 0 || targets || !p.hasDefault) {
        const sym = this.fresh(p.name);
        if (targets) {
          targetsInput = inputs.length;
          targetsOptional = p.hasDefault;
        }
        inputs.push(sym.name);
        names.push(p.name);
        frame.vars.set(p.name, sym);
      } else {
        // An optional input the data does not give: its default, as a call without it would.
        frame.vars.set(p.name, p.defaultNode ? this.constantOf(p.defaultNode, frame) : null);
      }
    });
    if (inputs.length === 0) this.fail(forward.def, 'a forward without inputs', 'forward takes no input.');
    const result = this.runBody(statements(forward.def.childForFieldName('body')), frame);
    const output = this.toArg(result, forward.def);
    const rootGraph: FunctionGraph = { inputs, nodes: frame.nodes, output };
    const graph: ForwardGraph = { root: rootGraph, bodies: this.bodies, inputNames: names };
    const loss = targetsInput > 0 ? this.lossOutput(graph, inputs[targetsInput]!) : undefined;
    if (targetsInput > 0 && !loss && targetsOptional) return { graph, optionalTargetsUnused: true };
    if (loss) graph.loss = { targetsInput, ...loss };
    const extra = inputs.flatMap((name, position): ExtraInput[] => {
      if (position === 0 || (loss && position === targetsInput)) return [];
      const kind = this.inputKind(graph, name);
      return [kind ? { position, name: names[position]!, kind } : { position, name: names[position]! }];
    });
    if (extra.length > 0) graph.extraInputs = extra;
    const input = this.inputKind(graph, inputs[0]!);
    if (input) graph.input = input;
    return { graph, optionalTargetsUnused: false };
  }

  /** The model is a Sequential (or a class derived from it without forward): its children in order. */
  private sequentialModel(): ForwardGraph {
    const sequential = this.root.node.type === 'Sequential' || (this.root.cls !== undefined && this.it.torchBase(this.root.cls) === 'torch.nn.Sequential');
    if (!sequential || !this.root.cls) throw new Unreadable(this.noForward(this.root, undefined));
    this.sequentialBody(this.root, '', this.root.cls.def);
    const input = this.fresh('input');
    const call: GraphNode = { output: this.fresh('output').name, call: { kind: 'module', path: '' }, args: [{ kind: 'value', name: input.name }], kwargs: {}, range: { start: this.root.cls.def.startIndex, end: this.root.cls.def.startIndex } };
    const graph: ForwardGraph = { root: { inputs: [input.name], nodes: [call], output: { kind: 'value', name: call.output } }, bodies: this.bodies };
    const kind = this.inputKind(graph, input.name);
    if (kind) graph.input = kind;
    return graph;
  }

  // ---------------------------------------------------------------------------
  // Bodies and statements

  private frame(self: ModuleValue | undefined, file: SourceFile, depth: number): Frame {
    return { vars: new Map(), self, file, nodes: [], depth };
  }

  private forwardOf(m: ModuleValue): FunctionValue | undefined {
    return m.cls ? this.it.method(m.cls, 'forward') : undefined;
  }

  private noForward(m: ModuleValue, site: SyntaxNode | undefined): ForwardProblem {
    const name = m.cls?.name ?? m.node.className ?? m.node.type;
    return { node: site ?? m.cls?.def ?? this.anyNode(), construct: 'a module without forward', message: `${name} defines no forward that Weightscope can read.` };
  }

  private anyNode(): SyntaxNode {
    return this.root.cls!.def;
  }

  /** Runs statements; the returned value, or undefined when the block falls through. */
  private runBody(stmts: SyntaxNode[], f: Frame): FValue | undefined {
    const flow = this.block(stmts, f);
    if (flow === undefined) return null;
    return flow.value;
  }

  private block(stmts: SyntaxNode[], f: Frame): { value: FValue } | undefined {
    for (const s of stmts) {
      const flow = this.statement(s, f);
      if (flow) return flow;
    }
    return undefined;
  }

  private statement(s: SyntaxNode, f: Frame): { value: FValue } | undefined {
    switch (s.type) {
      case 'expression_statement': {
        const inner = s.namedChild(0)!;
        if (inner.type === 'assignment') {
          this.assignment(inner, f);
          return undefined;
        }
        if (inner.type === 'augmented_assignment') {
          this.augmented(inner, f);
          return undefined;
        }
        if (inner.type === 'string') return undefined; // a docstring
        if (inner.type === 'call' && /^(print|warnings\.warn|logger\.\w+|logging\.\w+|torch\._assert)$/.test(inner.childForFieldName('function')?.text ?? '')) return undefined;
        const v = this.expr(inner, f);
        if (isSymbolic(v)) this.fail(inner, 'an expression statement on a tensor', `forward: \`${snippet(inner)}\` changes a value in place or is unused; Weightscope reads assignments (x = …).`);
        return undefined;
      }
      case 'return_statement': {
        const value = s.namedChild(0);
        return { value: value ? this.expr(value, f) : null };
      }
      case 'if_statement':
        return this.ifStatement(s, f);
      case 'for_statement':
        return this.forStatement(s, f);
      case 'pass_statement':
      case 'assert_statement':
      case 'comment':
        return undefined;
      case 'raise_statement':
        // Reached on the path a training step takes: torch would raise here.
        return this.fail(s, 'a raise', `forward: \`${snippet(s)}\` raises on the path Weightscope follows (the inputs a training step gives).`);
      case 'while_statement':
        return this.fail(s.childForFieldName('condition') ?? s, 'a while loop', `forward: the loop \`${snippet(s)}\` runs a number of times Weightscope does not compute.`);
      case 'with_statement':
        return this.fail(s, 'a with block', `forward: \`${snippet(s)}\` is a with block, which Weightscope does not read in forward.`);
      case 'try_statement':
        return this.fail(s, 'a try block', `forward: \`${snippet(s)}\` is a try block, which Weightscope does not read in forward.`);
      case 'function_definition':
      case 'decorated_definition':
        return this.fail(s, 'a function defined in forward', `forward: \`${snippet(s)}\` defines a function inside forward, which Weightscope does not read.`);
      default:
        return this.fail(s, `a ${s.type.replace(/_/g, ' ')}`, `forward: \`${snippet(s)}\` is not a statement Weightscope reads in forward.`);
    }
  }

  private assignment(a: SyntaxNode, f: Frame): void {
    const left = a.childForFieldName('left')!;
    const right = a.childForFieldName('right');
    if (!right) return; // an annotation
    const value = right.type === 'assignment' ? this.chained(right, f) : this.expr(right, f);
    this.bind(left, value, f, right);
  }

  /** `a = b = expr`. */
  private chained(a: SyntaxNode, f: Frame): FValue {
    const right = a.childForFieldName('right');
    if (!right) return this.fail(a, 'an annotation without a value', `forward: \`${snippet(a)}\` annotates a name without giving it a value.`);
    const value = right.type === 'assignment' ? this.chained(right, f) : this.expr(right, f);
    this.bind(a.childForFieldName('left')!, value, f, right);
    return value;
  }

  private bind(target: SyntaxNode, value: FValue, f: Frame, site: SyntaxNode): void {
    const t = unparen(target);
    switch (t.type) {
      case 'identifier':
        f.vars.set(t.text, value);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'tuple':
      case 'list_pattern':
      case 'list': {
        const targets = t.namedChildren.filter((c): c is SyntaxNode => c !== null);
        if (targets.some((c) => c.type === 'list_splat_pattern')) this.fail(t, 'starred unpacking', `forward: \`${snippet(t)}\` unpacks with *, which Weightscope does not read.`);
        const items = this.unpack(value, targets.length, site);
        targets.forEach((c, i) => this.bind(c, items[i]!, f, site));
        return;
      }
      case 'attribute':
        return this.fail(t, 'an attribute set in forward', `forward: \`${snippet(t)} = …\` changes the module while it runs, which Weightscope does not read.`);
      case 'subscript':
        return this.fail(t, 'an indexed assignment', `forward: \`${snippet(t)} = …\` writes into a tensor in place, which Weightscope does not read.`);
      default:
        return this.fail(t, 'an assignment target', `forward: Weightscope cannot assign to \`${snippet(t)}\`.`);
    }
  }

  /** The items of a value being unpacked into `count` names. */
  private unpack(value: FValue, count: number, site: SyntaxNode): FValue[] {
    if (isSym(value)) {
      return Array.from({ length: count }, (_, i) => this.emit(site, { kind: 'op', name: 'operator.getitem' }, [{ kind: 'value', name: value.name }, { kind: 'const', value: i }], {}));
    }
    const items = isSymList(value) ? value.items : typeof value === 'object' && value !== null && value.kind === 'list' ? value.items : undefined;
    if (!items) return this.fail(site, 'unpacking a value that is not a tuple', `forward: \`${snippet(site)}\` is not a tuple Weightscope can unpack.`);
    if (items.length !== count) this.fail(site, 'unpacking', `forward: \`${snippet(site)}\` has ${items.length} items, unpacked into ${count} names.`);
    return items;
  }

  private augmented(a: SyntaxNode, f: Frame): void {
    const left = a.childForFieldName('left')!;
    const right = a.childForFieldName('right')!;
    const op = a.childForFieldName('operator')?.text ?? a.children.find((c) => !c.isNamed)?.text ?? '';
    const bop = op.replace(/=$/, '');
    if (left.type !== 'identifier') this.fail(left, 'an in-place update', `forward: \`${snippet(a)}\` updates \`${snippet(left)}\` in place, which Weightscope does not read.`);
    const current = f.vars.get(left.text) ?? this.fail(left, 'an undefined name', `forward: \`${left.text}\` has no value here.`);
    f.vars.set(left.text, this.binary(bop, current, this.expr(right, f), a));
  }

  private ifStatement(s: SyntaxNode, f: Frame): { value: FValue } | undefined {
    const condition = s.childForFieldName('condition')!;
    // `if x.ndim != 3: raise ValueError(…)`: an input check. The training path is the one that does not raise.
    const consequence = statements(s.childForFieldName('consequence'));
    if (consequence[0]?.type === 'raise_statement' && s.childrenForFieldName('alternative').filter((a) => a !== null).length === 0) return undefined;
    if (this.truth(condition, f)) return this.block(statements(s.childForFieldName('consequence')), f);
    for (const alt of s.childrenForFieldName('alternative')) {
      if (!alt) continue;
      if (alt.type === 'elif_clause') {
        if (this.truth(alt.childForFieldName('condition')!, f)) return this.block(statements(alt.childForFieldName('consequence')), f);
      } else {
        return this.block(statements(alt.childForFieldName('body')), f);
      }
    }
    return undefined;
  }

  /**
   * A branch condition, decided now: constants compute, `x is None` is False
   * for a tensor (the targets are given on the training path) and
   * `self.training` is True. A condition on tensor values cannot be decided.
   */
  private truth(condition: SyntaxNode, f: Frame): boolean {
    const v = this.expr(condition, f);
    if (isSymbolic(v)) return this.decide(condition, v);
    const t = truthy(v);
    if (t === undefined) return this.fail(condition, 'a condition Weightscope cannot compute', `forward: Weightscope cannot compute the condition \`${snippet(condition)}\`${isUnknown(v as Value) ? ` (${(v as { reason: string }).reason})` : ''}.`);
    return t;
  }

  /**
   * A condition only known when the model runs (`x.dim() == 3`, `H % self.window != 0`): the side decided for
   * it (true until the check says otherwise), recorded as a branch node that checks it (engine/graph/branch.ts).
   * Each evaluation of the condition (a loop unrolls it) is decided on its own.
   */
  private decide(condition: SyntaxNode, v: FValue): boolean {
    if (isSymList(v)) return v.items.length > 0;
    if (!this.sizeOnly(v as Sym)) {
      return this.fail(condition, 'a branch on tensor values', `forward: the condition \`${snippet(condition)}\` depends on the values of a tensor, so Weightscope cannot tell which branch runs; it reads the branches that shapes and constants decide, on a training step's path (targets given, self.training true).`);
    }
    const seen = this.conditionsSeen.get(condition.startIndex) ?? 0;
    this.conditionsSeen.set(condition.startIndex, seen + 1);
    const key = `${condition.startIndex}:${seen}`;
    const taken = this.decisions.get(key) ?? true;
    this.branchesRead++;
    this.emit(condition, { kind: 'op', name: BRANCH_OP }, [this.toArg(v, condition), { kind: 'const', value: taken }, { kind: 'const', value: key }], {});
    return taken;
  }

  /** Whether a value is computed from sizes alone (`x.size(1)`, `x.dim() == 3`, `H % 7`), not from tensor values. */
  private sizeOnly(v: Sym): boolean {
    const node = this.producers.get(v.name);
    if (!node || node.call.kind !== 'op') return false;
    if (SIZE_QUERIES.test(node.call.name)) return true;
    if (!SIZE_ARITHMETIC.test(node.call.name)) return false;
    const reads = [...node.args, ...Object.values(node.kwargs)].flatMap((a) => argValues(a));
    return reads.every((name) => this.sizeOnly({ kind: 'sym', name }));
  }

  private forStatement(s: SyntaxNode, f: Frame): { value: FValue } | undefined {
    const left = s.childForFieldName('left')!;
    const right = s.childForFieldName('right')!;
    const iterable = this.expr(right, f);
    let items: FValue[] | undefined;
    if (isSymList(iterable)) items = iterable.items;
    else if (!isSymbolic(iterable)) items = this.it.iterate(iterable as Value, right);
    if (!items) {
      return this.fail(right, 'a loop over a tensor or a computed range', `forward: the loop over \`${snippet(right)}\` runs over values only known when the model runs; Weightscope unrolls loops over a ModuleList, a Sequential or a constant range.`);
    }
    if (s.childForFieldName('alternative')) this.fail(s, 'for … else', `forward: \`${snippet(s)}\` has an else clause, which Weightscope does not read.`);
    for (const item of items) {
      this.bind(left, item, f, right);
      const flow = this.block(statements(s.childForFieldName('body')), f);
      if (flow) return flow;
    }
    return undefined;
  }

  // ---------------------------------------------------------------------------
  // Expressions

  private expr(node: SyntaxNode, f: Frame): FValue {
    const n = unparen(node);
    switch (n.type) {
      case 'identifier': {
        if (f.vars.has(n.text)) return f.vars.get(n.text)!;
        return this.it.lookup(n.text, new Env(f.file), n);
      }
      case 'integer':
      case 'float':
      case 'string':
      case 'concatenated_string':
      case 'true':
      case 'false':
      case 'none':
        return this.it.evaluate(n, new Env(f.file));
      case 'ellipsis':
        return { kind: 'builtin', name: '...' };
      case 'attribute':
        return this.attribute(n, f);
      case 'subscript':
        return this.subscript(n, f);
      case 'call':
        return this.call(n, f);
      case 'binary_operator': {
        const op = n.childForFieldName('operator')!.text;
        return this.binary(op, this.expr(n.childForFieldName('left')!, f), this.expr(n.childForFieldName('right')!, f), n);
      }
      case 'unary_operator': {
        const op = n.childForFieldName('operator')!.text;
        const v = this.expr(n.childForFieldName('argument')!, f);
        if (isSym(v)) {
          if (op === '+') return v;
          return this.emit(n, { kind: 'op', name: op === '-' ? 'operator.neg' : 'operator.invert' }, [this.toArg(v, n)], {});
        }
        if (typeof v === 'number') return op === '-' ? -v : op === '~' ? ~v : v;
        return this.fail(n, 'a unary operator', `forward: Weightscope cannot compute \`${snippet(n)}\`.`);
      }
      case 'not_operator': {
        const argument = n.childForFieldName('argument')!;
        const v = this.expr(argument, f);
        if (isSymbolic(v)) return !this.decide(argument, v);
        const t = truthy(v);
        return t === undefined ? this.fail(n, 'a condition Weightscope cannot compute', `forward: Weightscope cannot compute \`${snippet(n)}\`.`) : !t;
      }
      case 'boolean_operator': {
        const op = n.childForFieldName('operator')!.text;
        const leftNode = n.childForFieldName('left')!;
        const left = this.expr(leftNode, f);
        const t = isSymbolic(left) ? this.decide(leftNode, left) : truthy(left);
        if (t === undefined) this.fail(n, 'a condition Weightscope cannot compute', `forward: Weightscope cannot compute \`${snippet(n)}\`.`);
        if (op === 'and') return t ? this.expr(n.childForFieldName('right')!, f) : left;
        return t ? left : this.expr(n.childForFieldName('right')!, f);
      }
      case 'comparison_operator':
        return this.comparison(n, f);
      case 'conditional_expression': {
        const [yes, condition, no] = n.namedChildren.filter((c): c is SyntaxNode => c !== null);
        return this.truth(condition!, f) ? this.expr(yes!, f) : this.expr(no!, f);
      }
      case 'tuple':
      case 'list':
      case 'expression_list': {
        const items = n.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
        if (items.some((c) => c.type === 'list_splat')) this.fail(n, 'a starred expression', `forward: \`${snippet(n)}\` uses *, which Weightscope does not read.`);
        const values = items.map((c) => this.expr(c, f));
        return values.some(isSymbolic) ? { kind: 'symlist', items: values } : { kind: 'list', items: values as Value[], tuple: n.type !== 'list' };
      }
      case 'keyword_argument':
        return this.expr(n.childForFieldName('value')!, f);
      case 'list_comprehension':
      case 'generator_expression':
        return this.comprehension(n, f);
      default:
        return this.fail(n, `a ${n.type.replace(/_/g, ' ')}`, `forward: \`${snippet(n)}\` is not an expression Weightscope reads in forward.`);
    }
  }

  /** `[blk(x) for blk in self.blocks]` and the like, unrolled like a loop when the iterable is constant. */
  private comprehension(n: SyntaxNode, f: Frame): FValue {
    const body = n.namedChild(0)!;
    const clauses = n.namedChildren.slice(1).filter((c): c is SyntaxNode => c !== null);
    const out: FValue[] = [];
    const run = (i: number, vars: Map<string, FValue>): void => {
      const inner: Frame = { ...f, vars };
      if (i === clauses.length) {
        out.push(this.expr(body, inner));
        return;
      }
      const c = clauses[i]!;
      if (c.type === 'for_in_clause') {
        const iterable = this.expr(c.childForFieldName('right')!, inner);
        const items = isSymList(iterable) ? iterable.items : isSymbolic(iterable) ? undefined : this.it.iterate(iterable as Value, c);
        if (!items) this.fail(c, 'a comprehension over a tensor', `forward: \`${snippet(c)}\` runs over values only known when the model runs.`);
        for (const item of items!) {
          const next = new Map(vars);
          const left = c.childForFieldName('left')!;
          const scratch: Frame = { ...inner, vars: next };
          this.bind(left, item, scratch, c);
          run(i + 1, next);
        }
      } else if (c.type === 'if_clause') {
        if (this.truth(c.namedChild(0)!, inner)) run(i + 1, vars);
      } else this.fail(c, 'a comprehension clause', `forward: \`${snippet(c)}\` is not read.`);
    };
    run(0, new Map(f.vars));
    return out.some(isSymbolic) ? { kind: 'symlist', items: out } : { kind: 'list', items: out as Value[], tuple: false };
  }

  private attribute(n: SyntaxNode, f: Frame): FValue {
    const objectNode = n.childForFieldName('object')!;
    const name = n.childForFieldName('attribute')!.text;
    const object = this.expr(objectNode, f);
    if (isSym(object)) {
      if (name in PLACEMENT_ATTRIBUTES) return PLACEMENT_ATTRIBUTES[name]!;
      return this.emit(n, { kind: 'op', name: `Tensor.${name}` }, [this.toArg(object, n)], {});
    }
    if (isSymList(object)) return this.fail(n, 'an attribute of a tuple', `forward: \`${snippet(n)}\` is not read.`);
    if (typeof object === 'object' && object !== null && object.kind === 'module') {
      if (name === 'training') return true;
      // The tree's registered submodules and tensors first, as torch's __getattr__ (a plain attribute of the same
      // name, e.g. a list the constructor extended into a ModuleList, is not what forward sees).
      const child = object.node.children.find((c) => c.name === name);
      if (child) return this.it.torch.wrap(child.module);
      if (object.node.tensors.some((t) => t.name === name)) {
        const owner = this.paths.get(object.node);
        return this.emit(n, { kind: 'tensor', path: owner ? `${owner}.${name}` : name }, [], {});
      }
      const attr = this.it.torch.getAttribute(object, name, n);
      if (typeof attr === 'object' && attr !== null && attr.kind === 'tensor') {
        const owner = this.paths.get(object.node);
        const path = owner ? `${owner}.${name}` : name;
        return this.emit(n, { kind: 'tensor', path }, [], {});
      }
      if (typeof attr === 'object' && attr !== null && attr.kind === 'newTensor') {
        return this.fail(n, 'a tensor attribute that is not a parameter or buffer', `forward: \`${snippet(n)}\` is a tensor the module keeps without registering it (a parameter or buffer), which Weightscope does not carry into forward.`);
      }
      return attr;
    }
    const attr = this.it.torch.getAttribute(object as Value, name, n);
    if (typeof attr === 'object' && attr !== null && attr.kind === 'builtin' && attr.name in MATH_CONSTANTS) return MATH_CONSTANTS[attr.name]!;
    return attr;
  }

  private subscript(n: SyntaxNode, f: Frame): FValue {
    const object = this.expr(n.childForFieldName('value')!, f);
    const subscripts = n.childrenForFieldName('subscript').filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
    const index = subscripts.map((s) => this.indexArg(s, f));
    const key: GraphArg = index.length === 1 ? index[0]! : { kind: 'tuple', items: index };
    if (isSym(object)) return this.emit(n, { kind: 'op', name: 'operator.getitem' }, [this.toArg(object, n), key], {});
    if (isSymList(object)) {
      if (key.kind === 'const' && typeof key.value === 'number') {
        const i = key.value < 0 ? object.items.length + key.value : key.value;
        if (i >= 0 && i < object.items.length) return object.items[i]!;
      }
      return this.fail(n, 'an index into a tuple', `forward: \`${snippet(n)}\` indexes a tuple with a value Weightscope does not compute.`);
    }
    if (argValues(key).length > 0) return this.fail(n, 'a module or list indexed by a tensor', `forward: \`${snippet(n)}\` is indexed by a value only known when the model runs.`);
    return this.it.evaluate(n, this.constantEnv(f));
  }

  /** One subscript: a slice, `None`, `...`, or a value. */
  private indexArg(s: SyntaxNode, f: Frame): GraphArg {
    if (s.type === 'slice') {
      const parts: (GraphArg | null)[] = [null, null, null];
      let at = 0;
      for (const c of s.children) {
        if (!c) continue;
        if (c.type === ':') at++;
        else if (c.isNamed && c.type !== 'comment') parts[at] = this.toArg(this.expr(c, f), c);
      }
      return { kind: 'slice', start: parts[0]!, stop: parts[1]!, step: parts[2]! };
    }
    if (s.type === 'ellipsis') return { kind: 'ellipsis' };
    return this.toArg(this.expr(s, f), s);
  }

  /** An Env in which the frame's constant locals are visible to the module reader's interpreter. */
  private constantEnv(f: Frame): Env {
    const env = new Env(f.file);
    for (const [k, v] of f.vars) if (!isSymbolic(v)) env.vars.set(k, v as Value);
    if (f.self) env.vars.set('self', f.self);
    return env;
  }

  private comparison(n: SyntaxNode, f: Frame): FValue {
    const operands = n.namedChildren.filter((c): c is SyntaxNode => c !== null);
    const tokens = n.children.filter((c) => !c.isNamed || c.type === 'not' || c.type === 'is' || c.type === 'in').map((c) => c.text);
    const ops: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const o = tokens[i]!;
      if ((o === 'is' && tokens[i + 1] === 'not') || (o === 'not' && tokens[i + 1] === 'in')) ops.push(`${o} ${tokens[++i]}`);
      else ops.push(o);
    }
    if (operands.length !== 2) return this.fail(n, 'a chained comparison', `forward: \`${snippet(n)}\` chains comparisons, which Weightscope does not read.`);
    const left = this.expr(operands[0]!, f);
    const right = this.expr(operands[1]!, f);
    const op = ops[0]!;
    if (op === 'is' || op === 'is not') {
      // A tensor is never None: the training path has every input.
      if (isSymbolic(left) || isSymbolic(right)) {
        const same = !isSymbolic(left) || !isSymbolic(right) ? false : undefined;
        if (same === undefined) return this.fail(n, 'an identity test between tensors', `forward: \`${snippet(n)}\` compares two tensors by identity.`);
        return op === 'is not';
      }
      return op === 'is' ? left === right : left !== right;
    }
    if (isSymbolic(left) || isSymbolic(right)) {
      const name = COMPARE_OPS[op];
      if (!name) return this.fail(n, `the operator ${op} on tensors`, `forward: \`${snippet(n)}\` is not read.`);
      return this.emit(n, { kind: 'op', name }, [this.toArg(left, n), this.toArg(right, n)], {});
    }
    return this.it.evaluate(n, this.constantEnv(f));
  }

  private binary(op: string, a: FValue, b: FValue, n: SyntaxNode): FValue {
    if (isSymbolic(a) || isSymbolic(b)) {
      const name = BINARY_OPS[op];
      if (!name) return this.fail(n, `the operator ${op} on tensors`, `forward: \`${snippet(n)}\` uses ${op}, which Weightscope does not read on tensors.`);
      return this.emit(n, { kind: 'op', name }, [this.toArg(a, n), this.toArg(b, n)], {});
    }
    const v = this.it.binary(op, a as Value, b as Value, n);
    if (isUnknown(v)) return this.fail(n, 'arithmetic Weightscope cannot compute', `forward: Weightscope cannot compute \`${snippet(n)}\` (${v.reason}).`);
    return v;
  }

  // ---------------------------------------------------------------------------
  // Calls

  private call(n: SyntaxNode, f: Frame): FValue {
    const fnNode = unparen(n.childForFieldName('function')!);
    // A tensor method: x.view(B, T, C), self.c_attn(x).split(…)
    if (fnNode.type === 'attribute') {
      const objectNode = fnNode.childForFieldName('object')!;
      const method = fnNode.childForFieldName('attribute')!.text;
      const object = this.expr(objectNode, f);
      if (isSym(object)) {
        const { positional, keywords, unconvertible } = this.arguments(n, f);
        if (unconvertible) throw unconvertible;
        return this.emit(n, { kind: 'op', name: `Tensor.${method}` }, [this.toArg(object, objectNode), ...positional], keywords);
      }
      if (typeof object === 'object' && object !== null && object.kind === 'module' && method === 'forward') {
        return this.callModule(object, n, f);
      }
    }
    const fn = this.expr(fnNode, f);
    if (typeof fn !== 'object' || fn === null) return this.fail(fnNode, 'a call of a value that is not a function', `forward: \`${snippet(fnNode)}\` is not something Weightscope can call.`);
    if (isSym(fn) || isSymList(fn)) return this.fail(fnNode, 'a call of a tensor', `forward: \`${snippet(fnNode)}\` is not something Weightscope can call.`);
    switch (fn.kind) {
      case 'module':
        return this.callModule(fn, n, f);
      case 'function':
        return this.inline(fn, n, f);
      case 'builtin':
        return this.callBuiltin(fn.name, fn, n, f);
      case 'class':
        return this.fail(fnNode, 'a module built in forward', `forward: \`${snippet(n)}\` makes an object while the model runs; Weightscope reads modules built in __init__.`);
      case 'unknown':
        return this.fail(fnNode, 'a call Weightscope cannot resolve', `forward: \`${snippet(fnNode)}\` is not something Weightscope can resolve (${fn.reason}).`);
      default:
        return this.fail(fnNode, 'a call Weightscope cannot resolve', `forward: \`${snippet(fnNode)}\` is not a function Weightscope can call.`);
    }
  }

  /**
   * A call's arguments: their values, and as graph arguments for a node. A value that is not a graph argument (a
   * module, a function: `hasattr(self, …)`, `log(fn)`) is fine for a call computed now or inlined; `unconvertible`
   * holds why, for the calls that make a node of them (`needNode`).
   */
  private arguments(n: SyntaxNode, f: Frame): { positional: GraphArg[]; keywords: Record<string, GraphArg>; values: FValue[]; keywordValues: Map<string, FValue>; unconvertible?: Unreadable } {
    const out: { positional: GraphArg[]; keywords: Record<string, GraphArg>; values: FValue[]; keywordValues: Map<string, FValue>; unconvertible?: Unreadable } = { positional: [], keywords: {}, values: [], keywordValues: new Map() };
    const convert = (v: FValue, site: SyntaxNode): GraphArg => {
      try {
        return this.toArg(v, site);
      } catch (err) {
        if (!(err instanceof Unreadable)) throw err;
        out.unconvertible ??= err;
        return { kind: 'const', value: null };
      }
    };
    const list = n.childForFieldName('arguments');
    if (!list) return out;
    if (list.type === 'generator_expression') {
      const v = this.expr(list, f);
      out.values.push(v);
      out.positional.push(convert(v, list));
      return out;
    }
    for (const a of list.namedChildren) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const key = a.childForFieldName('name')!.text;
        const v = this.expr(a.childForFieldName('value')!, f);
        out.keywordValues.set(key, v);
        if (!PLACEMENT_KEYWORDS.has(key)) out.keywords[key] = convert(v, a);
      } else if (a.type === 'list_splat') {
        const v = this.expr(a.namedChild(0)!, f);
        const items = isSymList(v) ? v.items : typeof v === 'object' && v !== null && !isSym(v) && v.kind === 'list' ? v.items : undefined;
        if (!items) this.fail(a, 'a starred argument', `forward: \`${snippet(a)}\` spreads a value Weightscope cannot list.`);
        for (const item of items!) {
          out.values.push(item);
          out.positional.push(convert(item, a));
        }
      } else if (a.type === 'dictionary_splat') {
        this.fail(a, 'a ** argument', `forward: \`${snippet(a)}\` passes keyword arguments Weightscope cannot list.`);
      } else {
        const v = this.expr(a, f);
        out.values.push(v);
        out.positional.push(convert(v, a));
      }
    }
    return out;
  }

  /** `self.fc(x)`, `block(x)`: a node calling the module by path; its body read when it is the model's own class. */
  private callModule(m: ModuleValue, n: SyntaxNode, f: Frame): FValue {
    const path = this.paths.get(m.node);
    if (path === undefined) return this.fail(n, 'a module that is not part of the model', `forward: \`${snippet(n)}\` calls a module that is not a submodule of the model.`);
    const { positional, keywords, values, keywordValues, unconvertible } = this.arguments(n, f);
    const ownForward = m.cls !== undefined && this.forwardOf(m) !== undefined;
    if ((m.node.type === 'ModuleList' || m.node.type === 'ModuleDict') && !ownForward) {
      return this.fail(n, `calling a ${m.node.type}`, `forward: \`${snippet(n)}\` calls a ${m.node.type}, which is not callable; iterate over it.`);
    }
    // A subclass of a torch layer that keeps its forward (class Conv3DSimple(nn.Conv3d)) runs as that layer.
    const own = m.cls !== undefined && (ownForward || m.node.type === 'Module' || m.node.type === 'Sequential');
    // A Sequential runs its children in order, unless its class defines its own forward (torchvision's ASPPPooling).
    const sequential = !ownForward && (m.node.type === 'Sequential' || (own && this.it.torchBase(m.cls!) === 'torch.nn.Sequential'));
    if (sequential) {
      if (values.length !== 1 || keywordValues.size > 0) this.fail(n, 'a Sequential called with several inputs', `forward: \`${snippet(n)}\` passes ${values.length + keywordValues.size} inputs to a Sequential, which takes one.`);
      this.sequentialBody(m, path, n);
    } else if (own) {
      this.moduleBody(m, path, n, values, keywordValues);
    }
    // A module's own body reads constant arguments (a module, a function) as values; a torch module's node takes them as arguments.
    if (unconvertible && !(own && !sequential)) throw unconvertible;
    const args = own && !sequential ? this.bodyArgs(path, positional, values) : positional;
    return this.emit(n, { kind: 'module', path }, args, own && !sequential ? {} : keywords);
  }

  /** The call's tensor arguments, in the order of the body's inputs (constants were read into the body). */
  private bodyArgs(path: string, positional: GraphArg[], values: FValue[]): GraphArg[] {
    const body = this.bodies[path]!;
    const symbolic = values.map((v, i) => (isSymbolic(v) ? positional[i]! : undefined)).filter((a): a is GraphArg => a !== undefined);
    return symbolic.slice(0, body.inputs.length);
  }

  /** A Sequential's body: each child called in order on the running value. */
  private sequentialBody(m: ModuleValue, path: string, site: SyntaxNode): void {
    if (this.bodies[path]) return;
    const input = this.fresh('input');
    const nodes: GraphNode[] = [];
    const frame: Frame = { vars: new Map(), self: m, file: m.cls?.file ?? this.root.cls!.file, nodes, depth: 0 };
    let current: FValue = input;
    for (const c of m.node.children) {
      const child = this.it.torch.wrap(c.module);
      const childPath = path ? `${path}.${c.name}` : c.name;
      if ((child.node.type === 'ModuleList' || child.node.type === 'ModuleDict') && !(child.cls && this.forwardOf(child))) this.fail(site, `a ${child.node.type} inside a Sequential`, `forward: ${childPath} is a ${child.node.type} inside a Sequential, which is not callable.`);
      const childForward = child.cls !== undefined && this.forwardOf(child) !== undefined;
      const own = child.cls !== undefined && (childForward || child.node.type === 'Module' || child.node.type === 'Sequential');
      const seq = !childForward && (child.node.type === 'Sequential' || (own && this.it.torchBase(child.cls!) === 'torch.nn.Sequential'));
      if (seq) this.sequentialBody(child, childPath, site);
      else if (own) this.moduleBody(child, childPath, site, [current], new Map());
      current = this.emitInto(frame, site, { kind: 'module', path: childPath }, [this.toArg(current, site)], {});
    }
    this.bodies[path] = { inputs: [input.name], nodes, output: this.toArg(current, site) };
  }

  /** A submodule of the model's own class: its forward read once, into its own body. */
  private moduleBody(m: ModuleValue, path: string, site: SyntaxNode, values: FValue[], keywords: Map<string, FValue>): void {
    if (this.bodies[path]) return;
    if (this.reading.has(path)) this.fail(site, 'a module that calls itself', `forward: ${path} calls itself.`);
    const forward = this.forwardOf(m);
    if (!forward) throw new Unreadable(this.noForward(m, site));
    this.parses(forward.def, site);
    this.reading.add(path);
    try {
      const frame = this.frame(m, forward.file, 0);
      frame.vars.set(selfName(forward.def), m);
      this.activeFrames.push(frame);
      const inputs: string[] = [];
      const bound = this.bindCall(forward.def, values, keywords, frame, {
        unread: (p) => this.fail(p.node, 'forward(*args)', `${m.cls!.name}.forward's \`${p.node.text}\` is not read.`),
        missing: (p) => this.fail(site, 'a missing argument', `forward: \`${snippet(site)}\` gives ${m.cls!.name}.forward no \`${p.name}\`.`),
      }, true);
      for (const [name, given] of bound) {
        if (isSym(given)) {
          const sym = this.fresh(name);
          inputs.push(sym.name);
          frame.vars.set(name, sym);
        } else if (isSymList(given)) {
          this.fail(site, 'a tuple of tensors passed to a module', `forward: \`${snippet(site)}\` passes a tuple of tensors to ${m.cls!.name}, which Weightscope does not read.`);
        } else {
          frame.vars.set(name, given); // a constant argument (or a default) is read into the body
        }
      }
      const result = this.within(forward.file, site, () => this.runBody(statements(forward.def.childForFieldName('body')), frame));
      this.bodies[path] = { inputs, nodes: frame.nodes, output: this.toArg(result, forward.def) };
    } finally {
      this.reading.delete(path);
      this.activeFrames.pop();
    }
  }

  /** A helper method (`self._attn(q, k, v)`) or a function of the file (`new_gelu(x)`): its statements inlined. */
  private inline(fn: FunctionValue, n: SyntaxNode, f: Frame): FValue {
    if (f.depth >= MAX_INLINE_DEPTH) this.fail(n, 'recursion', `forward: \`${snippet(n)}\` calls functions more than ${MAX_INLINE_DEPTH} deep.`);
    this.parses(fn.def, n);
    if (fn.def.type === 'lambda') return this.fail(n, 'a lambda', `forward: \`${snippet(n)}\` calls a lambda, which Weightscope does not read in forward.`);
    const { values, keywordValues } = this.arguments(n, f);
    const self = fn.self !== undefined && typeof fn.self === 'object' && fn.self !== null && fn.self.kind === 'module' ? fn.self : f.self;
    const frame: Frame = { vars: new Map(), self, file: fn.file, nodes: f.nodes, depth: f.depth + 1 };
    const bound: FValue[] = fn.binding === 'static' || fn.self === undefined ? [] : [fn.self];
    const positional = [...(fn.partial?.positional ?? []), ...bound, ...values];
    const keywords = new Map<string, FValue>([...(fn.partial?.keywords ?? []), ...keywordValues]);
    const args = this.bindCall(fn.def, positional, keywords, frame, {
      unread: (p) => this.fail(p.node, 'a function with *args', `forward: \`${snippet(n)}\` calls a function taking \`${p.node.text}\`, which Weightscope does not read.`),
      missing: (p) => this.fail(n, 'a missing argument', `forward: \`${snippet(n)}\` gives no \`${p.name}\`.`),
    });
    for (const [name, value] of args) frame.vars.set(name, value);
    return this.within(fn.file, n, () => this.runBody(statements(fn.def.childForFieldName('body')), frame)) ?? null;
  }

  /**
   * A call's arguments bound to a def's parameters (bindArguments.ts, as the interpreter binds them; after
   * `self` for a module's forward): a default is computed now; `*args` is not read; `**kwargs` takes the extra
   * keywords, unused.
   */
  private bindCall(def: SyntaxNode, positional: FValue[], keywords: Map<string, FValue>, frame: Frame, on: { unread(p: DefParameter): never; missing(p: DefParameter): never }, afterSelf = false): Map<string, FValue> {
    const all = defParameters(def.childForFieldName('parameters'));
    const params = afterSelf ? all.slice(1) : all;
    const bound = bindArguments<FValue>(params, positional, keywords, {
      absent: (p) => (p.defaultNode ? this.constantOf(p.defaultNode, frame) : on.missing(p)),
      rest: (p) => on.unread(p),
      keywords: () => null,
    });
    for (const p of params) if (p.kind === 'keywords') bound.delete(p.name);
    return bound;
  }

  /** A name from outside the file: torch functions become op nodes; math and Python builtins compute (on symbols, they become nodes). */
  private callBuiltin(name: string, fn: BuiltinValue, n: SyntaxNode, f: Frame): FValue {
    const { positional, keywords, values, keywordValues, unconvertible } = this.arguments(n, f);
    const symbolic = values.some(isSymbolic) || [...keywordValues.values()].some(isSymbolic);
    if (fn.self !== undefined && typeof fn.self === 'object' && fn.self !== null && (fn.self as { kind?: string }).kind === 'tensor') {
      return this.fail(n, 'a method of a parameter', `forward: \`${snippet(n)}\` is read on a parameter; Weightscope reads parameters as values (self.w), then ops on them.`);
    }
    if (/^torch\.nn\.[A-Z]/.test(name) || /^torch\.nn\.modules\./.test(name)) {
      return this.fail(n, 'a module built in forward', `forward: \`${snippet(n)}\` builds a module while the model runs; Weightscope reads modules built in __init__.`);
    }
    // Not scripting, not tracing: the eager path torch takes when a model trains.
    if (/^torch\.(jit\.is_scripting|jit\.is_tracing|_C\._get_tracing_state|onnx\.is_in_onnx_export|compiler\.is_compiling)$/.test(name)) return name === 'torch._C._get_tracing_state' ? null : false;
    if (name === 'torch.jit.annotate' && values.length === 2) return values[1]!;
    if (name.startsWith('torch.') || name.startsWith('einops.')) {
      if (unconvertible) throw unconvertible;
      return this.emit(n, { kind: 'op', name: canonicalTorchName(name) }, positional, keywords);
    }
    // A list of tensors being built (`outs.append(conv(x))`, then torch.cat(outs)): the list holds the symbols.
    if ((name === 'list.append' || name === 'list.extend') && typeof fn.self === 'object' && fn.self !== null && (fn.self as { kind?: string }).kind === 'list' && values.length === 1) {
      const items = (fn.self as { items: FValue[] }).items;
      if (name === 'list.append') items.push(values[0]!);
      else {
        const more = isSymList(values[0]) ? values[0].items : typeof values[0] === 'object' && values[0] !== null && (values[0] as { kind?: string }).kind === 'list' ? (values[0] as { items: FValue[] }).items : undefined;
        if (!more) return this.fail(n, 'extending a list with a tensor', `forward: \`${snippet(n)}\` extends a list with a value Weightscope cannot list.`);
        items.push(...more);
      }
      return null;
    }
    if (symbolic) {
      if (/^(math\.\w+|len|int|float|min|max|abs|round|builtins\.\w+)$/.test(name)) {
        if (unconvertible) throw unconvertible;
        return this.emit(n, { kind: 'op', name: name.includes('.') ? name : `builtins.${name}` }, positional, keywords);
      }
      if (name === 'isinstance') return this.fail(n, 'isinstance on a tensor', `forward: \`${snippet(n)}\` tests a tensor's type.`);
      return this.fail(n, `a call of ${name} on tensors`, `forward: \`${snippet(n)}\` calls ${name} on a value only known when the model runs, which Weightscope does not read.`);
    }
    if (name === 'float' && values.length === 1 && typeof values[0] === 'string') {
      const v = Number(String(values[0]).trim().toLowerCase().replace(/^([+-]?)inf(inity)?$/, '$1Infinity'));
      if (!Number.isNaN(v) || /nan/i.test(String(values[0]))) return v;
    }
    const result = this.it.call(fn, { positional: values as Value[], keywords: keywordValues as Map<string, Value> }, n);
    if (isUnknown(result)) return this.fail(n, `a call of ${name}`, `forward: Weightscope cannot compute \`${snippet(n)}\` (${result.reason}).`);
    return result;
  }

  // ---------------------------------------------------------------------------
  // Nodes and values

  private fresh(hint: string): Sym {
    return { kind: 'sym', name: `${hint.replace(/[^A-Za-z0-9_]/g, '_') || 'v'}.${this.counter++}` };
  }

  private emit(site: SyntaxNode, call: GraphCall, args: GraphArg[], kwargs: Record<string, GraphArg>): Sym {
    return this.emitInto(this.frameFor(), site, call, args, kwargs);
  }

  private emitInto(frame: Frame, site: SyntaxNode, call: GraphCall, args: GraphArg[], kwargs: Record<string, GraphArg>): Sym {
    if (++this.nodeCount > MAX_NODES) this.fail(site, 'a forward too large', `forward has more than ${MAX_NODES} steps.`);
    const hint = call.kind === 'op' ? call.name.slice(call.name.lastIndexOf('.') + 1) : call.path.slice(call.path.lastIndexOf('.') + 1);
    const out = this.fresh(hint);
    const range = frame.file === this.main || !this.main ? { start: site.startIndex, end: site.endIndex } : { start: site.startIndex, end: site.endIndex, file: frame.file.path };
    const node: GraphNode = { output: out.name, call, args, kwargs, range };
    frame.nodes.push(node);
    this.producers.set(out.name, node);
    return out;
  }

  /** The frame whose nodes are being written (set while a body or forward is read). */
  private frameFor(): Frame {
    return this.activeFrames[this.activeFrames.length - 1]!;
  }

  private readonly activeFrames: Frame[] = [];

  private toArg(v: FValue | undefined, site: SyntaxNode): GraphArg {
    if (v === undefined) return { kind: 'const', value: null };
    if (isSym(v)) return { kind: 'value', name: v.name };
    if (isSymList(v)) return { kind: 'tuple', items: v.items.map((x) => this.toArg(x, site)) };
    if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return { kind: 'const', value: v };
    if (v.kind === 'list') return { kind: 'tuple', items: v.items.map((x) => this.toArg(x, site)) };
    if (v.kind === 'builtin' && v.name === '...') return { kind: 'ellipsis' };
    if (v.kind === 'unknown') return this.fail(v.node, 'a value Weightscope cannot compute', `forward: Weightscope cannot compute \`${snippet(v.node)}\` (${v.reason}).`);
    if (v.kind === 'module') return this.fail(site, 'a module passed as a value', `forward: \`${snippet(site)}\` passes a module as a value, which Weightscope does not read.`);
    return this.fail(site, `a ${v.kind} passed to an op`, `forward: \`${snippet(site)}\` passes ${v.kind === 'builtin' ? v.name : `a ${v.kind}`} where Weightscope expects a tensor or a constant.`);
  }

  private constantOf(node: SyntaxNode, f: Frame): Value {
    return this.it.evaluate(node, this.constantEnv(f));
  }

  /** A function with a syntax error is not read (its syntax tree has holes); the reason is said on it, or on the call. */
  private parses(def: SyntaxNode, site?: SyntaxNode): void {
    if (def.hasError) this.fail(site && def.startIndex !== site.startIndex ? site : def.childForFieldName('name') ?? def, 'a syntax error', `${def.childForFieldName('name')?.text ?? 'this function'} has a Python syntax error; Weightscope reads forward once the code parses.`);
  }

  private fail(node: SyntaxNode, construct: string, message: string): never {
    // In another file (a class imported from a sibling): the diagnostic goes on the call in the model's file that led there.
    const away = this.calls.findIndex((c) => c.file !== this.main && this.main !== undefined);
    if (away >= 0) {
      const site = this.calls[away]!.site;
      throw new Unreadable({ node: site, construct, message: `${message.replace(/\.$/, '')} (in ${this.calls[away]!.file.path}).` });
    }
    throw new Unreadable({ node, construct, message });
  }

  /** The bodies and functions being read, outermost first, with the call in the caller that led into each. */
  private readonly calls: { file: SourceFile; site: SyntaxNode }[] = [];

  private within<T>(file: SourceFile, site: SyntaxNode, read: () => T): T {
    this.calls.push({ file, site });
    try {
      return read();
    } finally {
      this.calls.pop();
    }
  }

  // ---------------------------------------------------------------------------
  // What the graph says about its data

  /**
   * The position of the loss in the returned tuple: the output that depends on the targets, when a loss
   * (an `F.*loss`/`cross_entropy` op, or an `nn.*Loss` module) is computed in forward; without one, an input
   * named like the targets is an input like any other.
   */
  private lossOutput(graph: ForwardGraph, targets: string): { output: number; prediction?: number } | undefined {
    const root = graph.root;
    const computesLoss = everyNode(graph).some((n) => (n.call.kind === 'op' && LOSS_OP.test(n.call.name)) || (n.call.kind === 'module' && /Loss$/.test(this.moduleAt(n.call.path)?.type ?? '')));
    if (!computesLoss) return undefined;
    const depends = new Set([targets]);
    for (const node of root.nodes) {
      const reads = [...node.args.flatMap((a) => argValues(a)), ...Object.values(node.kwargs).flatMap((a) => argValues(a))];
      if (reads.some((r) => depends.has(r))) depends.add(node.output);
    }
    const out = root.output;
    if (out.kind === 'value') return depends.has(out.name) ? { output: -1 } : undefined;
    if (out.kind !== 'tuple') return undefined;
    const lossAt = out.items.findIndex((a) => a.kind === 'value' && depends.has(a.name));
    if (lossAt < 0) return undefined;
    const prediction = out.items.findIndex((a, i) => i !== lossAt && a.kind === 'value');
    return prediction >= 0 ? { output: lossAt, prediction } : { output: lossAt };
  }

  /**
   * The model's data, from the first module its input meets: an Embedding
   * takes token ids (their count per example from a position table indexed by
   * `torch.arange`, else the causal mask), a Linear features, a Conv2d images.
   */
  private inputKind(graph: ForwardGraph, input: string): InputKind | undefined {
    const consumer = firstConsumer(graph, input);
    if (!consumer) return undefined;
    const module = consumer.node.call.kind === 'module' ? this.moduleAt(consumer.node.call.path) : undefined;
    if (module?.type === 'Embedding') {
      const vocab = module.args.num_embeddings as number;
      return { kind: 'tokens', vocab, length: this.sequenceLength(graph) ?? Math.min(64, vocab) };
    }
    if (module?.type === 'Linear') return { kind: 'values', shape: [module.args.in_features as number] };
    if (module && /^Conv[123]d$/.test(module.type)) {
      // Sizes the code does not say (0) are found by the check: a length, an image's side, a clip's depth and side.
      const channels = module.args.in_channels as number;
      return { kind: 'values', shape: [channels, ...Array<number>(Number(module.type[4])).fill(0)] };
    }
    if (module?.type === 'LayerNorm') {
      const shape = module.args.normalized_shape;
      return { kind: 'values', shape: Array.isArray(shape) ? (shape as number[]) : [shape as number] };
    }
    return undefined;
  }

  private sequenceLength(graph: ForwardGraph): number | undefined {
    const nodes = [graph.root, ...Object.values(graph.bodies)].flatMap((b) => b.nodes);
    const aranges = new Set(nodes.filter((n) => n.call.kind === 'op' && n.call.name === 'torch.arange').map((n) => n.output));
    for (const n of nodes) {
      if (n.call.kind !== 'module' || !n.args.some((a) => a.kind === 'value' && aranges.has(a.name))) continue;
      const m = this.moduleAt(n.call.path);
      if (m?.type === 'Embedding') return m.args.num_embeddings as number;
    }
    return undefined;
  }

  private moduleAt(path: string): ModuleNode | undefined {
    for (const [node, p] of this.paths) if (p === path) return node;
    return undefined;
  }
}

/** The first node (following bodies through module calls) that reads `input`, with the body it is in. */
function firstConsumer(graph: ForwardGraph, input: string): { node: GraphNode; body: FunctionGraph } | undefined {
  let body = graph.root;
  let name = input;
  for (let hops = 0; hops < 64; hops++) {
    // Size queries (`B, T = idx.size()`) do not consume the data.
    const node = body.nodes.find((n) => n.args.some((a) => argValues(a).includes(name)) && !(n.call.kind === 'op' && /^(Tensor\.(size|shape|dim)|builtins\.len)$/.test(n.call.name)));
    if (!node) return undefined;
    if (node.call.kind === 'module' && graph.bodies[node.call.path]) {
      const inner = graph.bodies[node.call.path]!;
      const at = node.args.findIndex((a) => a.kind === 'value' && a.name === name);
      if (at < 0 || !inner.inputs[at]) return { node, body };
      body = inner;
      name = inner.inputs[at]!;
      continue;
    }
    if (node.call.kind === 'op' && /^(Tensor\.(view|reshape|float|contiguous|to)|torch\.flatten)$/.test(node.call.name)) {
      name = node.output;
      continue;
    }
    return { node, body };
  }
  return undefined;
}

interface Parameter {
  name: string;
  node: SyntaxNode;
  hasDefault: boolean;
  defaultNode: SyntaxNode | null;
  splat: boolean;
}

/** The name a method gives its instance (`self`). */
function selfName(def: SyntaxNode): string {
  const first = def.childForFieldName('parameters')?.namedChildren.find((p): p is SyntaxNode => p !== null && p.type !== 'comment');
  return (first && parameterName(first)) ?? 'self';
}

/** forward's parameters after `self` (bindArguments.ts's reading of them), `**kwargs` left out: extra keywords are accepted and unused. */
function parametersOf(def: SyntaxNode): Parameter[] {
  return defParameters(def.childForFieldName('parameters')).slice(1).filter((p) => p.kind !== 'keywords').map((p) => ({
    name: p.name, node: p.node, hasDefault: p.defaultNode !== null, defaultNode: p.defaultNode, splat: p.kind === 'rest',
  }));
}

function isTargetsName(name: string): boolean {
  return /^(targets?|labels?|y|y_true|tgt)$/.test(name);
}

function isSym(v: FValue | undefined): v is Sym {
  return typeof v === 'object' && v !== null && v.kind === 'sym';
}

function isSymList(v: FValue | undefined): v is SymList {
  return typeof v === 'object' && v !== null && v.kind === 'symlist';
}

function isSymbolic(v: FValue | undefined): boolean {
  return isSym(v) || isSymList(v);
}

function truthy(v: FValue): boolean | undefined {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (isSymbolic(v)) return undefined;
  const value = v as Exclude<Value, null | boolean | number | string>;
  if (value.kind === 'unknown') return undefined;
  if (value.kind === 'list') return value.items.length > 0;
  return true;
}

/** torch's functional names as the op table spells them: `torch.nn.functional.relu`, `torch.cat`. */
function canonicalTorchName(name: string): string {
  return name.replace(/^torch\.functional\./, 'torch.').replace(/^torch\.nn\.modules\.functional\./, 'torch.nn.functional.');
}

export type { ClassValue };
