import { describe, expect, it } from 'vitest';
import { readTensorValues } from '../../../engine/checkpoint';
import { EXPECTED, num, openFixture } from './fixtures';

/** Every element equals torch's value bit for bit (−0 included, NaN as NaN). */
function expectBitIdentical(actual: Float64Array, expected: number[], name: string): void {
  expect(actual.length, name).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${name}[${i}]: read ${actual[i]}, torch has ${expected[i]}`);
  }
}

describe('checkpoint readers against torch (fixtures written by torch 1.13)', () => {
  for (const [file, expected] of Object.entries(EXPECTED.files)) {
    it(`${file}: names, dtypes, shapes, nesting and every value`, async () => {
      const checkpoint = await openFixture(file);
      try {
        expect(checkpoint.nesting).toEqual(expected.nesting);
        expect(checkpoint.strippedPrefix).toBe(expected.strippedPrefix);
        const byName = new Map(checkpoint.tensors.map((t) => [t.name, t]));
        expect([...byName.keys()].sort()).toEqual(expected.tensors.map((t) => t.name).sort());
        for (const e of expected.tensors) {
          const t = byName.get(e.name)!;
          expect({ dtype: t.dtype, shape: t.shape }, e.name).toEqual({ dtype: e.dtype, shape: e.shape });
          expectBitIdentical(await readTensorValues(t), e.values.map(num), `${file}:${e.name}`);
        }
      } finally {
        await checkpoint.close();
      }
    });
  }

  it('reads a view in chunks of any size identically (strided gather across chunk boundaries)', async () => {
    const checkpoint = await openFixture('model.pt');
    for (const name of ['view.transposed', 'view.sliced', 'fc1.weight']) {
      const t = checkpoint.tensors.find((x) => x.name === name)!;
      const whole = await readTensorValues(t);
      for (const size of [1, 2, 3, 7]) {
        const parts: number[] = [];
        for await (const chunk of t.chunks(size)) {
          expect(chunk.length).toBeLessThanOrEqual(size);
          parts.push(...chunk);
        }
        expect(parts).toEqual([...whole]);
      }
    }
  });

  it('names tied weights as sharing one storage', async () => {
    const checkpoint = await openFixture('model.pt');
    const head = checkpoint.tensors.find((t) => t.name === 'head.weight')!;
    expect(head.sharesStorageWith).toBe('embed.weight');
    expect(head.identicalTo).toBe('embed.weight');
    // Two different views of one base share its storage but are not the same tensor.
    const sliced = checkpoint.tensors.find((t) => t.name === 'view.sliced')!;
    expect(sliced.sharesStorageWith).toBe('view.transposed');
    expect(sliced.identicalTo).toBeUndefined();
    expect(checkpoint.tensors.find((t) => t.name === 'embed.weight')!.sharesStorageWith).toBeUndefined();
  });

  it("Lightning: the weights are 'state_dict'; the other top-level keys are listed", async () => {
    const checkpoint = await openFixture('lightning.ckpt');
    expect(checkpoint.format).toBe('torch-zip');
    expect(checkpoint.otherKeys).toEqual(expect.arrayContaining(['epoch', 'global_step', 'optimizer_states', 'hyper_parameters']));
  });

  it('keeps the safetensors metadata of single files and shards', async () => {
    expect((await openFixture('model.safetensors')).metadata).toEqual({ format: 'pt', note: 'written by hand' });
    const sharded = await openFixture('sharded/model.safetensors.index.json');
    expect(sharded.format).toBe('safetensors-sharded');
    expect(new Set(sharded.tensors.map((t) => t.file))).toEqual(new Set(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']));
  });
});
