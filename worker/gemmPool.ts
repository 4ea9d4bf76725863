/**
 * A second thread for large matrix products: the engine's WebAssembly GEMM
 * kernel on a worker_threads worker, sharing operands through a
 * SharedArrayBuffer. Install with `setGemmParallel(pool.run)`.
 *
 * A product is split by rows of C: the worker computes rows [0, h), this
 * thread rows [h, m) at the same time, each with its own instance of the
 * kernel; every entry is still one sum in the textbook order, so the bits
 * are those of the single-threaded product. The call is synchronous: this
 * thread waits (Atomics.wait) for the worker's half before returning.
 *
 * Shared layout: a control block of Int32 words, then one data region holding
 * A and B (in their dtype), the bias and the worker's rows of C (float64).
 * Products that do not fit the region, or arrive before the worker is ready,
 * are declined and run on one thread.
 */
import { Worker } from 'node:worker_threads';
import type { GemmParallel } from '../engine/tensor/gemm';
import { gemmWasm, gemmWasmModule } from '../engine/tensor/gemmWasm';
import type { FloatArray } from '../engine/tensor/dtype';

/** Control words. */
const STATE = 0; // 0 idle, 1 job posted, 2 job done, 3 close
const READY = 1;
const PARAMS = 2; // aRow, aCol, bRow, bCol, h, k, n, single, aLength, bLength, hasBias
const CONTROL_WORDS = 16;

/**
 * The worker's body, run from source text (`eval`): it needs nothing but the
 * kernel's compiled module and the two shared buffers, sent in one message.
 */
function workerMain(parentPort: import('node:worker_threads').MessagePort): void {
  parentPort.once('message', (init: { module: WebAssembly.Module; control: SharedArrayBuffer; data: SharedArrayBuffer }) => {
    const ctl = new Int32Array(init.control);
    const exports = new WebAssembly.Instance(init.module, {}).exports as unknown as {
      memory: WebAssembly.Memory;
      gemm: (...args: number[]) => void;
      __heap_base: WebAssembly.Global;
    };
    const heapBase = Number(exports.__heap_base.value);
    const align = (x: number) => (x + 15) & ~15;
    Atomics.store(ctl, 1, 1);
    Atomics.notify(ctl, 1);
    for (;;) {
      Atomics.wait(ctl, 0, 0);
      const state = Atomics.load(ctl, 0);
      if (state === 3) return;
      if (state !== 1) continue;
      const [aRow, aCol, bRow, bCol, h, k, n, single, aLength, bLength, hasBias] = Array.from(ctl.subarray(2, 13)) as number[];
      const width = single ? 4 : 8;
      const aBytes = align(aLength! * width);
      const bBytes = align(bLength! * width);
      const biasBytes = hasBias ? align(n! * 8) : 0;
      // Wasm memory: A | B | bias | C | packed A | packed B, as engine/tensor/gemmWasm.ts.
      const aAt = align(heapBase);
      const bAt = aAt + aBytes;
      const biasAt = bAt + bBytes;
      const cAt = biasAt + biasBytes;
      const packAAt = align(cAt + h! * n! * 8);
      const packBAt = packAAt + 64 * 256 * 8;
      const end = packBAt + 256 * 128 * 8;
      const memory = exports.memory;
      if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
      new Uint8Array(memory.buffer, aAt, aBytes + bBytes + biasBytes).set(new Uint8Array(init.data, 0, aBytes + bBytes + biasBytes));
      exports.gemm(aAt, aRow!, aCol!, bAt, bRow!, bCol!, single!, h!, k!, n!, cAt, hasBias ? biasAt : 0, packAAt, packBAt);
      new Uint8Array(init.data, aBytes + bBytes + biasBytes, h! * n! * 8).set(new Uint8Array(memory.buffer, cAt, h! * n! * 8));
      Atomics.store(ctl, 0, 2);
      Atomics.notify(ctl, 0);
      Atomics.wait(ctl, 0, 2); // until the caller has read the rows back
    }
  });
}

const align = (x: number) => (x + 15) & ~15;

export class GemmPool {
  private readonly worker: Worker | null;
  private readonly control: Int32Array;
  private readonly data: SharedArrayBuffer;

  /** `capacityBytes`: the shared region; 64 MiB holds a 1024³ float32 product with room to spare. */
  constructor(capacityBytes = 64 * 2 ** 20) {
    const module = gemmWasmModule();
    this.control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    this.data = new SharedArrayBuffer(module ? capacityBytes : 0);
    if (!module) {
      this.worker = null;
      return;
    }
    const source = `(${workerMain.toString()})(require('node:worker_threads').parentPort)`;
    this.worker = new Worker(source, { eval: true });
    this.worker.unref();
    this.worker.postMessage({ module, control: this.control.buffer, data: this.data });
  }

  /** Waits (up to `timeoutMs`) until the worker can take products; false if it cannot. */
  waitUntilReady(timeoutMs = 5000): boolean {
    if (!this.worker) return false;
    return Atomics.wait(this.control, READY, 0, timeoutMs) !== 'timed-out' || Atomics.load(this.control, READY) === 1;
  }

  readonly run: GemmParallel = (a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias) => {
    if (!this.worker || Atomics.load(this.control, READY) !== 1 || m < 8) return false;
    const single = a instanceof Float32Array;
    const width = single ? 4 : 8;
    const h = (m >> 3) << 2; // the worker's rows: about half, a multiple of the 4-row tile
    const aBytes = align(a.length * width);
    const bBytes = align(b.length * width);
    const biasBytes = bias ? align(n * 8) : 0;
    const cBytes = h * n * 8;
    if (aBytes + bBytes + biasBytes + cBytes > this.data.byteLength) return false;
    copyInto(this.data, 0, a, single);
    copyInto(this.data, aBytes, b, single);
    if (bias) new Float64Array(this.data, aBytes + bBytes, n).set(bias);
    this.control.set([aRow, aCol, bRow, bCol, h, k, n, single ? 1 : 0, a.length, b.length, bias ? 1 : 0], PARAMS);
    Atomics.store(this.control, STATE, 1);
    Atomics.notify(this.control, STATE);
    // Rows [h, m) here, meanwhile.
    gemmWasm(a, aRow, aCol, b, bRow, bCol, m - h, k, n, c.subarray(h * n), bias, h * aRow);
    while (Atomics.load(this.control, STATE) === 1) Atomics.wait(this.control, STATE, 1);
    c.set(new Float64Array(this.data, aBytes + bBytes + biasBytes, h * n)); // one rounding into float32
    Atomics.store(this.control, STATE, 0);
    Atomics.notify(this.control, STATE);
    return true;
  };

  close(): void {
    if (!this.worker) return;
    Atomics.store(this.control, STATE, 3);
    Atomics.notify(this.control, STATE);
    void this.worker.terminate();
  }
}

function copyInto(buffer: SharedArrayBuffer, byteOffset: number, x: FloatArray, single: boolean): void {
  if (single) new Float32Array(buffer, byteOffset, x.length).set(x);
  else new Float64Array(buffer, byteOffset, x.length).set(x);
}
