/**
 * torch.nn.Sequential: children applied in order. Children are named by
 * position (`0`, `1`, …) or by the names given, and their parameters are
 * listed as `<child>.<param>` — the `state_dict` keys.
 */
import type { Tensor } from '../tensor/tensor';
import type { Module, NamedParameter } from './module';

export interface NamedModule {
  name: string;
  module: Module;
}

/** One child's output during a traced forward pass. */
export interface LayerTrace {
  name: string;
  kind: string;
  output: Tensor;
}

export class Sequential implements Module {
  readonly kind = 'Sequential';
  readonly children: readonly NamedModule[];
  private mode = true;

  /** `new Sequential(a, b)` names children 0, 1, …; `new Sequential([['fc1', a], …])` uses the given names. */
  constructor(...modules: Module[]);
  constructor(named: readonly (readonly [string, Module])[]);
  constructor(...args: unknown[]) {
    const named = args.length === 1 && Array.isArray(args[0]);
    const children: NamedModule[] = named
      ? (args[0] as readonly (readonly [string, Module])[]).map(([name, module]) => ({ name, module }))
      : (args as Module[]).map((module, i) => ({ name: String(i), module }));
    const seen = new Set<string>();
    for (const { name } of children) {
      if (name === '' || name.includes('.')) throw new Error(`Sequential: invalid child name '${name}'`);
      if (seen.has(name)) throw new Error(`Sequential: duplicate child name '${name}'`);
      seen.add(name);
    }
    this.children = children;
  }

  get training(): boolean {
    return this.mode;
  }

  get length(): number {
    return this.children.length;
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const { module } of this.children) h = module.forward(h);
    return h;
  }

  /**
   * The forward pass keeping every child's output, for per-layer views
   * (activation statistics through depth). `trace[i].output` is the input of
   * child i + 1; the last one is the network's output. With `retainGrad`,
   * each output that requires grad keeps ∂L/∂output in its `grad` after
   * `backward()` (gradient statistics through depth).
   */
  forwardWithTrace(x: Tensor, options: { retainGrad?: boolean } = {}): { output: Tensor; trace: LayerTrace[] } {
    const trace: LayerTrace[] = [];
    let h = x;
    for (const { name, module } of this.children) {
      h = module.forward(h);
      if (options.retainGrad && h.requiresGrad && !h.isLeaf) h.retainGrad();
      trace.push({ name, kind: module.kind, output: h });
    }
    return { output: h, trace };
  }

  namedParameters(): NamedParameter[] {
    return this.children.flatMap(({ name, module }) =>
      module.namedParameters().map((p) => ({ name: `${name}.${p.name}`, tensor: p.tensor })),
    );
  }

  train(mode = true): this {
    this.mode = mode;
    for (const { module } of this.children) module.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }
}
