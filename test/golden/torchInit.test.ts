/**
 * Initial weights bit-identical to torch 1.13 after `torch.manual_seed(seed)`:
 * every torch.nn.init function (orthogonal_ to 1e-6: its QR is LAPACK's in
 * float32 there, ours in double), every module of the catalogue with its
 * `reset_parameters`, and whole models read from their Python source, from
 * test/fixtures/torch_rng.json (regenerate: /usr/bin/python3
 * scripts/golden/gen_torch_rng.py). After each case the generator's next draws
 * must be torch's too: a fill whose values are overwritten still advances it.
 */
import { describe, expect, it } from 'vitest';
import { getInitializer } from '../../engine/init';
import { parseModelText } from '../../engine/model';
import { initialTensors } from '../../engine/model/initialize';
import { constructModule } from '../../engine/modules/catalogue';
import { materialize, scheduleDraws } from '../../engine/modules/materialize';
import { tensorEntries, type ArgValue, type ModuleNode } from '../../engine/modules/tree';
import { TorchGenerator } from '../../engine/random';
import { resolveText } from '../unit/pymodel/helpers';
import { expectTensor, expectTensorClose, readTorchRngFixture, type TensorRecord } from './helpers/torchRng';

interface InitCase { id: string; fn: string; args: Record<string, number | string>; shape: number[]; dtype: 'float32' | 'float64'; seed: number; result: TensorRecord; next: number[] }
type JsonArg = number | string | boolean | null | JsonArg[] | { module: CallSpec };
interface CallSpec { type: string; args: JsonArg[]; kwargs: Record<string, JsonArg> }
interface NamedTensor { name: string; result: TensorRecord }
interface ModuleCase { id: string; spec: CallSpec; seed: number; tensors: NamedTensor[]; next: number[] }
interface ModelCase { name: string; source: string; seed: number; tensors: NamedTensor[]; next: number[] }
interface ModelFileCase { name: string; text: string; source: string; tensors: NamedTensor[]; next: number[] }

const fixture = readTorchRngFixture();
const initCases = fixture.initializers as InitCase[];
const moduleCases = fixture.modules as ModuleCase[];
const modelCases = fixture.models as ModelCase[];
const modelFileCases = fixture.model_files as ModelFileCase[];

/** The next four random() mod 2³¹, as `torch.randint(0, 2**31, (4,))` draws them. */
const nextWords = (gen: TorchGenerator): number[] => [0, 1, 2, 3].map(() => gen.int(2 ** 31));

function toArg(v: JsonArg): ArgValue {
  if (Array.isArray(v)) return v.map(toArg);
  if (v !== null && typeof v === 'object') return { module: build(v.module) };
  return v;
}

function build(spec: CallSpec): ModuleNode {
  const keywords: Record<string, ArgValue> = {};
  for (const [k, v] of Object.entries(spec.kwargs)) keywords[k] = toArg(v);
  return constructModule(spec.type, spec.args.map(toArg), keywords);
}

