import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import { DEFAULT_BATCH_SIZE, DEFAULT_STEPS, plannedBatchSize, plannedSteps } from '../../../engine/train/defaults';

const spec = (training: string) => requireChain(parseModelText(`{"input": 2, "layers": [{"type": "Linear", "out_features": 1}]${training ? `, "training": ${training}` : ''}}`, 'json', 'm').spec!, 'test');

describe('planned steps and batch size', () => {
  it('the caller wins, then the file, then the defaults', () => {
    expect(plannedSteps(spec('{"steps": 40}'), 100, 32, 7)).toBe(7);
    expect(plannedSteps(spec('{"steps": 40}'), 100, 32)).toBe(40);
    expect(plannedSteps(spec(''), 100, 32)).toBe(DEFAULT_STEPS);
    expect(plannedSteps(spec(''), 100, 32, undefined, 123)).toBe(123);
    expect(plannedBatchSize(spec('{"batch_size": 8}'))).toBe(8);
    expect(plannedBatchSize(spec('{"batch_size": 8}'), 4)).toBe(4);
    expect(plannedBatchSize(spec(''))).toBe(DEFAULT_BATCH_SIZE);
    expect(plannedBatchSize(spec(''), undefined, 64)).toBe(64);
    expect(plannedBatchSize(spec('{"batch_size": 8}'), undefined, 64)).toBe(8);
  });

  it('epochs × batches per epoch, as a DataLoader without drop_last, after the validation split', () => {
    // 300 rows, 20% held out (60): 240 training examples, batches of 32 → 8 per epoch (the last one short).
    expect(plannedSteps(spec('{"epochs": 3, "validation_split": 0.2}'), 300, 32)).toBe(3 * 8);
    expect(plannedSteps(spec('{"epochs": 2}'), 100, 32)).toBe(2 * 4);
  });
});
