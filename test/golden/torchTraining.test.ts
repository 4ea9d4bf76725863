/**
 * A seeded PyTorch script and the engine agree step by step: the article's
 * SimpleModel with a Dropout, AdamW(lr=1e-3, weight_decay=1e-2) and
 * DataLoader(batch_size=16, shuffle=True), run under torch.manual_seed(0)
 * (scripts/golden/gen_torch_rng.py, test/fixtures/torch_rng.json), and the same
 * source read by the engine and trained by its Trainer: the same initial
 * weights, the same batch order, the same dropout masks, so the same 100
 * losses (float32; to 1e-6 relative, the slack being the order of float32
 * sums inside torch's matrix products).
 */
import { describe, expect, it } from 'vitest';
import { requireChain } from '../../engine/model/spec';
import { Trainer } from '../../engine/train/trainer';
import { resolveText } from '../unit/pymodel/helpers';
import { readTorchRngFixture } from './helpers/torchRng';

interface TrainingFixture {
  source: string;
  batch_size: number;
  shuffle: boolean;
  inputs: number[];
  targets: number[];
  input_dim: number;
  losses: number[];
}

const fx = readTorchRngFixture().training as TrainingFixture;

describe('training under torch.manual_seed(0): torch’s losses, with dropout and shuffling', () => {
  it('gives the 100 losses torch gives', async () => {
    const file = await resolveText(fx.source);
    const spec = requireChain(file.models.find((m) => m.name === 'SimpleModel')!.result.spec!, 'SimpleModel');
    expect(spec.seed).toBe(0);
    expect(spec.layers.some((l) => l.type === 'Dropout')).toBe(true);
    const count = fx.targets.length;
    const trainer = new Trainer(spec, {
      dataset: { count, inputDim: fx.input_dim, inputs: Float32Array.from(fx.inputs), targets: { kind: 'values', dim: 1, data: Float32Array.from(fx.targets) }, description: 'fixture' },
      batchSize: fx.batch_size,
      shuffle: fx.shuffle,
    });
    const losses = fx.losses.map(() => trainer.step().loss);
    const worst = Math.max(...losses.map((l, i) => Math.abs(l - fx.losses[i]!) / Math.abs(fx.losses[i]!)));
    expect(worst, `largest relative difference (ours ${losses.slice(0, 3).join(', ')} … torch ${fx.losses.slice(0, 3).join(', ')} …)`).toBeLessThanOrEqual(1e-6);
  });
});
