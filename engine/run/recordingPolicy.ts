/**
 * Which steps of a run keep their full record, so that a run's size grows
 * with the logarithm of its steps, under a cap (run format version 2).
 *
 * Every step keeps its loss, as a loss line of ~25 bytes. The full record
 * (every term of every tensor, ~1.8 KB for a small MLP) is kept
 *
 *     for every step t ≤ D                          (D = `denseSteps`, default 1000)
 *     for every 10^j-th step of (D·10^(j−1), D·10^j], j = 1, 2, …
 *
 * so each further decade of steps adds 0.9·D records however long the run:
 * a run of T > D steps holds about D·(1 + 0.9·log10(T/D)) of them. The
 * records kept are round steps (1,010, 1,020, …, 10,100, 10,200, …), and the
 * snapshot steps, the last step and a step where a value became NaN or
 * infinite always keep theirs.
 *
 * The cap (`maxBytes`, default 100 MB) bounds the whole of steps.jsonl: a
 * full record (and its snapshot) is written only while the bytes written, the
 * record, and a loss line for every planned step still to come fit under it.
 * Past that point only losses are written, and `capReachedAt` says from
 * which step. So a run of a planned length stays under the cap while its
 * losses fit in 90% of it (2.9 million steps at 100 MB). A longer run (a
 * "train for 10 million steps" that will be stopped) still gets a tenth of
 * the cap for full records, so that its first steps are there to see, and
 * every loss.
 */
import { encodeLossLine, encodeSnapshotLine, encodeStepLine, type RecordingInfo } from './format';
import type { Advance } from './runTracing';

export const DEFAULT_DENSE_STEPS = 1000;
export const DEFAULT_MAX_RUN_MB = 100;
/** A loss line's bytes at most, as reserved for the steps to come: `[1234567,0.1234567,0.1234567]\n`. */
const LOSS_LINE_BYTES = 32;
/** The share of the cap full records may always use, however many losses the planned steps will write. */
const FULL_RECORDS_FLOOR = 0.1;

/** Whether step t (1-based) keeps its full record by the schedule (not counting snapshots, the last step, the cap). */
export function onFullRecordSchedule(t: number, denseSteps = DEFAULT_DENSE_STEPS): boolean {
  if (t <= denseSteps) return true;
  let stride = 10;
  for (let top = denseSteps * 10; t > top; top *= 10) stride *= 10;
  return t % stride === 0;
}

export interface RecordingOptions {
  denseSteps?: number;
  /** The cap of steps.jsonl in bytes. */
  maxBytes?: number;
  /** Steps the run is to take: their loss lines are reserved under the cap. */
  plannedSteps: number;
}

/** The lines a run writes for each step, by the schedule and under the cap. */
export class RecordingPolicy {
  readonly denseSteps: number;
  readonly maxBytes: number;
  private written = 0;
  private capStep: number | undefined;

  constructor(private readonly options: RecordingOptions) {
    this.denseSteps = options.denseSteps ?? DEFAULT_DENSE_STEPS;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_RUN_MB * 1024 * 1024;
    if (!(Number.isInteger(this.denseSteps) && this.denseSteps >= 1)) throw new RangeError(`denseSteps must be a positive integer, got ${this.denseSteps}`);
    if (!(this.maxBytes > 0)) throw new RangeError(`the run size cap must be positive, got ${this.maxBytes} bytes`);
  }

  /** Bytes of lines handed out so far (the lines are ASCII: one byte a character). */
  get bytes(): number {
    return this.written;
  }

  /** The step from which only losses were written, once the cap was reached. */
  get capReachedAt(): number | undefined {
    return this.capStep;
  }

  get info(): RecordingInfo {
    return { denseSteps: this.denseSteps, maxBytes: this.maxBytes, ...(this.capStep !== undefined ? { capReachedAt: this.capStep } : {}) };
  }

  /** The lines of one advanced step: its full record (and snapshot) or its loss line. `last`: the run's last step. */
  linesFor(a: Advance, last: boolean): { text: string; full: boolean } {
    const s = a.step;
    const wanted = last || a.snapshot !== undefined || a.stopped !== undefined || onFullRecordSchedule(s.step, this.denseSteps);
    if (wanted && this.capStep === undefined) {
      const text = encodeStepLine(s) + (a.snapshot ? encodeSnapshotLine(a.snapshot) : '');
      const reserve = Math.max(0, this.options.plannedSteps - s.step) * LOSS_LINE_BYTES;
      const budget = Math.max(this.maxBytes - reserve, this.maxBytes * FULL_RECORDS_FLOOR);
      if (this.written + text.length <= budget) {
        this.written += text.length;
        return { text, full: true };
      }
      this.capStep = s.step;
    }
    const text = encodeLossLine(s.step, s.loss, s.valLoss);
    this.written += text.length;
    return { text, full: false };
  }
}
