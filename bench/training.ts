/**
 * Training benchmark: the article's SimpleModel (10-100-10-1, the fixed
 * example with BCEWithLogitsLoss), batch 32, AdamW.
 *
 *   stepsPerSecondOff      the bare TrainingRun, no tracing
 *   stepsPerSecondTraced   a TrainingRun with full per-step tracing (every
 *                          step's per-layer record, log-spaced histogram snapshots)
 *   tracedRatio            traced / off (goal ≥ 0.8), goal for traced ≥ 5,000 steps/s
 *   stepsPerSecondRecorded traced, and each step encoded as its run-file lines (the
 *                          worker's whole per-step path for the training panel)
 *   storedBytes10k         bytes of a 10,000-step run in the run format
 *                          (run.json + steps.jsonl with its snapshot lines)
 *
 * The machine is shared (two cores, often with a busy neighbour on the other
 * one, which slows this process for seconds at a time). So the three runs
 * are advanced alternately in chunks of `chunk` steps, each chunk timed, over
 * `rounds` (default 5) whole runs, and every number is a median over the
 * chunks: rates are chunk steps ÷ chunk time, the ratio is the median of
 * t_off ÷ t_traced over chunks of the same steps. (The median leaves out the
 * first chunk, which holds most of the snapshot steps: snapshots cost ~1% of
 * a 10,000-step run.) Rates per CPU-second are reported too.
 */
import { parseModelText, requireChain, type ChainModelSpec } from '../engine/model';
import { median } from './timing';
import { encodeRunMeta, encodeSnapshotLine, encodeStepLine, runMetaFor, TrainingRun, type Advance } from '../engine/run';

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
  /** Traced, and every step encoded as the run file's lines, as the engine worker does for the training panel. */
  stepsPerSecondRecorded: number;
  stepsPerCpuSecondRecorded: number;
  storedBytes10k: number;
  snapshots10k: number;
}

export interface TrainingBenchOptions {
  steps?: number;
  rounds?: number;
  chunk?: number;
}

export async function benchTraining(options: TrainingBenchOptions = {}): Promise<TrainingBenchResult> {
  const steps = options.steps ?? 10_000;
  const rounds = options.rounds ?? 5;
  const chunk = options.chunk ?? 250;
  const parsed = parseModelText(SIMPLE_MODEL, 'json', 'SimpleModel.nn.json').spec;
  if (!parsed) throw new Error('the benchmark model does not parse');
  const spec = requireChain(parsed, 'The training benchmark');
  const pairs: ChunkTimes[] = [];
  for (let r = 0; r < rounds; r++) {
    // Whole runs of `steps` steps (snapshots included: log-spaced, and the last); no validation split.
    // As the engine worker runs them for the training panel: records go out as they are made, none kept in memory.
    const off = new TrainingRun(spec, { steps, validationSplit: 0, trace: false, recorder: { keepSteps: false } });
    const traced = new TrainingRun(spec, { steps, validationSplit: 0, recorder: { keepSteps: false } });
    const recorded = new TrainingRun(spec, { steps, validationSplit: 0, recorder: { keepSteps: false } });
    while (!off.done || !traced.done || !recorded.done) {
      const n = Math.min(chunk, steps - off.stepCount);
      pairs.push({ steps: n, off: advanceTimed(off, chunk), traced: advanceTimed(traced, chunk), recorded: advanceTimed(recorded, chunk, encodeLines) });
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const stored = storedSize(spec, 10_000);
  // Medians over the chunks of every round: a burst of other work on the machine spoils a few chunks, not the result.
  const rate = (pick: (c: ChunkTimes) => number): number => median(pairs.map((c) => c.steps / pick(c)));
  const ratio = (a: (c: ChunkTimes) => number, b: (c: ChunkTimes) => number): number => median(pairs.map((c) => a(c) / b(c)));
  return {
    stepsPerSecondOff: rate((c) => c.off.wall), stepsPerSecondTraced: rate((c) => c.traced.wall), tracedRatio: ratio((c) => c.off.wall, (c) => c.traced.wall),
    stepsPerCpuSecondOff: rate((c) => c.off.cpu), stepsPerCpuSecondTraced: rate((c) => c.traced.cpu), tracedRatioCpu: ratio((c) => c.off.cpu, (c) => c.traced.cpu),
    stepsPerSecondRecorded: rate((c) => c.recorded.wall), stepsPerCpuSecondRecorded: rate((c) => c.recorded.cpu),
    storedBytes10k: stored.bytes, snapshots10k: stored.snapshots,
  };
}

interface Seconds {
  wall: number;
  cpu: number;
}

/** One chunk of the same steps in each of the three runs. */
interface ChunkTimes {
  steps: number;
  off: Seconds;
  traced: Seconds;
  recorded: Seconds;
}

/** Up to `chunk` steps of `run` (each handed to `after`): their wall and CPU seconds. */
function advanceTimed(run: TrainingRun, chunk: number, after?: (a: Advance) => void): Seconds {
  const t0 = performance.now();
  const c0 = cpuSeconds();
  for (let i = 0; i < chunk && !run.done; i++) {
    const a = run.advance();
    after?.(a);
  }
  return { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
}

/** What the engine worker does with each step for the training panel: its lines of the run file. */
function encodeLines(a: Advance): void {
  encodeStepLine(a.step);
  if (a.snapshot) encodeSnapshotLine(a.snapshot);
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Bytes of an n-step run as the writer lays it out. */
function storedSize(spec: ChainModelSpec, steps: number): { bytes: number; snapshots: number } {
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
