import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import type { TrainProgress } from '../../../protocol/messages';
import { train } from '../../../worker/train';
import { parseSteps } from '../../../engine/run/format';

const spec = requireChain(parseModelText('{"input": 5, "layers": [{"name": "fc1", "type": "Linear", "out_features": 8}, {"type": "Tanh"}, {"name": "fc2", "type": "Linear", "out_features": 1}], "loss": "MSELoss", "optimizer": {"type": "AdamW", "lr": 0.01}}', 'json', 'm').spec!, 'test');
const record = { bins: 8, maxSnapshotBytes: 1 << 20, validationEvery: 10, liveSteps: 5 };

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
    // Every step and snapshot, encoded in the worker, exactly once and in order.
    const all = parseSteps(reports.map((r) => r.records!.lines).join(''));
    expect(all.warnings).toEqual([]);
    expect(all.steps.map((s) => s.step)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(all.snapshots.at(-1)!.step).toBe(300);
    expect(reports.length).toBeLessThan(300); // batched, not one message per step
    // The live selection: at most liveSteps per message, always ending with the message's last step.
    for (const r of reports) {
      expect(r.records!.steps.length).toBeLessThanOrEqual(5);
      expect(r.records!.steps.at(-1)!.step).toBe(r.records!.lastStep);
      expect(r.records!.snapshots.map((s) => s.step)).toEqual(parseSteps(r.records!.lines).snapshots.map((s) => s.step));
    }
    expect(result).toMatchObject({ steps: 300, stoppedBy: 'completed' });
    expect(reports.at(-1)!.records!.steps.at(-1)!.loss).toBe(result.lastLoss);
  });

  it('refuses a batch whose activations would not fit, before allocating anything', async () => {
    const wide = requireChain(parseModelText('{"input": 5, "layers": [{"type": "Linear", "out_features": 4096}, {"type": "ReLU"}, {"type": "Linear", "out_features": 1}]}', 'json', 'm').spec!, 'test');
    const { reports, ctx } = context();
    await expect(train({ model: wide, steps: 1, batchSize: 65_536, progressIntervalMs: 5 }, ctx)).rejects.toThrow(/^The model has 28,673 parameters and training it needs about 6\.\d+ GB, over the 2\.00 GB/);
    expect(reports).toEqual([]);
  });

  it('one message when the interval is longer than the run', async () => {
    const { reports, ctx } = context();
    await train({ model: spec, steps: 50, batchSize: 16, progressIntervalMs: 60_000, record }, ctx);
    expect(reports).toHaveLength(1);
    expect(parseSteps(reports[0]!.records!.lines).steps).toHaveLength(50);
    expect(reports[0]!.records!.steps.map((s) => s.step)).toEqual([10, 20, 30, 40, 50]);
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
    const bad = requireChain(parseModelText('{"input": 4, "layers": [{"name": "fc", "type": "Linear", "out_features": 1, "init": {"weight": {"fn": "constant_", "val": 1e18}}}], "loss": "MSELoss", "optimizer": {"type": "SGD", "lr": 1}}', 'json', 'm').spec!, 'test');
    const { reports, ctx } = context();
    const result = await train({ model: bad, steps: 100, batchSize: 8, progressIntervalMs: 5, record }, ctx);
    expect(result.stoppedBy).toBe('non-finite');
    expect(result.nonFinite!.step).toBe(result.steps);
    expect(result.reason).toBe(result.nonFinite!.message);
    expect(reports.at(-1)!.records!.lastStep).toBe(result.steps);
  });
});
