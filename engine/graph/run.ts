/**
 * Runs a forward graph over the module tree in a value domain: the engine's
 * tensors (interpret.ts: training, the signal through depth) or shapes
 * alone (check.ts). A node calls an op of the table (ops.ts), reads a
 * parameter or buffer, or calls a submodule: its body when it is a module of
 * the model's own class or a Sequential, else its `torch.nn` forward
 * (moduleForwards.ts). Every module call's output is reported to
 * `onModuleOutput` (per-module statistics through depth).
 *
 * An error at a node is wrapped once, with the node, so that a message points
 * at the code that caused it (inside a module's body: the innermost line).
 */
import { namedModules, type ArgValue, type ModuleNode } from '../modules/tree';
import type { ForwardGraph, FunctionGraph, GraphArg, GraphNode, GraphRange } from './ir';
import { describeCall } from './ir';
import { MODULE_FORWARDS } from './moduleForwards';
import { OpUnavailable } from './ops';

export interface Domain<V> {
  /** A parameter or buffer by `state_dict` path. */
  tensor(path: string): V;
  /** An op of the table, by torch's name. */
  op(name: string, args: V[], kwargs: Record<string, V>): V;
  /** Called with every submodule's output (`path` is its `state_dict` prefix) and the inputs it was called with. */
  onModuleOutput?(path: string, module: ModuleNode, output: V, inputs: readonly V[]): void;
  /** Called after each node has run (the check attaches what an op noted to its node). */
  afterNode?(node: GraphNode): void;
  /** A value to go on with after an error at `node` (the check notes an op not available yet and continues), or undefined to stop. */
  recover?(error: Error, node: GraphNode): V | undefined;
}

/** A failure at a node of the graph: the innermost node, and the module calls around it (innermost first). */
export class GraphError extends Error {
  constructor(readonly node: GraphNode, override readonly cause: Error, readonly callers: GraphNode[] = []) {
    super(`${describeCall(node.call)}: ${cause.message}`);
    this.name = 'GraphError';
  }

  /** The innermost range in the model's own file (a node in a sibling file points at the call that led there). */
  get range(): GraphRange {
    for (const n of [this.node, ...this.callers]) if (!n.range.file) return n.range;
    return this.node.range;
  }

  get unavailable(): boolean {
    return this.cause instanceof OpUnavailable || this.cause instanceof ModuleUnavailable;
  }
}

/** A `torch.nn` module with no forward in moduleForwards.ts yet. */
export class ModuleUnavailable extends Error {
  constructor(readonly type: string) {
    super(`the forward of nn.${type} is not available yet`);
    this.name = 'ModuleUnavailable';
  }
}

export class GraphRunner<V> {
  private readonly modules = new Map<string, ModuleNode>();
  /** The module calls being run, outermost first. */
  private readonly calls: GraphNode[] = [];
  /** The paths of the modules whose forward is running, outermost first (calls from torch modules' forwards too). */
  private readonly paths: string[] = [];

  constructor(readonly graph: ForwardGraph, root: ModuleNode, private readonly domain: Domain<V>) {
    for (const { path, module } of namedModules(root)) if (!this.modules.has(path)) this.modules.set(path, module);
  }

  /** The model's forward on `inputs` (its data, then the targets when forward computes the loss). */
  run(inputs: V[]): V {
    return this.call(this.graph.root, inputs);
  }

  private call(fn: FunctionGraph, inputs: V[]): V {
    if (inputs.length !== fn.inputs.length) throw new TypeError(`forward takes ${fn.inputs.length} inputs, got ${inputs.length}`);
    const env = new Map<string, V>();
    fn.inputs.forEach((name, i) => env.set(name, inputs[i]!));
    for (const node of fn.nodes) {
      try {
        env.set(node.output, this.node(node, env));
        this.domain.afterNode?.(node);
      } catch (err) {
        const recovered = this.domain.recover && !(err instanceof GraphError) ? this.domain.recover(err instanceof Error ? err : new Error(String(err)), node) : undefined;
        if (recovered !== undefined) {
          env.set(node.output, recovered);
          continue;
        }
        if (err instanceof GraphError) {
          if (err.callers.length < 64 && node.call.kind === 'module') throw new GraphError(err.node, err.cause, [...err.callers, node]);
          throw err;
        }
        throw new GraphError(node, err instanceof Error ? err : new Error(String(err)));
      }
    }
    return this.arg(fn.output, env);
  }

