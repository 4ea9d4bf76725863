/**
 * The workloads every implementation runs, with their sizes, and the shape of
 * a result row. Sizes are shared with the PyTorch script (torch_bench.py),
 * which repeats them: keep both in step. Workloads marked `via: 'worker'`
 * are the extension's own path (our engine only, through the engine worker,
 * bench/workerInspect.ts): the suite runs them itself, not the peers' runners.
 */
import { GPT2_SMALL, RESNET50, type Gpt2Config, type ResNetConfig } from './models';

/** One measurement, as written to bench/results.json. */
export interface ResultRow {
  workload: string;
  impl: string;
  metric: string;
  value: number;
  unit: string;
}

export type Unit = 'steps/s' | 'GFLOP/s' | 'ms' | 'MB' | 'ratio';

export interface Workload {
  id: string;
  title: string;
  unit: Unit;
  /** Run by the suite through the engine worker (ours only), not by the implementations' runners. */
  via?: 'worker';
  /** The row the results table shows, when a workload emits several (its first metric with this prefix). */
  metric?: string;
}

/** Torch's AdamW defaults except the weight decay, as in the issue. */
export const ADAMW = { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 1e-2 };

/** nn: C = A·B; tn: C = Aᵀ·B (weight gradients); nt: C = A·Bᵀ (input gradients, Linear's forward). */
export const GEMM_FORMS = ['nn', 'tn', 'nt'] as const;
export type GemmForm = (typeof GEMM_FORMS)[number];

/** Problem sizes. Multilayer perceptrons are [input, hidden…, output] widths. */
export interface Sizes {
  mnist: { widths: number[]; batch: number };
  article: { widths: number[]; batch: number };
  /** 2000·2000 + 2000·2000 + 2000·1000 weights + 5000 biases = 10,005,000 parameters. */
  mlp10m: { widths: number[] };
  histogram: { values: number; bins: number };
  /** Standard normals drawn by torch's float32 `normal_` kernel (randn10m). */
  normals: number;
  /** Square GEMM sizes; workload ids are named after FULL_SIZES. */
  gemm: number[];
  /** PyTorch's MNIST example CNN (bench/mnist_cnn.py): conv channels c and 2c, fc hidden units, square images. */
  mnistCnn: MnistCnnSizes;
  /** A character-level nanoGPT (examples/tiny_gpt/model.py's GPT) and its batch of `batch` sequences of `blockSize` tokens. */
  charGpt: CharGptSizes;
  /** Inspected through the engine worker (init-gpt2-small, init-resnet50). */
  gpt2: Gpt2Config;
  resnet50: ResNetConfig;
}

export interface MnistCnnSizes {
  channels: number;
  hidden: number;
  classes: number;
  image: number;
  batch: number;
}

export interface CharGptSizes {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  batch: number;
}

export const FULL_SIZES: Sizes = {
  mnist: { widths: [784, 256, 256, 10], batch: 128 },
  article: { widths: [10, 100, 10, 1], batch: 32 },
  mlp10m: { widths: [2000, 2000, 2000, 1000] },
  histogram: { values: 10_000_000, bins: 256 },
  normals: 10_000_000,
  gemm: [256, 1024],
  mnistCnn: { channels: 32, hidden: 128, classes: 10, image: 28, batch: 64 },
  charGpt: { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, batch: 16 },
  gpt2: GPT2_SMALL,
  resnet50: RESNET50,
};

/** Tiny sizes for the schema smoke test: every code path once, in well under a second. */
export const SMOKE_SIZES: Sizes = {
  mnist: { widths: [20, 8, 8, 3], batch: 4 },
  article: { widths: [10, 100, 10, 1], batch: 32 },
  mlp10m: { widths: [30, 20, 10] },
  histogram: { values: 1000, bins: 256 },
  normals: 1000,
  gemm: [8, 12],
  mnistCnn: { channels: 2, hidden: 8, classes: 3, image: 28, batch: 2 },
  charGpt: { vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8, batch: 2 },
  gpt2: { vocabSize: 50, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 8 },
  resnet50: { layers: [1, 2, 1, 1], width: 4, numClasses: 10 },
};

