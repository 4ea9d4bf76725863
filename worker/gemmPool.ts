/**
 * More threads for large matrix products: the engine's WebAssembly GEMM
 * kernels (their shared-memory build) on worker_threads workers and on this
 * thread, all working in one shared WebAssembly memory. Install with
 * `setGemmParallel(pool.run)`.
 *
 * A product is split into blocks of C along its longer side (one per
 * thread, or two per thread for long sides), which the threads claim in
 * turn from a shared counter and compute at the same time, each with its own
 * instance of the kernel and its own packing scratch; every entry is still
 * one sum in the textbook order with the build this thread runs (fused or
 * portable, gemmWasm.ts), so the bits are those of the single-threaded
 * product, whatever the number of threads. The operands are copied into the
 * shared memory once and C out once, as for one thread, so the costs of more
 * threads are waking them (a futex, tens of microseconds) and packing once
 * per block the operand all blocks read: B when C is split by rows (m ≥ n),
 * A when by columns. Splitting the longer side makes that the smaller
 * operand (k·n ≤ m·k iff n ≤ m). The call is synchronous: this thread waits
 * (Atomics.wait) until every block is done. A worker that wakes late takes
 * fewer blocks (none, if the others have taken them all), and the next
 * product runs on this thread alone until every worker has caught up, so a
 * busy machine never makes a product wait for a worker.
 *
 * Where the runtime lacks SharedArrayBuffer, WebAssembly threads or SIMD, or
 * the workers do not start, the pool declines every product (run returns
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
 * product (−1 closes the workers); NEXT: the next block to claim; FINISHED:
 * blocks completed; FAILED: set by a worker whose kernel threw (it then takes
 * no more products; FINISHED is bumped to wake the caller); the product
 * (PARAMS…); then four words per worker: READY, DONE (the last job it has
 * looked at) and its packing scratch. `claimBlocks` and the workers' body are
 * run from source text, so they spell these indices out.
 */
const JOB = 0;
const NEXT = 1;
const FINISHED = 2;
const FAILED = 3;
/** single, a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias (0: none), byRows, block, blocks (byte offsets into the shared memory). */
const PARAMS = 4;
const WORKER_WORDS = 20;
/** A worker's words, from WORKER_WORDS + 4·index: READY, DONE, packA, packB. */
const READY = 0;
const DONE = 1;
const SCRATCH = 2;
/** The most threads a pool runs, this one included: a 4M multiply-add product split finer gains little. */
export const MAX_GEMM_THREADS = 8;
const CONTROL_WORDS = WORKER_WORDS + 4 * (MAX_GEMM_THREADS - 1);

type Kernel = (...args: number[]) => void;

/**
 * Claims blocks of the posted product (rows [s, s + block) of C, or columns)
 * until none is left, computing each with `gemm32`/`gemm64` on the given
 * scratch. Every thread runs this: a thread that starts late, or is
 * descheduled, simply claims fewer blocks, so a busy machine costs the
 * product at most its one-thread time (plus the block it was running).
 */
function claimBlocks(ctl: Int32Array, gemm32: Kernel, gemm64: Kernel, packA: number, packB: number): void {
  const [single, a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias, byRows, block, blocks] = Array.from(ctl.subarray(4, 19)) as number[];
  const run = single ? gemm32 : gemm64;
  const width = single ? 4 : 8;
  for (let i = Atomics.add(ctl, 1, 1); i < blocks!; i = Atomics.add(ctl, 1, 1)) {
    const s = i * block!;
    if (byRows) run(a! + s * aRow! * width, aRow!, aCol!, b!, bRow!, bCol!, Math.min(block!, m! - s), k!, n!, c! + s * n! * width, n!, bias!, packA, packB);
    else run(a!, aRow!, aCol!, b! + s * bCol! * width, bRow!, bCol!, m!, k!, Math.min(block!, n! - s), c! + s * width, n!, bias ? bias + s * width : 0, packA, packB);
    Atomics.add(ctl, 2, 1);
    Atomics.notify(ctl, 2);
  }
}

/**
 * A worker's body, run from source text (`eval`): it needs nothing but the
 * kernels' compiled module, the shared memory, the control block and its
 * own words' offset, sent in one message. For each posted product it claims
 * blocks beside the caller and the other workers.
 */
