/**
 * The training loop, one step at a time so that a caller (the engine worker)
 * can stream progress and stop between steps:
 *
 *     optimizer.zero_grad(); loss = criterion(model(x), y); loss.backward(); optimizer.step()
 *
 * With tracing on, each step also reports every optimizer term per parameter
 * (see engine/optim/trace.ts).
 */
import type { Dataset } from '../data/dataset';
import { buildCriterion, buildNetwork, buildOptimizer, type BuiltNetwork } from '../model/build';
import { initializeParameters, initializeTensors, type InitialValues } from '../model/initialize';
import { isGraphModel, type RunnableModelSpec } from '../model/spec';
import type { Sequential } from '../nn';
import { forwardArguments } from '../graph/data';
import { GraphNetwork } from '../graph/network';
import type { Criterion } from '../nn';
import { step as optimizerStep, Tracer, type CollectingSink, type GradientTransformation, type StepTrace, type TraceOptions } from '../optim';
import { sumOfSquares } from '../optim/sums';
import { TorchGenerator } from '../random';
import type { DType, FloatArray } from '../tensor/dtype';
import { BufferArena } from '../tensor/arena';
import { noGrad } from '../tensor/autograd';
import type { Tensor } from '../tensor/tensor';
import { BatchSampler, type Batch } from './batches';
import { defaultDataset, DEFAULT_BATCH_SIZE } from './defaults';

export interface TrainerOptions {
  dataset?: Dataset;
  /** Initial values by `state_dict` name (a checkpoint), replacing the drawn ones. */
  checkpoint?: InitialValues;
  batchSize?: number;
  /** Shuffle the examples every epoch (default true). */
  shuffle?: boolean;
  dtype?: DType;
  /** Trace every optimizer term per parameter (costs a pass over each tensor per term). */
  trace?: TraceOptions | false;
  /**
   * Reuse the previous step's buffers (default true; arena.ts). false allocates every buffer afresh: the same
   * numbers, slower; for checking that nothing depends on reuse.
   */
  reuseBuffers?: boolean;
}

export interface StepRecord {
  /** 1-based, as torch's optimizer `step` count. */
  step: number;
  loss: number;
  /** ‖g‖₂ over all parameters. */
  gradNorm: number;
  epoch: number;
  trace?: StepTrace;
}

/** An error raised by the model during a step (for example BCELoss given a negative input), with the step. */
export class StepError extends Error {
  constructor(readonly step: number, override readonly cause: Error) {
    super(`step ${step}: ${cause.message}`);
    this.name = 'StepError';
  }
}

/** A value that stopped training: the first non-finite loss or gradient. */
export class NonFiniteError extends Error {
  constructor(message: string, readonly step: number, readonly term: 'loss' | 'grad' = 'loss', readonly param?: string) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

/** The network a trainer runs: a chain (`network`) or a forward graph (`graph`), and its parameters by name. */
export interface TrainedNetwork {
  parameters: Map<string, Tensor>;
  network?: Sequential;
  graph?: GraphNetwork;
}

export class Trainer {
  readonly built: TrainedNetwork;
  readonly dataset: Dataset;
  private readonly criterion: Criterion<Tensor> | Criterion<ArrayLike<number>>;
  private readonly optimizer: GradientTransformation<unknown>;
  private state: unknown;
  private readonly sampler: BatchSampler;
  private readonly tracer: Tracer | undefined;
  private readonly params: Record<string, FloatArray>;
  private count = 0;
  private readonly arena: BufferArena | null;

  constructor(readonly spec: RunnableModelSpec, options: TrainerOptions = {}) {
    const dtype = options.dtype ?? 'float32';
    const rng = new TorchGenerator(spec.seed);
    if (isGraphModel(spec)) {
      // Its forward may read buffers too (running statistics, masks, drawn buffers).
      const graph = new GraphNetwork(spec, initializeTensors(spec, rng, dtype, options.checkpoint), rng, dtype);
      this.built = { parameters: graph.parameters, graph };
    } else {
      const built: BuiltNetwork = buildNetwork(spec, initializeParameters(spec, rng, dtype, options.checkpoint), rng, dtype);
      this.built = { parameters: built.parameters, network: built.network };
    }
    this.dataset = options.dataset ?? defaultDataset(spec, dtype);
    // A graph model whose file names no loss and whose data are classes (images, tokens): cross-entropy, as a
    // classifier is trained (on log_softmax outputs it equals nll_loss, log_softmax being idempotent).
    this.criterion = !spec.loss && isGraphModel(spec) && this.dataset.targets.kind === 'classes'
      ? buildCriterion({ ...spec, loss: { type: 'CrossEntropyLoss', args: {} } })
      : buildCriterion(spec);
    this.optimizer = buildOptimizer(spec.optimizer);
    this.params = Object.fromEntries([...this.built.parameters].map(([name, t]) => [name, t.data]));
    this.state = this.optimizer.init(this.params);
    this.sampler = new BatchSampler(this.dataset, options.batchSize ?? spec.training?.batchSize ?? DEFAULT_BATCH_SIZE, rng, options.shuffle ?? spec.training?.shuffle ?? true);
    this.tracer = options.trace ? new Tracer(options.trace) : undefined;
    this.arena = options.reuseBuffers === false ? null : new BufferArena();
  }

