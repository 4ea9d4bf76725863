/**
 * `forward` as a chain: `x = self.fc1(x)`, `x = F.relu(self.fc1(x))`,
 * `return torch.sigmoid(self.out(x))`, `for layer in self.layers: x = layer(x)`,
 * `x = self.net(x)`. Each statement must pass the one running value through
 * layers and activation calls; anything else (a residual sum, a branch, a
 * second input) stops the model from being resolved, with the reason.
 */
import { ACTIVATION_ARGS, type ActivationType } from '../engine/model/spec';
import { evaluate, type Scope } from './evaluate';
import { entry, scalar } from './located';
import { nodeOf, type LayerRecord, type ModuleValue } from './modules';
import { moduleAt } from './initStatements';
import type { Notes } from './notes';
import type { SyntaxNode } from './parser';
import { assignmentOf, callArguments, callee, dottedParts, expressionOf, parameterName, snippet, statements, unparen } from './syntax';

/** One application of a layer in forward, at the call that applies it. */
export interface LayerUse {
  layer: LayerRecord;
  site: SyntaxNode;
}

/** Functional activations: torch.* / F.* names → layer type, and their positional parameters after the input. */
const FUNCTIONAL: Readonly<Record<string, { type: ActivationType | 'Dropout'; params: readonly string[] }>> = {
  relu: { type: 'ReLU', params: [] }, relu_: { type: 'ReLU', params: [] },
  leaky_relu: { type: 'LeakyReLU', params: ['negative_slope'] },
  elu: { type: 'ELU', params: ['alpha'] }, selu: { type: 'SELU', params: [] },
  gelu: { type: 'GELU', params: [] }, silu: { type: 'SiLU', params: [] },
  tanh: { type: 'Tanh', params: [] }, sigmoid: { type: 'Sigmoid', params: [] },
  softplus: { type: 'Softplus', params: ['beta', 'threshold'] },
  dropout: { type: 'Dropout', params: ['p', 'training'] },
};

/** Tensor methods that are activations (`x.relu()`) or shape-only for (N, features) inputs (`x.view(…)`). */
const METHOD_ACTIVATIONS: Readonly<Record<string, ActivationType>> = { relu: 'ReLU', sigmoid: 'Sigmoid', tanh: 'Tanh' };
const SHAPE_ONLY = new Set(['view', 'reshape', 'flatten', 'contiguous', 'float']);
const SQUEEZE = new Set(['squeeze']);

export interface ForwardContext {
  scope: Scope;
  notes: Notes;
  submodules: ReadonlyMap<string, ModuleValue>;
  self: string;
}

class Blocked extends Error {}

export function readForward(def: SyntaxNode, ctx: ForwardContext): LayerUse[] | undefined {
  const params = def.childForFieldName('parameters')?.namedChildren.filter((p): p is SyntaxNode => p !== null) ?? [];
  const inputs = params.slice(1);
  const input = inputs.length === 1 ? parameterName(inputs[0]!) : undefined;
  if (!input) {
    ctx.notes.block(def.childForFieldName('parameters') ?? def, `forward(${params.map((p) => p.text).join(', ')}): Weightscope models networks with one input tensor.`);
    return undefined;
  }
  const reader = new ChainReader(ctx, input);
  try {
    reader.block(statements(def.childForFieldName('body')), new Map());
    if (!reader.returned) ctx.notes.block(def.childForFieldName('name') ?? def, 'forward never returns the value it computes.');
    return reader.returned ? reader.uses : undefined;
  } catch (err) {
    if (err instanceof Blocked) return undefined;
    throw err;
  }
}

/** A `nn.Sequential` model assigned to a variable: its layers, in order. */
export function sequentialUses(m: ModuleValue, notes: Notes, scope: Scope): LayerUse[] | undefined {
  const reader = new ChainReader({ scope, notes, submodules: new Map(), self: '' }, '');
  try {
    return reader.expandModule(m, nodeOf(m), nodeOf(m));
  } catch (err) {
    if (err instanceof Blocked) return undefined;
    throw err;
  }
}

class ChainReader {
  readonly uses: LayerUse[] = [];
  returned = false;

  constructor(private readonly ctx: ForwardContext, private current: string) {}

