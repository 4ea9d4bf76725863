/**
 * torch 1.13's float32 erfinv and trunc_normal_ bit for bit, and the C library
 * functions its erfinv kernel calls (glibc 2.36's erff, and the FMA builds of
 * expf and logf it picks on an AVX2 CPU), from test/fixtures/erfinv/
 * (regenerate: /usr/bin/python3 scripts/golden/gen_erfinv.py). Inputs are
 * ranges of float32 bit patterns, expanded here as the generator expands them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trunc_normal_ } from '../../engine/init/truncNormal';
import { erf } from '../../engine/numeric/libm/erf';
import { erff } from '../../engine/numeric/libm/erff';
import { exp } from '../../engine/numeric/libm/exp';
import { log } from '../../engine/numeric/libm/log';
import { expf, expfExact } from '../../engine/numeric/libm/expf';
import { logf, logfExact } from '../../engine/numeric/libm/logf';
import { TorchGenerator } from '../../engine/random';
import { erfinvDouble, erfinvFloat } from '../../engine/random/erfinv';
import { fixturePath, readFixtureJson } from './helpers/fixtures';

interface BitRange { start: number; step: number; count: number }
interface Section { ranges: BitRange[]; count: number }
interface TruncCase { mean: number; std: number; a: number; b: number; n: number; seed: number; offset: number }
/** float64 ranges: the start's bits as a hex string. */
interface BitRange64 { start: string; step: number; count: number }
interface Section64 { ranges: BitRange64[]; count: number }
interface Fixture {
  cpu_capability: string;
  libm: Record<'erff' | 'expf' | 'logf', Section>;
  erfinv: Section;
  trunc_normal: TruncCase[];
  libm64: Record<'erf' | 'exp' | 'log', Section64>;
  erfinv64: Section64;
  trunc_normal64: TruncCase[];
}

const fixture = readFixtureJson<Fixture>('erfinv/erfinv.json');

function readF32(name: string): Float32Array {
  const bytes = readFileSync(fixturePath(`erfinv/${name}`));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true));
}

function readF64(name: string): Float64Array {
  const bytes = readFileSync(fixturePath(`erfinv/${name}`));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float64Array.from({ length: bytes.byteLength / 8 }, (_, i) => view.getFloat64(8 * i, true));
}

function expand64(section: Section64): Float64Array {
  const bits = new BigUint64Array(section.count);
  let k = 0;
  for (const r of section.ranges) for (let i = 0; i < r.count; i++) bits[k++] = BigInt(r.start) + BigInt(i) * BigInt(r.step);
  expect(k).toBe(section.count);
  return new Float64Array(bits.buffer);
}

function expand(section: Section): Float32Array {
  const bits = new Uint32Array(section.count);
  let k = 0;
  for (const r of section.ranges) for (let i = 0; i < r.count; i++) bits[k++] = r.start + i * r.step;
  expect(k).toBe(section.count);
  return new Float32Array(bits.buffer);
}

const bitsOf = (x: number): string => {
  const b = new Uint32Array(new Float32Array([x]).buffer)[0]!;
  return `0x${b.toString(16).padStart(8, '0')}`;
};

/** Every input whose output differs from torch's in bits (NaN matches NaN; +0 and −0 differ). */
function mismatches(xs: Float32Array | Float64Array, ours: (x: number) => number, theirs: Float32Array | Float64Array, offset = 0): string[] {
  const out: string[] = [];
  const round = xs instanceof Float32Array ? Math.fround : (v: number): number => v;
  for (let i = 0; i < xs.length; i++) {
    const a = round(ours(xs[i]!));
    const b = theirs[offset + i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!Object.is(a, b)) out.push(xs instanceof Float32Array ? `x=${xs[i]} (${bitsOf(xs[i]!)}): ours ${a} (${bitsOf(a)}), torch ${b} (${bitsOf(b)})` : `x=${xs[i]}: ours ${a}, torch ${b}`);
  }
  return out;
}