function workerMain(parentPort: import('node:worker_threads').MessagePort, claim: typeof claimBlocks): void {
  parentPort.once('message', (init: { module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer; words: number }) => {
    const ctl = new Int32Array(init.control);
    const own = init.words; // READY, DONE, packA, packB
    const exports = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }).exports as unknown as { gemm32: Kernel; gemm64: Kernel };
    Atomics.store(ctl, own, 1);
    Atomics.notify(ctl, own);
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
        claim(ctl, exports.gemm32, exports.gemm64, ctl[own + 2]!, ctl[own + 3]!);
      } catch {
        // A block this thread claimed is not done: the caller redoes the product on its own thread.
        Atomics.store(ctl, 3, 1);
        Atomics.add(ctl, 2, 1);
        Atomics.notify(ctl, 2);
        return;
      }
      Atomics.store(ctl, own + 1, job);
      Atomics.notify(ctl, own + 1);
    }
  });
}

/** Threads for a pool on this machine: one per core, this thread included, at most 4 (the engine worker shares the machine with the editor). */
export function defaultGemmThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}

export class GemmPool {
  private readonly workers: Worker[] = [];
  private readonly control: Int32Array = new Int32Array(CONTROL_WORDS);
  private readonly kernel: GemmInstance | null = null;
  private readonly maxBytes: number;
  /** The kernels' build every thread runs (gemmWasm.ts): products are declined while this thread's is another. */
  readonly build: GemmBuild;
  /** Threads a product is split over, this one included (1: no worker started, every product declined). */
  readonly threads: number;
  private job = 0;

  /**
   * `maxBytes`: the most shared memory a product may use (operands, C and every thread's scratch); larger
   * products are declined. `threads`: this thread and threads − 1 workers (2 to MAX_GEMM_THREADS).
   */
  constructor(maxBytes = 256 * 2 ** 20, threads = 2) {
    this.maxBytes = Math.min(maxBytes, SHARED_MAX_PAGES * 65536);
    this.build = gemmBuild();
    this.threads = 1;
    if (!Number.isInteger(threads) || threads < 2 || threads > MAX_GEMM_THREADS) throw new RangeError(`GemmPool: threads must be an integer from 2 to ${MAX_GEMM_THREADS}, not ${threads}`);
    try {
      const module = gemmSharedModule(this.build);
      if (!module) return;
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
      // 1 MiB to start (the module asks for its heap base, 2 pages, at least); grown for each product as needed.
      const memory = new WebAssembly.Memory({ initial: 16, maximum: SHARED_MAX_PAGES, shared: true });
      const kernel = instantiateGemm(module, memory);
      const source = `(${workerMain.toString()})(require('node:worker_threads').parentPort, ${claimBlocks.toString()})`;
      for (let w = 0; w < threads - 1; w++) {
        const worker = new Worker(source, { eval: true });
        worker.unref();
        worker.postMessage({ module, memory, control: control.buffer, words: workerWords(w) });
        this.workers.push(worker);
      }
      this.control = control;
      this.kernel = kernel;
      this.threads = threads;
    } catch {
      // No shared memory or no threads here: the pool declines, products run on one thread.
      for (const worker of this.workers.splice(0)) void worker.terminate();
    }
  }

  /** How many products the pool has split over its threads. */
  get products(): number {
    return this.job;
  }

  /**
   * Waits (up to `timeoutMs`) until every worker has looked at the last
   * product (after which `run` takes the next one): for tests that need a
   * product to be split. False if one has not, or there is no worker.
   */
  waitUntilIdle(timeoutMs = 5000): boolean {
    return this.waitForWorkers(DONE, () => this.job, timeoutMs);
  }

  /** Waits (up to `timeoutMs`) until every worker can take products; false if one cannot. */
  waitUntilReady(timeoutMs = 5000): boolean {
    return this.waitForWorkers(READY, () => 1, timeoutMs);
  }

