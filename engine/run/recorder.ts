/**
 * Keeps a run in memory: the scalars of every step, and full snapshots
 * (histograms) at log-spaced steps within a memory bound.
 *
 * Snapshot schedule: every step up to `denseUntil`, then whenever
 * ⌊k·log10 t⌋ increases (k = `perDecade` snapshots per factor of ten), so a
 * 10,000-step run holds about denseUntil + 3k snapshots and the early steps,
 * where the moments and bias corrections change fastest, are the densest.
 * The caller may add one more at the last step.
 *
 * Memory bound: snapshots are counted at 8 bytes per histogram bin plus a
 * small overhead. When they exceed `maxSnapshotBytes`, every second snapshot
 * is dropped (the first and the latest are kept) and k is halved, so the
 * schedule stays log-spaced at half the density. Step scalars are always kept
 * (a few hundred bytes per step; on disk they are all in steps.jsonl).
 */
import type { RunStep, Snapshot } from './types';

export interface RecorderOptions {
  /** Snapshots per decade of steps after `denseUntil` (default 16). */
  perDecade?: number;
  /** Every step up to this one is a snapshot (default 10). */
  denseUntil?: number;
  /** Bytes of snapshots kept at most (default 32 MiB). */
  maxSnapshotBytes?: number;
  /** Keep every step's record (default true); false when they are streamed elsewhere (the worker). */
  keepSteps?: boolean;
}

export class RunRecorder {
  readonly steps: RunStep[] = [];
  readonly snapshots: Snapshot[] = [];
  private perDecade: number;
  private readonly denseUntil: number;
  private readonly maxSnapshotBytes: number;
  private snapshotBytesTotal = 0;
  private readonly keepSteps: boolean;

  constructor(options: RecorderOptions = {}) {
    this.perDecade = options.perDecade ?? 16;
    this.denseUntil = options.denseUntil ?? 10;
    this.maxSnapshotBytes = options.maxSnapshotBytes ?? 32 * 1024 * 1024;
    this.keepSteps = options.keepSteps ?? true;
    if (!(this.perDecade > 0)) throw new RangeError(`perDecade must be positive, got ${this.perDecade}`);
    if (!(this.maxSnapshotBytes > 0)) throw new RangeError(`maxSnapshotBytes must be positive, got ${this.maxSnapshotBytes}`);
  }

  /** Whether step t (1-based) is on the snapshot schedule. */
  wantsSnapshot(t: number): boolean {
    if (t <= this.denseUntil) return true;
    return Math.floor(this.perDecade * Math.log10(t)) > Math.floor(this.perDecade * Math.log10(t - 1));
  }

  addStep(step: RunStep): void {
    if (this.keepSteps) this.steps.push(step);
  }

  addSnapshot(snapshot: Snapshot): void {
    const last = this.snapshots.at(-1);
    if (last && snapshot.step <= last.step) throw new RangeError(`snapshot at step ${snapshot.step} after one at step ${last.step}`);
    this.snapshots.push(snapshot);
    this.snapshotBytesTotal += snapshotBytes(snapshot);
    while (this.snapshotBytesTotal > this.maxSnapshotBytes && this.snapshots.length > 2) this.thin();
  }

  get snapshotBytes(): number {
    return this.snapshotBytesTotal;
  }

  get snapshotsPerDecade(): number {
    return this.perDecade;
  }

  /** The record of step t, if kept. */
  stepAt(t: number): RunStep | undefined {
    const i = t - (this.steps[0]?.step ?? 1);
    const s = this.steps[i];
    return s?.step === t ? s : this.steps.find((x) => x.step === t);
  }

  /** The snapshot nearest to step t (the earlier one on a tie). */
  nearestSnapshot(t: number): Snapshot | undefined {
    return nearestSnapshot(this.snapshots, t);
  }

  private thin(): void {
    const kept = this.snapshots.filter((_, i) => i % 2 === 0 || i === this.snapshots.length - 1);
    this.snapshots.splice(0, this.snapshots.length, ...kept);
    this.snapshotBytesTotal = kept.reduce((sum, s) => sum + snapshotBytes(s), 0);
    this.perDecade = Math.max(1, this.perDecade / 2);
  }
}

/** Snapshots sorted by step: the one nearest to t (binary search; the earlier one on a tie). */
export function nearestSnapshot(snapshots: readonly Snapshot[], t: number): Snapshot | undefined {
  return nearestByStep(snapshots, t, 'earlier');
}

/** Records sorted by step: the one nearest to step t (binary search), the earlier or the later one on a tie. */
export function nearestByStep<T extends { readonly step: number }>(items: readonly T[], t: number, onTie: 'earlier' | 'later'): T | undefined {
  if (items.length === 0) return undefined;
  let lo = 0;
  let hi = items.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.step < t) lo = mid + 1;
    else hi = mid;
  }
  const after = items[lo]!;
  const before = items[lo - 1];
  if (!before) return after;
  const toBefore = t - before.step;
  const toAfter = after.step - t;
  return toBefore < toAfter || (toBefore === toAfter && onTie === 'earlier') ? before : after;
}

export function snapshotBytes(s: Snapshot): number {
  let bytes = 64;
  for (const terms of Object.values(s.layers)) for (const h of Object.values(terms)) bytes += 48 + 8 * (h?.counts.length ?? 0);
  return bytes;
}
