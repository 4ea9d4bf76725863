/**
 * Golden conformance of full training against PyTorch: forward, backward and
 * five AdamW steps of small MLPs, from test/fixtures/mlp (regenerate with
 * /usr/bin/python3 scripts/golden/generate.py). The engine builds the same
 * network (engine/nn), loads the same initial weights (safetensors) and batch
 * (npy), and must reproduce torch's loss, every gradient and every parameter
 * after every step.
 *
 * Tolerances. Errors are measured per tensor and normwise:
 *     err(ours, torch) = max_i |ours_i − torch_i| / max_i |torch_i|
 * (losses: |ours − torch| / |torch|). Element-wise relative error is not
 * meaningful for gradients: an entry that is a sum of terms cancelling to
 * ~0 has an arbitrary relative error in any floating-point order.
 *
 *  - float64: ≤ 1e-10. The engine and torch run the same math with different
 *    summation orders; in double each GEMM/reduction of K ≤ 100 terms is off
 *    by at most γ_K·Σ|terms| ≈ 100·2^-53 ≈ 1e-14 relative, and five steps of
 *    forward, backward and AdamW keep that far below 1e-10.
 *
 *  - float32: cannot be bit-exact. torch's CPU GEMM (MKL/OpenBLAS) and its
 *    reductions accumulate in float32 in a blocked, vectorized order; the
 *    engine's GEMM accumulates in float32 in the textbook order, its
 *    reductions in float64 (engine/tensor/gemm.ts, engine/tensor/index.ts).
 *    Different summation orders round differently, so the last bits of every
 *    Linear output, gradient and loss differ, and the differences propagate.
 *    Bound, with u = 2^-24 ≈ 6e-8: a K-term float32 dot product has error
 *    ≤ γ_K·Σ|a_i b_i| ≈ K·u (Higham, Accuracy and Stability, Thm 3.1), about
 *    √K·u for random rounding. Here K ≤ 100 (fc2's input), 32 for the batch
 *    sums of weight gradients, so one forward/backward gives gradient errors
 *    of order 1e-6 normwise (worst case ~1e-5). AdamW's direction
 *    m̂/(√v̂ + ε) is scale-free in g: a relative gradient error δ moves a step
 *    by ~2δ·lr, and entries whose gradient is itself at rounding level can
 *    move by up to ~lr, which is why parameter errors (~1e-6 of max|θ|) are
 *    much larger than one float32 rounding. Over five steps the errors add.
 *    Hence FLOAT32_TOL below. The fixture measures what float32 rounding
 *    actually does to this computation (torch's float32 run against its own
 *    float64 run); since the engine's float32 rounding errors are of the
 *    same size as torch's (both sum in float32) and independent of them,
 *    |ours − torch32| ≲ 2 × that measurement, and the test
 *    checks that each tolerance is ≥ 4 × the measurement. The tolerances are
 *    still tight enough to catch real bugs: e.g. dropping weight decay moves
 *    θ by lr·λ·|θ| = 1e-5·|θ| in the very first step (> 5e-6).
 *    A ReLU input at the kink could flip a unit between the two runs; the
 *    fixture records the smallest |ReLU input| seen (> 1e-4), far above the
 *    ~1e-6 float32 differences, so no unit flips.
 */
import { describe, expect, it } from 'vitest';
import {
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  GELU,
  LayerNorm,
  Linear,
  MSELoss,
  ReLU,
  Sequential,
  Tanh,
  zeroGrad,
  type Module,
} from '../../engine/nn';
import { Tensor } from '../../engine/tensor';
import type { DType, FloatArray } from '../../engine/tensor/dtype';
import { adamw } from '../../engine/optim/adamw';
import { step as optimizerStep } from '../../engine/optim/step';
import type { Params } from '../../engine/optim/transform';
import { readFixtureJson, readNpy, readSafetensors, type StoredTensor } from './helpers/fixtures';
import { normwise } from './helpers/compare';

const FLOAT64_TOL = { loss: 1e-10, grad: 1e-10, param: 1e-10 };
const FLOAT32_TOL = { loss: 1e-6, grad: 1e-5, param: 5e-6 };
/** AdamW replayed on torch's float64 gradients: unfused vs fused multiply-adds differ by a few ulps (measured ≤ 7e-15). */
const REPLAY_FLOAT64_RTOL = 1e-13;
/** A unit is safe from flipping between runs if its ReLU input is this far from 0. */
const RELU_MARGIN = 1e-5;

interface LayerSpec {
  type: 'linear' | 'relu' | 'tanh' | 'gelu' | 'layer_norm';
  name?: string;
  in_features?: number;
  out_features?: number;
  normalized_shape?: number;
  eps?: number;
}

