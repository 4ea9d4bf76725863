/*
 * The GEMM kernels of engine/tensor/gemm.ts in WebAssembly SIMD (wasm32 +
 * simd128), built by scripts/build-wasm.mjs with clang and lld into
 * gemmWasm.ts (the module's bytes, base64), twice:
 *
 *   portable (gemmWasm.ts, gemmSharedWasm.ts): MADD is a multiply, then an
 *     add, two roundings;
 *   fused (gemmFusedWasm.ts, gemmFusedSharedWasm.ts, -DGEMM_FUSED, clang ≥ 16
 *     with -mrelaxed-simd): MADD is relaxed SIMD's f32x4/f64x2.relaxed_madd,
 *     which engine/tensor/gemmWasm.ts instantiates only where the start-up
 *     probe (engine/numeric/relaxedSimd.ts) found it fused: one rounding.
 *
 *   C[m×n] = init + A·B,  A(i, p) = a[i·aRow + p·aCol],  B(p, j) = b[p·bRow + j·bCol]
 *
 * Both builds run the same algorithm and the same summation order as the
 * JavaScript kernel: every entry starts at the bias (or 0) and takes one
 * multiply-add per p = 0, 1, …, k − 1, in order, in the operands' precision:
 *   portable: s = fl(s + fl(a·b))     fused: s = fl(a·b + s)
 * (fl rounds to float32 in gemm32's f32x4 lanes, to float64 in gemm64's
 * f64x2 lanes). SIMD lanes hold neighbouring entries of C, never parts of one
 * sum, so the portable build gives the bits of the scalar loop (simd128 alone
 * has no fused multiply-add), and the fused build those of the scalar loop
 * with a correctly rounded fma in place of the multiply and the add.
 * Operands are packed into slivers first, so all transposition forms run the
 * same inner loop.
 *
 * Memory is owned by the JavaScript side, which places the operands and the
 * scratch buffers and passes their byte offsets. The code keeps nothing in
 * linear memory of its own (no static data, no stack frames: the edge-tile
 * buffer is part of the caller's scratch), so instances on several threads
 * can share one memory, each with its own scratch, as worker/gemmPool.ts
 * does with the shared-memory builds of this file.
 */
#include <wasm_simd128.h>

/* s + a·b, four float32 or two float64 lanes: fused (one rounding) or a product then a sum (two). */
#ifdef GEMM_FUSED
#define MADD32(s, a, b) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(s)))
#define MADD64(s, a, b) ((v128_t)__builtin_wasm_relaxed_madd_f64x2((__f64x2)(a), (__f64x2)(b), (__f64x2)(s)))
#else
#define MADD32(s, a, b) wasm_f32x4_add((s), wasm_f32x4_mul((a), (b)))
#define MADD64(s, a, b) wasm_f64x2_add((s), wasm_f64x2_mul((a), (b)))
#endif

/* ---------------------------------------------------------------- float32 */

/*
 * Register tile MR32×NR32 = 4×8: eight f32x4 accumulators, two B vectors and
 * one splatted A value: 11 of the 16 xmm registers an x86-64 engine has
 * (V8 keeps one as scratch), 8 f32x4 multiplies and 8 adds per 6 loads. A
 * 6×8 tile (15 registers) ran at half the speed in Node 20's V8 (1024³ and
 * 256³ products: 30 against 60 GFLOP/s), XNNPACK's choice of 4×8 for
 * WebAssembly SIMD on x86 too. The fused build keeps 4×8: it runs at 52
 * GFLOP/s (256³ and 1024³, Node 20, AMD EPYC Zen 4), 93 % of the 55.7 GFLOP/s
 * of a loop of independent f32x4 relaxed_madd there, against 42 for the
 * portable build; 6×8 needs no temporaries with an FMA (12 accumulators, two
 * B vectors, one A value: 15 registers) but still spilled, at 30 GFLOP/s.
 * Cache blocks: the packed A block (MC32·KC32 floats = 128 KiB) stays in L2,
 * a B sliver (KC32·NR32 floats = 8 KiB) in L1 while the A slivers stream
 * past it; the packed B panel (KC32·NC32 floats = 2 MiB) is large so that A
 * is packed once per slice of p for products up to NC32 columns wide.
 */
#define MR32 4
#define NR32 8
#define KC32 256
#define MC32 128
#define NC32 2048

