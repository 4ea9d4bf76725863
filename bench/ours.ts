/**
 * Our engine on every workload, through its public modules: nn (Sequential,
 * Linear, losses), optim (adamw, step), run (the training panel's per-step
 * tracing), the GEMM kernels behind matmul/linear, inspectInitialization and
 * the histogram kernel.
 */
import { inspectInitialization } from '../engine/inspect/inspectInit';
import { parseModelText } from '../engine/model';
import { CrossEntropyLoss, Linear, MSELoss, ReLU, Sequential, zeroGrad, type Module } from '../engine/nn';
import { adamw, step, type CollectingSink, type StepTrace } from '../engine/optim';
import { sumOfSquares } from '../engine/optim/sums';
import { decaySemantics, RunRecorder, RunTracing } from '../engine/run';
import { normalFill, TorchGenerator } from '../engine/random';
import { histogram } from '../engine/stats/histogram';
import { gemmNN, gemmNT, gemmTN, setGemmParallel } from '../engine/tensor/gemm';
import type { FloatArray } from '../engine/tensor/dtype';
import { Tensor } from '../engine/tensor/tensor';
import { BufferArena } from '../engine/tensor/arena';
import { GemmPool } from '../worker/gemmPool';
import { measure, measureWall, resultRow, wanted, type RunContext } from './context';
import { deepTrainingStep } from './deepModels';
import { measureHeap } from './memory';
import { pairedMedianSeconds } from './timing';
import { ADAMW, GEMM_FORMS, gemmFlops, gemmId, type GemmForm } from './workloads';

export const IMPL = 'ours';
const HEAP_STEPS = 1000;

export async function runOurs(ctx: RunContext, root: string): Promise<void> {
  const { sizes } = ctx.config;
  if (wanted(ctx, 'mlp784')) {
    const train = trainingStep(sizes.mnist.widths, sizes.mnist.batch, 'cross-entropy', null);
    ctx.emit(resultRow('mlp784', IMPL, measure(ctx, train)));
  }
  if (wanted(ctx, 'article')) {
    const train = trainingStep(sizes.article.widths, sizes.article.batch, 'mse', null);
    ctx.emit(resultRow('article', IMPL, measure(ctx, train)));
  }
  // The deep models train through the real path: their .py file read, its forward graph, the Trainer.
  if (wanted(ctx, 'mnist-cnn')) ctx.emit(resultRow('mnist-cnn', IMPL, measure(ctx, (await deepTrainingStep(root, 'mnist-cnn', sizes.mnistCnn)).step)));
  if (wanted(ctx, 'char-gpt')) ctx.emit(resultRow('char-gpt', IMPL, measure(ctx, (await deepTrainingStep(root, 'char-gpt', sizes.charGpt)).step)));
  if (wanted(ctx, 'article-traced') || wanted(ctx, 'article-traced-ratio')) {
    // Traced and untraced steps alternate, so that their ratio sees one machine load.
    // Both sum each gradient's squares, as the Trainer does for the gradient norm (the trace then reuses them).
    const untraced = trainingStep(sizes.article.widths, sizes.article.batch, 'mse', null, { gradSquares: true });
    const traced = trainingStep(sizes.article.widths, sizes.article.batch, 'mse', runTracing(), { gradSquares: true });
    const [off, on] = pairedMedianSeconds(untraced, traced, ctx.config.budget);
    ctx.emit(resultRow('article-traced', IMPL, on));
    ctx.emit({ workload: 'article-traced-ratio', impl: IMPL, metric: 'median untraced ÷ median traced step time', value: off / on, unit: 'ratio' });
  }
  sizes.gemm.forEach((size, index) => {
    for (const form of GEMM_FORMS) {
      const id = gemmId(index, form);
      if (wanted(ctx, id)) ctx.emit(resultRow(id, IMPL, measure(ctx, gemm(size, form)), gemmFlops(size)));
    }
  });
  // Threads are compared by wall clock (CPU time would add them up), one thread
  // measured the same way right before, so that both see the same machine load.
  if (wanted(ctx, 'gemm1024-nn-1t-wall')) {
    const size = sizes.gemm[sizes.gemm.length - 1]!;
    ctx.emit(resultRow('gemm1024-nn-1t-wall', IMPL, measureWall(ctx, gemm(size, 'nn')), gemmFlops(size)));
  }
  const pooled = POOLED_TRAINING.filter(({ id }) => wanted(ctx, id));
  if (wanted(ctx, 'gemm1024-nn-2t') || pooled.length > 0) {
    const pool = new GemmPool(undefined, 2);
    if (!pool.waitUntilReady()) ctx.log('ours: the GEMM worker did not start; the 2-thread rows are skipped');
    else {
      setGemmParallel(pool.run);
      try {
        if (wanted(ctx, 'gemm1024-nn-2t')) {
          const size = sizes.gemm[sizes.gemm.length - 1]!;
          ctx.emit(resultRow('gemm1024-nn-2t', IMPL, measureWall(ctx, gemm(size, 'nn')), gemmFlops(size)));
        }
        for (const { id, step } of pooled) ctx.emit(resultRow(id, IMPL, measureWall(ctx, await step(ctx, root))));
      } finally {
        setGemmParallel(null);
      }
    }
    pool.close();
  }
  if (wanted(ctx, 'init10m')) ctx.emit(resultRow('init10m', IMPL, measure(ctx, inspectMlp(sizes.mlp10m.widths))));
  if (wanted(ctx, 'hist10m')) {
    const { values: n, bins } = sizes.histogram;
    const values = normalValues(n, 7);
    ctx.emit(resultRow('hist10m', IMPL, measure(ctx, () => void histogram(values, bins, -4, 4))));
  }
  if (wanted(ctx, 'randn10m')) {
    const out = new Float32Array(sizes.normals);
    const gen = new TorchGenerator(0);
    ctx.emit(resultRow('randn10m', IMPL, measure(ctx, () => normalFill(gen, out, 0, 1))));
  }
  if (wanted(ctx, 'article-alloc') || wanted(ctx, 'article-heap')) {
    if (!(globalThis as { gc?: unknown }).gc) {
      ctx.log('ours: heap growth skipped (run node with --expose-gc)');
      return;
    }
    const train = trainingStep(sizes.article.widths, sizes.article.batch, 'mse', null);
    const heap = measureHeap(train, HEAP_STEPS);
    const row = (id: string, bytes: number) => ({ workload: id, impl: IMPL, metric: `over ${HEAP_STEPS} steps`, value: bytes / 1e6, unit: 'MB' });
    if (wanted(ctx, 'article-alloc')) ctx.emit(row('article-alloc', heap.allocatedBytes));
    if (wanted(ctx, 'article-heap')) ctx.emit(row('article-heap', heap.retainedBytes));
  }
}

