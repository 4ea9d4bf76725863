#!/usr/bin/env node
// Builds the WebAssembly SIMD kernels from their C source with Debian's clang and lld
// (apt-get install clang lld) and writes each module's bytes as base64 into a TypeScript
// module next to the source, which the engine imports (the engine reads no files).
//   engine/tensor/wasm/gemm.c  →  engine/tensor/wasm/gemmWasm.ts        (own memory)
//                              →  engine/tensor/wasm/gemmSharedWasm.ts  (imports a shared memory, for
//                                                                        the multi-threaded GEMM)
//                              →  engine/tensor/wasm/gemmFusedWasm.ts, gemmFusedSharedWasm.ts (the same
//                                                                        two with -DGEMM_FUSED: relaxed_madd)
//   engine/optim/wasm/adamw.c  →  engine/optim/wasm/adamwWasm.ts       (AdamW's per-element kernels; built
//                                                                        with -ffp-contract=off: bit-equal to
//                                                                        JavaScript, which never fuses a·b + c;
//                                                                        and -fno-slp-vectorize, see below)
//   engine/tensor/wasm/relu.c  →  engine/tensor/wasm/reluWasm.ts        (ReLU forward and backward)
//   engine/tensor/wasm/im2col.c → engine/tensor/wasm/im2colWasm.ts    (a convolution's im2col and col2im)
//   engine/tensor/wasm/maxPool.c → engine/tensor/wasm/maxPoolWasm.ts  (max_pool2d(x, 2) with its indices)
//   engine/tensor/wasm/strided.c → engine/tensor/wasm/stridedWasm.ts  (strided copies and scatters, column sums;
//                                                                        -ffp-contract=off)
//   engine/tensor/wasm/layerNorm.c → engine/tensor/wasm/layerNormWasm.ts (LayerNorm's rows, forward and backward;
//                                                                        -ffp-contract=off)
//   engine/tensor/wasm/softmax.c → engine/tensor/wasm/softmaxWasm.ts  (softmax's rows, forward and backward, with
//                                                                        Math.exp imported; -ffp-contract=off)
//   engine/tensor/wasm/elementwise.c → engine/tensor/wasm/elementwiseWasm.ts (+ − × ÷ over a broadcast plan,
//                                                                        masked_fill; -ffp-contract=off)
//   engine/random/wasm/normal.c → engine/random/wasm/normalWasm.ts      (torch's float32 normal_ and uniform_,
//                                                                        MT19937 included; -ffp-contract=off)
//                              →  engine/random/wasm/normalRelaxedWasm.ts (the same with f32x4.relaxed_madd
//                                                                        for torch's fused multiply-adds;
//                                                                        used where the runtime fuses it)
// Without clang the committed modules are kept (the build says so); the engine also runs
// without WebAssembly, on its JavaScript kernels. Run by scripts/build.mjs, or alone.
//
// A kernel marked `relaxed` uses relaxed SIMD (f32x4.relaxed_madd, engine/numeric/relaxedSimd.ts) and needs
// clang ≥ 16 (apt-get install clang-16 lld-16): clang 14 knows only the proposal's early opcodes, which no
// runtime accepts now. The other kernels keep being built with `clang`, so that their bytes stay as committed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// A shared memory must declare its maximum size: 2 GiB (the host creates it smaller and grows it).
const SHARED = ['-matomics', '-Wl,--import-memory', '-Wl,--shared-memory', '-Wl,--max-memory=2147483648'];
// -fno-slp-vectorize for adamw.c: clang 14's WebAssembly backend miscompiled the scalar tail of the traced
// θ update (adamw64), where the SLP vectorizer packs θ_before and Δθ into one f64x2 to square them: the
// packing reloaded θ_before from memory with v128.load64_splat after the loop had stored θ_after there,
// so Σθ_before² summed θ_after (test/unit/optim/adam-wasm.test.ts caught it). The kernels' SIMD is
// written by hand with intrinsics, which the flag leaves alone.
const KERNELS = [
  { source: 'engine/tensor/wasm/gemm.c', output: 'engine/tensor/wasm/gemmWasm.ts', name: 'GEMM_WASM_BASE64', extra: [] },
  { source: 'engine/tensor/wasm/gemm.c', output: 'engine/tensor/wasm/gemmSharedWasm.ts', name: 'GEMM_SHARED_WASM_BASE64', extra: SHARED },
  // The fused builds: -ffp-contract=off keeps clang from fusing anything the source does not ask to fuse.
  { source: 'engine/tensor/wasm/gemm.c', output: 'engine/tensor/wasm/gemmFusedWasm.ts', name: 'GEMM_FUSED_WASM_BASE64', relaxed: true, extra: ['-DGEMM_FUSED', '-ffp-contract=off'] },
  { source: 'engine/tensor/wasm/gemm.c', output: 'engine/tensor/wasm/gemmFusedSharedWasm.ts', name: 'GEMM_FUSED_SHARED_WASM_BASE64', relaxed: true, extra: ['-DGEMM_FUSED', '-ffp-contract=off', ...SHARED] },
  { source: 'engine/optim/wasm/adamw.c', output: 'engine/optim/wasm/adamwWasm.ts', name: 'ADAMW_WASM_BASE64', extra: ['-ffp-contract=off', '-fno-slp-vectorize'] },
  { source: 'engine/tensor/wasm/relu.c', output: 'engine/tensor/wasm/reluWasm.ts', name: 'RELU_WASM_BASE64', extra: [] },
  { source: 'engine/tensor/wasm/im2col.c', output: 'engine/tensor/wasm/im2colWasm.ts', name: 'IM2COL_WASM_BASE64', extra: [] },
  { source: 'engine/tensor/wasm/maxPool.c', output: 'engine/tensor/wasm/maxPoolWasm.ts', name: 'MAX_POOL_WASM_BASE64', extra: [] },
  { source: 'engine/tensor/wasm/strided.c', output: 'engine/tensor/wasm/stridedWasm.ts', name: 'STRIDED_WASM_BASE64', extra: ['-ffp-contract=off'] },
  { source: 'engine/tensor/wasm/layerNorm.c', output: 'engine/tensor/wasm/layerNormWasm.ts', name: 'LAYER_NORM_WASM_BASE64', extra: ['-ffp-contract=off'] },
  { source: 'engine/tensor/wasm/softmax.c', output: 'engine/tensor/wasm/softmaxWasm.ts', name: 'SOFTMAX_WASM_BASE64', extra: ['-ffp-contract=off'] },
  { source: 'engine/tensor/wasm/elementwise.c', output: 'engine/tensor/wasm/elementwiseWasm.ts', name: 'ELEMENTWISE_WASM_BASE64', extra: ['-ffp-contract=off'] },
  { source: 'engine/random/wasm/normal.c', output: 'engine/random/wasm/normalWasm.ts', name: 'NORMAL_WASM_BASE64', extra: ['-ffp-contract=off'] },
  { source: 'engine/random/wasm/normal.c', output: 'engine/random/wasm/normalRelaxedWasm.ts', name: 'NORMAL_RELAXED_WASM_BASE64', extra: ['-ffp-contract=off', '-DWEIGHTSCOPE_RELAXED_MADD'], relaxed: true },
];
const FLAGS = ['--target=wasm32', '-O3', '-msimd128', '-mbulk-memory', '-nostdlib', '-Wl,--no-entry', '-Wl,--export=__heap_base', '-Wl,--strip-all'];