/* B(pc .. pc+kc, jc .. jc+nc) as NR32-wide slivers, each kc rows of NR32 floats (zero-padded). */
static void pack_b32(const float* b, int bRow, int bCol, int pc, int kc, int jc, int nc, float* out) {
  for (int s = 0; s * NR32 < nc; s++) {
    int j0 = jc + s * NR32;
    int width = jc + nc - j0 < NR32 ? jc + nc - j0 : NR32;
    float* o = out + (long)s * NR32 * kc;
    const float* src = b + (long)pc * bRow + (long)j0 * bCol;
    if (width == NR32 && bCol == 1) {
      for (int p = 0; p < kc; p++, o += NR32, src += bRow) {
        wasm_v128_store(o, wasm_v128_load(src));
        wasm_v128_store(o + 4, wasm_v128_load(src + 4));
      }
    } else if (width == NR32 && bRow == 1) {
      /* Bᵀ stored row-major: walk each stored row (a column of the sliver) contiguously. */
      for (int q = 0; q < NR32; q++) {
        const float* col = src + (long)q * bCol;
        for (int p = 0; p < kc; p++) o[p * NR32 + q] = col[p];
      }
    } else {
      for (int p = 0; p < kc; p++, o += NR32, src += bRow)
        for (int q = 0; q < NR32; q++) o[q] = q < width ? src[(long)q * bCol] : 0.0f;
    }
  }
}

/* A(ic .. ic+mc, pc .. pc+kc) as MR32-high slivers, each kc columns of MR32 floats (zero-padded). */
static void pack_a32(const float* a, int aRow, int aCol, int ic, int mc, int pc, int kc, float* out) {
  for (int s = 0; s * MR32 < mc; s++) {
    int i0 = ic + s * MR32;
    int height = ic + mc - i0 < MR32 ? ic + mc - i0 : MR32;
    float* o = out + (long)s * MR32 * kc;
    const float* src = a + (long)i0 * aRow + (long)pc * aCol;
    if (height == MR32 && aCol == 1) {
      /* A row-major: four rows side by side, transposed four columns at a time. */
      const float* r0 = src;
      const float* r1 = src + aRow;
      const float* r2 = src + 2L * aRow;
      const float* r3 = src + 3L * aRow;
      int p = 0;
      for (; p + 4 <= kc; p += 4, o += 16) {
        v128_t x0 = wasm_v128_load(r0 + p), x1 = wasm_v128_load(r1 + p);
        v128_t x2 = wasm_v128_load(r2 + p), x3 = wasm_v128_load(r3 + p);
        v128_t t0 = wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5); /* a0 b0 a1 b1 */
        v128_t t1 = wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5); /* c0 d0 c1 d1 */
        v128_t t2 = wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7); /* a2 b2 a3 b3 */
        v128_t t3 = wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7); /* c2 d2 c3 d3 */
        wasm_v128_store(o, wasm_i64x2_shuffle(t0, t1, 0, 2));
        wasm_v128_store(o + 4, wasm_i64x2_shuffle(t0, t1, 1, 3));
        wasm_v128_store(o + 8, wasm_i64x2_shuffle(t2, t3, 0, 2));
        wasm_v128_store(o + 12, wasm_i64x2_shuffle(t2, t3, 1, 3));
      }
      for (; p < kc; p++, o += MR32) {
        o[0] = r0[p];
        o[1] = r1[p];
        o[2] = r2[p];
        o[3] = r3[p];
      }
    } else if (height == MR32 && aRow == 1) {
      /* Aᵀ stored row-major: each p reads four neighbouring floats. */
      for (int p = 0; p < kc; p++, o += MR32) wasm_v128_store(o, wasm_v128_load(src + (long)p * aCol));
    } else {
      for (int p = 0; p < kc; p++, o += MR32)
        for (int r = 0; r < MR32; r++) o[r] = r < height ? src[(long)r * aRow + (long)p * aCol] : 0.0f;
    }
  }
}

