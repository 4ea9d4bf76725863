import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import { TrainingRun } from '../../../engine/run';

/** fc1's units are dead from the start (zero weights, bias −1 before a ReLU): its gradient is exactly 0. */
const model = (eps: number): string => JSON.stringify({
  input: 4,
  layers: [
    { name: 'fc1', type: 'Linear', out_features: 3, init: { weight: 'zeros_', bias: { fn: 'constant_', val: -1 } } },
    { type: 'ReLU' },
    { name: 'fc2', type: 'Linear', out_features: 1 },
  ],
  loss: 'MSELoss',
  optimizer: { type: 'AdamW', lr: 1e-3, eps },
});

function train(eps: number, steps: number): TrainingRun {
  const { spec, diagnostics } = parseModelText(model(eps), 'json', 'm');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const run = new TrainingRun(requireChain(spec!, 'test'), { steps });
  while (!run.done) run.advance();
  return run;
}

describe('eps 0 in a model file (allowed, as in torch.optim)', () => {
  it('stops at the first step where a zero gradient makes the Adam step 0/0, naming ε as the cause', () => {
    const run = train(0, 20);
    expect(run.stopped).toMatchObject({ step: 1, param: 'fc1.weight', term: 'update', kind: 'NaN' });
    expect(run.stopped!.message).toBe('update is NaN in `fc1.weight` at step 1: √v̂ + ε underflowed to 0 (ε = 0)');
  });

  it('trains the same model through with torch\'s default eps: ε keeps the step of a zero gradient at 0', () => {
    const run = train(1e-8, 20);
    expect(run.stopped).toBeUndefined();
    expect(run.recorder.steps).toHaveLength(20);
  });
});
