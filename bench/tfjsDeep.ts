/**
 * The deep-model training workloads in TensorFlow.js (bench/tfjs.ts runs
 * them on its backends): the same networks as bench/mnist_cnn.py and
 * examples/tiny_gpt/model.py, written with tfjs-core ops in tfjs's own
 * layouts (images NHWC, filters HWIO), trained with AdamW as tfjs.ts does it.
 *
 * Where a tfjs backend lacks an op's kernel or gradient, the equivalent that
 * every backend has is used, as a tfjs user training there would write it:
 * the wasm backend has no Conv2DBackpropFilter, so a convolution is tfjs's
 * conv2d (XNNPACK) with its gradients given (tf.customGrad) as two more
 * conv2d calls, the fastest form there: the input's is the "full"
 * convolution of ∂L/∂y (padded by 2) with the filter flipped and its
 * channels swapped, the filter's the convolution of the input, batch and
 * channels swapped, with ∂L/∂y as the filter (tfjs's conv2dTranspose took
 * 0.4 s for the input gradient, and letting tfjs differentiate an im2col of
 * shifted slices seconds a step). Embeddings are one-hot products (a gather's gradient
 * needs UnsortedSegmentSum); dropout masks are drawn once (no random kernels
 * in wasm; drawing costs our engine and PyTorch a pass per step that tfjs is
 * spared).
 */
import type { Tf } from './tfjs';
import { adamwUpdate } from './tfjs';
import type { CharGptSizes, MnistCnnSizes } from './workloads';

type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Variable = import('@tensorflow/tfjs-core').Variable;
type Scalar = import('@tensorflow/tfjs-core').Scalar;

/** A dropout mask with torch's scaling (kept values × 1/(1 − p)), drawn once. */
function dropoutMask(tf: Tf, shape: number[], p: number): Tensor {
  return tf.tidy(() => tf.mul(tf.cast(tf.greater(tf.randomUniform(shape), p), 'float32'), 1 / (1 - p)));
}

function uniformVariable(tf: Tf, shape: number[], bound: number): Variable {
  return tf.variable(tf.randomUniform(shape, -bound, bound));
}

type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;

/** The last two dimensions swapped. */
function swapLast(tf: Tf, t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1]!, perm[perm.length - 2]!];
  return tf.transpose(t, perm);
}

/**
 * a·b (2-D, or batched over leading dimensions) with its gradients as products of explicit transposes:
 * ∂L/∂a = ∂L/∂y·bᵀ, ∂L/∂b = aᵀ·∂L/∂y. tfjs differentiates matMul into products with its transpose flags,
 * which its wasm backend runs 6–20× slower than a transpose followed by a plain product (measured on
 * 1024×128×512), so a tfjs user training there is better off with this.
 */
export function matmul(tf: Tf): (a: Tensor, b: Tensor) => Tensor {
  type Arg = Tensor | ((tensors: Tensor[]) => void);
  return tf.customGrad((...args: Arg[]) => {
    const [a, b, save] = args as [Tensor, Tensor, (tensors: Tensor[]) => void];
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.matMul(dy, swapLast(tf, saved[1]!)), tf.matMul(swapLast(tf, saved[0]!), dy)],
    };
  }) as unknown as (a: Tensor, b: Tensor) => Tensor;
}