  private stop(node: SyntaxNode, message: string): never {
    this.ctx.notes.block(node, message);
    throw new Blocked(message);
  }

  block(stmts: SyntaxNode[], loopVars: Map<string, ModuleValue>): void {
    for (const s of stmts) {
      if (this.returned) return;
      if (s.type === 'expression_statement' && unparen(s.namedChild(0)!).type === 'string') continue; // docstring
      if (s.type === 'pass_statement') continue;
      if (s.type === 'return_statement') {
        const value = s.namedChild(0);
        if (!value) this.stop(s, 'forward returns nothing.');
        this.uses.push(...this.chain(value, loopVars));
        this.returned = true;
        return;
      }
      const assignment = assignmentOf(s);
      if (assignment && assignment.left.type === 'identifier') {
        this.uses.push(...this.chain(assignment.right, loopVars));
        this.current = assignment.left.text;
        continue;
      }
      if (s.type === 'for_statement') {
        this.loop(s, loopVars);
        continue;
      }
      const expr = expressionOf(s);
      if (expr && /^(print|assert)\b/.test(expr.text)) continue;
      this.stop(s, `forward: \`${snippet(s)}\` is not a step Weightscope can follow (it reads a chain of self.layer(x) and activation calls, so it cannot model this class).`);
    }
  }

  private loop(s: SyntaxNode, loopVars: Map<string, ModuleValue>): void {
    const left = s.childForFieldName('left');
    const right = s.childForFieldName('right');
    const container = right ? moduleAt(right, new Map([[this.ctx.self, this.ctx.submodules]])) : undefined;
    if (!left || left.type !== 'identifier' || !container || (container.kind !== 'list' && container.kind !== 'sequential')) {
      this.stop(s, `forward: the loop \`${snippet(s)}\` does not run over a ModuleList or Sequential of this model, so Weightscope cannot unroll it.`);
    }
    const items = container.kind === 'list' ? container.items : container.children;
    for (const item of items) {
      const vars = new Map(loopVars);
      vars.set(left.text, item);
      this.block(statements(s.childForFieldName('body')), vars);
    }
  }

