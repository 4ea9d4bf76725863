/**
 * Conformance with PyTorch on small fixed inputs: outputs and gradients of
 * every op and loss, against values computed by torch (see
 * torch-reference/generate.py, which also records the torch version).
 *
 *  - float64: normwise error max|ours − torch| / max|torch| ≤ 1e-14 (the two
 *    differ only in summation order and libm last bits, ~1e-16).
 *  - float32: bit-exact wherever torch rounds once per elementary step —
 *    ReLU, LeakyReLU, negation, x², √x, scalar/row arithmetic, element losses of
 *    L1 and MSE, and the input gradients of L1 and MSE for every reduction.
 *    (Reduced losses and gradients of broadcast operands are float32 sums in
 *    torch, so they are compared in float64 only.)
 *    Other float32 results are not compared here: torch evaluates them with
 *    vectorized approximations or float32 accumulation, while the engine
 *    returns the correctly rounded float64 value (see the module docs).
 */
import { describe, expect, it } from 'vitest';
import { elu, gelu, leakyRelu, relu, selu, sigmoid, silu, softplus, tanh } from '../../../engine/tensor/activation';
import { add, div, mul, sub } from '../../../engine/tensor/binary';
import type { DType } from '../../../engine/tensor/dtype';
import { layerNorm } from '../../../engine/tensor/layerNorm';
import { bceLoss, bceWithLogitsLoss } from '../../../engine/tensor/loss/binary';
import { crossEntropyLoss } from '../../../engine/tensor/loss/crossEntropy';
import { huberLoss, l1Loss, mseLoss, smoothL1Loss } from '../../../engine/tensor/loss/regression';
import { linear } from '../../../engine/tensor/matmul';
import { max, mean, sum } from '../../../engine/tensor/reduce';
import { logSoftmax, softmax } from '../../../engine/tensor/softmax';
import { Tensor } from '../../../engine/tensor/tensor';
import { exp, log, neg, pow, sqrt } from '../../../engine/tensor/unary';
import reference from './torch-reference/reference.json';

type InputName = keyof typeof reference.inputs;

interface CaseResult {
  /** Absent in float32 cases whose output torch reduces in float32 (not bit-reproducible). */
  output?: number[];
  outputShape: number[];
  grads: Record<string, number[]>;
}

/** The engine's version of each torch case: the op, its leaves, and the upstream gradient's name. */
interface EngineCase {
  leaves: InputName[];
  upstream?: InputName;
  run(leaf: (name: InputName) => Tensor, constant: (name: InputName) => Tensor): Tensor;
}

const unary = (f: (x: Tensor) => Tensor): EngineCase => ({ leaves: ['x'], upstream: 'upstream', run: (leaf) => f(leaf('x')) });
const withRow = (f: (x: Tensor, row: Tensor) => Tensor): EngineCase => ({
  leaves: ['x', 'row'],
  upstream: 'upstream',
  run: (leaf) => f(leaf('x'), leaf('row')),
});
const loss = (f: (x: Tensor, constant: (name: InputName) => Tensor) => Tensor, input: InputName = 'x'): EngineCase => ({
  leaves: [input],
  run: (leaf, constant) => f(leaf(input), constant),
});
const classes = reference.classes;
const withIgnored = [classes[0]!, -100, classes[2]!];