/** An unpadded 3×3 convolution, stride 1, of NHWC `x` with an HWIO filter, with the gradients the wasm backend lacks. */
export function conv3x3(tf: Tf): (x: Tensor, filter: Tensor) => Tensor {
  // customGrad's function gets the inputs and then the save function, typed as one union.
  type Arg = Tensor | ((tensors: Tensor[]) => void);
  return tf.customGrad((...args: Arg[]) => {
    const [x, filter, save] = args as [Tensor, Tensor, (tensors: Tensor[]) => void];
    save([x, filter]);
    return {
      value: tf.conv2d(x as Tensor4D, filter as Tensor4D, 1, 'valid'),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [input, w] = saved as [Tensor4D, Tensor4D];
        // ∂L/∂x[n, i, j, c] = Σ_{a, b, o} ∂L/∂y[n, i − a, j − b, o]·w[a, b, c, o]: dy padded by 2, w flipped, [3, 3, out, in].
        const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
        const dx = tf.conv2d(tf.pad(dy as Tensor4D, [[0, 0], [2, 2], [2, 2], [0, 0]]), flipped, 1, 'valid');
        // ∂L/∂w[a, b, c, o] = Σ_{n, i, j} x[n, i + a, j + b, c]·∂L/∂y[n, i, j, o]: x as [C, H, W, N] convolved with dy as [OH, OW, N, O].
        const byChannel = tf.transpose(input, [3, 1, 2, 0]) as Tensor4D;
        const dw = tf.transpose(tf.conv2d(byChannel, tf.transpose(dy, [1, 2, 0, 3]) as Tensor4D, 1, 'valid'), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  }) as unknown as (x: Tensor, filter: Tensor) => Tensor;
}

/** PyTorch's MNIST example: conv 1→c 3×3, relu, conv c→2c 3×3, relu, max_pool 2, dropout, fc, relu, dropout, fc, log_softmax, nll. */
export function mnistCnnStep(tf: Tf, s: MnistCnnSizes): () => void {
  const c = s.channels;
  const side = (s.image - 4) / 2;
  const features = side * side * 2 * c;
  // torch's default bounds: 1/√fan_in for weights (kaiming_uniform_ with a = √5) and biases.
  const conv1 = uniformVariable(tf, [3, 3, 1, c], 1 / 3);
  const conv1b = uniformVariable(tf, [c], 1 / 3);
  const conv2 = uniformVariable(tf, [3, 3, c, 2 * c], 1 / Math.sqrt(9 * c));
  const conv2b = uniformVariable(tf, [2 * c], 1 / Math.sqrt(9 * c));
  const fc1 = uniformVariable(tf, [features, s.hidden], 1 / Math.sqrt(features));
  const fc1b = uniformVariable(tf, [s.hidden], 1 / Math.sqrt(features));
  const fc2 = uniformVariable(tf, [s.hidden, s.classes], 1 / Math.sqrt(s.hidden));
  const fc2b = uniformVariable(tf, [s.classes], 1 / Math.sqrt(s.hidden));
  const update = adamwUpdate(tf, [conv1, conv1b, conv2, conv2b, fc1, fc1b, fc2, fc2b]);
  const x = tf.randomNormal([s.batch, s.image, s.image, 1]);
  const y = tf.oneHot(tf.randomUniform([s.batch], 0, s.classes, 'int32'), s.classes);
  const drop1 = dropoutMask(tf, [s.batch, side, side, 2 * c], 0.25);
  const drop2 = dropoutMask(tf, [s.batch, s.hidden], 0.5);
  const conv = conv3x3(tf);
  const mm = matmul(tf);
  const loss = (): Scalar => {
    let h = tf.relu(tf.add(conv(x, conv1), conv1b));
    h = tf.relu(tf.add(conv(h, conv2), conv2b));
    h = tf.mul(tf.maxPool(h as Tensor4D, 2, 2, 'valid'), drop1);
    h = tf.mul(tf.relu(tf.add(mm(tf.reshape(h, [s.batch, features]), fc1), fc1b)), drop2);
    const logProbs = tf.logSoftmax(tf.add(mm(h, fc2), fc2b));
    // nll_loss: −mean over the batch of the target's log-probability.
    return tf.neg(tf.div(tf.sum(tf.mul(logProbs, y)), s.batch)) as Scalar;
  };
  return () => tf.tidy(() => void update(loss).dataSync());
}

/** examples/tiny_gpt/model.py's GPT: pre-norm blocks, causal attention, exact GELU, tied head, cross-entropy over B·T. */
export function charGptStep(tf: Tf, s: CharGptSizes): () => void {
  const { vocabSize: V, blockSize: T, nLayer, nHead: H, nEmbd: C, batch: B } = s;
  const D = C / H;
  const normal = (shape: number[], std = 0.02) => tf.variable(tf.randomNormal(shape, 0, std));
  const zeros = (n: number) => tf.variable(tf.zeros([n]));
  const ones = (n: number) => tf.variable(tf.ones([n]));
  const projStd = 0.02 / Math.sqrt(2 * nLayer);
  const wte = normal([V, C]);
  const wpe = normal([T, C]);
  const blocks = Array.from({ length: nLayer }, () => ({
    ln1g: ones(C), ln1b: zeros(C),
    qkv: normal([C, 3 * C]), qkvb: zeros(3 * C),
    proj: normal([C, C], projStd), projb: zeros(C),
    ln2g: ones(C), ln2b: zeros(C),
    up: normal([C, 4 * C]), upb: zeros(4 * C),
    down: normal([4 * C, C], projStd), downb: zeros(C),
  }));
  const lnf = { g: ones(C), b: zeros(C) };
  const variables = [wte, wpe, ...blocks.flatMap((b) => Object.values(b)), lnf.g, lnf.b];
  const update = adamwUpdate(tf, variables);
  const idx = tf.randomUniform([B * T], 0, V, 'int32');
  const tokens = tf.cast(tf.oneHot(idx as import('@tensorflow/tfjs-core').Tensor1D, V), 'float32');
  const targets = tf.oneHot(tf.randomUniform([B * T], 0, V, 'int32') as import('@tensorflow/tfjs-core').Tensor1D, V);
  // 0 on and below the diagonal, −1e30 above, added to the scores: after the softmax, 0 as masked_fill with −inf gives.
  const causal = tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e30));
  const layerNorm = (x: Tensor, g: Tensor, b: Tensor): Tensor => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const mm = matmul(tf);
  const linear = (x: Tensor, w: Tensor, b: Tensor): Tensor => tf.add(mm(x, w), b);
  const gelu = (x: Tensor): Tensor => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const heads = (x: Tensor): Tensor => tf.transpose(tf.reshape(x, [B, T, H, D]), [0, 2, 1, 3]);
  const loss = (): Scalar => {
    // x: [B·T, C] throughout; the position table broadcast over the batch.
    let x = tf.reshape(tf.add(tf.reshape(mm(tokens, wte), [B, T, C]), wpe), [B * T, C]);
    for (const blk of blocks) {
      const [q, k, v] = tf.split(linear(layerNorm(x, blk.ln1g, blk.ln1b), blk.qkv, blk.qkvb), 3, 1);
      const scores = tf.add(tf.mul(mm(heads(q!), swapLast(tf, heads(k!))), 1 / Math.sqrt(D)), causal);
      const y = tf.reshape(tf.transpose(mm(tf.softmax(scores), heads(v!)), [0, 2, 1, 3]), [B * T, C]);
      x = tf.add(x, linear(y, blk.proj, blk.projb));
      x = tf.add(x, linear(gelu(linear(layerNorm(x, blk.ln2g, blk.ln2b), blk.up, blk.upb)), blk.down, blk.downb));
    }
    const logits = mm(layerNorm(x, lnf.g, lnf.b), tf.transpose(wte));
    return tf.losses.softmaxCrossEntropy(targets, logits) as Scalar;
  };
  return () => tf.tidy(() => void update(loss).dataSync());
}