/* The 4×8 tile of C at c (row stride ldc) += A sliver · B sliver, p = 0 … kc − 1 in order. */
static void kernel32(int kc, const float* pa, const float* pb, float* c, long ldc) {
  float* c1 = c + ldc;
  float* c2 = c1 + ldc;
  float* c3 = c2 + ldc;
  v128_t c00 = wasm_v128_load(c), c01 = wasm_v128_load(c + 4);
  v128_t c10 = wasm_v128_load(c1), c11 = wasm_v128_load(c1 + 4);
  v128_t c20 = wasm_v128_load(c2), c21 = wasm_v128_load(c2 + 4);
  v128_t c30 = wasm_v128_load(c3), c31 = wasm_v128_load(c3 + 4);
  for (int p = 0; p < kc; p++, pa += MR32, pb += NR32) {
    v128_t b0 = wasm_v128_load(pb), b1 = wasm_v128_load(pb + 4);
    v128_t a = wasm_v128_load32_splat(pa);
    c00 = MADD32(c00, a, b0);
    c01 = MADD32(c01, a, b1);
    a = wasm_v128_load32_splat(pa + 1);
    c10 = MADD32(c10, a, b0);
    c11 = MADD32(c11, a, b1);
    a = wasm_v128_load32_splat(pa + 2);
    c20 = MADD32(c20, a, b0);
    c21 = MADD32(c21, a, b1);
    a = wasm_v128_load32_splat(pa + 3);
    c30 = MADD32(c30, a, b0);
    c31 = MADD32(c31, a, b1);
  }
  wasm_v128_store(c, c00); wasm_v128_store(c + 4, c01);
  wasm_v128_store(c1, c10); wasm_v128_store(c1 + 4, c11);
  wasm_v128_store(c2, c20); wasm_v128_store(c2 + 4, c21);
  wasm_v128_store(c3, c30); wasm_v128_store(c3 + 4, c31);
}

/*
 * c (m×n floats, row stride ldc) = bias (n floats, or none if bias == 0) + A·B
 * for float32 a and b. The running sums wait in c between slices of p: they
 * are float32 values at every step anyway. packA needs MC32·KC32 floats,
 * packB KC32·NC32 + MR32·NR32 floats (the last hold an edge tile).
 */
__attribute__((export_name("gemm32"))) void gemm32(const float* a, int aRow, int aCol, const float* b, int bRow, int bCol,
                                                     int m, int k, int n, float* c, int ldc, const float* bias, float* packA, float* packB) {
  float* tile = packB + KC32 * NC32;
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) c[(long)i * ldc + j] = bias ? bias[j] : 0.0f;
  for (int jc = 0; jc < n; jc += NC32) {
    int nc = n - jc < NC32 ? n - jc : NC32;
    for (int pc = 0; pc < k; pc += KC32) {
      int kc = k - pc < KC32 ? k - pc : KC32;
      pack_b32(b, bRow, bCol, pc, kc, jc, nc, packB);
      for (int ic = 0; ic < m; ic += MC32) {
        int mc = m - ic < MC32 ? m - ic : MC32;
        pack_a32(a, aRow, aCol, ic, mc, pc, kc, packA);
        for (int jr = 0; jr < nc; jr += NR32) {
          int j0 = jc + jr;
          int nr = n - j0 < NR32 ? n - j0 : NR32;
          for (int ir = 0; ir < mc; ir += MR32) {
            int i0 = ic + ir;
            int mr = m - i0 < MR32 ? m - i0 : MR32;
            float* at = c + (long)i0 * ldc + j0;
            if (mr == MR32 && nr == NR32) {
              kernel32(kc, packA + (long)ir * kc, packB + (long)jr * kc, at, ldc);
              continue;
            }
            for (int r = 0; r < MR32; r++)
              for (int q = 0; q < NR32; q++) tile[r * NR32 + q] = r < mr && q < nr ? at[(long)r * ldc + q] : 0.0f;
            kernel32(kc, packA + (long)ir * kc, packB + (long)jr * kc, tile, NR32);
            for (int r = 0; r < mr; r++)
              for (int q = 0; q < nr; q++) at[(long)r * ldc + q] = tile[r * NR32 + q];
          }
        }
      }
    }
  }
}

/* ---------------------------------------------------------------- float64 */

/* A 4×4 tile in eight f64x2 registers; blocks as in gemm.ts. */
#define MR 4
#define NR 4
#define KC 256
#define MC 64
#define NC 128

static void pack_b64(const double* b, int bRow, int bCol, int pc, int kc, int jc, int nc, double* out) {
  for (int s = 0; s * NR < nc; s++) {
    int j0 = jc + s * NR;
    int width = jc + nc - j0 < NR ? jc + nc - j0 : NR;
    double* o = out + (long)s * NR * kc;
    for (int p = 0; p < kc; p++, o += NR) {
      long src = (long)(pc + p) * bRow + (long)j0 * bCol;
      for (int q = 0; q < NR; q++) o[q] = q < width ? b[src + (long)q * bCol] : 0.0;
    }
  }
}

