/**
 * Opening a 500 MB checkpoint as the checkpoint editor does: GPT-2 small's
 * state_dict as float32 safetensors (bench/checkpointFile.ts, written once to
 * the temporary folder), read and summarized with every tensor's statistics
 * and histogram by the engine worker (`readCheckpoint`), started as the
 * extension host starts it. Each run is a fresh worker; wall time is from the
 * request to its result, memory the process's peak RSS during the request
 * above the RSS right before it (VmHWM, as bench/workerInspect.ts measures
 * it). The file was just written or read, so it is in the page cache: the
 * numbers are the engine's, not the disk's.
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CheckpointReport } from '../engine/checkpoint/report';
import type { EngineResponse, EngineToWorker } from '../protocol/messages';
import { writeGpt2Safetensors } from './checkpointFile';
import { GPT2_SMALL, TORCH_PARAMETER_COUNTS } from './models';
import { median } from './timing';
import { peakRss } from './workerInspect';
import type { ResultRow } from './workloads';

export const CHECKPOINT_WORKLOAD = 'checkpoint-gpt2-small';

/** The goals for a 500 MB checkpoint: every tensor summarized in < 3 s with < 300 MB of extra memory. */
export const CHECKPOINT_GOALS = { wallMs: 3000, extraMB: 300 } as const;

export const CHECKPOINT_METRICS = {
  wall: 'summarize every tensor via the worker (median)',
  memory: 'peak RSS above the idle worker (max)',
  cpu: 'CPU time of the process, all threads (median)',
} as const;

export interface CheckpointBenchResult {
  bytes: number;
  tensors: number;
  parameters: number;
  /** cpuMs: the process's CPU time (user + system, every thread) during the request: what the summary costs whatever else the machine runs. */
  runs: { wallMs: number; cpuMs: number; extraBytes: number }[];
}

export async function benchCheckpointSummary(options: { workerPath: string; maxRuns: number; budgetMs: number }): Promise<CheckpointBenchResult> {
  const file = path.join(os.tmpdir(), 'weightscope-bench-gpt2-small.safetensors');
  const size = statSync(file, { throwIfNoEntry: false })?.size;
  const bytes = size ?? writeGpt2Safetensors(file, GPT2_SMALL).bytes;
  const runs: CheckpointBenchResult['runs'] = [];
  let report: CheckpointReport | undefined;
  const started = performance.now();
  do {
    const once = await summarizeOnce(file, options.workerPath);
    report = once.report;
    runs.push(once.run);
  } while (runs.length < options.maxRuns && performance.now() - started < options.budgetMs);
  if (report.parameterCount !== TORCH_PARAMETER_COUNTS.gpt2Small) throw new Error(`the worker counted ${report.parameterCount} elements, GPT-2 small has ${TORCH_PARAMETER_COUNTS.gpt2Small}`);
  return { bytes, tensors: report.tensors.length, parameters: report.parameterCount, runs };
}

async function summarizeOnce(file: string, workerPath: string): Promise<{ report: CheckpointReport; run: CheckpointBenchResult['runs'][number] }> {
  const worker = new Worker(workerPath, { resourceLimits: { maxOldGenerationSizeMb: 4096 } });
  let nextId = 1;
  const request = <T>(method: string, params: unknown): Promise<T> => new Promise((resolve, reject) => {
    const id = nextId++;
    const onMessage = (m: EngineResponse): void => {
      if (m.id !== id || m.kind === 'progress') return;
      worker.off('message', onMessage);
      if (m.kind === 'result') resolve(m.result as T);
      else reject(new Error(m.message));
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage({ kind: 'request', id, method, params } as EngineToWorker);
  });
  try {
    await request('ping', {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    const peak = peakRss();
    let sampledMax = process.memoryUsage.rss();
    const sampler = peak ? undefined : setInterval(() => { sampledMax = Math.max(sampledMax, process.memoryUsage.rss()); }, 1);
    const baseline = process.memoryUsage.rss();
    peak?.reset();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await request<CheckpointReport>('readCheckpoint', { file: { path: file, name: path.basename(file), root: path.dirname(file) }, bins: 40 });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (sampler) clearInterval(sampler);
    const top = peak ? peak.read() : Math.max(sampledMax, process.memoryUsage.rss());
    return { report, run: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, extraBytes: Math.max(0, top - baseline) } };
  } finally {
    await worker.terminate();
  }
}

export function checkpointRows(result: CheckpointBenchResult): ResultRow[] {
  return [
    { workload: CHECKPOINT_WORKLOAD, impl: 'ours', metric: CHECKPOINT_METRICS.wall, value: median(result.runs.map((r) => r.wallMs)), unit: 'ms' },
    { workload: CHECKPOINT_WORKLOAD, impl: 'ours', metric: CHECKPOINT_METRICS.memory, value: Math.max(...result.runs.map((r) => r.extraBytes)) / 1e6, unit: 'MB' },
    { workload: CHECKPOINT_WORKLOAD, impl: 'ours', metric: CHECKPOINT_METRICS.cpu, value: median(result.runs.map((r) => r.cpuMs)), unit: 'ms' },
  ];
}

export function checkpointLine(result: CheckpointBenchResult): string {
  const [wall, memory, cpu] = checkpointRows(result).map((r) => r.value) as [number, number, number];
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  return `open GPT-2 small's ${(result.bytes / 1e6).toFixed(0)} MB float32 safetensors (${result.tensors} tensors, ${result.parameters.toLocaleString('en-US')} elements) `
    + `with every tensor summarized via the worker, ${result.runs.length} run${result.runs.length === 1 ? '' : 's'}: ${wall.toFixed(0)} ms (goal < ${CHECKPOINT_GOALS.wallMs}: ${verdict(wall < CHECKPOINT_GOALS.wallMs)}), `
    + `peak ${memory.toFixed(0)} MB above the idle worker (goal < ${CHECKPOINT_GOALS.extraMB}: ${verdict(memory < CHECKPOINT_GOALS.extraMB)}); `
    + `CPU time ${cpu.toFixed(0)} ms (wall time above it is waiting: for the disk, or for a core other processes hold)`;
}
