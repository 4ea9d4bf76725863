import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointDrift, compareWithModel, modelMismatches, summarizeCheckpoint, tensorDistance, type CheckpointTensor } from '../../../engine/checkpoint';
import { readPythonModel } from '../../../cli/pythonModel';
import { EXPECTED, FIXTURES, num, openFixture } from './fixtures';

async function tinyMlp() {
  const file = path.join(FIXTURES, 'trained/mlp.py');
  const read = await readPythonModel(readFileSync(file, 'utf8'), undefined, { file });
  if (!read.spec) throw new Error(read.problem ?? 'no model');
  return read.spec;
}

function memoryTensor(name: string, values: number[]): CheckpointTensor {
  return {
    name, dtype: 'float64', shape: [values.length], numel: values.length, file: 'memory',
    async *chunks(max = 1 << 20) {
      for (let i = 0; i < values.length; i += max) yield Float64Array.from(values.slice(i, i + max));
    },
  };
}

describe('a checkpoint against its model and its initial checkpoint', () => {
  it('drift ‖θ − θ₀‖/‖θ₀‖ per tensor as torch computes it in float64', async () => {
    const trained = await openFixture('trained/trained.pt');
    const initial = await openFixture('trained/initial.pt');
    const expected = EXPECTED.files['trained/trained.pt']!.drift!;
    for (const chunkElements of [undefined, 7]) {
      const drift = await checkpointDrift(trained, initial, 'initial.pt', { bins: 8, ...(chunkElements ? { chunkElements } : {}) });
      expect(drift.unmatched).toEqual([]);
      expect(Object.keys(drift.relative)).toEqual(Object.keys(expected));
      for (const [name, want] of Object.entries(expected)) {
        const got = drift.relative[name]!;
        if (want === null) expect(got).toBeNull();
        else expect(Math.abs(got - num(want)) / num(want)).toBeLessThan(1e-12);
      }
      // The biases start at zero: their relative drift is undefined, the absolute one is not.
      expect(drift.absolute['fc1.bias']).toBeGreaterThan(0);
      expect(drift.initial['fc1.bias']!.max).toBe(0);
    }
  });

  it('matches the model of mlp.py by state_dict names and shapes, and says why another does not match', async () => {
    const spec = await tinyMlp();
    const trained = await openFixture('trained/trained.pt');
    expect(modelMismatches(trained.tensors, spec)).toEqual([]);
    const other = await openFixture('ddp.pth');
    const problems = modelMismatches(other.tensors, spec);
    expect(problems.join(' ')).toMatch(/Missing key\(s\) in state_dict: "fc1\.weight"/);
    expect(problems.join(' ')).toMatch(/Unexpected key\(s\) in state_dict: "weight", "bias"/);
    const reshaped = trained.tensors.map((t) => (t.name === 'fc2.weight' ? { name: t.name, shape: [64, 65] } : t));
    expect(modelMismatches(reshaped, spec)).toEqual(['size mismatch for fc2.weight: [64, 65] in the checkpoint, [64, 64] in the model.']);
  });

  it("puts each tensor's std next to its initializer's theory: kaiming_normal_'s √(2/fan_in)", async () => {
    const spec = await tinyMlp();
    const report = await summarizeCheckpoint(await openFixture('trained/trained.pt'), 'trained.pt', { bins: 8 });
    const model = compareWithModel(report.tensors, spec);
    expect(model.modelName).toBe('TinyMLP');
    const fc2 = model.tensors['fc2.weight']!;
    expect(fc2.initializer).toMatch(/kaiming_normal_/);
    expect(fc2.theoryStd).toBeCloseTo(Math.sqrt(2 / 64), 15);
    const std = report.tensors.find((t) => t.name === 'fc2.weight')!.std!;
    expect(fc2.stdRatio).toBe(std / Math.sqrt(2 / 64));
    // zeros_: a theory std of 0, so no ratio.
    expect(model.tensors['fc1.bias']).toMatchObject({ theoryStd: 0, stdRatio: null });
  });

  it('the distance of two tensors is exact for small cases and refuses different shapes', async () => {
    const d = await tensorDistance(memoryTensor('a', [3, 4, 0]), memoryTensor('b', [0, 0, 0]), 2);
    expect(d).toEqual({ change: 5, initial: 0 });
    const e = await tensorDistance(memoryTensor('a', [1e200, 1e200]), memoryTensor('b', [0, 1e200]));
    expect(e.change).toBe(1e200);
    expect(e.initial).toBe(1e200);
    await expect(tensorDistance(memoryTensor('a', [1, 2]), memoryTensor('b', [1]))).rejects.toThrow(/shape \[2\] but the initial 'b' has \[1\]/);
  });

  it('reports progress a tensor at a time and stops when cancelled', async () => {
    const seen: string[] = [];
    await summarizeCheckpoint(await openFixture('trained/trained.pt'), 'trained.pt', { onTensor: (done, total, name) => void seen.push(`${done}/${total} ${name}`) });
    expect(seen[0]).toBe('1/6 fc1.weight');
    expect(seen).toHaveLength(6);
    let calls = 0;
    await expect(summarizeCheckpoint(await openFixture('trained/trained.pt'), 'trained.pt', { cancelled: () => ++calls > 2 })).rejects.toThrow(/stopped after 2 of 6 tensors/);
  });
});