  private waitForWorkers(word: number, value: () => number, timeoutMs: number): boolean {
    if (this.workers.length === 0) return false;
    const deadline = performance.now() + timeoutMs;
    for (let w = 0; w < this.workers.length; w++) {
      const at = workerWords(w) + word;
      for (let now = Atomics.load(this.control, at); now !== value(); now = Atomics.load(this.control, at)) {
        const left = deadline - performance.now();
        if (left <= 0) return false;
        Atomics.wait(this.control, at, now, left);
      }
    }
    return true;
  }

  /** Every worker is started and has looked at the previous product (none is still claiming its blocks). */
  private workersCaughtUp(): boolean {
    for (let w = 0; w < this.workers.length; w++) {
      const at = workerWords(w);
      if (Atomics.load(this.control, at + READY) !== 1 || Atomics.load(this.control, at + DONE) !== this.job) return false;
    }
    return this.workers.length > 0;
  }

  readonly run: GemmParallel = (a, aRow, aCol, b, bRow, bCol, m, k, n, c, bias) => {
    const K = this.kernel;
    if (!K || Atomics.load(this.control, FAILED) !== 0) return false;
    if (k === 0 || (m < 8 && n < 16)) return false;
    // Relaxed SIMD turned off (or on) since the pool started: its build would give other bits than this thread's.
    if (gemmBuild() !== this.build) return false;
    // A worker has not yet looked at the previous product (it was descheduled): this one runs here alone,
    // since that worker could still claim a block of it with the previous product's parameters.
    if (!this.workersCaughtUp()) return false;
    const precision = gemmPrecision(a, b, c, bias);
    if (precision === null) return false;
    const at = wasmLayout(K.heapBase, precision, a.length, b.length, m * n, bias ? n : 0);
    // Each worker's packing scratch after the caller's, one after another.
    let end = at.end;
    const scratch = this.workers.map(() => {
      const layout = scratchLayout(end, precision);
      end = layout.end;
      return layout;
    });
    if (end > this.maxBytes) return false;
    try {
      ensureMemory(K.memory, end);
    } catch {
      return false; // the system would not give the shared memory more pages: one thread, in its own memory
    }
    const buffer = K.memory.buffer;
    view(buffer, precision, at.aAt, a.length).set(a);
    view(buffer, precision, at.bAt, b.length).set(b);
    if (bias) view(buffer, precision, at.biasAt, n).set(bias);
    // Blocks along the longer side, a multiple of the kernel's tile (4 rows, 8 columns): one per thread, or
    // two for long sides, so that a thread that falls behind leaves its share to the others.
    const byRows = m >= n;
    const side = byRows ? m : n;
    const tile = byRows ? 4 : 8;
    const count = this.threads * (side >= 512 ? 2 : 1);
    const block = Math.ceil(side / count / tile) * tile;
    const blocks = Math.ceil(side / block);
    const params = [precision === 'single' ? 1 : 0, at.aAt, aRow, aCol, at.bAt, bRow, bCol, m, k, n, at.cAt, bias ? at.biasAt : 0, byRows ? 1 : 0, block, blocks];
    this.control.set(params, PARAMS);
    scratch.forEach((s, w) => this.control.set([s.packAAt, s.packBAt], workerWords(w) + SCRATCH));
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
    if (this.workers.length === 0) return;
    Atomics.store(this.control, JOB, -1);
    Atomics.notify(this.control, JOB);
    for (const worker of this.workers.splice(0)) void worker.terminate();
  }
}

/** The index of worker w's first control word. */
function workerWords(w: number): number {
  return WORKER_WORDS + 4 * w;
}

let installed = false;
let shared: GemmPool | null = null;

/**
 * Hands the engine's large products (≥ PARALLEL_MIN_WORK multiply-adds,
 * engine/tensor/gemm.ts) to a pool of `defaultGemmThreads()` threads from
 * now on; smaller products stay on the calling thread, where waking others
 * would cost more than it saves. The pool's workers start with the first
 * large product (which runs here while they start), so a model without large
 * layers never starts a thread. Nothing on a single core, where threads would
 * only take turns. Idempotent.
 */
export function installGemmPool(): void {
  if (installed) return;
  installed = true;
  const threads = defaultGemmThreads();
  if (threads < 2) return;
  setGemmParallel((...args) => {
    shared ??= new GemmPool(undefined, threads);
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
