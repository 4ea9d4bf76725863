/**
 * The tfjs peer's convolution (bench/tfjsDeep.ts) supplies the gradients the
 * wasm backend has no kernel for; on the CPU backend, which has them all, its
 * value and gradients must be tfjs's own conv2d's.
 */
import { describe, expect, it } from 'vitest';

describe("the tfjs peer's 3×3 convolution", () => {
  it("has conv2d's value and gradients (input and filter)", async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-core/dist/register_all_gradients');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
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
