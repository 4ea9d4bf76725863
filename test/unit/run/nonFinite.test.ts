import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import { adam, adamw, step } from '../../../engine/optim';
import { findNonFinite, StatsTracer, TrainingRun } from '../../../engine/run';

function tracedStep(tx: ReturnType<typeof adamw>, params: Record<string, Float32Array>, grads: Record<string, Float32Array>) {
  const { trace } = step(tx, params, grads, tx.init(params), new StatsTracer());
  return trace!;
}

describe('NaN/Inf detection', () => {
  it('names the update, the tensor, the step and the vanished denominator when √v̂ + ε underflows', () => {
    // float32: g = 1e-30 gives m = 1e-31 but v = 0.001·g² = 1e-63 → 0; with ε = 0 the step m̂/(√v̂ + ε) is −∞.
    const params = { 'fc1.weight': Float32Array.of(0.5, 0.5), 'fc3.weight': Float32Array.of(1, 2) };
    const grads = { 'fc1.weight': Float32Array.of(0.1, 0.2), 'fc3.weight': Float32Array.of(1e-30, 0.3) };
    const trace = tracedStep(adamw({ lr: 1e-3, eps: 0 }), params, grads);
    const report = findNonFinite(41, trace, { eps: 0 });
    expect(report).toMatchObject({ step: 41, param: 'fc3.weight', term: 'update', kind: '-Inf' });
    expect(report!.message).toBe('update is -Inf in `fc3.weight` at step 41: √v̂ + ε underflowed to 0 (ε = 0)');
  });

  it('names v when g² overflows float32', () => {
    const params = { w: Float32Array.of(1, 1) };
    const grads = { w: Float32Array.of(1e21, 1) }; // (1 − β2)·g² = 1e39 > 3.4e38
    const report = findNonFinite(3, tracedStep(adam({ lr: 1e-3 }), params, grads), { eps: 1e-8 });
    expect(report).toMatchObject({ param: 'w', term: 'v', kind: 'Inf' });
    expect(report!.message).toBe('v is Inf in `w` at step 3: (1 − β2)·g² overflowed: the gradient is too large to square in float32');
  });

  it('reports nothing on a healthy step', () => {
    const params = { w: Float32Array.of(1, 2) };
    expect(findNonFinite(1, tracedStep(adamw(), params, { w: Float32Array.of(0.1, -0.1) }), { eps: 1e-8 })).toBeNull();
  });

  it('a diverging run stops at the first non-finite step and keeps every step before it', () => {
    const { spec } = parseModelText('{"input": 4, "layers": [{"name": "fc", "type": "Linear", "out_features": 1, "init": {"weight": {"fn": "constant_", "val": 1e18}}}], "loss": "MSELoss", "optimizer": {"type": "SGD", "lr": 1}}', 'json', 'm');
    const run = new TrainingRun(requireChain(spec!, 'test'), { steps: 50 });
    const seen: number[] = [];
    while (!run.done) seen.push(run.advance().step.step);
    const stopped = run.stopped!;
    expect(stopped).toBeDefined();
    expect(stopped.step).toBeLessThan(50);
    expect(stopped.message).toContain(`at step ${stopped.step}`);
    expect(run.recorder.steps.map((s) => s.step)).toEqual(seen);
    expect(seen.at(-1)).toBe(stopped.step);
    expect(() => run.advance()).toThrow(/stopped at step/);
  });
});