/**
 * The training workloads again, as the extension's engine worker runs them
 * (worker/main.ts installs the GEMM pool): products of ≥ 4M multiply-adds
 * split over a second thread, the rest on one. Timed by wall clock.
 */
const POOLED_TRAINING: readonly { id: string; step: (ctx: RunContext, root: string) => Promise<() => void> }[] = [
  { id: 'mlp784-2t', step: async ({ config: { sizes } }) => trainingStep(sizes.mnist.widths, sizes.mnist.batch, 'cross-entropy', null) },
  { id: 'mnist-cnn-2t', step: async ({ config: { sizes } }, root) => (await deepTrainingStep(root, 'mnist-cnn', sizes.mnistCnn)).step },
  { id: 'char-gpt-2t', step: async ({ config: { sizes } }, root) => (await deepTrainingStep(root, 'char-gpt', sizes.charGpt)).step },
];

/** What traces a step: the sink for step t, and what is done with its trace. */
export interface StepTracing {
  sink(t: number): CollectingSink;
  record(t: number, trace: StepTrace): void;
}

/**
 * The training panel's full per-step tracing, RunTracing as a TrainingRun uses
 * it: every step's per-layer record (light StatsTracer), histogram snapshots
 * at log-spaced steps (SnapshotTracer, 32 bins), NaN/Inf detection.
 */
export function runTracing(): StepTracing {
  const decay = decaySemantics({ type: 'AdamW', lr: ADAMW.lr, args: { weight_decay: ADAMW.weightDecay, eps: ADAMW.eps }, noDecay: [] });
  const tracing = new RunTracing(new RunRecorder({ keepSteps: false }), decay);
  let snapshotStep = false;
  return {
    sink(t) {
      snapshotStep = tracing.isSnapshotStep(t, false);
      return tracing.sink(snapshotStep);
    },
    record(t, trace) {
      tracing.record(trace, { step: t, epoch: 0, loss: NaN, valLoss: null, gradNorm: NaN, decay }, snapshotStep);
    },
  };
}

