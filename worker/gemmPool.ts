/**
 * A second thread for large matrix products: the engine's WebAssembly GEMM
 * kernels (their shared-memory build) on a worker_threads worker and on this
 * thread, both working in one shared WebAssembly memory. Install with
 * `setGemmParallel(pool.run)`.
 *
 * A product is split into blocks of C along its longer side (two, or four
 * for long sides), which this thread and the worker claim in turn from a
 * shared counter and compute at the same time, each with its own instance of
 * the kernel and its own packing scratch; every entry is still one sum in the
 * textbook order with the build this thread runs (fused or portable,
 * gemmWasm.ts), so the bits are those of the single-threaded product. The
 * operands are copied into the shared memory once and C out once, as for one
 * thread, so the costs of the second thread are waking it (a futex, tens of
 * microseconds) and packing once per block the operand all blocks read: B
 * when C is split by rows (m ≥ n), A when by columns. Splitting the longer
 * side makes that the smaller operand (k·n ≤ m·k iff n ≤ m). The call is
 * synchronous: this thread waits (Atomics.wait) until every block is done.
 * A worker that wakes late takes fewer blocks (none, if this thread has taken
 * them all), and the next product runs on this thread alone until the worker
 * has caught up, so a busy machine never makes a product wait for it.
 *
 * Where the runtime lacks SharedArrayBuffer, WebAssembly threads or SIMD, or
 * the worker does not start, the pool declines every product (run returns
 * false) and products run on one thread, with the same bits.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { setGemmParallel, type GemmParallel } from '../engine/tensor/gemm';
import {
  ensureMemory, gemmBuild, gemmPrecision, gemmSharedModule, instantiateGemm, scratchLayout, SHARED_MAX_PAGES, wasmLayout,
  type GemmBuild, type GemmInstance,
} from '../engine/tensor/gemmWasm';
import type { FloatArray } from '../engine/tensor/dtype';

/**
 * Control words (Int32, shared). JOB: a counter the caller bumps to post a
 * product (−1 closes the worker); DONE: the last job the worker has looked
 * at; READY; NEXT: the next block to claim; FINISHED: blocks completed; then
 * the product (PARAMS…) and the worker's scratch. `claimBlocks` and the
 * worker's body are run from source text, so they spell these indices out.
 */
const JOB = 0;
const DONE = 1;
const READY = 2;
const NEXT = 3;
const FINISHED = 4;
/** single, a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias (0: none), byRows, block, blocks (byte offsets into the shared memory). */
const PARAMS = 5;
const WORKER_SCRATCH = 20; // packA, packB
/** Set by a worker whose kernel threw (it then takes no more products); FINISHED is bumped to wake the caller. */
const FAILED = 22;
const CONTROL_WORDS = 24;

type Kernel = (...args: number[]) => void;

/**
 * Claims blocks of the posted product (rows [s, s + block) of C, or columns)
 * until none is left, computing each with `gemm32`/`gemm64` on the given
 * scratch. Both threads run this: a thread that starts late, or is
 * descheduled, simply claims fewer blocks, so a busy machine costs the
 * product at most its one-thread time (plus the block it was running).
 */
function claimBlocks(ctl: Int32Array, gemm32: Kernel, gemm64: Kernel, packA: number, packB: number): void {
  const [single, a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias, byRows, block, blocks] = Array.from(ctl.subarray(5, 20)) as number[];
  const run = single ? gemm32 : gemm64;
  const width = single ? 4 : 8;
  for (let i = Atomics.add(ctl, 3, 1); i < blocks!; i = Atomics.add(ctl, 3, 1)) {
    const s = i * block!;
    if (byRows) run(a! + s * aRow! * width, aRow!, aCol!, b!, bRow!, bCol!, Math.min(block!, m! - s), k!, n!, c! + s * n! * width, n!, bias!, packA, packB);
    else run(a!, aRow!, aCol!, b! + s * bCol! * width, bRow!, bCol!, m!, k!, Math.min(block!, n! - s), c! + s * width, n!, bias ? bias + s * width : 0, packA, packB);
    Atomics.add(ctl, 4, 1);
    Atomics.notify(ctl, 4);
  }
}

/**
 * The worker's body, run from source text (`eval`): it needs nothing but the
 * kernels' compiled module, the shared memory and the control block, sent in
 * one message. For each posted product it claims blocks beside the caller.
 */
