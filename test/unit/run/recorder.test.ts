import { describe, expect, it } from 'vitest';
import { nearestSnapshot, RunRecorder, snapshotBytes, type Snapshot } from '../../../engine/run';
import { nearestByStep } from '../../../engine/run/recorder';

const snap = (step: number, bins = 10): Snapshot => ({ step, layers: { w: { weight: { lo: 0, hi: 1, counts: new Array(bins).fill(1) } } } });

describe('RunRecorder', () => {
  it('snapshots every step up to 10, then k per decade', () => {
    const r = new RunRecorder({ perDecade: 4 });
    const steps = Array.from({ length: 1000 }, (_, i) => i + 1).filter((t) => r.wantsSnapshot(t));
    expect(steps.slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // ⌊4·log10 t⌋ steps up at t = ⌈10^(j/4)⌉: 18, 32, 57, 100, 178, 317, 563, 1000
    expect(steps.slice(10)).toEqual([18, 32, 57, 100, 178, 317, 563, 1000]);
  });

  it('stays within its memory bound by dropping every second snapshot and halving the density', () => {
    const one = snapshotBytes(snap(1));
    const r = new RunRecorder({ perDecade: 16, maxSnapshotBytes: 10 * one });
    for (let t = 1; t <= 25; t++) r.addSnapshot(snap(t));
    expect(r.snapshotBytes).toBeLessThanOrEqual(10 * one);
    expect(r.snapshots[0]!.step).toBe(1);
    expect(r.snapshots.at(-1)!.step).toBe(25);
    expect(r.snapshotsPerDecade).toBeLessThan(16);
    const steps = r.snapshots.map((s) => s.step);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
  });

  it('keeps every step and finds the nearest snapshot', () => {
    const r = new RunRecorder();
    for (const t of [1, 2, 5, 10]) r.addSnapshot(snap(t));
    expect(nearestSnapshot(r.snapshots, 3)!.step).toBe(2);
    expect(nearestSnapshot(r.snapshots, 4)!.step).toBe(5);
    expect(r.nearestSnapshot(7.5)!.step).toBe(5); // tie → the earlier
    expect(r.nearestSnapshot(100)!.step).toBe(10);
    expect(nearestSnapshot([], 3)).toBeUndefined();
    // The training panel's thinned step records take the later one on a tie.
    expect(nearestByStep([{ step: 1 }, { step: 3 }], 2, 'later')!.step).toBe(3);
    expect(nearestByStep([{ step: 1 }, { step: 3 }], 2, 'earlier')!.step).toBe(1);
    expect(nearestByStep([{ step: 1 }, { step: 3 }], 0, 'earlier')!.step).toBe(1);
    expect(() => r.addSnapshot(snap(10))).toThrow(/after one at step 10/);
  });
});
