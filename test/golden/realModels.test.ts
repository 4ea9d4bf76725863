/**
 * PyTorch's numbers for real models: nine `.py` files written as the code
 * they stand for (PyTorch's MNIST example, a torchvision-style ResNet with
 * BatchNorm, nanoGPT, word_language_model's LSTM and Transformer, the
 * nn.Transformer tutorial's model, torchaudio's ConvTasNet, a U-Net level,
 * CleanRL's PPO agent), each trained 10 AdamW steps by torch
 * (scripts/golden/gen_training.py, test/fixtures/training/<model>/).
 *
 * The engine takes the path a user's file takes: the Python reader builds the
 * module tree and the forward graph, `# weightscope:` comments give `init_from`
 * (torch's initial weights), the NPY batch and the batch size, the optimizer
 * comes from the file's AdamW call, and the Trainer runs 10 steps. Each loss,
 * and after steps 1 and 10 every gradient, every updated parameter and every
 * running statistic, must be torch's: within 1e-10 in float64 and 1e-5 in
 * float32, the error of a tensor being max|ours − torch| / max|torch| (a
 * norm-wise relative error, so that entries near zero are judged at the
 * tensor's scale).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initializeParameters } from '../../engine/model/initialize';
import { loadModelResources } from '../../engine/model/resources';
import { TorchGenerator } from '../../engine/random';
import { isGraphModel, type GraphModelSpec } from '../../engine/model/spec';
import { Trainer } from '../../engine/train/trainer';
import type { DType } from '../../engine/tensor/dtype';
import { resolveText } from '../unit/pymodel/helpers';
import { fixturePath, readFixtureJson, readSafetensors, type StoredTensor } from './helpers/fixtures';

interface ParamGroup {
  params: string[];
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
}

interface TrainingFixture {
  model: string;
  torch_version: string;
  steps: number;
  recorded_steps: number[];
  parameters: Record<string, number[]>;
  buffers: string[];
  optimizer: { type: 'AdamW'; param_groups: ParamGroup[] };
  losses: Record<DType, number[]>;
}

const MODELS = ['mnist_net', 'resnet', 'gpt', 'lstm_lm', 'transformer_lm', 'seq2seq', 'tasnet', 'unet', 'ppo_agent'] as const;
const TOLERANCE: Record<DType, number> = { float64: 1e-10, float32: 1e-5 };

/**
 * max|a − b| / max|b| over the finite entries: 0 for equal tensors, and an entry near zero weighs by the tensor's
 * scale. Equal infinities (a causal mask's −inf) agree; any other non-finite entry, or a NaN, is an infinite error.
 */
function relativeError(ours: ArrayLike<number>, torch: ArrayLike<number>): number {
  if (ours.length !== torch.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < torch.length; i++) {
    const a = ours[i]!;
    const b = torch[i]!;
    if (a === b) {
      if (Number.isFinite(b)) scale = Math.max(scale, Math.abs(b));
      continue;
    }
    if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
    diff = Math.max(diff, Math.abs(a - b));
    scale = Math.max(scale, Math.abs(b));
  }
  return diff === 0 ? 0 : diff / scale;
}

async function readModel(name: string): Promise<GraphModelSpec> {
  const file = await resolveText(readFileSync(fixturePath(`training/${name}/model.py`), 'utf8'));
  const spec = file.models.find((m) => m.primary)?.result.spec;
  if (!spec || !isGraphModel(spec)) throw new Error(`${name}: the reader gives no forward graph (${spec?.forwardUnavailable ?? 'no model'})`);
  return spec;
}

