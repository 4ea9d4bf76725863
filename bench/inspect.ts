/**
 * Inspecting a 10M-parameter MLP as the extension does: the request goes to
 * the engine worker thread (dist/worker.js), and meanwhile the main thread —
 * the extension host's — keeps a 1 ms timer running; its largest gap is the
 * longest the host's event loop stalled. Goals (issue: initialization
 * inspector): summaries back in < 2 s, no stall > 50 ms.
 */
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { parseModelText } from '../engine/model';
import { requireRunnable, type ModelSpec } from '../engine/model/spec';
import { parameterCount } from '../engine/model/moduleTree';
import { workerRequests } from './workerRequest';

/** A request that takes this long stops the benchmark with a message (its goal is 2 s). */
const REQUEST_TIMEOUT_MS = 60_000;

export interface InspectBenchResult {
  parameters: number;
  /** Wall time of each request, as the extension host sees it (ms). */
  initMs: number;
  signalMs: number;
  /** Examples the signal measurement used (it scales them down for large models). */
  signalExamples: number;
  /** Largest gap between two 1 ms timer ticks on the main thread while the worker ran (ms). */
  maxStallMs: number;
}

/** 784 → 2048 → 2048 → 2048 → 10 with ReLUs: 10,020,874 parameters. */
export function tenMillionMlp(): ModelSpec {
  const text = JSON.stringify({
    name: 'mlp-10M', input: 784, loss: 'CrossEntropyLoss',
    layers: [
      { name: 'fc1', type: 'Linear', out_features: 2048 }, { type: 'ReLU' },
      { name: 'fc2', type: 'Linear', out_features: 2048 }, { type: 'ReLU' },
      { name: 'fc3', type: 'Linear', out_features: 2048 }, { type: 'ReLU' },
      { name: 'fc4', type: 'Linear', out_features: 10 },
    ],
  });
  const { spec, diagnostics } = parseModelText(text, 'json', 'mlp-10M');
  if (!spec) throw new Error(`benchmark model does not parse: ${JSON.stringify(diagnostics)}`);
  return spec;
}

export async function benchInspect(workerPath = path.join(__dirname, 'worker.js')): Promise<InspectBenchResult> {
  const spec = tenMillionMlp();
  const worker = new Worker(workerPath);
  const request = workerRequests(worker);

  let maxStallMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    maxStallMs = Math.max(maxStallMs, now - last);
    last = now;
  }, 1);
  try {
    let t = performance.now();
    await request('inspectInit', { model: spec, bins: 40 }, REQUEST_TIMEOUT_MS);
    const initMs = performance.now() - t;
    t = performance.now();
    const signal = await request('measureSignal', { model: requireRunnable(spec, 'the 10M-parameter MLP') }, REQUEST_TIMEOUT_MS);
    const signalMs = performance.now() - t;
    return { parameters: parameterCount(spec), initMs, signalMs, signalExamples: signal.examples, maxStallMs };
  } finally {
    clearInterval(ticker);
    await worker.terminate();
  }
}