describe('glibc 2.36 float functions (as torch’s erfinv kernel calls them): the machine’s bits', () => {
  const libm = readF32('libm.f32');
  // expf and logf have a fast path that falls back to the library's exact steps near a float midpoint: both checked.
  const fns = { erff: [erff], expf: [expf, expfExact], logf: [logf, logfExact] };
  let offset = 0;
  for (const name of ['erff', 'expf', 'logf'] as const) {
    const section = fixture.libm[name];
    const start = offset;
    offset += section.count;
    for (const fn of fns[name]) {
      it(`${fn.name} on ${section.count} arguments`, () => {
        const bad = mismatches(expand(section), fn, libm, start);
        expect(bad.slice(0, 10), `${bad.length} of ${section.count} differ`).toEqual([]);
      });
    }
  }
  it('the fixture holds exactly these sections', () => expect(offset).toBe(libm.length));
});

describe('torch.erfinv of float32 (the AVX2 build’s calc_erfinv): bit for bit', () => {
  it(`on ${fixture.erfinv.count} arguments in and around (−1, 1)`, () => {
    expect(fixture.cpu_capability).toBe('AVX2');
    const theirs = readF32('erfinv.f32');
    expect(theirs.length).toBe(fixture.erfinv.count);
    const bad = mismatches(expand(fixture.erfinv), erfinvFloat, theirs);
    expect(bad.slice(0, 10), `${bad.length} of ${theirs.length} differ`).toEqual([]);
  });
});

describe('nn.init.trunc_normal_ on float32 after torch.manual_seed: bit for bit', () => {
  const values = readF32('trunc_normal.f32');
  for (const c of fixture.trunc_normal) {
    it(`seed ${c.seed}, n ${c.n}, mean ${c.mean}, std ${c.std}, [${c.a}, ${c.b}]`, () => {
      const tensor = { shape: [c.n], data: new Float32Array(c.n) };
      trunc_normal_(tensor, new TorchGenerator(c.seed), { mean: c.mean, std: c.std, a: c.a, b: c.b });
      const theirs = values.subarray(c.offset, c.offset + c.n);
      const bad: string[] = [];
      for (let i = 0; i < c.n; i++) if (!Object.is(tensor.data[i], theirs[i])) bad.push(`[${i}] ours ${tensor.data[i]}, torch ${theirs[i]}`);
      expect(bad.slice(0, 10), `${bad.length} of ${c.n} differ`).toEqual([]);
    });
  }
});

describe('float64: glibc 2.36’s erf, exp, log, torch.erfinv and trunc_normal_, bit for bit', () => {
  const libm = readF64('libm64.f64');
  const fns = { erf, exp, log };
  let offset = 0;
  for (const name of ['erf', 'exp', 'log'] as const) {
    const section = fixture.libm64[name];
    const start = offset;
    offset += section.count;
    it(`${name} on ${section.count} arguments`, () => {
      const bad = mismatches(expand64(section), fns[name], libm, start);
      expect(bad.slice(0, 10), `${bad.length} of ${section.count} differ`).toEqual([]);
    });
  }
  it('the fixture holds exactly these sections', () => expect(offset).toBe(libm.length));

  it(`torch.erfinv on ${fixture.erfinv64.count} arguments in and around (−1, 1)`, () => {
    const theirs = readF64('erfinv64.f64');
    expect(theirs.length).toBe(fixture.erfinv64.count);
    const bad = mismatches(expand64(fixture.erfinv64), erfinvDouble, theirs);
    expect(bad.slice(0, 10), `${bad.length} of ${theirs.length} differ`).toEqual([]);
  });

  const values = readF64('trunc_normal64.f64');
  for (const c of fixture.trunc_normal64) {
    it(`trunc_normal_ seed ${c.seed}, n ${c.n}, mean ${c.mean}, std ${c.std}, [${c.a}, ${c.b}]`, () => {
      const tensor = { shape: [c.n], data: new Float64Array(c.n) };
      trunc_normal_(tensor, new TorchGenerator(c.seed), { mean: c.mean, std: c.std, a: c.a, b: c.b });
      const theirs = values.subarray(c.offset, c.offset + c.n);
      const bad: string[] = [];
      for (let i = 0; i < c.n; i++) if (!Object.is(tensor.data[i], theirs[i])) bad.push(`[${i}] ours ${tensor.data[i]}, torch ${theirs[i]}`);
      expect(bad.slice(0, 10), `${bad.length} of ${c.n} differ`).toEqual([]);
    });
  }
});
