/**
 * The arithmetic of one training step of each training workload, counted
 * from its sizes: the floating-point operations of its matrix products and
 * convolutions (forward, weight gradients, input gradients), which is nearly
 * all of a step's work. Dividing by a step's time gives the implementation's
 * effective GFLOP/s; dividing a GEMM kernel's peak GFLOP/s by it gives the
 * most steps/s that kernel could ever reach on the workload, with every
 * other op free. That ceiling is what tells an engineering gap from a
 * hardware one (BENCHMARKS.md's "what the hardware allows").
 *
 * A product of an m×k and a k×n matrix is m·k·n multiply-adds, 2·m·k·n
 * flops. A layer whose forward costs F multiply-adds costs F again for its
 * weight gradient and F for its input gradient, except a model's first
 * layer, whose input (the data) needs no gradient.
 */
import type { CharGptSizes, MnistCnnSizes, Sizes } from './workloads';

export const TRAINING_WORKLOADS = ['mlp784', 'mnist-cnn', 'char-gpt'] as const;
export type TrainingWorkload = (typeof TRAINING_WORKLOADS)[number];

/** Flops of one training step (forward and backward) of a workload at its sizes. */
export function trainingStepFlops(id: TrainingWorkload, sizes: Sizes): number {
  switch (id) {
    case 'mlp784': return mlpStepFlops(sizes.mnist.widths, sizes.mnist.batch);
    case 'mnist-cnn': return mnistCnnStepFlops(sizes.mnistCnn);
    case 'char-gpt': return charGptStepFlops(sizes.charGpt);
  }
}

/** Layers' forward multiply-adds, first layer first: 3 passes each (forward, ∂W, ∂x) but ∂x of the first. */
function stepFlops(forwardMacs: readonly number[]): number {
  const sum = forwardMacs.reduce((a, b) => a + b, 0);
  return 2 * (3 * sum - (forwardMacs[0] ?? 0));
}

/** Linear layers in → out over a batch: batch·in·out multiply-adds each. */
export function mlpStepFlops(widths: readonly number[], batch: number): number {
  return stepFlops(widths.slice(1).map((out, i) => batch * widths[i]! * out));
}

/**
 * PyTorch's MNIST example (bench/mnist_cnn.py): conv1 1→c and conv2 c→2c,
 * 3×3 unpadded (side s → s − 2 each), a 2×2 max pool, fc1 → hidden, fc2 → classes.
 * A convolution's multiply-adds: batch · output pixels · out channels · in channels · 9.
 */
export function mnistCnnStepFlops({ channels: c, hidden, classes, image, batch }: MnistCnnSizes): number {
  const side1 = image - 2;
  const side2 = image - 4;
  const pooled = Math.floor(side2 / 2);
  return stepFlops([
    batch * side1 * side1 * c * 1 * 9,
    batch * side2 * side2 * 2 * c * c * 9,
    batch * pooled * pooled * 2 * c * hidden,
    batch * hidden * classes,
  ]);
}

/**
 * nanoGPT (examples/tiny_gpt/model.py) over batch·T tokens: per block the
 * attention's qkv (C → 3C) and output (C → C) projections and the MLP's C → 4C → C
 * (12·C² per token), and attention's scores q·kᵀ and their weighting of v
 * (T·C each per token: torch computes the whole T×T score matrix, then masks
 * it); then the LM head C → vocab. Every one of them needs its input gradient
 * too (the first layer is the embedding, a lookup with no products).
 */
export function charGptStepFlops({ vocabSize, blockSize: T, nLayer, nEmbd: C, batch }: CharGptSizes): number {
  const tokens = batch * T;
  const forwardMacs = tokens * (nLayer * (12 * C * C + 2 * T * C) + C * vocabSize);
  return 2 * 3 * forwardMacs;
}
