/**
 * A model with a forward graph, ready to run on the engine's autograd ops:
 * its parameters (the initialized values, one tensor per tied group, as
 * torch's `parameters()`), its buffers (running statistics, causal masks),
 * and `forward`, which interprets the graph (run.ts) with the op table
 * (ops.ts). The mode (`train()`/`eval()`) is read by dropout and batch norm.
 */
import type { InitializedParameter } from '../model/initialize';
import { materialize } from '../modules/materialize';
import type { GraphModelSpec } from '../model/spec';
import type { ModuleNode } from '../modules/tree';
import type { TorchGenerator } from '../random';
import type { DType } from '../tensor/dtype';
import { Tensor } from '../tensor/tensor';
import { modelTensors } from '../model/moduleTree';
import { bindOp, type RunContext } from './ops';
import { attentionOf, type AttentionCapture } from './attentionCapture';
import { GraphRunner } from './run';
import { describeValue, isTensor, type RuntimeValue } from './values';

/** One submodule's output during a traced forward pass (per-module statistics through depth). */
export interface ModuleTrace {
  /** `state_dict` prefix: `transformer.h.0.attn`. */
  path: string;
  /** torch class name, or the model's own class name. */
  kind: string;
  output: Tensor;
  /** Its first input, when that is a tensor (the stream a residual block adds to). */
  input?: Tensor;
}

export class GraphNetwork {
  /** Trainable parameters by `state_dict` name, a tied tensor once (under the first name met). */
  readonly parameters = new Map<string, Tensor>();
  /** Every name a forward may read (tied names and buffers included) → its tensor. */
  private readonly tensors = new Map<string, Tensor>();
  training = true;

  constructor(readonly spec: GraphModelSpec, initial: readonly InitializedParameter[], private readonly rng: TorchGenerator, readonly dtype: DType = 'float32') {
    const values = new Map(initial.map((p) => [p.name, p]));
    const entries = modelTensors(spec);
    for (const entry of entries) {
      if (entry.sameAs !== undefined) continue;
      if (entry.decl.kind !== 'parameter') continue;
      const p = values.get(entry.name);
      if (!p) throw new Error(`no initial value for parameter ${entry.name}`);
      const t = new Tensor(p.data, entry.decl.shape, true);
      this.parameters.set(entry.name, t);
      this.tensors.set(entry.name, t);
    }
    // Buffers: from `initial` when it has them (initializeTensors: drawn in torch's order, or loaded from a
    // checkpoint). Given parameters only, a buffer is built from its steps, which must then draw nothing
    // (zeros, ones, a causal mask): one that draws needs its place in the model's draw order.
    const noDraws = new Map();
    for (const entry of entries) {
      if (entry.decl.kind !== 'buffer' || entry.sameAs !== undefined) continue;
      const given = values.get(entry.name);
      this.tensors.set(entry.name, new Tensor(given ? given.data : materialize(entry.decl, noDraws, dtype).data, entry.decl.shape));
    }
    for (const entry of entries) {
      if (entry.sameAs !== undefined) this.tensors.set(entry.name, this.tensors.get(entry.sameAs)!);
    }
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** The value of a parameter or buffer by any of its names. */
  tensor(name: string): Tensor | undefined {
    return this.tensors.get(name);
  }

  /**
   * The graph's output on `inputs` (the data, then the targets when forward computes its loss). With `trace`,
   * every submodule's output that is a float tensor is recorded, and with `retainGrad` keeps ∂L/∂output; with
   * `onAttention`, every attention's probabilities (attentionCapture.ts), of its first examples within
   * `attentionElements` values (default 4M).
   */
  forward(inputs: RuntimeValue[], options: { trace?: ModuleTrace[]; retainGrad?: boolean; onAttention?: (capture: AttentionCapture) => void; attentionElements?: number } = {}): RuntimeValue {
    const ctx: RunContext = { training: this.training, rng: this.rng, dtype: this.dtype };
    const trace = options.trace;
    const onAttention = options.onAttention;
    const runner: GraphRunner<RuntimeValue> = new GraphRunner<RuntimeValue>(this.spec.graph, this.spec.modules, {
      tensor: (path) => {
        const t = this.tensors.get(path);
        if (!t) throw new Error(`the model has no parameter or buffer ${path}`);
        return t;
      },
      op: (name, args, kwargs) => {
        const { def, bound } = bindOp<RuntimeValue>(name, args, kwargs);
        const out = def.run(bound, ctx);
        const p = onAttention ? attentionOf(name, args, kwargs, out, ctx, options.attentionElements ?? 4e6) : undefined;
        if (p) onAttention!({ path: runner.modulePath, ...p });
        return out;
      },
      ...(trace
        ? {
          onModuleOutput: (path: string, module: ModuleNode, output: RuntimeValue, args: readonly RuntimeValue[]) => {
            if (!isTensor(output)) return;
            if (options.retainGrad && output.requiresGrad && !output.isLeaf) output.retainGrad();
            const input = args[0];
            trace.push({ path, kind: module.className ?? module.type, output, ...(isTensor(input) ? { input } : {}) });
          },
        }
        : {}),
    });
    return runner.run(inputs);
  }

  /**
   * The model's prediction and, when forward computes it (nanoGPT's `return logits, loss`), its loss. A
   * forward that returns a tuple without computing its loss: the model's loss is taken on the tuple's first item.
   */
  predictionAndLoss(output: RuntimeValue): { prediction: Tensor | undefined; loss: Tensor | undefined } {
    const loss = this.spec.graph.loss;
    if (!loss) {
      // A tuple (a VAE's `recon, mu, logvar`, an agent's `logits, value`): the loss applies to its first item.
      const prediction = Array.isArray(output) ? output[0] : output;
      if (!isTensor(prediction)) throw new TypeError(`forward returns ${describeValue(output)}, not a tensor (or a tuple starting with one) Weightscope can apply the loss to`);
      return { prediction, loss: undefined };
    }
    const items = Array.isArray(output) ? output : [output];
    const l = loss.output < 0 ? output : items[loss.output];
    const p = loss.prediction !== undefined ? items[loss.prediction] : undefined;
    if (!isTensor(l) || l.numel !== 1) throw new TypeError(`forward's loss is ${describeValue(l)}, not one number`);
    return { prediction: isTensor(p) ? p : undefined, loss: l };
  }
}
