/*
 * torch 1.13's float32 `normal_` and `uniform_` CPU kernels in WebAssembly
 * SIMD, built by scripts/build-wasm.mjs into normalWasm.ts and driven by
 * engine/random/kernelsWasm.ts: the same words from the same MT19937 state,
 * the same float32 operations in the same order, and the same bits as the
 * JavaScript kernels (engine/random/kernels.ts, avxMath.ts), which stay the
 * reference and the path for small tensors.
 *
 *   mt_twist          regenerates the 624 state words, four at a time;
 *   uniform_f32       float U[0, 1) draws, (w mod 2^24)·2^-24 of tempered words;
 *   uniform_range_f32 the same, then u·width + lo with one rounding (uniform_);
 *   box_muller_f32    normal_fill_16_AVX2 on blocks of 16 uniforms, four of
 *                     the eight pairs at a time: float32 log256_ps and
 *                     sincos256_ps (avxMath.ts has their math) with every
 *                     fused multiply-add the compiler made in torch's build
 *                     done by madd32x4 (one rounding, as the FMA);
 *   mt_skip           advances the state past n words without tempering them;
 *   bernoulli_f32/f64 bernoulli_(p) scaled (dropout's noise): scale where the
 *                     double U[0, 1) of two words is below p, else 0.
 *
 * The state (624 words) and the arrays live in this module's memory; the
 * caller passes byte offsets and the index of the next word, and gets the new
 * index back. Built with -ffp-contract=off: no a·b + c is fused by clang (the
 * fused ones are written out as madd32x4).
 *
 * Built twice (scripts/build-wasm.mjs): the portable module emulates each fused
 * multiply-add exactly in f64x2 lanes (fma32x4, numeric/wasm/fma32.h); the
 * relaxed one (-DWEIGHTSCOPE_RELAXED_MADD -mrelaxed-simd, normalRelaxedWasm.ts)
 * uses f32x4.relaxed_madd, which kernelsWasm.ts instantiates only where the
 * start-up probe found it fused (numeric/relaxedSimd.ts): one rounding of
 * a·b + c there too, so both give the same bits, and the relaxed one in one
 * instruction instead of about twenty.
 */
#include "../../numeric/wasm/fma32.h"

#include <stdint.h>

#define MT_N 624
#define MT_M 397
#define MATRIX_A 0x9908b0dfu
#define UPPER 0x80000000u
#define LOWER 0x7fffffffu

/*
 * A constant vector the compiler may not rebuild: clang puts a v128.const at
 * every use inside the loop, and V8 builds each from two 64-bit immediates
 * (about five instructions on x86-64), some forty per four Box–Muller pairs,
 * more than the arithmetic. Behind an empty asm the value is opaque, so it is
 * built once before the loop and kept in a register or a stack slot (read as
 * a memory operand).
 */
static inline v128_t opaque(v128_t x) {
  __asm__("" : "+r"(x));
  return x;
}
static inline v128_t splat(float x) { return opaque(wasm_f32x4_splat(x)); }
static inline v128_t isplat(int32_t x) { return opaque(wasm_i32x4_splat(x)); }

#ifdef WEIGHTSCOPE_RELAXED_MADD
/* fl32(a·b + c), one rounding: relaxed_madd where the runtime fuses it (the only place this module runs). */
static inline v128_t madd32x4(v128_t a, v128_t b, v128_t c) {
  return (v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)a, (__f32x4)b, (__f32x4)c);
}
/* An a·b + c that is exact in double is rounded once by the fused instruction as well. */
#define madd32x4_exact_sum madd32x4
static inline float madd32(float a, float b, float c) {
  return wasm_f32x4_extract_lane(madd32x4(wasm_f32x4_splat(a), wasm_f32x4_splat(b), wasm_f32x4_splat(c)), 0);
}
#else
#define madd32x4 fma32x4
#define madd32x4_exact_sum fma32x4_exact_sum
#define madd32 fma32
#endif

#ifdef WEIGHTSCOPE_RELAXED_MADD
/* Truncation of floats known to be in int32's range: one cvttps2dq, the same integers as trunc_sat there. */
static inline v128_t trunc_in_range(v128_t x) { return (v128_t)__builtin_wasm_relaxed_trunc_s_i32x4_f32x4((__f32x4)x); }
#else
static inline v128_t trunc_in_range(v128_t x) { return wasm_i32x4_trunc_sat_f32x4(x); }
#endif

/* s[k] ← s[k + 397] ⊕ (y ≫ 1) ⊕ (y odd ? MATRIX_A : 0), y = upper bit of s[k] | lower bits of s[k + 1]. */
static inline v128_t twist4(v128_t k, v128_t k1, v128_t km) {
  v128_t y = wasm_v128_or(wasm_v128_and(k, isplat(UPPER)), wasm_v128_and(k1, isplat(LOWER)));
  v128_t odd = wasm_i32x4_neg(wasm_v128_and(k1, isplat(1)));
  return wasm_v128_xor(wasm_v128_xor(km, wasm_u32x4_shr(y, 1)), wasm_v128_and(odd, isplat(MATRIX_A)));
}

