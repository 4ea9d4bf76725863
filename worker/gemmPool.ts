/**
 * A second thread for large matrix products: the engine's WebAssembly GEMM
 * kernels (their shared-memory build) on a worker_threads worker and on this
 * thread, both working in one shared WebAssembly memory. Install with
 * `setGemmParallel(pool.run)`.
 *
 * A product is split in two blocks of C, along its longer side: the worker
 * computes the first block, this thread the second at the same time, each
 * with its own instance of the kernel and its own packing scratch; every
 * entry is still one sum in the textbook order, so the bits are those of the
 * single-threaded product. The operands are copied into the shared memory
 * once and C out once, as for one thread, so the costs of the second thread
 * are waking it (a futex, tens of microseconds) and packing twice the operand
 * both blocks read: all of B when C is split by rows (m ≥ n), all of A when
 * by columns. Splitting the longer side makes that the smaller operand
 * (k·n ≤ m·k iff n ≤ m). The call is synchronous: this thread waits
 * (Atomics.wait) for the worker's block before returning.
 *
 * Where the runtime lacks SharedArrayBuffer, WebAssembly threads or SIMD, or
 * the worker does not start, the pool declines every product (run returns
 * false) and products run on one thread, with the same bits.
 *
 * Control block (Int32 words, shared): JOB, a counter the caller bumps to
 * post a product (−1 closes the worker); DONE, the last job the worker
 * finished; READY; then the job's parameters.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { setGemmParallel, type GemmParallel } from '../engine/tensor/gemm';
import {
  ensureMemory, gemmPrecision, gemmSharedModule, instantiateGemm, scratchLayout, SHARED_MAX_PAGES, wasmLayout, type GemmInstance,
} from '../engine/tensor/gemmWasm';
import type { FloatArray } from '../engine/tensor/dtype';

const JOB = 0;
const DONE = 1;
const READY = 2;
/** single, then the kernel's arguments for the worker's block: a, aRow, aCol, b, bRow, bCol, m, k, n, c, ldc, bias (0: none), packA, packB. */
const PARAMS = 3;
const CONTROL_WORDS = 20;

/**
 * The worker's body, run from source text (`eval`): it needs nothing but the
 * kernels' compiled module, the shared memory and the control block, sent in
 * one message. It runs the products the caller posts, on its own instance.
 */
function workerMain(parentPort: import('node:worker_threads').MessagePort): void {
  parentPort.once('message', (init: { module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer }) => {
    const ctl = new Int32Array(init.control);
    const exports = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as unknown as {
      gemm32: (...args: number[]) => void;
      gemm64: (...args: number[]) => void;
    };
    Atomics.store(ctl, 2, 1);
    Atomics.notify(ctl, 2);
    let seen = 0;
    for (;;) {
      // Products come in bursts (a layer's forward, then its backward): poll for the next one for a
      // moment before sleeping, since waking a sleeping thread takes tens of microseconds.
      const until = performance.now() + 0.2;
      while (Atomics.load(ctl, 0) === seen && performance.now() < until);
      Atomics.wait(ctl, 0, seen);
      const job = Atomics.load(ctl, 0);
      if (job < 0) return;
      if (job === seen) continue;
      seen = job;
      const [single, ...args] = Array.from(ctl.subarray(3, 18));
      (single ? exports.gemm32 : exports.gemm64)(...args);
      Atomics.store(ctl, 1, job);
      Atomics.notify(ctl, 1);
    }
  });
}

export class GemmPool {
  private readonly worker: Worker | null = null;
  private readonly control: Int32Array = new Int32Array(CONTROL_WORDS);
  private readonly kernel: GemmInstance | null = null;
  private readonly maxBytes: number;
  private job = 0;

  /** `maxBytes`: the most shared memory a product may use (operands, C and scratch); larger products are declined. */
  constructor(maxBytes = 256 * 2 ** 20) {
    this.maxBytes = Math.min(maxBytes, SHARED_MAX_PAGES * 65536);
    try {
      const module = gemmSharedModule();
      if (!module) return;
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
      // 1 MiB to start (the module asks for its heap base, 2 pages, at least); grown for each product as needed.
      const memory = new WebAssembly.Memory({ initial: 16, maximum: SHARED_MAX_PAGES, shared: true });
      const kernel = instantiateGemm(module, memory);
      const source = `(${workerMain.toString()})(require('node:worker_threads').parentPort)`;
      const worker = new Worker(source, { eval: true });
      worker.unref();
      worker.postMessage({ module, memory, control: control.buffer });
      this.control = control;
      this.kernel = kernel;
      this.worker = worker;
    } catch {
      // No shared memory or no threads here: the pool declines, products run on one thread.
    }
  }

