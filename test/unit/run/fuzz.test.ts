/**
 * Property-based fuzzing of the run reader (a run folder may come from anywhere: a shared folder, the PyTorch
 * probe, a crash): on mutations of a real run's run.json and steps.jsonl, reading either succeeds or fails
 * with a RunFormatError that says what is wrong, never another exception, and no case takes over 5 s.
 * 10,000 cases (ten times as many with WEIGHTSCOPE_FUZZ=nightly; see test/unit/support/fuzz.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseModelText, requireChain } from '../../../engine/model';
import { encodeRunMeta, encodeSnapshotLine, encodeStepLine, parseRun, RunFormatError, runMetaFor, TrainingRun } from '../../../engine/run';
import { fuzzOptions, mutate, textMutation, withinLimit } from '../support/fuzz';

const MODEL = '{"input": 3, "layers": [{"name": "fc1", "type": "Linear", "out_features": 4}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 1}], "loss": "BCEWithLogitsLoss", "seed": 7}';
const spec = requireChain(parseModelText(MODEL, 'json', 'm').spec!, 'test');

function recorded(steps: number): { meta: string; lines: string } {
  const run = new TrainingRun(spec, { steps, trace: true });
  let lines = '';
  while (!run.done) {
    const { step, snapshot } = run.advance();
    lines += encodeStepLine(step);
    if (snapshot) lines += encodeSnapshotLine(snapshot);
  }
  return { meta: encodeRunMeta(runMetaFor(spec, { id: 'r1', steps, createdAt: '2026-01-01T00:00:00.000Z', source: 'm.nn.json' })), lines };
}

const { meta, lines } = recorded(3);
const TOKENS = ['{', '}', '[', ']', ',', ':', '"', '\n', 'null', 'NaN', '-1', '1e999', '"step"', '"snapshot"', '"../../x"', '"version":99', '"id":"../a"', '"type":"step","step":1'];

function readsOrExplains(metaText: string, stepsText: string): void {
  try {
    const run = withinLimit(() => parseRun(metaText, stepsText));
    expect(Array.isArray(run.steps)).toBe(true);
  } catch (err) {
    if (!(err instanceof RunFormatError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
  }
}

describe('run reader fuzzing', () => {
  it('mutated steps.jsonl', () => {
    fc.assert(fc.property(fc.array(textMutation(TOKENS), { minLength: 1, maxLength: 5 }), (ms) => readsOrExplains(meta, ms.reduce(mutate, lines))), fuzzOptions(5_000));
  });
  it('mutated run.json', () => {
    fc.assert(fc.property(fc.array(textMutation(TOKENS), { minLength: 1, maxLength: 5 }), (ms) => readsOrExplains(ms.reduce(mutate, meta), lines)), fuzzOptions(3_000));
  });
  it('arbitrary JSON lines and run.json values', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }), fc.jsonValue({ maxDepth: 3 }), (values, metaValue) => {
      readsOrExplains(meta, values.map((v) => JSON.stringify(v)).join('\n'));
      readsOrExplains(JSON.stringify(metaValue), lines);
    }), fuzzOptions(2_000));
  });
});
