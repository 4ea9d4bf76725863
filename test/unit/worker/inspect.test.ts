import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';
import { inspectInitialization, type InspectionProgress } from '../../../engine/inspect/inspectInit';
import { CANCELLED_IN_WORKER } from '../../../protocol/messages';
import { inspectInit } from '../../../worker/inspect';

const spec = parseModelText('{"input": 5, "layers": [{"name": "fc1", "type": "Linear", "out_features": 8}, {"type": "Tanh"}, {"name": "fc2", "type": "Linear", "out_features": 3}, {"type": "Tanh"}, {"name": "fc3", "type": "Linear", "out_features": 1}]}', 'json', 'm').spec!;

function context(cancelAfter = Infinity) {
  const reports: InspectionProgress[] = [];
  return { reports, ctx: { progress: (p: InspectionProgress) => reports.push(p), cancelled: () => reports.length >= cancelAfter, yieldToEvents: () => Promise.resolve() } };
}

describe('worker inspectInit', () => {
  it('reports each tensor as it is summarized and answers what the engine computes in one call', async () => {
    const { reports, ctx } = context();
    const result = await inspectInit({ model: spec, bins: 10 }, ctx, 0);
    expect(reports.map((r) => `${r.done}/${r.total} ${r.name}`)).toEqual(['1/6 fc1.weight', '2/6 fc1.bias', '3/6 fc2.weight', '4/6 fc2.bias', '5/6 fc3.weight', '6/6 fc3.bias']);
    const { elapsedMs: _a, ...inWorker } = result;
    const { elapsedMs: _b, ...direct } = inspectInitialization(spec, { bins: 10 });
    expect(inWorker).toEqual(direct);
  });

  it('stops at the next tensor once cancelled, with the name the extension reads as a cancellation', async () => {
    const { reports, ctx } = context(2);
    const error = await inspectInit({ model: spec, bins: 10 }, ctx, 0).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.name).toBe(CANCELLED_IN_WORKER);
    expect(error?.message).toBe('inspection stopped after 2 of 6 tensors');
    expect(reports).toHaveLength(2);
  });
});
