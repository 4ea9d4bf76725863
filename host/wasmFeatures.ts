/**
 * Turns on WebAssembly features that a Node runtime has but keeps behind a flag, before any kernel module is
 * compiled: relaxed SIMD (engine/numeric/relaxedSimd.ts), which Node 20's V8 has behind
 * `--experimental-wasm-relaxed-simd` and later runtimes ship on. A flag set at run time applies to modules
 * compiled afterwards, in every thread of the process; so the CLI, the engine worker and the benchmark call this
 * first thing. Where the runtime validates the probe already, nothing is changed.
 */
import v8 from 'node:v8';
import { RELAXED_SIMD_PROBE } from '../engine/numeric/relaxedSimd';

export function enableWasmFeatures(): void {
  if (typeof WebAssembly !== 'object' || WebAssembly.validate(RELAXED_SIMD_PROBE)) return;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // An embedder that forbids flags: the kernels keep their portable paths.
  }
}