static void pack_a64(const double* a, int aRow, int aCol, int ic, int mc, int pc, int kc, double* out) {
  int slivers = (mc + MR - 1) / MR;
  for (int s = 0; s < slivers; s++) {
    double* o = out + (long)s * MR * kc;
    for (int p = 0; p < kc; p++) {
      for (int r = 0; r < MR; r++) {
        int row = s * MR + r;
        o[p * MR + r] = row < mc ? a[(long)(ic + row) * aRow + (long)(pc + p) * aCol] : 0.0;
      }
    }
  }
}

/* tile[4×4] (row-major) += A sliver · B sliver, p = 0 … kc − 1 in order. */
static void kernel64(int kc, const double* pa, const double* pb, double* tile) {
  v128_t c00 = wasm_v128_load(tile + 0), c01 = wasm_v128_load(tile + 2);
  v128_t c10 = wasm_v128_load(tile + 4), c11 = wasm_v128_load(tile + 6);
  v128_t c20 = wasm_v128_load(tile + 8), c21 = wasm_v128_load(tile + 10);
  v128_t c30 = wasm_v128_load(tile + 12), c31 = wasm_v128_load(tile + 14);
  for (int p = 0; p < kc; p++, pa += MR, pb += NR) {
    v128_t b0 = wasm_v128_load(pb), b1 = wasm_v128_load(pb + 2);
    v128_t a = wasm_f64x2_splat(pa[0]);
    c00 = MADD64(c00, a, b0);
    c01 = MADD64(c01, a, b1);
    a = wasm_f64x2_splat(pa[1]);
    c10 = MADD64(c10, a, b0);
    c11 = MADD64(c11, a, b1);
    a = wasm_f64x2_splat(pa[2]);
    c20 = MADD64(c20, a, b0);
    c21 = MADD64(c21, a, b1);
    a = wasm_f64x2_splat(pa[3]);
    c30 = MADD64(c30, a, b0);
    c31 = MADD64(c31, a, b1);
  }
  wasm_v128_store(tile + 0, c00); wasm_v128_store(tile + 2, c01);
  wasm_v128_store(tile + 4, c10); wasm_v128_store(tile + 6, c11);
  wasm_v128_store(tile + 8, c20); wasm_v128_store(tile + 10, c21);
  wasm_v128_store(tile + 12, c30); wasm_v128_store(tile + 14, c31);
}

/*
 * c (m×n doubles, row stride ldc) = bias (n doubles, or none if bias == 0) + A·B
 * for float64 a and b. packA needs MC·KC doubles, packB KC·NC + MR·NR doubles
 * (the last hold the tile).
 */
__attribute__((export_name("gemm64"))) void gemm64(const double* a, int aRow, int aCol, const double* b, int bRow, int bCol,
                                                     int m, int k, int n, double* c, int ldc, const double* bias, double* packA, double* packB) {
  double* tile = packB + KC * NC;
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) c[(long)i * ldc + j] = bias ? bias[j] : 0.0;
  for (int jc = 0; jc < n; jc += NC) {
    int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = k - pc < KC ? k - pc : KC;
      pack_b64(b, bRow, bCol, pc, kc, jc, nc, packB);
      for (int ic = 0; ic < m; ic += MC) {
        int mc = m - ic < MC ? m - ic : MC;
        pack_a64(a, aRow, aCol, ic, mc, pc, kc, packA);
        for (int jr = 0; jr < nc; jr += NR) {
          int j0 = jc + jr;
          int nr = n - j0 < NR ? n - j0 : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            int i0 = ic + ir;
            int mr = m - i0 < MR ? m - i0 : MR;
            for (int r = 0; r < MR; r++)
              for (int q = 0; q < NR; q++) tile[r * NR + q] = r < mr && q < nr ? c[(long)(i0 + r) * ldc + j0 + q] : 0.0;
            kernel64(kc, packA + (long)ir * kc, packB + (long)jr * kc, tile);
            for (int r = 0; r < mr; r++)
              for (int q = 0; q < nr; q++) c[(long)(i0 + r) * ldc + j0 + q] = tile[r * NR + q];
          }
        }
      }
    }
  }
}
