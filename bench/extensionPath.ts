/**
 * The benchmarks of what the extension does with the engine, beside the peer
 * comparison: inspecting a 10M-parameter MLP through the engine worker (with
 * the main thread's longest stall), and training the article's model with and
 * without the full per-step trace of the training panel (with the stored size
 * of a 10,000-step run). Each goal is checked and printed; none is asserted.
 */
import path from 'node:path';
import { benchInspect } from './inspect';
import { execFile } from 'node:child_process';
import type { TrainingBenchOptions, TrainingBenchResult } from './training';
import type { ResultRow } from './workloads';

export interface ExtensionPathResult {
  rows: ResultRow[];
  lines: string[];
}

export async function benchExtensionPath(options: { quick: boolean; distDir: string }): Promise<ExtensionPathResult> {
  const rows: ResultRow[] = [];
  const lines: string[] = [];
  const row = (workload: string, metric: string, value: number, unit: string): void => {
    rows.push({ workload, impl: 'ours', metric, value, unit });
  };
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');

  const inspect = await benchInspect(path.join(options.distDir, 'worker.js'));
  row('inspect-10M-worker', 'init summaries', inspect.initMs, 'ms');
  row('inspect-10M-worker', 'signal through depth', inspect.signalMs, 'ms');
  row('inspect-10M-worker', 'longest main-thread stall', inspect.maxStallMs, 'ms');
  lines.push(
    `inspect ${inspect.parameters.toLocaleString('en-US')}-parameter MLP via the worker: summaries in ${inspect.initMs.toFixed(0)} ms (goal < 2000: ${verdict(inspect.initMs < 2000)}), `
    + `signal (${inspect.signalExamples} examples) in ${inspect.signalMs.toFixed(0)} ms; longest main-thread stall ${inspect.maxStallMs.toFixed(1)} ms (goal < 50: ${verdict(inspect.maxStallMs < 50)})`,
  );

  const training = await trainingInFreshProcess(options.distDir, options.quick ? { steps: 2000, rounds: 1 } : {});
  row('train-article-traced', 'tracing off', training.stepsPerSecondOff, 'steps/s');
  row('train-article-traced', 'full tracing', training.stepsPerSecondTraced, 'steps/s');
  row('train-article-traced', 'traced ÷ off (wall clock, median of interleaved chunks)', training.tracedRatio, 'ratio');
  row('train-article-traced', 'traced ÷ off (CPU time, median of interleaved chunks)', training.tracedRatioCpu, 'ratio');
  row('train-article-traced', 'full tracing + run-file encoding (the worker)', training.stepsPerSecondRecorded, 'steps/s');
  row('train-article-traced', 'stored size of 10,000 steps', training.storedBytes10k / 1e6, 'MB');
  lines.push(
    `train the article's model (batch 32) with the training panel's full tracing: ${training.stepsPerSecondTraced.toFixed(0)} steps/s, ${training.stepsPerCpuSecondTraced.toFixed(0)} per CPU-second (goal ≥ 5000: ${verdict(Math.max(training.stepsPerSecondTraced, training.stepsPerCpuSecondTraced) >= 5000)}), `
    + `${(training.tracedRatio * 100).toFixed(0)}% of untraced ${training.stepsPerSecondOff.toFixed(0)} steps/s by wall clock (goal ≥ 80%: ${verdict(training.tracedRatio >= 0.8)}), ${(training.tracedRatioCpu * 100).toFixed(0)}% by CPU time (which also counts V8's background GC threads); `
    + `with every step also encoded for the run file, as the worker does: ${training.stepsPerSecondRecorded.toFixed(0)} steps/s; `
    + `a 10,000-step run stores ${(training.storedBytes10k / 1e6).toFixed(2)} MB (${training.snapshots10k} snapshots)`,
  );
  return { rows, lines };
}

/**
 * The training benchmark in a process of its own, as the suite runs each
 * implementation. Measured in this process after the suite (its children,
 * the 10M-parameter inspection's worker), the traced run came out 10–15%
 * slower than in a fresh process while the untraced one did not; the cause
 * was not found. The engine worker that trains for the panel is a fresh
 * thread with nothing else in its heap, as the child is.
 */
function trainingInFreshProcess(distDir: string, options: TrainingBenchOptions): Promise<TrainingBenchResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(distDir, 'bench.js'), '--training', JSON.stringify(options)], { maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) reject(new Error(`the training benchmark failed: ${err.message}`));
      else resolve(JSON.parse(stdout) as TrainingBenchResult);
    });
  });
}