function clangVersion(command) {
  try {
    return execFileSync(command, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return null;
  }
}

/** The first clang of major version ≥ 16 on the PATH, for the relaxed-SIMD kernels. */
function relaxedClang() {
  for (const command of ['clang', 'clang-16', 'clang-17', 'clang-18', 'clang-19', 'clang-20']) {
    const version = clangVersion(command);
    const major = Number(/version (\d+)/.exec(version ?? '')?.[1] ?? 0);
    if (major >= 16) return { command, version };
  }
  return null;
}

const version = clangVersion('clang');
if (!version) {
  console.log('build-wasm: clang not found, keeping the committed WebAssembly kernels (apt-get install clang lld to rebuild them)');
} else {
  build({ command: 'clang', version }, relaxedClang());
}

function build(plain, relaxed) {
  const work = mkdtempSync(path.join(tmpdir(), 'weightscope-wasm-'));
  try {
    for (const kernel of KERNELS) {
      const { source, output, name } = kernel;
      const compiler = kernel.relaxed ? relaxed : plain;
      if (!compiler) {
        console.log(`build-wasm: ${output} needs clang ≥ 16 for relaxed SIMD; keeping the committed module (apt-get install clang-16 lld-16)`);
        continue;
      }
      const version = compiler.version;
      const extra = kernel.relaxed ? ['-mrelaxed-simd', ...kernel.extra] : kernel.extra;
      const wasm = path.join(work, 'kernel.wasm');
      execFileSync(compiler.command, [...FLAGS, ...extra, '-o', wasm, path.join(root, source)], { stdio: 'inherit' });
      const base64 = readFileSync(wasm).toString('base64');
      const flags = [...FLAGS.slice(1, 4), ...extra.filter((f) => !f.startsWith('-Wl,--max'))].join(' ');
      const text = [
        `// Generated by scripts/build-wasm.mjs from ${path.basename(source)} (${version.replace(/\s*\(.*$/, '')}, ${flags}): do not edit.`,
        `export const ${name} =`,
        ...base64.match(/.{1,100}/g).map((line, i, all) => `  '${line}'${i + 1 < all.length ? ' +' : ';'}`),
        '',
      ].join('\n');
      const target = path.join(root, output);
      let previous = '';
      try {
        previous = readFileSync(target, 'utf8');
      } catch {}
      if (previous !== text) writeFileSync(target, text);
      console.log(`build-wasm: ${output} (${readFileSync(wasm).length} bytes of wasm)${previous === text ? ', unchanged' : ''}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
