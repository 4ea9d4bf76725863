/**
 * Inspecting a large model's initialization as the extension does it: the
 * extension host (this process's main thread) builds the model spec and sends
 * an `inspectInit` request to the engine worker (dist/worker.js, started with
 * the extension's resource limits), which draws and summarizes every tensor.
 * Workloads: nanoGPT's GPT-2 small and torchvision's ResNet-50 (bench/models.ts).
 *
 * Each run starts a fresh worker, waits until it answers a `ping` (its bundle
 * loaded: the idle baseline), then measures one request:
 *
 *   wall time   postMessage of the request → its result back on the main thread;
 *   memory      the process's peak resident set size during the request above
 *               the idle baseline (the RSS right before it). The worker is a
 *               thread of the extension host's process, so the process's pages
 *               are what the request costs the user's machine: its heap, the
 *               tensors' typed arrays (outside the heap) and what the
 *               collector has not yet returned. On Linux the peak is the
 *               kernel's high-water mark (VmHWM in /proc/self/status, reset
 *               to the current RSS right before the request by writing 5 to
 *               /proc/self/clear_refs), so no short peak is missed; elsewhere
 *               the RSS sampled at every tick of the 1 ms timer below;
 *   stall       the largest gap between two ticks of a 1 ms timer on the main
 *               thread (as the 10M-parameter inspection measures it), and the
 *               maximum of `perf_hooks.monitorEventLoopDelay` (1 ms resolution)
 *               as a second opinion. On Linux each gap is also split by the
 *               main thread's scheduler statistics (/proc/thread-self/schedstat):
 *               the time it waited for a CPU (runnable, not running: other
 *               threads and processes had the cores) is not the engine holding
 *               the thread, so the longest gap less that wait is reported too.
 *               On a shared 2-core machine a worker that only spins (no
 *               allocation, no messages) leaves gaps of 50–70 ms of such waits.
 *
 * The suite runs each workload in a process of its own (`bench.js
 * --worker-inspect`), so that the earlier workloads' heaps do not blur the
 * baseline; the smoke test calls `benchModelInspection` directly, on tiny
 * versions of the models and a worker bundled for the test.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { InitInspection } from '../engine/inspect/types';
import type { ModelSpec } from '../engine/model/spec';
import { parameterCount } from '../engine/model/moduleTree';
import { inspectInitialization } from '../engine/inspect/inspectInit';
import { gpt2Spec, resnetSpec } from './models';
import { median } from './timing';
import type { ResultRow, Sizes } from './workloads';
import { workerRequests } from './workerRequest';

/** The workloads of this file, by id. */
export const MODEL_INSPECTIONS = {
  'init-gpt2-small': { model: (sizes: Sizes) => gpt2Spec(sizes.gpt2), label: 'GPT-2 small (nanoGPT)' },
  'init-resnet50': { model: (sizes: Sizes) => resnetSpec(sizes.resnet50), label: 'ResNet-50 (torchvision)' },
} as const;
export type ModelInspectionId = keyof typeof MODEL_INSPECTIONS;

export function isModelInspection(id: string): id is ModelInspectionId {
  return Object.prototype.hasOwnProperty.call(MODEL_INSPECTIONS, id);
}

/** Goals of the initialization inspector for real models (the suite checks them; none is asserted). */
export const MODEL_INSPECTION_GOALS = { wallMs: 5000, extraMB: 400, stallMs: 50 } as const;

/**
 * How long one request may take before the run stops with a message (the goal is 5 s; a run 20 times
 * slower is broken, not slow).
 */
const REQUEST_TIMEOUT_MS = 100_000;

/** The inspector's default histogram bins (setting weightscope.inspector.histogramBins). */
const BINS = 40;

/** The metrics of a model inspection's rows, in the order they are emitted (the table shows the first). */
export const MODEL_INSPECTION_METRICS = {
  wall: 'wall time via the worker (median)',
  memory: 'peak RSS above the idle worker (max)',
  stall: 'longest main-thread stall, 1 ms timer (max)',
  stallRunning: 'longest main-thread stall less its wait for a CPU (max)',
  eventLoopDelay: 'main-thread event-loop delay, monitorEventLoopDelay max (max)',
} as const;