const CASES: Record<string, EngineCase> = {
  relu: unary(relu),
  leaky_relu: unary((x) => leakyRelu(x)),
  elu: unary((x) => elu(x)),
  selu: unary(selu),
  gelu: unary((x) => gelu(x)),
  gelu_tanh: unary((x) => gelu(x, 'tanh')),
  silu: unary(silu),
  tanh: unary(tanh),
  sigmoid: unary(sigmoid),
  softplus: unary((x) => softplus(x)),
  softplus_beta2_threshold1: unary((x) => softplus(x, 2, 1)),
  softmax: unary(softmax),
  log_softmax: unary(logSoftmax),
  exp: unary(exp),
  neg: unary(neg),
  sqrt: { leaves: ['prob'], upstream: 'upstream', run: (leaf) => sqrt(leaf('prob')) },
  log: { leaves: ['prob'], upstream: 'upstream', run: (leaf) => log(leaf('prob')) },
  square: unary((x) => pow(x, 2)),
  cube: unary((x) => pow(x, 3)),
  affine_scalars: unary((x) => sub(mul(add(x, 0.1), 0.3), 2)),
  mul_row: withRow(mul),
  div_row: withRow(div),
  add_row: withRow(add),
  linear: {
    leaves: ['x', 'weight', 'bias'],
    upstream: 'upstream_linear',
    run: (leaf) => linear(leaf('x'), leaf('weight'), leaf('bias')),
  },
  layer_norm: {
    leaves: ['x', 'ln_weight', 'ln_bias'],
    upstream: 'upstream',
    run: (leaf) => layerNorm(leaf('x'), 4, leaf('ln_weight'), leaf('ln_bias')),
  },
  sum_dim0: { leaves: ['x'], run: (leaf) => sum(leaf('x'), 0) },
  mean_dim1: { leaves: ['x'], run: (leaf) => mean(leaf('x'), 1) },
  max_all: { leaves: ['x'], run: (leaf) => max(leaf('x')) },
  mse: loss((x, c) => mseLoss(x, c('other'))),
  l1: loss((x, c) => l1Loss(x, c('other'))),
  'smooth_l1_beta0.7': loss((x, c) => smoothL1Loss(x, c('other'), { beta: 0.7 })),
  'huber_delta1.3': loss((x, c) => huberLoss(x, c('other'), { delta: 1.3 })),
  l1_none: loss((x, c) => l1Loss(x, c('other'), { reduction: 'none' })),
  mse_none: loss((x, c) => mseLoss(x, c('other'), { reduction: 'none' })),
  mse_sum: loss((x, c) => mseLoss(x, c('other'), { reduction: 'sum' })),
  bce: loss((x, c) => bceLoss(x, c('target01')), 'prob'),
  bce_with_logits: loss((x, c) => bceWithLogitsLoss(x, c('target01'))),
  bce_with_logits_pos_weight: loss((x, c) => bceWithLogitsLoss(x, c('target01'), { posWeight: c('pos_weight') })),
  cross_entropy: loss((x) => crossEntropyLoss(x, classes)),
  cross_entropy_sum: loss((x) => crossEntropyLoss(x, classes, { reduction: 'sum' })),
  'cross_entropy_smoothing0.1': loss((x) => crossEntropyLoss(x, classes, { labelSmoothing: 0.1 })),
  'cross_entropy_smoothing0.2_ignore': loss((x) => crossEntropyLoss(x, withIgnored, { labelSmoothing: 0.2 })),
};

function tensorOf(name: InputName, dtype: DType, requiresGrad: boolean): Tensor {
  const { shape, values } = reference.inputs[name];
  return Tensor.from(values, shape, { dtype, requiresGrad });
}

/** Runs a case forward and backward (upstream gradient, or ones for a scalar loss). */
function runEngine(engineCase: EngineCase, dtype: DType): { output: Tensor; grads: Record<string, ArrayLike<number>> } {
  const leaves = new Map(engineCase.leaves.map((name) => [name, tensorOf(name, dtype, true)]));
  const output = engineCase.run((name) => leaves.get(name)!, (name) => tensorOf(name, dtype, false));
  output.backward(engineCase.upstream ? tensorOf(engineCase.upstream, dtype, false) : Tensor.ones(output.shape, { dtype }));
  return { output, grads: Object.fromEntries([...leaves].map(([name, t]) => [name, t.grad!])) };
}

function normwiseError(actual: ArrayLike<number>, expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  expected.forEach((e, i) => {
    diff = Math.max(diff, Math.abs(actual[i]! - e));
    scale = Math.max(scale, Math.abs(e));
  });
  return scale > 0 ? diff / scale : diff;
}

describe(`conformance with torch ${reference.torchVersion}`, () => {
  it('covers every case the generator produced', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(reference.float64).sort());
  });

  describe('float64: outputs and gradients within 1e-14 normwise', () => {
    for (const [name, expected] of Object.entries(reference.float64) as [string, CaseResult][]) {
      it(name, () => {
        const { output, grads } = runEngine(CASES[name]!, 'float64');
        expect(output.shape).toEqual(expected.outputShape);
        expect(normwiseError(output.data, expected.output!)).toBeLessThanOrEqual(1e-14);
        for (const [leaf, grad] of Object.entries(expected.grads)) {
          expect(normwiseError(grads[leaf]!, grad), `∂/∂${leaf}`).toBeLessThanOrEqual(1e-14);
        }
      });
    }
  });

  describe('float32: bit-exact where torch rounds once per element', () => {
    for (const [name, expected] of Object.entries(reference.float32) as [string, CaseResult][]) {
      it(name, () => {
        const { output, grads } = runEngine(CASES[name]!, 'float32');
        if (expected.output) expect(Array.from(output.data)).toEqual(expected.output);
        for (const [leaf, grad] of Object.entries(expected.grads)) {
          expect(Array.from(grads[leaf]!), `∂/∂${leaf}`).toEqual(grad);
        }
      });
    }
  });
});