interface RunFixture {
  format: string;
  torch_version: string;
  numpy_version: string;
  cpu_capability: string;
  run: string;
  dtype: DType;
  model: string;
  layers: LayerSpec[];
  param_names: string[];
  loss: 'mse' | 'bce_with_logits' | 'cross_entropy';
  loss_reduction: 'mean';
  optimizer: { type: 'adamw'; lr: number; betas: [number, number]; eps: number; weight_decay: number; amsgrad: boolean };
  steps: number;
  batch: number;
  files: { initial_weights: string; x: string; target: string; trajectory: string };
  losses: number[];
  diagnostics: {
    relu_input_min_abs: number | null;
    torch_float32_vs_float64_normwise: { loss: number; grad: number; param: number };
  };
}

interface Index {
  runs: { run: string; dtype: DType; json: string }[];
}

const index = readFixtureJson<Index>('mlp/index.json');

/** The network of a fixture, with children named as torch's state_dict. */
function buildModel(layers: LayerSpec[], dtype: DType): Sequential {
  const children: [string, Module][] = layers.map((spec, i) => {
    const name = spec.name ?? `act${i}`;
    switch (spec.type) {
      case 'linear':
        return [name, new Linear(spec.in_features!, spec.out_features!, { dtype })];
      case 'layer_norm':
        return [name, new LayerNorm(spec.normalized_shape!, { eps: spec.eps!, dtype })];
      case 'relu':
        return [name, new ReLU()];
      case 'tanh':
        return [name, new Tanh()];
      case 'gelu':
        return [name, new GELU('none')];
    }
  });
  return new Sequential(children);
}

function toFloat(stored: StoredTensor, dtype: DType): FloatArray {
  if (stored.data instanceof BigInt64Array || stored.data instanceof Int32Array) throw new Error('expected a float tensor');
  return dtype === 'float32' ? Float32Array.from(stored.data) : Float64Array.from(stored.data);
}

interface Step {
  loss: number;
  grads: Record<string, FloatArray>;
  params: Record<string, FloatArray>;
}

/** Train like the generator: full batch, zero_grad → forward → loss → backward → AdamW step. */
function trainWithEngine(fx: RunFixture): Step[] {
  const model = buildModel(fx.layers, fx.dtype);
  const named = model.namedParameters();
  expect(named.map((p) => p.name)).toEqual(fx.param_names);

  const init = readSafetensors(`mlp/${fx.files.initial_weights}`);
  expect(init.metadata.torch_version).toBe(fx.torch_version);
  for (const { name, tensor } of named) {
    const stored = init.tensors.get(name);
    if (!stored) throw new Error(`${fx.files.initial_weights} has no ${name}`);
    expect(stored.shape).toEqual([...tensor.shape]);
    tensor.data.set(toFloat(stored, fx.dtype)); // float32 → float64 widening is exact
  }

  const xs = readNpy(`mlp/${fx.files.x}`);
  const x = Tensor.from(toFloat(xs, fx.dtype), xs.shape, { dtype: fx.dtype });
  const ys = readNpy(`mlp/${fx.files.target}`);
  let lossOf: (out: Tensor) => Tensor;
  if (fx.loss === 'cross_entropy') {
    const labels = Array.from(ys.data as BigInt64Array, Number);
    const ce = new CrossEntropyLoss();
    lossOf = (out) => ce.forward(out, labels);
  } else {
    const y = Tensor.from(toFloat(ys, fx.dtype), ys.shape, { dtype: fx.dtype });
    const criterion = fx.loss === 'mse' ? new MSELoss() : new BCEWithLogitsLoss();
    lossOf = (out) => criterion.forward(out, y);
  }

  const o = fx.optimizer;
  const optimizer = adamw({ lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weight_decay, amsgrad: o.amsgrad });
  const params: Params = Object.fromEntries(named.map(({ name, tensor }) => [name, tensor.data]));
  let state = optimizer.init(params);

  const steps: Step[] = [];
  for (let k = 1; k <= fx.steps; k++) {
    zeroGrad(model);
    const loss = lossOf(model.forward(x));
    loss.backward();
    const grads: Record<string, FloatArray> = {};
    for (const { name, tensor } of named) grads[name] = tensor.grad!.slice();
    ({ state } = optimizerStep(optimizer, params, grads, state));
    steps.push({ loss: loss.item(), grads, params: Object.fromEntries(named.map(({ name, tensor }) => [name, tensor.data.slice()])) });
  }
  return steps;
}