describe('torch.nn.init after torch.manual_seed: torch’s values', () => {
  for (const c of initCases.filter((c) => c.fn !== 'sequence')) {
    it(c.id, () => {
      const gen = new TorchGenerator(c.seed);
      const n = c.shape.reduce((a, b) => a * b, 1);
      const tensor = { shape: c.shape, data: c.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n) };
      getInitializer(c.fn).apply(tensor, c.args, gen);
      // float64 normals go through the C library's double log/sin/cos (torchRng.test.ts) and orthogonal_ through
      // LAPACK: those agree to rounding, the rest bit for bit (trunc_normal_ too: its erfinv's erf/exp/log, float and
      // double, are the library's bits, erfinv.test.ts).
      if (c.fn === 'orthogonal_') expectTensorClose(Float64Array.from(tensor.data), c.result, 1e-6, c.id);
      else if (c.dtype === 'float64' && getInitializer(c.fn).draws !== 'uniform') expectTensorClose(tensor.data as Float64Array, c.result, 1e-14, c.id);
      else expectTensor(tensor.data, c.result, c.id);
      expect(nextWords(gen), 'the generator’s next draws').toEqual(c.next);
    });
    it(`${c.id}: advance() consumes what apply() does`, () => {
      const gen = new TorchGenerator(c.seed);
      getInitializer(c.fn).advance(c.shape, gen, c.dtype);
      expect(nextWords(gen)).toEqual(c.next);
    });
  }

  it('fills in sequence share the generator (a small normal_ caches its pair’s second value for the next)', () => {
    const c = initCases.find((x) => x.fn === 'sequence')!;
    const gen = new TorchGenerator(c.seed);
    const parts: [number[], string, Record<string, number>][] = [[[3], 'normal_', {}], [[5], 'normal_', { mean: 0.5, std: 2 }], [[2, 9], 'xavier_normal_', {}], [[1], 'trunc_normal_', {}]];
    const values: number[] = [];
    for (const [shape, fn, args] of parts) {
      const t = { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
      getInitializer(fn).apply(t, args, gen);
      values.push(...t.data);
    }
    expectTensor(values, c.result, c.id);
    expect(nextWords(gen)).toEqual(c.next);
  });
});

describe('module defaults (reset_parameters) after torch.manual_seed(0): torch’s values', () => {
  for (const c of moduleCases) {
    it(c.id, () => {
      const entries = tensorEntries(build(c.spec)).filter((e) => e.decl.kind === 'parameter' || e.decl.persistent);
      const gen = new TorchGenerator(c.seed);
      const schedule = scheduleDraws(entries, gen);
      const byName = new Map(entries.map((e) => [e.name, e]));
      for (const t of c.tensors) {
        const e = byName.get(t.name);
        expect(e, `${t.name} exists`).toBeDefined();
        expectTensor(materialize(e!.decl, schedule).data, t.result, `${c.id} ${t.name}`);
      }
      expect(nextWords(gen), 'the generator’s next draws').toEqual(c.next);
    });
  }
});

describe('whole models read from Python after torch.manual_seed(0): torch’s values', () => {
  for (const c of modelCases) {
    it(c.name, async () => {
      const file = await resolveText(c.source);
      const spec = file.models.find((m) => m.name === c.name)?.result.spec;
      expect(spec, `${c.name} resolves`).toBeDefined();
      const gen = new TorchGenerator(c.seed);
      const ours = new Map([...initialTensors(spec!, gen, 'float32')].map(([entry, p]) => [entry.name, p]));
      for (const t of c.tensors) {
        const p = ours.get(t.name);
        expect(p, `${t.name} exists`).toBeDefined();
        expectTensor(p!.data, t.result, `${c.name} ${t.name}`);
      }
      expect(nextWords(gen), 'the generator’s next draws').toEqual(c.next);
    });
  }
});

/**
 * A model file's fills against the torch code it means (scripts/golden/gen_torch_rng.py, MODEL_FILES): the model
 * built first, then the file's own fills bottom-up, then the top-level patterns; several `init` entries fill the same
 * tensors, and a constructor argument's fill runs before it is copied.
 */
describe('model files after torch.manual_seed(seed): the values of the torch code they mean', () => {
  for (const c of modelFileCases) {
    it(c.name, () => {
      const { spec, diagnostics } = parseModelText(c.text, 'json', c.name);
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const gen = new TorchGenerator(spec!.seed);
      const ours = new Map([...initialTensors(spec!, gen, 'float32')].map(([entry, p]) => [entry.name, p]));
      for (const t of c.tensors) {
        const p = ours.get(t.name);
        expect(p, `${t.name} exists`).toBeDefined();
        expectTensor(p!.data, t.result, `${c.name} ${t.name}`);
      }
      expect(nextWords(gen), 'the generator’s next draws').toEqual(c.next);
    });
  }
});
