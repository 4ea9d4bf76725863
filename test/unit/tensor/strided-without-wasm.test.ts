/**
 * Where WebAssembly is missing, strided copies, scatters and column sums keep
 * their JavaScript loops at every length. The global is removed before the
 * kernel module is loaded (vitest isolates each file).
 */
import { describe, expect, it } from 'vitest';
import { withoutGlobal } from '../support/withoutGlobal';

withoutGlobal('WebAssembly');

describe('strided copies without WebAssembly', () => {
  it('report the kernels unavailable; transpose, split and the bias gradient are computed in JavaScript', async () => {
    const { stridedCopyWasm, columnSumsWasm, STRIDED_WASM_MIN_LENGTH } = await import('../../../engine/tensor/stridedWasm');
    const { transpose } = await import('../../../engine/tensor/views');
    const { split } = await import('../../../engine/tensor/concat');
    const { linear } = await import('../../../engine/tensor/matmul');
    const { Tensor } = await import('../../../engine/tensor/tensor');
    const [R, C] = [48, 64];
    expect(R * C).toBeGreaterThan(STRIDED_WASM_MIN_LENGTH);
    expect(stridedCopyWasm(new Float32Array(R * C), 0, [C, R], [1, C], new Float32Array(R * C))).toBe(false);
    expect(columnSumsWasm(new Float32Array(R * C), R, C, new Float64Array(C))).toBe(false);
    const data = Float32Array.from({ length: R * C }, (_, i) => Math.sin(i));
    const x = new Tensor(data.slice(), [R, C], true);
    const t = transpose(x, 0, 1);
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) expect(t.data[j * R + i]).toBe(data[i * C + j]);
    const [left, right] = split(x, C / 2, 1);
    expect(right!.data[0]).toBe(data[C / 2]);
    const y = linear(left!, new Tensor(new Float32Array((C / 2) * 3), [3, C / 2]), new Tensor(new Float32Array(3), [3], true));
    y.backward(new Float32Array(R * 3).fill(0.5));
    expect(Array.from(x.grad!).every((v) => v === 0)).toBe(true);
    expect(Array.from((y.gradFn!.inputs[2] as InstanceType<typeof Tensor>).grad!)).toEqual([R * 0.5, R * 0.5, R * 0.5]);
  });
});
