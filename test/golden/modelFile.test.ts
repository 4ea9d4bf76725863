/**
 * The golden MLP runs (test/fixtures/mlp, from torch 1.13) reproduced through
 * Weightscope's own front door: a model file that names its initial weights
 * (`init_from: simple.init.safetensors`) and its data (`data.npy`), parsed,
 * loaded by `loadModelResources` and trained by the `Trainer`, exactly as the
 * extension and the CLI do. The tolerances are those of mlp.test.ts, which
 * derives them (float32 cannot be bit-exact through GEMM summation orders).
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseModelFile, requireChain } from '../../engine/model';
import { loadModelResources } from '../../engine/model/resources';
import { Trainer } from '../../engine/train/trainer';
import type { DType } from '../../engine/tensor/dtype';
import { normwise } from './helpers/compare';
import { readFixtureJson, readSafetensors } from './helpers/fixtures';

const TOL: Record<DType, { loss: number; param: number }> = { float64: { loss: 1e-10, param: 1e-10 }, float32: { loss: 1e-6, param: 5e-6 } };

describe('golden runs through a model file (safetensors weights, npy data)', () => {
  for (const run of ['simple_mse', 'simple_bce']) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${run} (${dtype}): 5 AdamW steps equal torch`, async () => {
        const file = path.resolve('test/fixtures/mlp', `${run}.nn.json`);
        const { spec, tree, diagnostics } = parseModelFile(file, await readFile(file, 'utf8'));
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const resources = await loadModelResources(spec!, tree, (rel) => readFile(path.join(path.dirname(file), rel)), dtype);
        expect(resources.diagnostics).toEqual([]);
        expect(resources.checkpoint?.size).toBe(6);

        const fx = readFixtureJson<{ losses: number[]; steps: number; files: { trajectory: string } }>(`mlp/${run}.${dtype}.json`);
        const trainer = new Trainer(requireChain(spec!, 'training'), { dataset: resources.dataset, checkpoint: resources.checkpoint!, dtype });
        const trajectory = readSafetensors(`mlp/${fx.files.trajectory}`);
        for (let k = 1; k <= fx.steps; k++) {
          const r = trainer.step();
          expect(Math.abs(r.loss - fx.losses[k - 1]!) / Math.abs(fx.losses[k - 1]!), `step ${k} loss`).toBeLessThanOrEqual(TOL[dtype].loss);
          for (const [name, tensor] of trainer.built.parameters) {
            const expected = trajectory.tensors.get(`step${k}.param.${name}`)!;
            expect(normwise(tensor.data, expected.data as ArrayLike<number>), `step ${k} ${name}`).toBeLessThanOrEqual(TOL[dtype].param);
          }
        }
      });
    }
  }

  it('reports a checkpoint that does not fit the model in torch\'s words, on init_from', async () => {
    const file = path.resolve('test/fixtures/mlp', 'simple_mse.nn.json');
    const text = (await readFile(file, 'utf8')).replace('"out_features": 100 }', '"out_features": 50 }').replace('"in_features": 100,', '"in_features": 50,');
    const { spec, tree } = parseModelFile(file, text);
    const r = await loadModelResources(spec!, tree, (rel) => readFile(path.join(path.dirname(file), rel)));
    const d = r.diagnostics.find((x) => x.code === 'checkpoint-mismatch')!;
    expect(d.message).toContain('size mismatch for fc1.weight: copying a param with shape [100, 10] from checkpoint, the shape in current model is [50, 10]');
    expect(text.slice(d.range.start, d.range.end)).toBe('"simple.init.safetensors"');
    expect(r.checkpoint).toBeUndefined();
  });

  it('reports a missing data file on its key and falls back to synthetic data', async () => {
    const file = path.resolve('test/fixtures/mlp', 'simple_mse.nn.json');
    const text = (await readFile(file, 'utf8')).replace('"x.npy"', '"missing.npy"');
    const { spec, tree } = parseModelFile(file, text);
    const r = await loadModelResources(spec!, tree, (rel) => readFile(path.join(path.dirname(file), rel)));
    const d = r.diagnostics.find((x) => x.code === 'missing-file')!;
    expect(d.message).toContain('missing.npy');
    expect(text.slice(d.range.start, d.range.end)).toBe('"missing.npy"');
    expect(r.dataset?.description).toContain('synthetic');
  });
});