  /** The layers an expression applies to the running value, innermost first. */
  private chain(expr: SyntaxNode, loopVars: Map<string, ModuleValue>): LayerUse[] {
    const n = unparen(expr);
    if (n.type === 'identifier' && n.text === this.current) return [];
    if (n.type !== 'call') this.stop(n, `forward: \`${snippet(n)}\` is not a chain of layer and activation calls on ${this.current}, so Weightscope cannot model this class.`);
    const fn = callee(n)!;
    const args = callArguments(n);
    // x.relu(), x.view(x.size(0), -1)
    if (fn.type === 'attribute') {
      const object_ = fn.childForFieldName('object')!;
      const method = fn.childForFieldName('attribute')!.text;
      if (this.isChain(object_) && !(object_.type === 'identifier' && loopVars.has(object_.text))) {
        const inner = this.chain(object_, loopVars);
        if (METHOD_ACTIVATIONS[method]) return [...inner, { layer: activation(METHOD_ACTIVATIONS[method]!, n, []), site: n }];
        if (SHAPE_ONLY.has(method)) {
          this.ctx.notes.assume(n, `\`${snippet(n)}\``, 'Weightscope models inputs of shape (N, features), for which this changes nothing.');
          return inner;
        }
        if (SQUEEZE.has(method)) {
          this.ctx.notes.assume(n, `\`${snippet(n)}\``, 'Weightscope keeps the (N, outputs) shape: the values the loss sees are the same.');
          return inner;
        }
        this.stop(n, `forward: the tensor method .${method}() is not one Weightscope models.`);
      }
    }
    // self.fc1(x), self.net[0](x), layer(x) in a loop
    const loopVar = fn.type === 'identifier' ? loopVars.get(fn.text) : undefined;
    const module = loopVar ?? moduleAt(fn, new Map([[this.ctx.self, this.ctx.submodules]]));
    if (module) {
      if (args.positional.length !== 1 || args.keywords.size > 0) this.stop(n, `forward: ${snippet(fn)} is called with ${args.positional.length + args.keywords.size} arguments; Weightscope models one input.`);
      return [...this.chain(args.positional[0]!, loopVars), ...this.expandModule(module, n, fn)];
    }
    const dotted = dottedParts(fn);
    if (dotted?.[0] === this.ctx.self) this.stop(fn, `forward: ${fn.text} is not a submodule built in __init__ that Weightscope can read.`);
    const qualified = this.ctx.scope.imports.qualify(fn);
    const short = qualified?.replace(/^torch\.nn\.functional\.|^torch\./, '');
    const functional = short ? FUNCTIONAL[short] : undefined;
    if (qualified === 'torch.flatten') {
      this.ctx.notes.assume(n, `\`${snippet(n)}\``, 'Weightscope models inputs of shape (N, features), for which this changes nothing.');
      return this.chain(args.positional[0]!, loopVars);
    }
    if (!functional || !args.positional[0] || args.splat) {
      this.stop(n, `forward: \`${snippet(n)}\` is not a layer or an activation Weightscope models (${'Linear, ReLU, LeakyReLU, ELU, SELU, GELU, SiLU, Tanh, Sigmoid, Softplus, Dropout, LayerNorm'}).`);
    }
    const inner = this.chain(args.positional[0], loopVars);
    const named: { key: string; keyNode: SyntaxNode; value: SyntaxNode }[] = [];
    args.positional.slice(1).forEach((v, i) => {
      const key = functional.params[i];
      if (key) named.push({ key, keyNode: v, value: v });
    });
    for (const [key, { name, value }] of args.keywords) named.push({ key, keyNode: name, value });
    if (functional.type === 'Dropout') {
      const training = named.find((a) => a.key === 'training');
      if (training && training.value.text === 'False') return inner;
      const p = named.find((a) => a.key === 'p');
      const record = activation('Dropout', n, []);
      if (p) {
        const v = evaluate(p.value, this.ctx.scope);
        if (!v.ok || typeof v.value !== 'number') this.stop(p.value, `F.dropout's p: ${v.ok ? 'not a number' : v.reason} is not something Weightscope can compute.`);
        record.entries.push(entry('p', p.keyNode, scalar(v.value, p.value)));
      }
      return [...inner, { layer: record, site: n }];
    }
    const allowed = ACTIVATION_ARGS[functional.type];
    const record = activation(functional.type, n, []);
    for (const a of named) {
      if (a.key === 'inplace') continue;
      if (!allowed.includes(a.key)) {
        this.ctx.notes.assume(a.keyNode, `argument ${a.key} of ${snippet(fn)}`, 'It is ignored.');
        continue;
      }
      const v = evaluate(a.value, this.ctx.scope);
      if (!v.ok || Array.isArray(v.value) || v.value === null) this.stop(a.value, `${a.key} of ${snippet(fn)}: ${v.ok ? 'not a number' : v.reason} is not something Weightscope can compute.`);
      record.entries.push(entry(a.key, a.keyNode, scalar(v.value as number | string | boolean, a.value)));
    }
    return [...inner, { layer: record, site: n }];
  }

  private isChain(node: SyntaxNode): boolean {
    const n = unparen(node);
    return (n.type === 'identifier' && n.text === this.current) || n.type === 'call';
  }

  expandModule(m: ModuleValue, site: SyntaxNode, fn: SyntaxNode): LayerUse[] {
    switch (m.kind) {
      case 'layer':
        return [{ layer: m.layer, site }];
      case 'sequential':
        return m.children.flatMap((c) => this.expandModule(c, site, fn));
      case 'identity':
        this.ctx.notes.assume(m.node, m.what, 'Weightscope models inputs of shape (N, features), for which it changes nothing.');
        return [];
      case 'list':
        return this.stop(site, `forward: ${snippet(fn)} is a ModuleList, which is not callable; iterate over it with a for loop.`);
      case 'opaque':
        if (m.reported) throw new Blocked(m.what); // its reason is already on the constructor
        return this.stop(site, `forward: ${snippet(fn)} is ${m.what}, which Weightscope does not model (it models Linear, the activations, Dropout, LayerNorm, Sequential and ModuleList).`);
    }
  }
}

function activation(type: ActivationType | 'Dropout', call: SyntaxNode, entries: ReturnType<typeof entry>[]): LayerRecord {
  return { path: '', type, call, entries, init: {}, initCalls: {}, shape: { bias: false } };
}