static inline uint32_t twist1(uint32_t k, uint32_t k1, uint32_t km) {
  uint32_t y = (k & UPPER) | (k1 & LOWER);
  return km ^ (y >> 1) ^ ((k1 & 1u) ? MATRIX_A : 0u);
}

/*
 * The twist of mt19937.ts in vectors: word k reads the old k + 1 (not yet
 * rewritten when four words are done at once, since they are read first)
 * and k + 397 (old below k = 227, then the new k − 227, at least four words
 * back).
 */
__attribute__((export_name("mt_twist"))) void mt_twist(uint32_t *s) {
  int k = 0;
  for (; k + 4 <= MT_N - MT_M; k += 4) {
    v128_t next = twist4(wasm_v128_load(s + k), wasm_v128_load(s + k + 1), wasm_v128_load(s + k + MT_M));
    wasm_v128_store(s + k, next);
  }
  for (; k < MT_N - MT_M; k++) s[k] = twist1(s[k], s[k + 1], s[k + MT_M]);
  for (; k + 4 <= MT_N - 1; k += 4) {
    v128_t next = twist4(wasm_v128_load(s + k), wasm_v128_load(s + k + 1), wasm_v128_load(s + k + MT_M - MT_N));
    wasm_v128_store(s + k, next);
  }
  for (; k < MT_N - 1; k++) s[k] = twist1(s[k], s[k + 1], s[k + MT_M - MT_N]);
  s[MT_N - 1] = twist1(s[MT_N - 1], s[0], s[MT_M - 1]);
}

static inline v128_t temper4(v128_t y) {
  y = wasm_v128_xor(y, wasm_u32x4_shr(y, 11));
  y = wasm_v128_xor(y, wasm_v128_and(wasm_i32x4_shl(y, 7), isplat(0x9d2c5680u)));
  y = wasm_v128_xor(y, wasm_v128_and(wasm_i32x4_shl(y, 15), isplat(0xefc60000u)));
  return wasm_v128_xor(y, wasm_u32x4_shr(y, 18));
}

static inline uint32_t temper1(uint32_t y) {
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  return y ^ (y >> 18);
}

/* (w mod 2^24) · 2^-24: exact in float32 (a 24-bit integer, then a power of two). */
static inline v128_t unit4(v128_t w) {
  return wasm_f32x4_mul(wasm_f32x4_convert_i32x4(wasm_v128_and(w, isplat(0xffffff))), splat(0x1p-24f));
}

/* out[0..n) ← float uniforms from words index, index + 1, …; returns the index of the next word. */
__attribute__((export_name("uniform_f32"))) int uniform_f32(uint32_t *s, int index, float *out, int n) {
  int i = 0;
  while (i < n) {
    if (index >= MT_N) {
      mt_twist(s);
      index = 0;
    }
    int run = MT_N - index < n - i ? MT_N - index : n - i;
    int j = 0;
    for (; j + 4 <= run; j += 4) wasm_v128_store(out + i + j, unit4(temper4(wasm_v128_load(s + index + j))));
    for (; j < run; j++) out[i + j] = (float)(temper1(s[index + j]) & 0xffffffu) * 0x1p-24f;
    i += run;
    index += run;
  }
  return index;
}

/* uniform_ in float32: u·width + lo with one rounding for each u of uniform_f32. */
__attribute__((export_name("uniform_range_f32"))) int uniform_range_f32(uint32_t *s, int index, float *out, int n, float lo, float width) {
  index = uniform_f32(s, index, out, n);
  v128_t w = wasm_f32x4_splat(width), l = wasm_f32x4_splat(lo);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, madd32x4(wasm_v128_load(out + i), w, l));
  for (; i < n; i++) out[i] = madd32(out[i], width, lo);
  return index;
}

/* out[0..n) ← tempered words index, index + 1, …; returns the index of the next word. */
static int words_u32(uint32_t *s, int index, uint32_t *out, int n) {
  int i = 0;
  while (i < n) {
    if (index >= MT_N) {
      mt_twist(s);
      index = 0;
    }
    int run = MT_N - index < n - i ? MT_N - index : n - i;
    int j = 0;
    for (; j + 4 <= run; j += 4) wasm_v128_store(out + i + j, temper4(wasm_v128_load(s + index + j)));
    for (; j < run; j++) out[i + j] = temper1(s[index + j]);
    i += run;
    index += run;
  }
  return index;
}