/** Everything an implementation needs to know to run the suite (also sent to the PyTorch script as JSON). */
export interface SuiteConfig {
  sizes: Sizes;
  budget: { ms: number; maxRuns: number };
  adamw: typeof ADAMW;
  /** Workload ids to run; null runs all. */
  only: string[] | null;
}

const GEMM_LABEL: Record<GemmForm, string> = { nn: 'A·B', tn: 'Aᵀ·B', nt: 'A·Bᵀ' };

/** The id of the `index`-th GEMM size (named after its full size, also in smoke runs). */
export function gemmId(index: number, form: GemmForm): string {
  return `gemm${FULL_SIZES.gemm[index]}-${form}`;
}

export const WORKLOADS: readonly Workload[] = [
  { id: 'mlp784', title: 'MLP 784-256-256-10, batch 128, softmax CE, AdamW', unit: 'steps/s' },
  { id: 'article', title: "article's 10-100-10-1, batch 32, MSE, AdamW", unit: 'steps/s' },
  { id: 'mnist-cnn', title: "PyTorch's MNIST example CNN, batch 64, nll_loss, AdamW", unit: 'steps/s' },
  { id: 'char-gpt', title: 'char nanoGPT (4 layers, 4 heads, 128 wide, block 64), batch 16, AdamW', unit: 'steps/s' },
  { id: 'article-traced', title: "article's model with the training panel's full per-step tracing", unit: 'steps/s' },
  { id: 'article-traced-ratio', title: "article's model, traced ÷ untraced (measured alternately)", unit: 'ratio' },
  ...FULL_SIZES.gemm.flatMap((size) =>
    GEMM_FORMS.map((form): Workload => ({ id: `gemm${size}-${form}`, title: `GEMM ${size}³ ${GEMM_LABEL[form]}`, unit: 'GFLOP/s' })),
  ),
  { id: 'gemm1024-nn-1t-wall', title: 'GEMM 1024³ A·B, 1 thread (wall clock)', unit: 'GFLOP/s' },
  { id: 'gemm1024-nn-2t', title: 'GEMM 1024³ A·B, 2 threads (wall clock)', unit: 'GFLOP/s' },
  // The training workloads as the extension's engine worker runs them: its products of ≥ 4M multiply-adds split over two threads.
  { id: 'mlp784-2t', title: 'MLP 784-256-256-10 training, 2-thread GEMM pool (wall clock)', unit: 'steps/s' },
  { id: 'mnist-cnn-2t', title: 'MNIST CNN training, 2-thread GEMM pool (wall clock)', unit: 'steps/s' },
  { id: 'char-gpt-2t', title: 'char nanoGPT training, 2-thread GEMM pool (wall clock)', unit: 'steps/s' },
  { id: 'init10m', title: 'init + statistics, 10M-parameter MLP', unit: 'ms' },
  { id: 'hist10m', title: '256-bin histogram of 10M floats', unit: 'ms' },
  { id: 'randn10m', title: "10M normals, torch's generator (float32 normal_ after manual_seed)", unit: 'ms' },
  { id: 'article-alloc', title: "memory allocated by 1,000 steps of the article's model", unit: 'MB' },
  { id: 'article-heap', title: "heap retained after 1,000 steps of the article's model", unit: 'MB' },
  { id: 'init-gpt2-small', title: 'inspect GPT-2 small (124M) initialization via the engine worker', unit: 'ms', via: 'worker', metric: 'wall time' },
  { id: 'init-resnet50', title: 'inspect ResNet-50 (25.6M) initialization via the engine worker', unit: 'ms', via: 'worker', metric: 'wall time' },
  { id: 'checkpoint-gpt2-small', title: "open GPT-2 small's 498 MB safetensors, every tensor summarized, via the engine worker", unit: 'ms', via: 'worker', metric: 'summarize' },
];

/** The workloads the implementations' runners measure (all but the worker's). */
export const PEER_WORKLOADS: readonly Workload[] = WORKLOADS.filter((w) => w.via !== 'worker');

/** Whether a larger value is better (throughputs) or worse (times, memory). */
export function higherIsBetter(unit: Unit): boolean {
  return unit === 'steps/s' || unit === 'GFLOP/s';
}

export function workload(id: string): Workload {
  const w = WORKLOADS.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload '${id}'`);
  return w;
}

/** 2·n³ floating-point operations per n×n product. */
export function gemmFlops(size: number): number {
  return 2 * size * size * size;
}
