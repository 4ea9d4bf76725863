/**
 * Where WebAssembly is missing, ReLU keeps its JavaScript loops at every
 * length. The global is removed before the kernel module is loaded (vitest
 * isolates each file).
 */
import { describe, expect, it } from 'vitest';
import { withoutGlobal } from '../support/withoutGlobal';

withoutGlobal('WebAssembly');

describe('ReLU without WebAssembly', () => {
  it('reports the kernel unavailable and computes relu and its gradient in JavaScript', async () => {
    const { reluWasm, RELU_WASM_MIN_LENGTH } = await import('../../../engine/tensor/reluWasm');
    const { relu } = await import('../../../engine/tensor/activation');
    const { Tensor } = await import('../../../engine/tensor/tensor');
    const n = RELU_WASM_MIN_LENGTH * 3 + 1;
    expect(reluWasm(new Float32Array(n), new Float32Array(n))).toBe(false);
    const data = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : Math.sin(i)));
    const x = new Tensor(data.slice(), [n], true);
    const y = relu(x);
    y.backward(new Float32Array(n).fill(2));
    for (let i = 0; i < n; i++) {
      const v = data[i]!;
      if (Number.isNaN(v)) expect(y.data[i]).toBeNaN();
      else expect(y.data[i]).toBe(v > 0 ? v : 0);
      expect(x.grad![i]).toBe(v > 0 ? 2 : 0);
    }
  });
});