  private node(node: GraphNode, env: Map<string, V>): V {
    const call = node.call;
    if (call.kind === 'tensor') return this.domain.tensor(call.path);
    const args = node.args.map((a) => this.arg(a, env));
    const kwargs: Record<string, V> = {};
    for (const [k, a] of Object.entries(node.kwargs)) kwargs[k] = this.arg(a, env);
    if (call.kind === 'op') return this.domain.op(call.name, args, kwargs);
    this.calls.push(node);
    try {
      return this.callModule(call.path, args, kwargs);
    } finally {
      this.calls.pop();
    }
  }

  /** A submodule's forward, its output reported to `onModuleOutput`: from a node, or from a torch module's forward. */
  private callModule(path: string, args: V[], kwargs: Record<string, V>): V {
    this.paths.push(path);
    let out: V;
    try {
      out = this.module(path, args, kwargs);
    } finally {
      this.paths.pop();
    }
    const module = this.modules.get(path);
    if (module && this.domain.onModuleOutput) this.domain.onModuleOutput(path, module, out, args);
    return out;
  }

  /** The `state_dict` prefix of the module whose forward is running ('' for the model's own). */
  get modulePath(): string {
    return this.paths.at(-1) ?? '';
  }

  /** Where `node` is in the model's own file: itself, or the innermost module call there that led to it (a body read from a sibling file). */
  mainRange(node: GraphNode): GraphRange {
    if (!node.range.file) return node.range;
    for (let i = this.calls.length - 1; i >= 0; i--) if (!this.calls[i]!.range.file) return this.calls[i]!.range;
    return node.range;
  }

  private module(path: string, args: V[], kwargs: Record<string, V>): V {
    const body = this.graph.bodies[path];
    if (body) return this.call(body, args);
    const module = this.modules.get(path);
    if (!module) throw new Error(`the model has no submodule ${path}`);
    const forward = MODULE_FORWARDS[module.type];
    if (!forward) throw new ModuleUnavailable(module.type);
    const own = new Set(module.tensors.map((t) => t.name));
    return forward<V>({
      module,
      own: (name) => (own.has(name) ? this.domain.tensor(path ? `${path}.${name}` : name) : null),
      descendant: (name) => {
        const dot = name.lastIndexOf('.');
        const child = namedModules(module).find((c) => c.path === name.slice(0, dot))?.module;
        return child?.tensors.some((t) => t.name === name.slice(dot + 1)) ? this.domain.tensor(path ? `${path}.${name}` : name) : null;
      },
      child: (name, a, kw = {}) => this.callModule(path ? `${path}.${name}` : name, a, kw),
      op: (name, a, kw = {}) => this.domain.op(name, a, kw),
      constant: (v) => constantValue(v) as V,
    }, args, kwargs);
  }

  private arg(a: GraphArg, env: Map<string, V>): V {
    switch (a.kind) {
      case 'value': {
        if (!env.has(a.name)) throw new Error(`the graph reads ${a.name} before computing it`);
        return env.get(a.name)!;
      }
      case 'const':
        return a.value as V;
      case 'tuple':
        return a.items.map((x) => this.arg(x, env)) as V;
      case 'slice':
        return { kind: 'slice', start: a.start && this.arg(a.start, env), stop: a.stop && this.arg(a.stop, env), step: a.step && this.arg(a.step, env) } as V;
      case 'ellipsis':
        return { kind: 'ellipsis' } as V;
    }
  }
}

/** A constructor argument as a graph value: numbers, strings, tuples (as arrays). */
function constantValue(v: ArgValue): unknown {
  if (Array.isArray(v)) return v.map(constantValue);
  return v;
}