export interface InspectionRun {
  wallMs: number;
  /** Peak RSS of the process during the request minus the RSS right before it (bytes). */
  extraBytes: number;
  /** 'VmHWM' (the kernel's exact peak) or 'sampled' (every 1 ms timer tick). */
  memoryMethod: 'VmHWM' | 'sampled';
  /** RSS the idle worker added to the process (bytes): right before the request minus before the worker started. */
  idleWorkerBytes: number;
  maxStallMs: number;
  /** The largest gap less the time the main thread waited for a CPU during it; NaN without schedstat. */
  maxStallRunningMs: number;
  /** Of the largest gap, the time the main thread waited for a CPU (NaN without schedstat). */
  longestStallWaitMs: number;
  eventLoopDelayMaxMs: number;
}

export interface ModelInspectionResult {
  id: ModelInspectionId;
  label: string;
  parameters: number;
  /** Tensors the inspection returned (parameters and buffers, a tied tensor once). */
  tensors: number;
  runs: InspectionRun[];
}

export interface ModelInspectionOptions {
  workerPath: string;
  sizes: Sizes;
  /** At most this many runs (each with a fresh worker) … */
  maxRuns: number;
  /** … and no new one once this much wall time has been spent. */
  budgetMs: number;
}

/** Runs one workload in this process: fresh workers, one request each. */
export async function benchModelInspection(id: ModelInspectionId, options: ModelInspectionOptions): Promise<ModelInspectionResult> {
  const { model, label } = MODEL_INSPECTIONS[id];
  const spec = model(options.sizes);
  const parameters = parameterCount(spec);
  const runs: InspectionRun[] = [];
  let tensors = 0;
  const started = performance.now();
  do {
    const { run, inspection } = await inspectOnce(spec, options.workerPath);
    if (inspection.parameterCount !== parameters) throw new Error(`${id}: the worker counted ${inspection.parameterCount} parameters, the tree has ${parameters}`);
    tensors = inspection.parameters.length;
    runs.push(run);
  } while (runs.length < options.maxRuns && performance.now() - started < options.budgetMs);
  return { id, label, parameters, tensors, runs };
}

/** The rows of a workload for bench/results.json, in MODEL_INSPECTION_METRICS order. */
export function modelInspectionRows(result: ModelInspectionResult): ResultRow[] {
  const max = (f: (r: InspectionRun) => number) => Math.max(...result.runs.map(f));
  const row = (metric: string, value: number, unit: string): ResultRow => ({ workload: result.id, impl: 'ours', metric, value, unit });
  const method = result.runs.every((r) => r.memoryMethod === 'VmHWM') ? 'VmHWM' : 'sampled every 1 ms';
  return [
    row(MODEL_INSPECTION_METRICS.wall, median(result.runs.map((r) => r.wallMs)), 'ms'),
    row(`${MODEL_INSPECTION_METRICS.memory}, ${method}`, max((r) => r.extraBytes) / 1e6, 'MB'),
    row(MODEL_INSPECTION_METRICS.stall, max((r) => r.maxStallMs), 'ms'),
    ...(result.runs.every((r) => Number.isFinite(r.maxStallRunningMs)) ? [row(MODEL_INSPECTION_METRICS.stallRunning, max((r) => r.maxStallRunningMs), 'ms')] : []),
    row(MODEL_INSPECTION_METRICS.eventLoopDelay, max((r) => r.eventLoopDelayMaxMs), 'ms'),
  ];
}

/** One line for the notes: the numbers with their goals. */
export function modelInspectionLine(result: ModelInspectionResult): string {
  const rows = modelInspectionRows(result);
  const value = (metric: string) => rows.find((r) => r.metric.startsWith(metric))?.value ?? NaN;
  const M = MODEL_INSPECTION_METRICS;
  const [wall, memory, stall, delay] = [value(M.wall), value(M.memory), value(M.stall), value(M.eventLoopDelay)];
  const g = MODEL_INSPECTION_GOALS;
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  const idle = Math.max(...result.runs.map((r) => r.idleWorkerBytes)) / 1e6;
  const longest = result.runs.reduce((a, b) => (b.maxStallMs > a.maxStallMs ? b : a));
  const split = Number.isFinite(longest.longestStallWaitMs)
    ? `, of which ${longest.longestStallWaitMs.toFixed(1)} ms waiting for a CPU; the longest stall less such waits ${value(M.stallRunning).toFixed(1)} ms`
    : '';
  return `inspect ${result.label}, ${result.parameters.toLocaleString('en-US')} parameters (${result.tensors} tensors), via the worker, `
    + `${result.runs.length} run${result.runs.length === 1 ? '' : 's'}: ${wall.toFixed(0)} ms (goal < ${g.wallMs}: ${verdict(wall < g.wallMs)}), `
    + `peak ${memory.toFixed(0)} MB above the idle worker (${rows[1]!.metric.split(', ').pop()}; goal < ${g.extraMB}: ${verdict(memory < g.extraMB)}; the idle worker itself ${idle.toFixed(0)} MB), `
    + `longest main-thread stall ${stall.toFixed(1)} ms (goal < ${g.stallMs}: ${verdict(stall < g.stallMs)}${split}; event-loop delay max ${delay.toFixed(1)} ms)`;
}

