/**
 * torch's own random numbers, bit for bit: the engine's generator and
 * sampling kernels against test/fixtures/torch_rng.json (torch 1.13 on an
 * AVX2 CPU; regenerate with /usr/bin/python3 scripts/golden/gen_torch_rng.py).
 */
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../engine/random/generator';
import { bernoulliFill, normalFill, randint, randperm, uniformFill } from '../../engine/random/kernels';
import { expectTensor, expectTensorClose, readTorchRngFixture, type RngCase } from './helpers/torchRng';

const fixture = readTorchRngFixture();

function alloc(dtype: unknown, n: number): Float32Array | Float64Array {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

function run(c: RngCase): Float32Array | Float64Array | Int32Array | number[] {
  const gen = new TorchGenerator(c.seed);
  const a = c.args as Record<string, number & string & number[]>;
  switch (c.op) {
    case 'randint':
      return randint(gen, a.low, a.high, a.n);
    case 'uniform': {
      const out = alloc(a.dtype, a.n);
      uniformFill(gen, out, a.from, a.to);
      return out;
    }
    case 'normal': {
      const out = alloc(a.dtype, a.n);
      normalFill(gen, out, a.mean, a.std);
      return out;
    }
    case 'bernoulli': {
      const out = alloc(a.dtype, a.n);
      bernoulliFill(gen, out, a.p);
      return out;
    }
    case 'normal-sequence': {
      const parts = (a.sizes as number[]).map((n) => {
        const out = new Float32Array(n);
        normalFill(gen, out, 0, 1);
        return Array.from(out);
      });
      return parts.flat();
    }
    case 'randperm':
      return randperm(gen, a.n);
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

describe('torch generator: the fixture was made where these paths apply', () => {
  it('is torch 1.13 on AVX2 without MKL', () => {
    expect(fixture.torch_version.startsWith('1.13')).toBe(true);
    expect(fixture.cpu_capability).toBe('AVX2');
    expect(fixture.mkl).toBe(false);
  });
});

/**
 * float64 normals go through glibc's double log, sin and cos, which V8's Math
 * functions (fdlibm) match only to a unit or two in the last place; every other
 * case, float64 uniforms included, is bit for bit.
 */
const throughLibm = (c: RngCase): boolean => c.op === 'normal' && c.args.dtype === 'float64' && (c.args.n as number) >= 3;

describe('torch generator: words and sampling kernels', () => {
  for (const c of fixture.primitives) {
    if (throughLibm(c)) it(`${c.id} (to 4e-16)`, () => expectTensorClose(run(c) as Float64Array, c.result, 4e-16, c.id));
    else it(c.id, () => expectTensor(run(c), c.result, c.id));
  }
});
