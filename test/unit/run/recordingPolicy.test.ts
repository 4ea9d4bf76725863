import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import { onFullRecordSchedule, parseSteps, RecordingPolicy, TrainingRun, type Advance, type RunStep } from '../../../engine/run';

const MODEL = '{"input": 4, "layers": [{"name": "fc1", "type": "Linear", "out_features": 8}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 1}], "loss": "MSELoss", "optimizer": {"type": "AdamW", "lr": 0.01}, "seed": 3}';
const spec = requireChain(parseModelText(MODEL, 'json', 'm').spec!, 'test');

/** One traced step's record, reused as the record of any step (the policy looks only at step numbers and sizes). */
const template: Advance = (() => {
  const run = new TrainingRun(spec, { steps: 2 });
  run.advance();
  return run.advance();
})();
const at = (step: number, extra: Partial<Advance> = {}): Advance => ({ step: { ...template.step, step, valLoss: step % 50 === 0 ? 0.25 : null } as RunStep, ...extra });

describe('which steps keep their full record', () => {
  it('every step up to D, then every 10th up to 10·D, every 100th up to 100·D, …', () => {
    const kept = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i).filter((t) => onFullRecordSchedule(t, 100));
    expect(kept(1, 100)).toHaveLength(100);
    expect(kept(95, 140)).toEqual([95, 96, 97, 98, 99, 100, 110, 120, 130, 140]);
    expect(kept(990, 1300)).toEqual([990, 1000, 1100, 1200, 1300]);
    expect(kept(9_950, 10_999)).toEqual([10_000]);
    expect(kept(11_000, 12_000)).toEqual([11_000, 12_000]);
  });

  it('grows with the logarithm of the steps: each further decade adds 0.9·D records', () => {
    let count = 0;
    const atDecade: number[] = [];
    for (let t = 1; t <= 1_000_000; t++) {
      if (onFullRecordSchedule(t, 1000)) count++;
      if (t === 10_000 || t === 100_000 || t === 1_000_000) atDecade.push(count);
    }
    expect(atDecade).toEqual([1900, 2800, 3700]);
  });
});

describe('the recording policy', () => {
  it('writes a loss line for every other step, and full records at the schedule, snapshots, a NaN and the last step', () => {
    const policy = new RecordingPolicy({ denseSteps: 10, plannedSteps: 400 });
    let text = '';
    for (let t = 1; t <= 400; t++) {
      const extra: Partial<Advance> = t === 57 ? { snapshot: { step: 57, layers: {} } } : t === 123 ? { stopped: { step: 123, param: 'fc1.weight', term: 'update', kind: 'NaN', message: 'x' } } : {};
      text += policy.linesFor(at(t, extra), t === 400).text;
    }
    expect(policy.bytes).toBe(text.length);
    const parsed = parseSteps(text);
    expect(parsed.warnings).toEqual([]);
    const full = parsed.steps.map((s) => s.step);
    expect(full).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 57, 60, 70, 80, 90, 100, 123, 200, 300, 400]);
    expect(parsed.snapshots.map((s) => s.step)).toEqual([57]);
    // Every step is there, once: its full record or its loss.
    expect([...full, ...parsed.losses.map((l) => l.step)].sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    const l150 = parsed.losses.find((l) => l.step === 150)!;
    expect(l150).toEqual({ step: 150, loss: Number(template.step.loss.toPrecision(7)), valLoss: 0.25 });
    expect(parsed.losses.find((l) => l.step === 151)!.valLoss).toBeNull();
    expect(policy.capReachedAt).toBeUndefined();
  });

  it('stays under its cap: past it only losses, and it says from which step', () => {
    const planned = 20_000;
    const maxBytes = planned * 32 + 40_000;
    const policy = new RecordingPolicy({ denseSteps: 1000, maxBytes, plannedSteps: planned });
    let bytes = 0;
    let fullAfterCap = 0;
    for (let t = 1; t <= planned; t++) {
      const out = policy.linesFor(at(t), t === planned);
      bytes += out.text.length;
      if (policy.capReachedAt !== undefined && out.full) fullAfterCap++;
    }
    const cap = policy.capReachedAt!;
    expect(cap).toBeGreaterThan(10);
    expect(cap).toBeLessThan(1000); // ~40 KB of records of ~1 KB
    expect(fullAfterCap).toBe(0); // not even the last step's
    expect(bytes).toBe(policy.bytes);
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    expect(policy.info).toEqual({ denseSteps: 1000, maxBytes, capReachedAt: cap });
  });

  it('keeps full records within a tenth of the cap when the planned steps\' losses alone would fill it (a run meant to be stopped)', () => {
    const maxBytes = 200_000;
    const policy = new RecordingPolicy({ denseSteps: 1000, maxBytes, plannedSteps: 10_000_000 });
    let full = 0;
    for (let t = 1; t <= 2000; t++) if (policy.linesFor(at(t), false).full) full++;
    expect(full).toBeGreaterThan(5);
    expect(policy.capReachedAt).toBe(full + 1);
    expect(policy.bytes).toBeLessThan(maxBytes / 10 + 2000 * 32);
  });

  it('refuses a cap that is not positive', () => {
    expect(() => new RecordingPolicy({ maxBytes: 0, plannedSteps: 1 })).toThrow('the run size cap must be positive');
  });
});
