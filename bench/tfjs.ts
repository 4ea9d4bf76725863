/**
 * TensorFlow.js peers: the same workloads with tfjs-core ops on the CPU
 * backend (plain JS) or the WebAssembly backend (XNNPACK, SIMD). The wasm
 * binaries are loaded from node_modules (nothing is downloaded). Training
 * uses tfjs's own Adam with the decoupled decay θ ← θ·(1 − lr·λ) applied
 * first, which is AdamW in torch's form.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { measure, resultRow, wanted, type RunContext } from './context';
import { charGptStep, matmul, mnistCnnStep } from './tfjsDeep';
import { ADAMW, GEMM_FORMS, gemmFlops, gemmId } from './workloads';

export type Tf = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;
type TfScalar = import('@tensorflow/tfjs-core').Scalar;
export type TfBackend = 'cpu' | 'wasm';

const load = createRequire(__filename);
/** Batch × channels of the CNN up to which tfjs-cpu trains the deep models (the smoke test's tiny sizes). */
const DEEP_CPU_LIMIT = 64;

export async function runTfjs(ctx: RunContext, backend: TfBackend): Promise<void> {
  const tf = await initTf(backend, ctx.log);
  const impl = `tfjs-${backend}`;
  const { sizes } = ctx.config;
  // tfjs-cpu takes about a minute per step of the CNN (its convolutions are plain JavaScript loops): only
  // the wasm backend trains the deep models, unless the sizes are the smoke test's.
  const deep = backend === 'wasm' || sizes.mnistCnn.batch * sizes.mnistCnn.channels <= DEEP_CPU_LIMIT;
  if (!deep && (wanted(ctx, 'mnist-cnn') || wanted(ctx, 'char-gpt'))) ctx.log('tfjs-cpu: the deep models (mnist-cnn, char-gpt) are left to tfjs-wasm (a minute per step)');
  if (deep && wanted(ctx, 'mnist-cnn')) ctx.emit(resultRow('mnist-cnn', impl, measure(ctx, mnistCnnStep(tf, sizes.mnistCnn))));
  if (deep && wanted(ctx, 'char-gpt')) ctx.emit(resultRow('char-gpt', impl, measure(ctx, charGptStep(tf, sizes.charGpt))));
  if (wanted(ctx, 'mlp784')) {
    const train = trainingStep(tf, sizes.mnist.widths, sizes.mnist.batch, 'cross-entropy');
    ctx.emit(resultRow('mlp784', impl, measure(ctx, train)));
  }
  if (wanted(ctx, 'article')) {
    const train = trainingStep(tf, sizes.article.widths, sizes.article.batch, 'mse');
    ctx.emit(resultRow('article', impl, measure(ctx, train)));
  }
  sizes.gemm.forEach((size, index) => {
    for (const form of GEMM_FORMS) {
      const id = gemmId(index, form);
      if (!wanted(ctx, id)) continue;
      const a = tf.randomNormal([size, size]);
      const b = tf.randomNormal([size, size]);
      const run = () => tf.tidy(() => void tf.matMul(a, b, form === 'tn', form === 'nt').dataSync());
      ctx.emit(resultRow(id, impl, measure(ctx, run), gemmFlops(size)));
      tf.dispose([a, b]);
    }
  });
  if (wanted(ctx, 'init10m')) ctx.emit(resultRow('init10m', impl, measure(ctx, () => inspectMlp(tf, sizes.mlp10m.widths))));
  if (wanted(ctx, 'hist10m')) {
    const { values: n, bins } = sizes.histogram;
    const values = tf.randomNormal([n]);
    ctx.emit(resultRow('hist10m', impl, measure(ctx, () => void histogram(tf, values, bins, -4, 4).dataSync())));
    values.dispose();
  }
  if (wanted(ctx, 'randn10m')) {
    // tfjs's own generator (not torch's): the same amount of standard normals, for scale.
    ctx.emit(resultRow('randn10m', impl, measure(ctx, () => {
      const t = tf.randomNormal([sizes.normals]);
      t.dataSync();
      t.dispose();
    })));
  }
}

