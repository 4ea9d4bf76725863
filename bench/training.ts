/**
 * Training benchmark: the article's SimpleModel (10-100-10-1, the fixed
 * example with BCEWithLogitsLoss), batch 32, AdamW.
 *
 *   stepsPerSecondOff      the bare Trainer, no tracing
 *   stepsPerSecondTraced   a TrainingRun with full per-step tracing (every
 *                          step's per-layer record, log-spaced histogram snapshots)
 *   tracedRatio            traced / off (goal ≥ 0.8), goal for traced ≥ 5,000 steps/s
 *   storedBytes10k         bytes of a 10,000-step run in the run format
 *                          (run.json + steps.jsonl with its snapshot lines)
 *
 * Off and traced are timed alternately in rounds (each a whole run of `steps`
 * steps, default 10,000), and the best round of each is reported, so that a
 * busy machine slows both alike; rates per CPU-second are reported too.
 */
import { parseModelText } from '../engine/model';
import { encodeRunMeta, encodeSnapshotLine, encodeStepLine, runMetaFor, TrainingRun } from '../engine/run';

import { Trainer } from '../engine/train/trainer';

export const SIMPLE_MODEL = `{
  "version": 1, "name": "SimpleModel", "input": 10,
  "layers": [
    { "name": "fc1", "type": "Linear", "in_features": 10, "out_features": 100 }, { "type": "ReLU" },
    { "name": "fc2", "type": "Linear", "out_features": 10 }, { "type": "ReLU" },
    { "name": "fc3", "type": "Linear", "out_features": 1 }
  ],
  "loss": "BCEWithLogitsLoss",
  "optimizer": { "type": "AdamW", "lr": 0.001, "weight_decay": 0.01 },
  "training": { "batch_size": 32 },
  "seed": 0
}`;

export interface TrainingBenchResult {
  stepsPerSecondOff: number;
  stepsPerSecondTraced: number;
  tracedRatio: number;
  /** The same per second of this process's CPU time, which a busy machine disturbs less than wall time. */
  stepsPerCpuSecondOff: number;
  stepsPerCpuSecondTraced: number;
  tracedRatioCpu: number;
  storedBytes10k: number;
  snapshots10k: number;
}

export async function benchTraining(options: { steps?: number; rounds?: number } = {}): Promise<TrainingBenchResult> {
  const steps = options.steps ?? 10_000;
  const rounds = options.rounds ?? 3;
  const { spec } = parseModelText(SIMPLE_MODEL, 'json', 'SimpleModel.nn.json');
  if (!spec) throw new Error('the benchmark model does not parse');
  let off = 0;
  let traced = 0;
  let offCpu = 0;
  let tracedCpu = 0;
  for (let r = 0; r < rounds; r++) {
    const trainer = new Trainer(spec);
    let t0 = performance.now();
    let c0 = cpuSeconds();
    for (let i = 0; i < steps; i++) trainer.step();
    off = Math.max(off, steps / ((performance.now() - t0) / 1000));
    offCpu = Math.max(offCpu, steps / (cpuSeconds() - c0));
    // A whole run of `steps` steps (its snapshots included: log-spaced, and the last); no validation split.
    const run = new TrainingRun(spec, { steps, validationSplit: 0 });
    t0 = performance.now();
    c0 = cpuSeconds();
    while (!run.done) run.advance();
    traced = Math.max(traced, steps / ((performance.now() - t0) / 1000));
    tracedCpu = Math.max(tracedCpu, steps / (cpuSeconds() - c0));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const stored = storedSize(spec, 10_000);
  return {
    stepsPerSecondOff: off, stepsPerSecondTraced: traced, tracedRatio: traced / off,
    stepsPerCpuSecondOff: offCpu, stepsPerCpuSecondTraced: tracedCpu, tracedRatioCpu: tracedCpu / offCpu,
    storedBytes10k: stored.bytes, snapshots10k: stored.snapshots,
  };
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Bytes of an n-step run as the writer lays it out. */
function storedSize(spec: NonNullable<ReturnType<typeof parseModelText>['spec']>, steps: number): { bytes: number; snapshots: number } {
  const run = new TrainingRun(spec, { steps, validationSplit: 0.2 });
  const encoder = new TextEncoder();
  let bytes = encoder.encode(encodeRunMeta(runMetaFor(spec, { id: 'bench', steps, createdAt: new Date(0).toISOString() }))).length;
  let snapshots = 0;
  while (!run.done) {
    const { step, snapshot } = run.advance();
    bytes += encoder.encode(encodeStepLine(step)).length;
    if (snapshot) {
      bytes += encoder.encode(encodeSnapshotLine(snapshot)).length;
      snapshots++;
    }
  }
  return { bytes, snapshots };
}
