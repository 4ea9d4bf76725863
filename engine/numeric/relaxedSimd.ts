/**
 * Whether this runtime has WebAssembly's relaxed SIMD and, above all, whether its `relaxed_madd` is a fused
 * multiply-add here.
 *
 * `f32x4.relaxed_madd(a, b, c)` may compute fl(a·b + c) with one rounding (an FMA instruction) or
 * fl(fl(a·b) + c) with two, at the implementation's choice; the proposal requires the choice to be the same for
 * every execution in one environment. So one probe at start-up tells which it is, and a kernel that needs the
 * fused result bit for bit (torch's AVX2 sampling code, compiled with vfmadd) may rely on it wherever the probe
 * says "fused", and must keep its exact emulation elsewhere.
 *
 * The probe is a module of two functions written out by hand (no compiler is needed to read it):
 *     f32: mem[48..64) ← f32x4.relaxed_madd(mem[0..16), mem[16..32), mem[32..48))
 *     f64: mem[48..64) ← f64x2.relaxed_madd(mem[0..16), mem[16..32), mem[32..48))
 * fed with a = b = 1 + 2⁻¹² (float32) or 1 + 2⁻²⁷ (float64) and c = −1, for which
 *     a·b − 1 = 2⁻¹¹ + 2⁻²⁴  (float32)   and   2⁻²⁶ + 2⁻⁵⁴  (float64)
 * exactly; rounding a·b first drops the last term (it is half an ulp of 1, tied to even, and a quarter ulp).
 *
 * Runtimes without relaxed SIMD reject the probe at validation. Node 20 has it behind a V8 flag that its host
 * code sets at start-up (host/wasmFeatures.ts); VS Code's and browsers' runtimes have it on.
 */

/** The probe module's bytes (see above; opcodes 0xfd 0x105 and 0xfd 0x107 are the two relaxed_madd). */
export const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () → ()
  0x03, 0x03, 0x02, 0x00, 0x00, // function section: two functions of that type
  0x05, 0x03, 0x01, 0x00, 0x01, // memory section: one page
  0x07, 0x0d, 0x03, 0x01, 0x6d, 0x02, 0x00, 0x01, 0x66, 0x00, 0x00, 0x01, 0x64, 0x00, 0x01, // exports m, f, d
  0x0a, 0x3d, 0x02, // code section: two bodies of 29 bytes
  ...probeBody(0x85), // f32x4.relaxed_madd = 0x105 (LEB128 0x85 0x02)
  ...probeBody(0x87), // f64x2.relaxed_madd = 0x107
]);

function probeBody(opcodeLow: number): number[] {
  const load = (offset: number) => [0x41, offset, 0xfd, 0x00, 0x04, 0x00]; // i32.const offset; v128.load
  return [0x1d, 0x00, 0x41, 0x30, ...load(0), ...load(16), ...load(32), 0xfd, opcodeLow, 0x02, 0xfd, 0x0b, 0x04, 0x00, 0x0b];
}

export interface RelaxedSimd {
  /** The runtime validates relaxed SIMD instructions. */
  available: boolean;
  /** `f32x4.relaxed_madd` rounds once here. */
  fusedMadd32: boolean;
  /** `f64x2.relaxed_madd` rounds once here. */
  fusedMadd64: boolean;
}

const NONE: RelaxedSimd = { available: false, fusedMadd32: false, fusedMadd64: false };
let probed: RelaxedSimd | undefined;
let disabled = false;

/** What this runtime's relaxed SIMD does (probed once; `NONE` when unavailable or turned off). */
export function relaxedSimd(): RelaxedSimd {
  if (disabled) return NONE;
  return (probed ??= probe());
}

/**
 * Turns the relaxed kernels off (true) or back on (false) for kernels instantiated from now on: the tests run
 * the portable paths with it, and a user could if a runtime's relaxed SIMD were ever wrong.
 */
export function disableRelaxedSimd(off = true): void {
  disabled = off;
}

function probe(): RelaxedSimd {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(RELAXED_SIMD_PROBE)) return NONE;
  try {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(RELAXED_SIMD_PROBE));
    const memory = (exports.m as WebAssembly.Memory).buffer;
    const f32 = new Float32Array(memory, 0, 16);
    const a32 = 1 + 2 ** -12;
    f32.set([a32, a32, a32, a32, a32, a32, a32, a32, -1, -1, -1, -1]);
    (exports.f as () => void)();
    const fusedMadd32 = f32.subarray(12).every((x) => x === 2 ** -11 + 2 ** -24);
    const f64 = new Float64Array(memory, 0, 8);
    const a64 = 1 + 2 ** -27;
    f64.set([a64, a64, a64, a64, -1, -1]);
    (exports.d as () => void)();
    const fusedMadd64 = f64.subarray(6).every((x) => x === 2 ** -26 + 2 ** -54);
    return { available: true, fusedMadd32, fusedMadd64 };
  } catch {
    return NONE;
  }
}