async function initTf(backend: TfBackend, log: (line: string) => void): Promise<Tf> {
  // The ES module builds, bundled by esbuild: tfjs-core's CommonJS build for
  // Node has no gradients, so training needs register_all_gradients.
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  if (backend === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
  } else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm binaries from node_modules, never from the network.
    const dir = path.join(path.dirname(load.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dir);
    wasm.setThreadsCount(2);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend '${backend}' did not initialize`);
  await tf.ready();
  if (backend === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    log(`tfjs-wasm: SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off (not available in Node: single thread)'}`);
  }
  return tf;
}

function trainingStep(tf: Tf, widths: readonly number[], batch: number, loss: 'cross-entropy' | 'mse'): () => void {
  const weights: import('@tensorflow/tfjs-core').Variable[] = [];
  const biases: import('@tensorflow/tfjs-core').Variable[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const bound = 1 / Math.sqrt(widths[i]!);
    weights.push(tf.variable(tf.randomUniform([widths[i]!, widths[i + 1]!], -bound, bound)));
    biases.push(tf.variable(tf.randomUniform([widths[i + 1]!], -bound, bound)));
  }
  const variables = [...weights, ...biases];
  const outputs = widths[widths.length - 1]!;
  const x = tf.randomNormal([batch, widths[0]!]);
  const y = loss === 'mse' ? tf.randomNormal([batch, outputs]) : tf.oneHot(tf.randomUniform([batch], 0, outputs, 'int32'), outputs);
  const update = adamwUpdate(tf, variables);
  // Products whose gradients are plain products of transposes (tfjsDeep.ts: faster in tfjs-wasm than matMul's own).
  const mm = matmul(tf);
  const forward = (): TfScalar => {
    let h: TfTensor = x as TfTensor;
    for (let i = 0; i < weights.length; i++) {
      h = tf.add(mm(h, weights[i]!), biases[i]!);
      if (i + 1 < weights.length) h = tf.relu(h);
    }
    return (loss === 'mse' ? tf.losses.meanSquaredError(y, h) : tf.losses.softmaxCrossEntropy(y, h)) as TfScalar;
  };
  return () => {
    tf.tidy(() => {
      update(forward).dataSync();
    });
  };
}

/**
 * An AdamW step on `variables`: the gradients of `loss`, the decoupled decay θ ← θ·(1 − lr·λ) applied first
 * (torch's order), then tfjs's Adam. Returns the loss.
 */
export function adamwUpdate(tf: Tf, variables: import('@tensorflow/tfjs-core').Variable[]): (loss: () => TfScalar) => TfScalar {
  const optimizer = tf.train.adam(ADAMW.lr, ADAMW.betas[0], ADAMW.betas[1], ADAMW.eps);
  const keep = 1 - ADAMW.lr * ADAMW.weightDecay;
  return (loss) => {
    const { value, grads } = tf.variableGrads(loss, variables);
    for (const v of variables) v.assign(tf.mul(v, keep));
    // applyGradients takes gradients by variable name, which is what variableGrads returns.
    optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
    return value;
  };
}

/** Draw each tensor of the MLP (torch's Linear default), then mean, variance, min, max and a 40-bin histogram. */
function inspectMlp(tf: Tf, widths: readonly number[]): void {
  for (let i = 0; i + 1 < widths.length; i++) {
    const bound = 1 / Math.sqrt(widths[i]!);
    for (const shape of [[widths[i + 1]!, widths[i]!], [widths[i + 1]!]]) {
      tf.tidy(() => {
        const t = tf.reshape(tf.randomUniform(shape, -bound, bound), [-1]);
        const { mean, variance } = tf.moments(t);
        const lo = tf.min(t);
        const hi = tf.max(t);
        const [l, h] = [lo.dataSync()[0]!, hi.dataSync()[0]!];
        mean.dataSync();
        variance.dataSync();
        histogram(tf, t, 40, l, h).dataSync();
      });
    }
  }
}

/**
 * Counts in `bins` equal bins on [lo, hi]: bin = clip(floor((x − lo)·bins/(hi − lo))),
 * then bincount (tfjs has no histogram op; values outside the range land in the end bins).
 */
function histogram(tf: Tf, values: TfTensor, bins: number, lo: number, hi: number): TfTensor {
  return tf.tidy(() => {
    const index = tf.cast(tf.clipByValue(tf.floor(tf.mul(tf.sub(values, lo), bins / (hi - lo))), 0, bins - 1), 'int32');
    return tf.bincount(index as import('@tensorflow/tfjs-core').Tensor1D, tf.tensor1d([], 'float32'), bins);
  });
}
