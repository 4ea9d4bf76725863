/*
 * The GEMM kernel of engine/tensor/gemm.ts in WebAssembly SIMD (wasm32 +
 * simd128), built by scripts/build-wasm.mjs with clang and lld into
 * gemmWasm.ts (the module's bytes, base64).
 *
 *   C[m×n] = init + A·B,  A(i, p) = a[i·aRow + p·aCol],  B(p, j) = b[p·bRow + j·bCol]
 *
 * Same algorithm and the same summation order as the JavaScript kernel:
 * every entry starts at the bias (or 0) and adds fl(a_ip·b_pj) for
 * p = 0, 1, …, k − 1 in double, one product and one sum at a time. SIMD lanes
 * hold neighbouring entries of C, never parts of one sum, and simd128 has no
 * fused multiply-add (clang does not emit relaxed-simd without being asked),
 * so the bits equal those of the scalar loop. The 4×4 tile lives in eight
 * f64x2 registers; operands are packed into double slivers first, so all
 * transposition forms run the same inner loop.
 *
 * Memory is owned by the JavaScript side, which places the operands and the
 * scratch buffers and passes their byte offsets.
 */
#include <wasm_simd128.h>

#define MR 4
#define NR 4
#define KC 256
#define MC 64
#define NC 128

typedef const float* f32p;
typedef const double* f64p;

/* Reads element `index` of operand `x`, which holds float32 values if `single`, else double. */
static inline double at(const void* x, int single, long index) {
  return single ? (double)((f32p)x)[index] : ((f64p)x)[index];
}

static void pack_b(const void* b, int single, int bRow, int bCol, int pc, int kc, int jc, int nc, double* out) {
  for (int s = 0; s * NR < nc; s++) {
    int j0 = jc + s * NR;
    int width = jc + nc - j0 < NR ? jc + nc - j0 : NR;
    double* o = out + (long)s * NR * kc;
    for (int p = 0; p < kc; p++, o += NR) {
      long src = (long)(pc + p) * bRow + (long)j0 * bCol;
      for (int c = 0; c < NR; c++) o[c] = c < width ? at(b, single, src + (long)c * bCol) : 0.0;
    }
  }
}

static void pack_a(const void* a, int single, int aRow, int aCol, int ic, int mc, int pc, int kc, double* out) {
  int slivers = (mc + MR - 1) / MR;
  for (int s = 0; s < slivers; s++) {
    double* o = out + (long)s * MR * kc;
    for (int p = 0; p < kc; p++) {
      for (int r = 0; r < MR; r++) {
        int row = s * MR + r;
        o[p * MR + r] = row < mc ? at(a, single, (long)(ic + row) * aRow + (long)(pc + p) * aCol) : 0.0;
      }
    }
  }
}

/* tile[4×4] (row-major) += A sliver · B sliver, p = 0 … kc − 1 in order. */
static void kernel(int kc, const double* pa, const double* pb, double* tile) {
  v128_t c00 = wasm_v128_load(tile + 0), c01 = wasm_v128_load(tile + 2);
  v128_t c10 = wasm_v128_load(tile + 4), c11 = wasm_v128_load(tile + 6);
  v128_t c20 = wasm_v128_load(tile + 8), c21 = wasm_v128_load(tile + 10);
  v128_t c30 = wasm_v128_load(tile + 12), c31 = wasm_v128_load(tile + 14);
  for (int p = 0; p < kc; p++, pa += MR, pb += NR) {
    v128_t b0 = wasm_v128_load(pb), b1 = wasm_v128_load(pb + 2);
    v128_t a = wasm_f64x2_splat(pa[0]);
    c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(a, b0));
    c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(a, b1));
    a = wasm_f64x2_splat(pa[1]);
    c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(a, b0));
    c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(a, b1));
    a = wasm_f64x2_splat(pa[2]);
    c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(a, b0));
    c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(a, b1));
    a = wasm_f64x2_splat(pa[3]);
    c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(a, b0));
    c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(a, b1));
  }
  wasm_v128_store(tile + 0, c00); wasm_v128_store(tile + 2, c01);
  wasm_v128_store(tile + 4, c10); wasm_v128_store(tile + 6, c11);
  wasm_v128_store(tile + 8, c20); wasm_v128_store(tile + 10, c21);
  wasm_v128_store(tile + 12, c30); wasm_v128_store(tile + 14, c31);
}

/*
 * c (m×n doubles, row stride n) = bias (n doubles, or none if bias == 0) + A·B.
 * packA needs MC·KC doubles, packB KC·NC doubles; `single` says whether a and b hold float32.
 */
__attribute__((export_name("gemm"))) void gemm(const void* a, int aRow, int aCol, const void* b, int bRow, int bCol, int single,
                                                 int m, int k, int n, double* c, const double* bias, double* packA, double* packB) {
  double tile[MR * NR] __attribute__((aligned(16)));
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) c[(long)i * n + j] = bias ? bias[j] : 0.0;
  for (int jc = 0; jc < n; jc += NC) {
    int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = k - pc < KC ? k - pc : KC;
      pack_b(b, single, bRow, bCol, pc, kc, jc, nc, packB);
      for (int ic = 0; ic < m; ic += MC) {
        int mc = m - ic < MC ? m - ic : MC;
        pack_a(a, single, aRow, aCol, ic, mc, pc, kc, packA);
        for (int jr = 0; jr < nc; jr += NR) {
          int j0 = jc + jr;
          int nr = n - j0 < NR ? n - j0 : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            int i0 = ic + ir;
            int mr = m - i0 < MR ? m - i0 : MR;
            for (int r = 0; r < MR; r++)
              for (int q = 0; q < NR; q++) tile[r * NR + q] = r < mr && q < nr ? c[(long)(i0 + r) * n + j0 + q] : 0.0;
            kernel(kc, packA + (long)ir * kc, packB + (long)jr * kc, tile);
            for (int r = 0; r < mr; r++)
              for (int q = 0; q < nr; q++) c[(long)(i0 + r) * n + j0 + q] = tile[r * NR + q];
          }
        }
      }
    }
  }
}