/** The worst error of each kind over a 10-step run: the loss, and per recorded step the gradients, parameters and buffers. */
async function train(name: string, dtype: DType): Promise<{ errors: Record<string, number>; worst: { what: string; error: number } }> {
  const fx = readFixtureJson<TrainingFixture>(`training/${name}/training.json`);
  const spec = await readModel(name);
  const dir = fixturePath(`training/${name}`);
  const resources = await loadModelResources(spec, undefined, async (p) => readFileSync(join(dir, p)), dtype);
  expect(resources.diagnostics, 'the data and init_from load without a problem').toEqual([]);
  expect(resources.checkpoint, 'init_from is read').toBeDefined();
  const trainer = new Trainer(spec, { dataset: resources.dataset!, checkpoint: resources.checkpoint!, dtype });
  const graph = trainer.built.graph!;
  expect([...trainer.built.parameters.keys()].sort(), 'the parameters torch trains').toEqual(Object.keys(fx.parameters).sort());

  const recorded = readSafetensors(`training/${name}/steps.${dtype}.safetensors`).tensors;
  const errors: Record<string, number> = {};
  const note = (what: string, error: number): void => {
    errors[what] = Math.max(errors[what] ?? 0, error);
  };
  const worst = { what: '', error: -1 };
  const check = (what: string, ours: ArrayLike<number>, torch: ArrayLike<number>, kind: string): void => {
    const e = relativeError(ours, torch);
    note(kind, e);
    if (e > worst.error) Object.assign(worst, { what, error: e });
  };
  for (let step = 1; step <= fx.steps; step++) {
    const { loss } = trainer.step();
    check(`loss at step ${step}`, [loss], [fx.losses[dtype][step - 1]!], 'loss');
    if (!fx.recorded_steps.includes(step)) continue;
    for (const [param, tensor] of trainer.built.parameters) {
      const grad = stored(recorded, `step${step}.grad.${param}`);
      if (param.endsWith('in_proj_bias')) {
        // The key bias's third adds q·b_k to every score of a row, which softmax cancels: its exact gradient is 0,
        // and what either side computes is rounding noise, which Adam's m̂/√v̂ turns into steps of ±lr. So the
        // query and value thirds are compared, and the key third's gradient must be noise on both sides.
        const third = grad.length / 3;
        const keyNoise = (g: ArrayLike<number>): number => Math.max(...Array.from(g).slice(third, 2 * third).map(Math.abs)) / Math.max(...Array.from(g).map(Math.abs));
        expect(keyNoise(grad), `${param}: torch's key-bias gradient is rounding noise`).toBeLessThan(dtype === 'float64' ? 1e-12 : 1e-4);
        expect(keyNoise(tensor.grad!), `${param}: our key-bias gradient is rounding noise`).toBeLessThan(dtype === 'float64' ? 1e-12 : 1e-4);
        const qv = (x: ArrayLike<number>): number[] => [...Array.from(x).slice(0, third), ...Array.from(x).slice(2 * third)];
        check(`step ${step} ∂L/∂${param} (query and value)`, qv(tensor.grad!), qv(grad), 'grad');
        check(`step ${step} ${param} (query and value)`, qv(tensor.data), qv(stored(recorded, `step${step}.param.${param}`)), 'param');
        continue;
      }
      check(`step ${step} ∂L/∂${param}`, tensor.grad!, grad, 'grad');
      check(`step ${step} ${param}`, tensor.data, stored(recorded, `step${step}.param.${param}`), 'param');
    }
    for (const buffer of fx.buffers) check(`step ${step} ${buffer}`, graph.tensor(buffer)!.data, stored(recorded, `step${step}.buffer.${buffer}`), 'buffer');
  }
  return { errors, worst };
}

function stored(tensors: Map<string, StoredTensor>, key: string): ArrayLike<number> {
  const t = tensors.get(key);
  if (!t || t.data instanceof BigInt64Array) throw new Error(`the fixture has no float tensor ${key}`);
  return t.data;
}

describe.each(MODELS)('golden training of %s: the engine reads the .py file and trains 10 AdamW steps as torch', (name) => {
  const fx = readFixtureJson<TrainingFixture>(`training/${name}/training.json`);

  it('draws torch’s initial weights itself (torch.manual_seed(0)): bit for bit, orthogonal_ to float32 rounding', async () => {
    const spec = await readModel(name);
    const init = readSafetensors(`training/${name}/init.safetensors`).tensors;
    // orthogonal_ is a QR decomposition (LAPACK's in torch): the same matrix up to rounding, not the same bits.
    const tolerance = name === 'ppo_agent' ? 1e-6 : 0;
    for (const p of initializeParameters(spec, new TorchGenerator(spec.seed), 'float32')) {
      expect(relativeError(p.data, stored(init, p.name)), p.name).toBeLessThanOrEqual(tolerance);
    }
  });

  it('reads the optimizer torch used: AdamW, its hyper-parameters and the parameters without weight decay', async () => {
    const spec = await readModel(name);
    const groups = fx.optimizer.param_groups;
    const decays = [...new Set(groups.map((g) => g.weight_decay))];
    const noDecay = groups.filter((g) => g.weight_decay === 0 && decays.length > 1).flatMap((g) => g.params);
    const g = groups[0]!;
    const optimizer = spec.optimizer!;
    expect(optimizer.type).toBe('AdamW');
    expect(optimizer.lr).toBe(g.lr);
    const args = optimizer.args as Record<string, unknown>;
    expect(args.betas ?? [0.9, 0.999]).toEqual(g.betas);
    expect(args.eps ?? 1e-8).toBe(g.eps);
    expect(args.weight_decay ?? 0.01).toBe(Math.max(...decays));
    expect([...optimizer.noDecay].sort()).toEqual(noDecay.sort());
  });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: losses, gradients, parameters and running statistics within ${TOLERANCE[dtype]} of torch ${fx.torch_version}`, async () => {
      const { errors, worst } = await train(name, dtype);
      console.log(`${name} ${dtype}: ${Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}; worst: ${worst.what}`);
      expect(worst.error, `worst: ${worst.what}`).toBeLessThanOrEqual(TOLERANCE[dtype]);
    });
  }
});
