#!/usr/bin/env node
// Nanoseconds per element of AdamW's per-element kernels, JavaScript against WebAssembly, by tensor
// size: the measurement behind ADAMW_WASM_MIN_LENGTH (engine/optim/adamWasm.ts). For each size, four
// kernels: Adam's moments and the θ update, each untraced and traced (with the sums a per-step trace
// takes). Every call includes what the optimizer pays per tensor (the copies in and out, the call).
// Rounds alternate JavaScript and WebAssembly and the median of the rounds is printed, so that a
// machine busy with other work skews both sides alike.
//   node scripts/bench-adamw-kernels.mjs [float32|float64] [sizes, comma-separated]
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dtype = process.argv[2] ?? 'float32';
const sizes = (process.argv[3] ?? '1,10,100,256,1000,4096').split(',').map(Number);

const entry = `
import { adamKernel, adamKernelWasm, adamSums } from './engine/optim/adam';
import { decayAndRatioTraced, fuseDecayAndRatio, fuseDecayAndRatioWasm } from './engine/optim/apply';
import { decayAndRatioWasm } from './engine/optim/adamWasm';
import { arithmeticOf } from './engine/optim/float32';
import { Rng } from './engine/rng';
export { adamKernel, adamKernelWasm, adamSums, decayAndRatioTraced, fuseDecayAndRatio, fuseDecayAndRatioWasm, decayAndRatioWasm, arithmeticOf, Rng };
`;
const work = mkdtempSync(path.join(tmpdir(), 'adamw-kernels-'));
const out = path.join(work, 'kernels.mjs');
try {
  await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
  const K = await import(pathToFileURL(out).href);
  run(K);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function run(K) {
  // A first pass over every size warms the JIT (and sees every size once, as a model's step does); the second is printed.
  measure(K, 1);
  const rows = measure(K, 9);
  console.log(`ns per element, ${dtype}, median of 9 alternating rounds`);
  console.table(rows);
}

function measure(K, rounds) {
  const Type = dtype === 'float64' ? Float64Array : Float32Array;
  const A = K.arithmeticOf(new Type(1));
  const rows = [];
  for (const n of sizes) {
    const rng = new K.Rng(n);
    const rand = () => rng.uniform();
    const g = Type.from({ length: n }, () => (rand() - 0.5) * 1e-2);
    const state = () => ({ step: 1, m: Type.from(g, (x) => x * 0.3), v: Type.from(g, (x) => x * x), vMax: null, denom: new Type(n) });
    const s = state();
    K.adamKernel(g, s, 0.9, 0.999, 1e-8, 0.1);
    const theta = Type.from({ length: n }, () => rand() - 0.5);
    const terms = [
      { kind: 'decay', label: 'decay', scale: -1e-5, divisor: 1 },
      { kind: 'ratio', label: 'adam', numer: s.m, denom: s.denom, scale: -1e-3, divisor: 0.1 },
    ];
    const keep = A.round(1 - 1e-5), c = A.round(-1e-2);
    const before = new Float64Array(n), squares = new Float64Array(2), raw = new Float64Array(8);
    const epsilon = A.round(1e-8);
    // Each kernel runs on its own copies (the moments drift a little over the repetitions: harmless).
    const js = state(), wasm = state(), jsT = state(), wasmT = state();
    const th = [theta.slice(), theta.slice(), theta.slice(), theta.slice()];
    const kernels = {
      moments: [() => K.adamKernel(g, js, 0.9, 0.999, 1e-8, 0.1), () => K.adamKernelWasm(g, wasm, 0.9, 0.999, 1e-8, 0.1)],
      'moments traced': [
        () => { K.adamKernel(g, jsT, 0.9, 0.999, 1e-8, 0.1); K.adamSums(jsT.m, jsT.denom, epsilon, raw); },
        () => K.adamKernelWasm(g, wasmT, 0.9, 0.999, 1e-8, 0.1, raw),
      ],
      update: [() => K.fuseDecayAndRatio(th[0], terms, A), () => K.fuseDecayAndRatioWasm(th[1], terms, A)],
      'update traced': [
        () => K.decayAndRatioTraced(th[2], s.m, s.denom, keep, c, A, before, squares),
        () => { before.set(th[3]); K.decayAndRatioWasm(th[3], s.m, s.denom, keep, c, squares); },
      ],
    };
    const calls = Math.max(200, Math.round(400000 / n));
    for (const [name, [jsRun, wasmRun]] of Object.entries(kernels)) {
      const times = [[], []];
      for (let round = 0; round < rounds; round++) {
        for (const [side, f] of [[0, jsRun], [1, wasmRun]]) {
          const t0 = process.hrtime.bigint();
          for (let i = 0; i < calls; i++) f();
          times[side].push(Number(process.hrtime.bigint() - t0) / calls / n);
        }
      }
      const [jsNs, wasmNs] = times.map(median);
      rows.push({ n, kernel: name, js: +jsNs.toFixed(2), wasm: +wasmNs.toFixed(2), 'js/wasm': +(jsNs / wasmNs).toFixed(2) });
    }
  }
  return rows;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