function workerMain(parentPort: import('node:worker_threads').MessagePort, claim: typeof claimBlocks): void {
  parentPort.once('message', (init: { module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer }) => {
    const ctl = new Int32Array(init.control);
    const exports = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as unknown as { gemm32: Kernel; gemm64: Kernel };
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
      try {
        claim(ctl, exports.gemm32, exports.gemm64, ctl[20]!, ctl[21]!);
      } catch {
        // A block this thread claimed is not done: the caller redoes the product on its own thread.
        Atomics.store(ctl, 22, 1);
        Atomics.add(ctl, 4, 1);
        Atomics.notify(ctl, 4);
        return;
      }
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
  /** The kernels' build both threads run (gemmWasm.ts): products are declined while this thread's is another. */
  readonly build: GemmBuild;
  private job = 0;

  /** `maxBytes`: the most shared memory a product may use (operands, C and scratch); larger products are declined. */
  constructor(maxBytes = 256 * 2 ** 20) {
    this.maxBytes = Math.min(maxBytes, SHARED_MAX_PAGES * 65536);
    this.build = gemmBuild();
    try {
      const module = gemmSharedModule(this.build);
      if (!module) return;
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
      // 1 MiB to start (the module asks for its heap base, 2 pages, at least); grown for each product as needed.
      const memory = new WebAssembly.Memory({ initial: 16, maximum: SHARED_MAX_PAGES, shared: true });
      const kernel = instantiateGemm(module, memory);
      const source = `(${workerMain.toString()})(require('node:worker_threads').parentPort, ${claimBlocks.toString()})`;
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

  /**
   * Waits (up to `timeoutMs`) until the worker has looked at the last product
   * (after which `run` takes the next one): for tests that need a product to
   * be split. False if it has not, or there is no worker.
   */
  waitUntilIdle(timeoutMs = 5000): boolean {
    if (!this.worker) return false;
    const deadline = performance.now() + timeoutMs;
    for (let done = Atomics.load(this.control, DONE); done !== this.job; done = Atomics.load(this.control, DONE)) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.control, DONE, done, left);
    }
    return true;
  }

  /** Waits (up to `timeoutMs`) until the worker can take products; false if it cannot. */
  waitUntilReady(timeoutMs = 5000): boolean {
    if (!this.worker) return false;
    return Atomics.wait(this.control, READY, 0, timeoutMs) !== 'timed-out' || Atomics.load(this.control, READY) === 1;
  }

  readonly run: GemmParallel = (a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias) => {
    const K = this.kernel;
    if (!K || !this.worker || Atomics.load(this.control, READY) !== 1 || Atomics.load(this.control, FAILED) !== 0) return false;
    if (k === 0 || (m < 8 && n < 16)) return false;
    // Relaxed SIMD turned off (or on) since the pool started: its build would give other bits than this thread's.
    if (gemmBuild() !== this.build) return false;
    // The worker has not yet looked at the previous product (it was descheduled): this one runs here alone.
    if (Atomics.load(this.control, DONE) !== this.job) return false;
    const precision = gemmPrecision(a, b, c, bias);
    if (precision === null) return false;
    const at = wasmLayout(K.heapBase, precision, a.length, b.length, m * n, bias ? n : 0);
    const other = scratchLayout(at.end, precision);
    if (other.end > this.maxBytes) return false;
    try {
      ensureMemory(K.memory, other.end);
    } catch {
      return false; // the system would not give the shared memory more pages: one thread, in its own memory
    }
    const buffer = K.memory.buffer;
    view(buffer, precision, at.aAt, a.length).set(a);
    view(buffer, precision, at.bAt, b.length).set(b);
    if (bias) view(buffer, precision, at.biasAt, n).set(bias);
    // Blocks along the longer side, a multiple of the kernel's tile (4 rows, 8 columns): two, or four for
    // long sides, so that a thread that falls behind leaves its share to the other.
    const byRows = m >= n;
    const side = byRows ? m : n;
    const tile = byRows ? 4 : 8;
    const count = side >= 512 ? 4 : 2;
    const block = Math.ceil(side / count / tile) * tile;
    const blocks = Math.ceil(side / block);
    const params = [precision === 'single' ? 1 : 0, at.aAt, aRow, aCol, at.bAt, bRow, bCol, m, k, n, at.cAt, bias ? at.biasAt : 0, byRows ? 1 : 0, block, blocks];
    this.control.set(params, PARAMS);
    this.control.set([other.packAAt, other.packBAt], WORKER_SCRATCH);
    Atomics.store(this.control, NEXT, 0);
    Atomics.store(this.control, FINISHED, 0);
    const job = ++this.job;
    Atomics.store(this.control, JOB, job);
    Atomics.notify(this.control, JOB);
    claimBlocks(this.control, K.gemm32, K.gemm64, at.packAAt, at.packBAt);
    for (let f = Atomics.load(this.control, FINISHED); f < blocks; f = Atomics.load(this.control, FINISHED)) {
      if (Atomics.load(this.control, FAILED) !== 0) break;
      Atomics.wait(this.control, FINISHED, f);
    }
    // A failed worker leaves blocks undone: decline, and the product runs on this thread (so will all later ones).
    if (Atomics.load(this.control, FAILED) !== 0) return false;
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

let installed = false;
let shared: GemmPool | null = null;

/**
 * Hands the engine's large products (≥ PARALLEL_MIN_WORK multiply-adds,
 * engine/tensor/gemm.ts) to a two-thread pool from now on; smaller products
 * stay on the calling thread, where waking a second one would cost more than
 * it saves. The pool's worker starts with the first large product (which
 * runs here while it starts), so a model without large layers never starts a
 * thread. Nothing on a single core, where two threads would only take turns.
 * Idempotent.
 */
export function installGemmPool(): void {
  if (installed) return;
  installed = true;
  if (availableParallelism() < 2) return;
  setGemmParallel((...args) => {
    shared ??= new GemmPool();
    return shared.run(...args);
  });
}

/** The pool `installGemmPool` started, once a large product has asked for it; else null. */
export function installedGemmPool(): GemmPool | null {
  return shared;
}

function view(buffer: ArrayBufferLike, precision: 'single' | 'double', byteOffset: number, length: number): FloatArray {
  return precision === 'single' ? new Float32Array(buffer, byteOffset, length) : new Float64Array(buffer, byteOffset, length);
}