/** The inspection in this thread, once: for `bench.js --profile init-gpt2-small` under `node --cpu-prof`. */
export function profileModelInspection(id: ModelInspectionId, sizes: Sizes): number {
  const spec = MODEL_INSPECTIONS[id].model(sizes);
  const started = performance.now();
  inspectInitialization(spec, { bins: BINS });
  return performance.now() - started;
}

async function inspectOnce(spec: ModelSpec, workerPath: string): Promise<{ run: InspectionRun; inspection: InitInspection }> {
  const beforeWorker = process.memoryUsage.rss();
  // As the extension host starts it (extension/engineClient.ts).
  const worker = new Worker(workerPath, { resourceLimits: { maxOldGenerationSizeMb: 4096 } });
  const request = workerRequests(worker);
  try {
    await request('ping', {}, REQUEST_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const peak = peakRss();
    const sched = schedulerWait();
    const baseline = process.memoryUsage.rss();
    let sampledMax = baseline;
    let maxStallMs = 0;
    let maxStallRunningMs = sched ? 0 : NaN;
    let longestStallWaitMs = NaN;
    let last = performance.now();
    let lastWait = sched?.waitMs() ?? 0;
    // Wait read after `now` but before the clock of the next tick (the thread was preempted between the two
    // reads) belongs to the next gap: what exceeds this gap is carried over to it.
    let carried = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      const gap = now - last;
      const wait = sched?.waitMs() ?? 0;
      const waited = Math.min(gap, wait - lastWait + carried);
      carried = wait - lastWait + carried - waited;
      if (gap > maxStallMs) {
        maxStallMs = gap;
        if (sched) longestStallWaitMs = waited;
      }
      if (sched) maxStallRunningMs = Math.max(maxStallRunningMs, gap - waited);
      last = now;
      lastWait = wait;
      if (!peak) sampledMax = Math.max(sampledMax, process.memoryUsage.rss());
    }, 1);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    peak?.reset();
    const t0 = performance.now();
    let inspection: InitInspection;
    try {
      inspection = await request('inspectInit', { model: spec, bins: BINS }, REQUEST_TIMEOUT_MS);
    } finally {
      clearInterval(ticker);
      delay.disable();
    }
    const wallMs = performance.now() - t0;
    const top = peak ? peak.read() : Math.max(sampledMax, process.memoryUsage.rss());
    return {
      inspection,
      run: {
        wallMs,
        extraBytes: Math.max(0, top - baseline),
        memoryMethod: peak ? 'VmHWM' : 'sampled',
        idleWorkerBytes: Math.max(0, baseline - beforeWorker),
        maxStallMs,
        maxStallRunningMs,
        longestStallWaitMs,
        eventLoopDelayMaxMs: delay.max / 1e6,
      },
    };
  } finally {
    await worker.terminate();
  }
}

/**
 * The kernel's peak RSS of this process (Linux ≥ 4.0): `reset` sets it to
 * the current RSS, `read` returns it in bytes. Undefined where /proc is
 * missing or the reset is not allowed.
 */
export function peakRss(): { reset(): void; read(): number } | undefined {
  const read = (): number => {
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb === undefined) throw new Error('no VmHWM');
    return Number(kb) * 1024;
  };
  const reset = (): void => writeFileSync('/proc/self/clear_refs', '5');
  try {
    reset();
    read();
    return { reset, read };
  } catch {
    return undefined;
  }
}

/**
 * Milliseconds this thread has waited on a run queue so far (runnable but not
 * running), from /proc/thread-self/schedstat (Linux, schedstats on); undefined
 * elsewhere. Read on the main thread, it is the main thread's.
 */
function schedulerWait(): { waitMs(): number } | undefined {
  const waitMs = (): number => {
    const fields = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/);
    const ns = Number(fields[1]);
    if (!Number.isFinite(ns)) throw new Error('no run-queue wait');
    return ns / 1e6;
  };
  try {
    waitMs();
    return { waitMs };
  } catch {
    return undefined;
  }
}