/** One call = one optimizer step on a fixed batch: zero_grad, forward, loss, backward, AdamW (traced by `tracing`). */
export function trainingStep(
  widths: readonly number[], batch: number, loss: 'cross-entropy' | 'mse', tracing: StepTracing | null, options: { gradSquares?: boolean } = {},
): () => void {
  const rng = new TorchGenerator(1);
  const layers: Module[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const layer = new Linear(widths[i]!, widths[i + 1]!);
    fillUniform(layer.weight.data, 1 / Math.sqrt(widths[i]!), rng);
    fillUniform(layer.bias!.data, 1 / Math.sqrt(widths[i]!), rng);
    layers.push(layer);
    if (i + 2 < widths.length) layers.push(new ReLU());
  }
  const network = new Sequential(...layers);
  const parameters = network.namedParameters();
  const params: Record<string, FloatArray> = Object.fromEntries(parameters.map((p) => [p.name, p.tensor.data]));
  const tx = adamw({ lr: ADAMW.lr, betas: ADAMW.betas, eps: ADAMW.eps, weightDecay: ADAMW.weightDecay });
  let state = tx.init(params);
  const inputs = Tensor.from(normalValues(batch * widths[0]!, 2), [batch, widths[0]!]);
  const outputs = widths[widths.length - 1]!;
  const labels = Int32Array.from({ length: batch }, () => rng.int(outputs));
  const targets = Tensor.from(normalValues(batch * outputs, 3), [batch, outputs]);
  const mse = new MSELoss();
  const crossEntropy = new CrossEntropyLoss();
  const grads: Record<string, FloatArray> = {};
  const squares: Record<string, number> = {};
  let t = 0;
  // As the Trainer steps: each step reuses the previous step's buffers.
  const arena = new BufferArena();
  const body = (): void => {
    zeroGrad(network);
    const out = network.forward(inputs);
    const value = loss === 'mse' ? mse.forward(out, targets) : crossEntropy.forward(out, labels);
    value.backward();
    for (const p of parameters) grads[p.name] = p.tensor.grad!;
    if (options.gradSquares) for (const p of parameters) squares[p.name] = sumOfSquares(grads[p.name]!);
    t++;
    const r = step(tx, params, grads, state, tracing?.sink(t), options.gradSquares ? squares : undefined);
    state = r.state;
    if (tracing) tracing.record(t, r.trace!);
  };
  return () => arena.run(body);
}

/** C = A·B, Aᵀ·B or A·Bᵀ of float32 n×n matrices with the engine's kernels. */
export function gemm(n: number, form: GemmForm): () => void {
  const a = normalValues(n * n, 4);
  const b = normalValues(n * n, 5);
  const c = new Float32Array(n * n);
  if (form === 'nn') return () => gemmNN(a, b, n, n, n, c);
  if (form === 'tn') return () => gemmTN(a, b, n, n, n, c);
  return () => gemmNT(a, b, n, n, n, c);
}

/** The inspector's work on an MLP: draw every tensor as torch would, then summarize it against its theory. */
export function inspectMlp(widths: readonly number[]): () => void {
  const layers = widths.slice(1).flatMap((out, i) => {
    const linear = { name: `fc${i + 1}`, type: 'Linear', out_features: out };
    return i + 2 < widths.length ? [linear, { type: 'ReLU' }] : [linear];
  });
  const text = JSON.stringify({ version: 1, name: 'BenchMlp', input: widths[0], layers, loss: 'MSELoss', seed: 0 });
  const { spec, diagnostics } = parseModelText(text, 'json', 'bench');
  if (!spec) throw new Error(`benchmark model does not parse: ${diagnostics.map((d) => d.message).join('; ')}`);
  return () => void inspectInitialization(spec, { bins: 40 });
}

export function normalValues(n: number, seed: number): Float32Array {
  const rng = new TorchGenerator(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

function fillUniform(data: FloatArray, bound: number, rng: TorchGenerator): void {
  for (let i = 0; i < data.length; i++) data[i] = rng.uniformRange(-bound, bound);
}
