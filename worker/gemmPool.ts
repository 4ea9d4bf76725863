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
 * A, B, the bias and the worker's rows of C, all in the operands' dtype.
 * Products that do not fit the region, or arrive before the worker is ready,
 * are declined and run on one thread.
 */
import { Worker } from 'node:worker_threads';
import type { GemmParallel } from '../engine/tensor/gemm';
import { gemmPrecision, gemmWasm, gemmWasmHeapBase, gemmWasmModule, wasmLayout } from '../engine/tensor/gemmWasm';
import type { FloatArray } from '../engine/tensor/dtype';

/** Control words. */
const STATE = 0; // 0 idle, 1 job posted, 2 job done, 3 close
const READY = 1;
/** aRow, aCol, bRow, bCol, h, k, n, single, then the worker's wasm layout: aAt, bAt, cAt, biasAt (0: none), packAAt, packBAt, end; then aBytes, bBytes, biasBytes. */
const PARAMS = 2;
const CONTROL_WORDS = 24;

/**
 * The worker's body, run from source text (`eval`): it needs nothing but the
 * kernel's compiled module and the two shared buffers, sent in one message.
 * The caller computes where everything goes in the worker's wasm memory
 * (gemmWasm.ts's `wasmLayout`; both instances share the module's heap base).
 */
function workerMain(parentPort: import('node:worker_threads').MessagePort): void {
  parentPort.once('message', (init: { module: WebAssembly.Module; control: SharedArrayBuffer; data: SharedArrayBuffer }) => {
    const ctl = new Int32Array(init.control);
    const exports = new WebAssembly.Instance(init.module, {}).exports as unknown as {
      memory: WebAssembly.Memory;
      gemm32: (...args: number[]) => void;
      gemm64: (...args: number[]) => void;
    };
    Atomics.store(ctl, 1, 1);
    Atomics.notify(ctl, 1);
    for (;;) {
      Atomics.wait(ctl, 0, 0);
      const state = Atomics.load(ctl, 0);
      if (state === 3) return;
      if (state !== 1) continue;
      const [aRow, aCol, bRow, bCol, h, k, n, single, aAt, bAt, cAt, biasAt, packAAt, packBAt, end, aBytes, bBytes, biasBytes] =
        Array.from(ctl.subarray(2, 20)) as number[];
      const memory = exports.memory;
      if (end! > memory.buffer.byteLength) memory.grow(Math.ceil((end! - memory.buffer.byteLength) / 65536));
      // Shared region: A | B | bias | C rows, packed back to back (16-byte aligned), copied to the layout.
      const bytes = (at: number, length: number) => new Uint8Array(init.data, at, length);
      new Uint8Array(memory.buffer, aAt, aBytes).set(bytes(0, aBytes!));
      new Uint8Array(memory.buffer, bAt, bBytes).set(bytes(aBytes!, bBytes!));
      if (biasBytes) new Uint8Array(memory.buffer, biasAt, biasBytes).set(bytes(aBytes! + bBytes!, biasBytes));
      const run = single ? exports.gemm32 : exports.gemm64;
      run(aAt!, aRow!, aCol!, bAt!, bRow!, bCol!, h!, k!, n!, cAt!, biasBytes ? biasAt! : 0, packAAt!, packBAt!);
      const cBytes = h! * n! * (single ? 4 : 8);
      bytes(aBytes! + bBytes! + biasBytes!, cBytes).set(new Uint8Array(memory.buffer, cAt, cBytes));
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
  private readonly heapBase = gemmWasmHeapBase();

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
    if (!this.worker || this.heapBase === null || Atomics.load(this.control, READY) !== 1 || m < 8) return false;
    const precision = gemmPrecision(a, b, c, bias);
    if (precision === null) return false;
    const h = (m >> 3) << 2; // the worker's rows: about half, a multiple of the 4-row tile
    const layout = wasmLayout(this.heapBase, precision, a.length, b.length, h * n, bias ? n : 0);
    const { width } = layout;
    const aBytes = align(a.length * width);
    const bBytes = align(b.length * width);
    const biasBytes = bias ? align(n * width) : 0;
    const cBytes = h * n * width;
    if (aBytes + bBytes + biasBytes + cBytes > this.data.byteLength) return false;
    view(this.data, precision, 0, a.length).set(a);
    view(this.data, precision, aBytes, b.length).set(b);
    if (bias) view(this.data, precision, aBytes + bBytes, n).set(bias);
    this.control.set(
      [aRow, aCol, bRow, bCol, h, k, n, precision === 'single' ? 1 : 0,
        layout.aAt, layout.bAt, layout.cAt, layout.biasAt, layout.packAAt, layout.packBAt, layout.end, aBytes, bBytes, biasBytes],
      PARAMS,
    );
    Atomics.store(this.control, STATE, 1);
    Atomics.notify(this.control, STATE);
    // Rows [h, m) here, meanwhile.
    gemmWasm(a, aRow, aCol, b, bRow, bCol, m - h, k, n, c.subarray(h * n), bias, h * aRow);
    while (Atomics.load(this.control, STATE) === 1) Atomics.wait(this.control, STATE, 1);
    c.set(view(this.data, precision, aBytes + bBytes + biasBytes, h * n));
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

function view(buffer: SharedArrayBuffer, precision: 'single' | 'double', byteOffset: number, length: number): FloatArray {
  return precision === 'single' ? new Float32Array(buffer, byteOffset, length) : new Float64Array(buffer, byteOffset, length);
}
