/** The layout helpers every per-call WebAssembly kernel shares (engine/tensor/wasmOperands.ts). */
import { describe, expect, it } from 'vitest';
import { align16, floatView, kernelRegions, lazyKernel } from '../../../engine/tensor/wasmOperands';
import { RELU_WASM_BASE64 } from '../../../engine/tensor/wasm/reluWasm';

describe('kernel layout', () => {
  it('rounds up to 16 bytes arithmetically, also past 2³¹ (where a bitwise round-up turns negative)', () => {
    expect([0, 1, 15, 16, 17].map(align16)).toEqual([0, 16, 16, 16, 32]);
    expect(align16(2 ** 31 + 1)).toBe(2 ** 31 + 16);
    expect((2 ** 31 + 1 + 15) & ~15).toBeLessThan(0); // what the bitwise form gave
  });

  it('lays out aligned regions from the base, grows the memory to hold them, and declines past 2 GiB', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 100 });
    const kernel = { memory, base: 1040 };
    expect(kernelRegions(kernel, [10, 4, 70_000])).toEqual([1040, 1056, 1072]);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(1072 + 70_000);
    expect(kernelRegions(kernel, [2 ** 31])).toBeNull();
  });

  it('views float32 or float64 values of a memory', () => {
    const buffer = new ArrayBuffer(64);
    expect(floatView(buffer, true, 16, 3)).toBeInstanceOf(Float32Array);
    expect(floatView(buffer, false, 16, 3)).toEqual(new Float64Array(3));
  });

  it('instantiates a module once, with its base past its own data', () => {
    const load = lazyKernel<{ relu32: unknown }>(RELU_WASM_BASE64);
    const kernel = load();
    expect(kernel).not.toBeNull();
    expect(load()).toBe(kernel);
    expect(kernel!.base % 16).toBe(0);
    expect(kernel!.base).toBeGreaterThan(0);
    expect(lazyKernel('AAAA')()).toBeNull(); // not a module: the JavaScript loops stay
  });
});
