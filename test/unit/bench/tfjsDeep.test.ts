/**
 * The tfjs peer's convolution and products (bench/tfjsDeep.ts) supply
 * gradients of their own (the wasm backend has no kernel for a convolution's
 * filter gradient, and runs matMul's transposed forms slowly); on the CPU
 * backend their values and gradients must be tfjs's own conv2d's and matMul's.
 */
import { describe, expect, it } from 'vitest';

async function cpuTf() {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  return tf;
}

describe("the tfjs peer's products", () => {
  it("have matMul's value and gradients, 2-D and batched", async () => {
    const tf = await cpuTf();
    const { matmul } = await import('../../../bench/tfjsDeep');
    const mm = matmul(tf);
    type T = import('@tensorflow/tfjs-core').Tensor;
    for (const [sa, sb] of [[[5, 3], [3, 4]], [[2, 3, 5, 6], [2, 3, 6, 4]]] as const) {
      const a = tf.randomNormal([...sa], 0, 1, 'float32', 4);
      const b = tf.randomNormal([...sb], 0, 1, 'float32', 5);
      const weights = tf.randomNormal(tf.matMul(a, b).shape, 0, 1, 'float32', 6);
      const loss = (f: (x: T, y: T) => T) => (x: T, y: T) => tf.sum(tf.mul(f(x, y), weights));
      const ours = tf.grads(loss(mm))([a, b]);
      const native = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
      for (let i = 0; i < 2; i++) {
        expect(ours[i]!.shape).toEqual(native[i]!.shape);
        const o = ours[i]!.dataSync();
        const n = native[i]!.dataSync();
        expect(Array.from(o).every((v, j) => Math.abs(v - n[j]!) <= 1e-5 * (1 + Math.abs(n[j]!)))).toBe(true);
      }
    }
  });
});

describe("the tfjs peer's 3×3 convolution", () => {
  it("has conv2d's value and gradients (input and filter)", async () => {
    const tf = await cpuTf();
    const { conv3x3 } = await import('../../../bench/tfjsDeep');
    const x = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 1) as import('@tensorflow/tfjs-core').Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as import('@tensorflow/tfjs-core').Tensor4D;
    const weights = tf.randomNormal([2, 5, 4, 4], 0, 1, 'float32', 3);
    const ours = conv3x3(tf);
    type T = import('@tensorflow/tfjs-core').Tensor;
    const loss = (f: (a: T, b: T) => T) => (a: T, b: T) => tf.sum(tf.mul(f(a, b), weights));
    const native = (a: T, b: T) => tf.conv2d(a as typeof x, b as typeof w, 1, 'valid');
    expect(Array.from(ours(x, w).dataSync())).toEqual(Array.from(native(x, w).dataSync()));
    const [dxOurs, dwOurs] = tf.grads(loss(ours))([x, w]);
    const [dxNative, dwNative] = tf.grads(loss(native))([x, w]);
    const close = (a: Float32Array, b: Float32Array) => a.every((v, i) => Math.abs(v - b[i]!) <= 1e-4 * (1 + Math.abs(b[i]!)));
    expect(dxOurs!.shape).toEqual(x.shape);
    expect(dwOurs!.shape).toEqual(w.shape);
    expect(close(dxOurs!.dataSync() as Float32Array, dxNative!.dataSync() as Float32Array)).toBe(true);
    expect(close(dwOurs!.dataSync() as Float32Array, dwNative!.dataSync() as Float32Array)).toBe(true);
    expect(Math.max(...Array.from(dwNative!.dataSync()).map(Math.abs))).toBeGreaterThan(0.1);
  });
});
