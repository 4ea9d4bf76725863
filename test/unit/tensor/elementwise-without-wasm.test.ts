/**
 * Where WebAssembly is missing, elementwise arithmetic, gradient accumulation,
 * masked_fill, LayerNorm and softmax keep their JavaScript loops at every
 * length. The global is removed before the kernel modules are loaded (vitest
 * isolates each file).
 */
import { describe, expect, it } from 'vitest';
import { withoutGlobal } from '../support/withoutGlobal';

withoutGlobal('WebAssembly');

describe('elementwise ops, LayerNorm and softmax without WebAssembly', () => {
  it('report the kernels unavailable and compute in JavaScript', async () => {
    const { addIntoWasm, ELEMENTWISE_WASM_MIN_LENGTH } = await import('../../../engine/tensor/elementwiseWasm');
    const { softmaxForwardWasm } = await import('../../../engine/tensor/softmaxWasm');
    const { normalizeRowsWasm } = await import('../../../engine/tensor/layerNormWasm');
    const { add, maskedFill } = await import('../../../engine/tensor/binary');
    const { softmax } = await import('../../../engine/tensor/softmax');
    const { layerNorm } = await import('../../../engine/tensor/layerNorm');
    const { Tensor } = await import('../../../engine/tensor/tensor');
    const [R, C] = [64, 64];
    expect(R * C).toBeGreaterThanOrEqual(ELEMENTWISE_WASM_MIN_LENGTH);
    const f32 = (n: number) => new Float32Array(n);
    expect(addIntoWasm(f32(R * C), f32(R * C))).toBe(false);
    expect(softmaxForwardWasm(f32(R * C), f32(R * C), C)).toBe(false);
    expect(normalizeRowsWasm(f32(R * C), f32(R * C), new Float64Array(R * C), new Float64Array(R), f32(C), f32(C), R, C, 1e-5)).toBe(false);
    const data = Float32Array.from({ length: R * C }, (_, i) => Math.sin(i));
    const x = new Tensor(data.slice(), [R, C], true);
    const mask = new Tensor(Float32Array.from({ length: C }, (_, j) => (j % 2)), [C]);
    const y = add(softmax(maskedFill(x, mask, -Infinity), -1), x);
    const z = layerNorm(y, C, new Tensor(new Float32Array(C).fill(1), [C]), new Tensor(f32(C), [C]));
    z.backward(new Float32Array(R * C).fill(1));
    for (let j = 0; j < C; j += 2) expect(y.data[j]! - data[j]!).toBeGreaterThan(0);
    for (let j = 1; j < C; j += 2) expect(y.data[j]).toBe(data[j]);
    expect(x.grad!.every((v) => Number.isFinite(v))).toBe(true);
  });
});