  get stepCount(): number {
    return this.count;
  }

  /**
   * One optimizer step; `tracer` (default: the one from the options) traces this step only.
   * The step's buffers (batch, activations, gradients) are the previous step's, reused (arena.ts):
   * nothing allocated here outlives the next step.
   */
  step(tracer: CollectingSink | undefined = this.tracer): StepRecord {
    return this.arena ? this.arena.run(() => this.stepInArena(tracer)) : this.stepInArena(tracer);
  }

  /** Bytes of buffers kept for reuse by the next step (0 without reuse). */
  get reusedBufferBytes(): number {
    return this.arena?.retainedBytes ?? 0;
  }

  private stepInArena(tracer: CollectingSink | undefined): StepRecord {
    const batch = this.sampler.next();
    // optimizer.zero_grad(): the parameters' list is the built network's, not re-collected every step.
    for (const tensor of this.built.parameters.values()) tensor.zeroGrad();
    let loss: Tensor;
    try {
      loss = this.lossOf(batch);
      loss.backward();
    } catch (err) {
      throw new StepError(this.count + 1, err instanceof Error ? err : new Error(String(err)));
    }
    this.count++;
    const lossValue = loss.data[0]!;
    if (!Number.isFinite(lossValue)) throw new NonFiniteError(`loss is ${lossValue} at step ${this.count}`, this.count);

    const grads: Record<string, FloatArray> = {};
    const gradSquares: Record<string, number> = {};
    let sumSquares = 0;
    for (const [name, tensor] of this.built.parameters) {
      const g = tensor.grad ?? new (tensor.data.constructor as { new (n: number): FloatArray })(tensor.data.length);
      const own = sumOfSquares(g);
      sumSquares += own;
      gradSquares[name] = own;
      grads[name] = g;
    }
    if (!Number.isFinite(sumSquares)) {
      const bad = Object.entries(grads).find(([, g]) => g.some((v) => !Number.isFinite(v)))?.[0];
      throw new NonFiniteError(`gradient of ${bad ?? 'a parameter'} is not finite at step ${this.count}`, this.count, 'grad', bad);
    }
    const result = optimizerStep(this.optimizer, this.params, grads, this.state, tracer, gradSquares);
    this.state = result.state;
    const record: StepRecord = { step: this.count, loss: lossValue, gradNorm: Math.sqrt(sumSquares), epoch: this.sampler.epoch };
    if (result.trace) record.trace = result.trace;
    return record;
  }

  /**
   * The loss over all of `data` in one batch, in evaluation mode and without
   * recording the graph (torch: `model.eval(); with torch.no_grad(): criterion(model(x), y)`),
   * so that it is the same kind of number as the training loss (same reduction). Training mode is restored.
   */
  evaluate(data: Dataset): number {
    const model = this.built.graph ?? this.built.network!;
    const wasTraining = model.training;
    model.eval();
    try {
      return noGrad(() => this.lossOf(new BatchSampler(data, data.count, new TorchGenerator(0), false).next(), data).data[0]!);
    } finally {
      model.train(wasTraining);
    }
  }

  /**
   * The loss of a batch: the criterion on the chain's output, or for a graph the loss its forward computes
   * (nanoGPT's `logits, loss = model(idx, targets)`) or else the criterion on its prediction.
   */
  private lossOf(batch: Batch, data: Dataset = this.dataset): Tensor {
    const criterion = this.criterion as Criterion<Tensor | ArrayLike<number>>;
    const graph = this.built.graph;
    if (!graph) return criterion.forward(this.built.network!.forward(batch.inputs), batch.targets);
    const out = graph.forward(forwardArguments(graph.spec, data, batch.inputs, batch.targets, batch.extra));
    const { prediction, loss } = graph.predictionAndLoss(out);
    if (loss) return loss;
    return criterion.forward(prediction!, batch.targets);
  }
}
