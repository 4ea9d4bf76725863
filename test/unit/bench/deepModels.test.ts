/**
 * The deep-model training workloads (bench/deepModels.ts) read the same files
 * the PyTorch peer imports: only the instantiation and the optimizer are
 * replaced, the model read has torch's parameters (counts from
 * `sum(p.numel() for p in model.parameters())` under Debian's torch), its
 * forward graph computes the loss, and the Trainer steps it as a graph model.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { benchSource, DEEP_MODEL_FILES, deepTrainingStep, readGraphModel } from '../../../bench/deepModels';
import { ADAMW, FULL_SIZES, SMOKE_SIZES } from '../../../bench/workloads';
import { parameterCount } from '../../../engine/model/moduleTree';

const root = path.resolve(__dirname, '../../..');

describe('deep-model workloads', () => {
  it('replace only the last two lines of the model files: the sized instantiation and the benchmark\'s AdamW', () => {
    const gpt = benchSource(root, 'char-gpt', FULL_SIZES.charGpt).split('\n');
    const at = gpt.findIndex((l) => l.startsWith('model = '));
    expect(gpt[at]).toBe('model = GPT(GPTConfig(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128))');
    expect(gpt[at + 1]).toBe(`optimizer = torch.optim.AdamW(model.parameters(), lr=${ADAMW.lr}, betas=(0.9, 0.999), eps=1e-8, weight_decay=${ADAMW.weightDecay})`);
    const cnn = benchSource(root, 'mnist-cnn', SMOKE_SIZES.mnistCnn);
    expect(cnn).toContain('model = Net(NetConfig(channels=2, hidden=8, classes=3, image=28))');
    expect(cnn).toContain('return output, F.nll_loss(output, target)');
  });

  it("read the models with torch's parameter counts and a forward that returns the loss", async () => {
    const cnn = await readGraphModel(benchSource(root, 'mnist-cnn', FULL_SIZES.mnistCnn), DEEP_MODEL_FILES['mnist-cnn']);
    expect(parameterCount(cnn)).toBe(1_199_882);
    expect(cnn.graph.loss).toMatchObject({ targetsInput: 1, output: 1, prediction: 0 });
    const gpt = await readGraphModel(benchSource(root, 'char-gpt', FULL_SIZES.charGpt), DEEP_MODEL_FILES['char-gpt']);
    expect(parameterCount(gpt)).toBe(809_856);
    expect(gpt.graph.input).toEqual({ kind: 'tokens', vocab: 65, length: 64 });
    expect(parameterCount(await readGraphModel(benchSource(root, 'mnist-cnn', SMOKE_SIZES.mnistCnn), 'smoke'))).toBe(4739);
  });

  it('train on the Trainer as a graph model, with finite losses', async () => {
    for (const workload of ['mnist-cnn', 'char-gpt'] as const) {
      const sizes = workload === 'mnist-cnn' ? SMOKE_SIZES.mnistCnn : SMOKE_SIZES.charGpt;
      const { trainer } = await deepTrainingStep(root, workload, sizes);
      const losses = Array.from({ length: 3 }, () => trainer.step().loss);
      for (const loss of losses) expect(Number.isFinite(loss) && loss > 0, `${workload}: ${loss}`).toBe(true);
      expect(trainer.stepCount).toBe(3);
      expect(trainer.built.graph).toBeDefined();
    }
  });
});