describe('golden MLP training (forward, backward, AdamW) equals torch', () => {
  it('fixtures cover three runs in both dtypes', () => {
    expect(index.runs.map((r) => `${r.run}.${r.dtype}`).sort()).toEqual(
      ['act_ce.float32', 'act_ce.float64', 'simple_bce.float32', 'simple_bce.float64', 'simple_mse.float32', 'simple_mse.float64'],
    );
  });

  for (const entry of index.runs) {
    const fx = readFixtureJson<RunFixture>(`mlp/${entry.json}`);
    const tol = fx.dtype === 'float64' ? FLOAT64_TOL : FLOAT32_TOL;

    describe(`${fx.run} (${fx.dtype}, torch ${fx.torch_version})`, () => {
      it('fixture is self-consistent and the float32 tolerance has headroom over measured rounding', () => {
        expect(fx.format).toBe('weightscope-golden-mlp/1');
        expect(fx.losses).toHaveLength(fx.steps);
        // float32 numbers in JSON are written as the exact double of the float32 value.
        if (fx.dtype === 'float32') for (const v of fx.losses) expect(Math.fround(v)).toBe(v);
        const measured = fx.diagnostics.torch_float32_vs_float64_normwise;
        for (const key of ['loss', 'grad', 'param'] as const) {
          expect(4 * measured[key], `FLOAT32_TOL.${key} vs torch's float32-vs-float64 ${measured[key]}`).toBeLessThanOrEqual(FLOAT32_TOL[key]);
        }
        if (fx.diagnostics.relu_input_min_abs !== null) expect(fx.diagnostics.relu_input_min_abs).toBeGreaterThan(RELU_MARGIN);
      });

      it(`5 steps: loss (rel ≤ ${tol.loss}), every gradient (≤ ${tol.grad}) and parameter (≤ ${tol.param}) normwise`, () => {
        const traj = readSafetensors(`mlp/${fx.files.trajectory}`);
        expect(traj.metadata.dtype).toBe(fx.dtype);
        const ours = trainWithEngine(fx);
        const report: string[] = [];
        let worst = { loss: 0, grad: 0, param: 0 };
        ours.forEach((step, i) => {
          const k = i + 1;
          const lossErr = Math.abs(step.loss - fx.losses[i]!) / Math.abs(fx.losses[i]!);
          worst.loss = Math.max(worst.loss, lossErr);
          if (lossErr > tol.loss) report.push(`step ${k} loss: ours ${step.loss} torch ${fx.losses[i]} (rel ${lossErr.toExponential(2)})`);
          for (const name of fx.param_names) {
            for (const kind of ['grad', 'param'] as const) {
              const stored = traj.tensors.get(`step${k}.${kind}.${name}`);
              if (!stored) throw new Error(`trajectory lacks step${k}.${kind}.${name}`);
              const err = normwise(kind === 'grad' ? step.grads[name]! : step.params[name]!, stored.data as FloatArray);
              worst = { ...worst, [kind]: Math.max(worst[kind], err) };
              if (err > tol[kind]) report.push(`step ${k} ${kind} ${name}: normwise error ${err.toExponential(2)} > ${tol[kind]}`);
            }
          }
        });
        expect(report, `worst: loss ${worst.loss.toExponential(2)}, grad ${worst.grad.toExponential(2)}, param ${worst.param.toExponential(2)}`).toEqual([]);
      });

      it(`AdamW alone, replayed on torch's gradients, gives torch's parameters (${fx.dtype === 'float32' ? 'bit-exact' : `≤ ${REPLAY_FLOAT64_RTOL} rel`})`, () => {
        // Feeding torch's own gradients removes the GEMM summation-order
        // differences, so what remains is the optimizer's arithmetic alone.
        // float32: the engine emulates torch's AVX2 kernels (fused multiply-
        // adds, float32 scalars), so every bit must agree when the fixture was
        // made with FMA kernels. float64: the engine does not emulate FMA
        // contraction (engine/optim/float32.ts), so a few elements differ by
        // a few ulps.
        const traj = readSafetensors(`mlp/${fx.files.trajectory}`);
        const init = readSafetensors(`mlp/${fx.files.initial_weights}`);
        const params: Record<string, FloatArray> = {};
        for (const name of fx.param_names) params[name] = toFloat(init.tensors.get(name)!, fx.dtype);
        const o = fx.optimizer;
        const optimizer = adamw({ lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weight_decay, amsgrad: o.amsgrad });
        let state = optimizer.init(params);
        const fused = /AVX/.test(fx.cpu_capability);
        for (let k = 1; k <= fx.steps; k++) {
          const grads: Record<string, FloatArray> = {};
          for (const name of fx.param_names) grads[name] = toFloat(traj.tensors.get(`step${k}.grad.${name}`)!, fx.dtype);
          ({ state } = optimizerStep(optimizer, params, grads, state));
          for (const name of fx.param_names) {
            const expected = toFloat(traj.tensors.get(`step${k}.param.${name}`)!, fx.dtype);
            const ours = params[name]!;
            if (fx.dtype === 'float32' && fused) {
              let differing = 0;
              for (let i = 0; i < ours.length; i++) if (ours[i] !== expected[i]) differing++;
              expect(differing, `step ${k} ${name}: ${differing} of ${ours.length} float32 values differ from torch`).toBe(0);
            } else {
              for (let i = 0; i < ours.length; i++) {
                const rel = Math.abs(ours[i]! - expected[i]!) / Math.abs(expected[i]!);
                if (!(rel <= (fx.dtype === 'float32' ? FLOAT32_TOL.param : REPLAY_FLOAT64_RTOL))) {
                  expect.fail(`step ${k} ${name}[${i}]: ours ${ours[i]} torch ${expected[i]} (rel ${rel})`);
                }
              }
            }
          }
        }
      });
    });
  }
});