/*
 * torch 1.13's CPU bernoulli_(p) with a scalar p (no MKL), as dropout draws its mask, times
 * dropout's scale: element i takes two words w₁, w₂ (random64(), high word first), the double
 * u = ((w₁ mod 2^21)·2^32 + w₂)·2^-53, and is `scale` when u < p, else 0. The test is made on
 * the 53-bit integer x = u·2^53 against p·2^53, both exact doubles (scaling by 2^53 is exact),
 * so it decides as u < p does. `words` is scratch for 2n words.
 */
__attribute__((export_name("bernoulli_f32"))) int bernoulli_f32(uint32_t *s, int index, uint32_t *words, float *out, int n, double p, float scale) {
  index = words_u32(s, index, words, 2 * n);
  double threshold = p * 0x1p53;
  for (int i = 0; i < n; i++) {
    double x = (double)(words[2 * i] & 0x1fffffu) * 0x1p32 + (double)words[2 * i + 1];
    out[i] = x < threshold ? scale : 0.0f;
  }
  return index;
}

/* bernoulli_f32 with a float64 scale and output. */
__attribute__((export_name("bernoulli_f64"))) int bernoulli_f64(uint32_t *s, int index, uint32_t *words, double *out, int n, double p, double scale) {
  index = words_u32(s, index, words, 2 * n);
  double threshold = p * 0x1p53;
  for (int i = 0; i < n; i++) {
    double x = (double)(words[2 * i] & 0x1fffffu) * 0x1p32 + (double)words[2 * i + 1];
    out[i] = x < threshold ? scale : 0.0;
  }
  return index;
}

/* The index after n more words (the state twisted whenever a pass is used up): mt19937.ts's skip. */
__attribute__((export_name("mt_skip"))) int mt_skip(uint32_t *s, int index, int n) {
  while (n > 0) {
    if (index >= MT_N) {
      mt_twist(s);
      index = 0;
    }
    int step = MT_N - index < n ? MT_N - index : n;
    index += step;
    n -= step;
  }
  return index;
}

/*
 * The kernel's constants are double literals converted to float, as
 * avx_mathfun.h's _mm256_set1_ps(7.0376836292E-2) does (a float literal
 * would round the decimal once, straight to float, which can differ).
 */
#define F(x) ((float)(x))


/* log256_ps for x = 1 − u in [2^-24, 1] (avxMath.ts's logf, four lanes). */
static inline v128_t log4(v128_t x) {
  const v128_t one = splat(F(1.0));
  /* _mm256_max_ps; x is never NaN, so the plain comparison (one maxps) gives its result. */
  x = wasm_f32x4_pmax(x, splat(0x1p-126f));
  v128_t e = wasm_f32x4_add(wasm_f32x4_convert_i32x4(wasm_i32x4_sub(wasm_u32x4_shr(x, 23), isplat(0x7f))), one);
  v128_t m = wasm_v128_or(wasm_v128_and(x, isplat(~0x7f800000)), isplat(0x3f000000));
  v128_t below = wasm_f32x4_lt(m, splat(F(0.707106781186547524)));
  e = wasm_f32x4_sub(e, wasm_v128_and(one, below));
  v128_t t = wasm_f32x4_add(wasm_f32x4_sub(m, one), wasm_v128_and(m, below));
  v128_t z = wasm_f32x4_mul(t, t);
  v128_t y = madd32x4(splat(F(7.0376836292e-2)), t, splat(F(-1.151461031e-1)));
  y = madd32x4(y, t, splat(F(1.167699874e-1)));
  y = madd32x4(y, t, splat(F(-1.2420140846e-1)));
  y = madd32x4(y, t, splat(F(1.4249322787e-1)));
  y = madd32x4(y, t, splat(F(-1.6668057665e-1)));
  y = madd32x4(y, t, splat(F(2.0000714765e-1)));
  y = madd32x4(y, t, splat(F(-2.4999993993e-1)));
  y = madd32x4(y, t, splat(F(3.3333331174e-1)));
  y = wasm_f32x4_mul(y, t);
  y = madd32x4(y, z, wasm_f32x4_mul(e, splat(F(-2.12194440e-4))));
  /*
   * The last two fused multiply-adds have products that are float32 values (−z·½ with z = t² = 0 or ≥ 2⁻⁴⁸; e·q2 with |e| ≤ 24
   * and q2 = 355·2⁻⁹, 14 bits at most): fl32(a·b + c) is then the float32 sum of fl32(a·b) and c.
   */
  y = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_neg(z), splat(F(0.5))), y);
  return wasm_f32x4_add(wasm_f32x4_mul(e, splat(F(0.693359375))), wasm_f32x4_add(t, y));
}