  /** How many products the pool has split over its two threads. */
  get products(): number {
    return this.job;
  }

  /** Waits (up to `timeoutMs`) until the worker can take products; false if it cannot. */
  waitUntilReady(timeoutMs = 5000): boolean {
    if (!this.worker) return false;
    return Atomics.wait(this.control, READY, 0, timeoutMs) !== 'timed-out' || Atomics.load(this.control, READY) === 1;
  }

  readonly run: GemmParallel = (a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias) => {
    const K = this.kernel;
    if (!K || !this.worker || Atomics.load(this.control, READY) !== 1 || k === 0 || (m < 8 && n < 16)) return false;
    const precision = gemmPrecision(a, b, c, bias);
    if (precision === null) return false;
    const at = wasmLayout(K.heapBase, precision, a.length, b.length, m * n, bias ? n : 0);
    const other = scratchLayout(at.end, precision);
    if (other.end > this.maxBytes) return false;
    ensureMemory(K.memory, other.end);
    const buffer = K.memory.buffer;
    view(buffer, precision, at.aAt, a.length).set(a);
    view(buffer, precision, at.bAt, b.length).set(b);
    if (bias) view(buffer, precision, at.biasAt, n).set(bias);
    const w = at.width;
    const biasAt = bias ? at.biasAt : 0;
    // The worker's block first, then this thread's: rows [0, h) and [h, m), or columns [0, h) and [h, n).
    const byRows = m >= n;
    const h = byRows ? (m >> 3) << 2 : (n >> 4) << 3; // about half, a multiple of the kernel's tile
    const worker = byRows
      ? [at.aAt, aRow, aCol, at.bAt, bRow, bCol, h, k, n, at.cAt, n, biasAt]
      : [at.aAt, aRow, aCol, at.bAt, bRow, bCol, m, k, h, at.cAt, n, biasAt];
    const here = byRows
      ? [at.aAt + h * aRow * w, aRow, aCol, at.bAt, bRow, bCol, m - h, k, n, at.cAt + h * n * w, n, biasAt] as const
      : [at.aAt, aRow, aCol, at.bAt + h * bCol * w, bRow, bCol, m, k, n - h, at.cAt + h * w, n, bias ? biasAt + h * w : 0] as const;
    this.control.set([precision === 'single' ? 1 : 0, ...worker, other.packAAt, other.packBAt], PARAMS);
    const job = ++this.job;
    Atomics.store(this.control, JOB, job);
    Atomics.notify(this.control, JOB);
    (precision === 'single' ? K.gemm32 : K.gemm64)(...here, at.packAAt, at.packBAt);
    for (let done = Atomics.load(this.control, DONE); done !== job; done = Atomics.load(this.control, DONE)) Atomics.wait(this.control, DONE, done);
    c.set(view(buffer, precision, at.cAt, m * n));
    return true;
  };

  close(): void {
    if (!this.worker) return;
    Atomics.store(this.control, JOB, -1);
    Atomics.notify(this.control, JOB);
    void this.worker.terminate();
  }
}

function view(buffer: ArrayBufferLike, precision: 'single' | 'double', byteOffset: number, length: number): FloatArray {
  return precision === 'single' ? new Float32Array(buffer, byteOffset, length) : new Float64Array(buffer, byteOffset, length);
}

let installed: GemmPool | null | undefined;

/**
 * Hands the engine's large products (≥ PARALLEL_MIN_WORK multiply-adds,
 * engine/tensor/gemm.ts) to a pool from now on, started on first call; smaller
 * products stay on the calling thread, where waking a second one would cost
 * more than it saves. Not on a single core, where two threads would only take
 * turns. Returns the pool, or null when there is none; idempotent.
 */
export function installGemmPool(): GemmPool | null {
  if (installed !== undefined) return installed;
  installed = availableParallelism() >= 2 ? new GemmPool() : null;
  if (installed) setGemmParallel(installed.run);
  return installed;
}
