import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';
import type { TrainProgress } from '../../../protocol/messages';
import { train } from '../../../worker/train';

const spec = parseModelText('{"input": 5, "layers": [{"name": "fc1", "type": "Linear", "out_features": 8}, {"type": "Tanh"}, {"name": "fc2", "type": "Linear", "out_features": 1}], "loss": "MSELoss", "optimizer": {"type": "AdamW", "lr": 0.01}}', 'json', 'm').spec!;
const record = { bins: 8, maxSnapshotBytes: 1 << 20, validationEvery: 10 };

function context(cancelAfter = Infinity) {
  const reports: TrainProgress[] = [];
  return {
    reports,
    ctx: { progress: (p: TrainProgress) => reports.push(p), cancelled: () => reports.length >= cancelAfter, yieldToEvents: () => Promise.resolve() },
  };
}

describe('worker train', () => {
  it('streams every step record exactly once, batched per progress message', async () => {
    const { reports, ctx } = context();
    const result = await train({ model: spec, steps: 300, batchSize: 16, progressIntervalMs: 5, record }, ctx);
    const steps = reports.flatMap((r) => r.records!.steps.map((s) => s.step));
    expect(steps).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(reports.length).toBeLessThan(300); // batched, not one message per step
    expect(reports.flatMap((r) => r.records!.snapshots.map((s) => s.step)).at(-1)).toBe(300);
    expect(result).toMatchObject({ steps: 300, stoppedBy: 'completed' });
    expect(reports.at(-1)!.records!.steps.at(-1)!.loss).toBe(result.lastLoss);
  });

  it('one message when the interval is longer than the run', async () => {
    const { reports, ctx } = context();
    await train({ model: spec, steps: 50, batchSize: 16, progressIntervalMs: 60_000, record }, ctx);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.records!.steps).toHaveLength(50);
  });

  it('sends no records without `record`, and stops when cancelled, keeping the steps taken', async () => {
    const { reports, ctx } = context(2);
    const result = await train({ model: spec, steps: 1_000_000, batchSize: 16, progressIntervalMs: 5 }, ctx);
    expect(reports[0]!.records).toBeUndefined();
    expect(result.stoppedBy).toBe('cancelled');
    expect(result.steps).toBe(reports[1]!.step);
    expect(result.reason).toBe(`stopped at step ${result.steps} of 1000000`);
  });

  it('a NaN/Inf stops the run with the report of where it appeared', async () => {
    const bad = parseModelText('{"input": 4, "layers": [{"name": "fc", "type": "Linear", "out_features": 1, "init": {"weight": {"fn": "constant_", "val": 1e18}}}], "loss": "MSELoss", "optimizer": {"type": "SGD", "lr": 1}}', 'json', 'm').spec!;
    const { reports, ctx } = context();
    const result = await train({ model: bad, steps: 100, batchSize: 8, progressIntervalMs: 5, record }, ctx);
    expect(result.stoppedBy).toBe('non-finite');
    expect(result.nonFinite!.step).toBe(result.steps);
    expect(result.reason).toBe(result.nonFinite!.message);
    expect(reports.flatMap((r) => r.records!.steps).at(-1)!.step).toBe(result.steps);
  });
});