/* sincos256_ps for x = 2π·u ≥ 0 (avxMath.ts's sincosf, four lanes). */
static inline void sincos4(v128_t x, v128_t *sin_out, v128_t *cos_out) {
  v128_t j = trunc_in_range(wasm_f32x4_mul(x, splat(F(1.27323954473516)))); /* in [0, 8] */
  j = wasm_v128_and(wasm_i32x4_add(j, isplat(1)), isplat(~1));
  v128_t yj = wasm_f32x4_convert_i32x4(j);
  const v128_t sign = isplat((int32_t)0x80000000u);
  v128_t sin_flip = wasm_v128_and(wasm_i32x4_shl(j, 29), sign);                                   /* j & 4 */
  v128_t poly_cos = wasm_i32x4_shr(wasm_i32x4_shl(j, 30), 31);                            /* j & 2, all ones */
  v128_t cos_flip = wasm_v128_andnot(sign, wasm_i32x4_shl(wasm_i32x4_sub(j, isplat(2)), 29)); /* !((j − 2) & 4) */
  /*
   * The reduction r = x − j·π/4 in three parts (Cody–Waite), each step's sum exact in double, so no
   * midpoint check: j is even and ≤ 8 (x < 2π); DP1 = −201·2⁻⁸, DP2 = −2029·2⁻²³ and DP3 (24 bits on
   * the grid 2⁻⁴⁸) make j·DP1, j·DP2, j·DP3 lie on the grids 2⁻⁷, 2⁻²², 2⁻⁴⁷. x = 2π·u is 0 or at
   * least 2π·2⁻²⁴, so on the grid 2⁻⁴⁵; a float32 rounding of a nonzero value on a grid, below 2⁻²¹
   * in magnitude, is exact, so every partial r stays on the grid 2⁻⁴⁵ (x ≥ π/4 when j > 0: 2⁻²⁴).
   * Each sum then spans at most 2³ (step 1) or 2¹ (steps 2, 3) down to 2⁻⁴⁷: ≤ 49 places.
   */
  v128_t r = madd32x4_exact_sum(yj, splat(F(-0.78515625)), x);
  r = madd32x4_exact_sum(yj, splat(F(-2.4187564849853515625e-4)), r);
  r = madd32x4_exact_sum(yj, splat(F(-3.77489497744594108e-8)), r);
  v128_t z = wasm_f32x4_mul(r, r);
  v128_t c = madd32x4(splat(F(2.443315711809948e-5)), z, splat(F(-1.388731625493765e-3)));
  c = madd32x4(c, z, splat(F(4.166664568298827e-2)));
  c = wasm_f32x4_mul(c, z);
  c = madd32x4(c, z, wasm_f32x4_mul(splat(F(-0.5)), z));
  c = wasm_f32x4_add(c, splat(F(1.0)));
  v128_t s = madd32x4(splat(F(-1.9515295891e-4)), z, splat(F(8.3321608736e-3)));
  s = madd32x4(s, z, splat(F(-1.6666654611e-1)));
  s = wasm_f32x4_mul(s, z);
  s = madd32x4(s, r, r);
  v128_t sin_value = wasm_v128_bitselect(c, s, poly_cos);
  v128_t cos_value = wasm_v128_bitselect(s, c, poly_cos);
  *sin_out = wasm_v128_xor(sin_value, sin_flip);
  *cos_out = wasm_v128_xor(cos_value, cos_flip);
}

/*
 * Four of a block's eight Box–Muller pairs: u₁ = 1 − d[0..4), u₂ = d[8..12);
 * d[0..4) ← r cos θ · std + mean, d[8..12) ← r sin θ · std + mean with
 * r = √(−2 log u₁), θ = 2π u₂ (2π rounded to float32).
 */
static inline void pairs4(float *d, v128_t mean, v128_t std) {
  v128_t u1 = wasm_f32x4_sub(splat(F(1.0)), wasm_v128_load(d));
  v128_t u2 = wasm_v128_load(d + 8);
  v128_t radius = wasm_f32x4_sqrt(wasm_f32x4_mul(splat(F(-2.0)), log4(u1)));
  v128_t sin_theta, cos_theta;
  sincos4(wasm_f32x4_mul(splat((float)(2.0 * 3.14159265358979323846)), u2), &sin_theta, &cos_theta);
  wasm_v128_store(d, madd32x4(wasm_f32x4_mul(radius, cos_theta), std, mean));
  wasm_v128_store(d + 8, madd32x4(wasm_f32x4_mul(radius, sin_theta), std, mean));
}

/* normal_fill_16_AVX2 on `blocks` consecutive blocks of 16 uniforms at data. */
__attribute__((export_name("box_muller_f32"))) void box_muller_f32(float *data, int blocks, float mean, float std) {
  v128_t m = wasm_f32x4_splat(mean), s = wasm_f32x4_splat(std);
  for (int b = 0; b < blocks; b++) {
    float *d = data + 16 * b;
    pairs4(d, m, s);
    pairs4(d + 4, m, s);
  }
}
