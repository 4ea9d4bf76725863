/*
 * max_pool2d(x, 2) (kernel 2, stride 2, no padding, floor mode) with the
 * index of each maximum, as pool.ts's maxPool2x2Planes, in WebAssembly, built
 * by scripts/build-wasm.mjs into maxPoolWasm.ts and used by
 * engine/tensor/maxPoolWasm.ts.
 *
 * Each window is visited in the JavaScript loop's order, (h0, w0), (h0, w0 + 1),
 * (h0 + 1, w0), (h0 + 1, w0 + 1), starting from the first value and taking a
 * later one when it is greater or NaN (torch's `val > max || isnan(val)`), so
 * the maximum and its index are the loop's. The choices are written as
 * selects, which clang emits as WebAssembly `select` (no branch): on real
 * activations which value wins is random, and a mispredicted branch per
 * comparison is what the JavaScript loop spends most of its time on.
 *
 * Memory is owned by the JavaScript side, which copies the operands to byte
 * offsets of its choosing and passes them; the code keeps nothing in linear
 * memory of its own.
 */

#define MAX_POOL(NAME, T)                                                                                   \
  __attribute__((export_name(#NAME))) void NAME(const T* x, int planes, int H, int W, int OH, int OW, T* y, \
                                                 int* argmax, int base) {                                   \
    int o = 0;                                                                                              \
    for (int plane = 0; plane < planes; plane++) {                                                          \
      const int first = plane * H * W;                                                                      \
      for (int i = 0; i < OH; i++) {                                                                        \
        const int top = first + 2 * i * W;                                                                  \
        for (int j = 0; j < OW; j++, o++) {                                                                 \
          const int a = top + 2 * j;                                                                        \
          T best = x[a];                                                                                    \
          int at = a;                                                                                       \
          T v = x[a + 1];                                                                                   \
          int take = v > best || v != v;                                                                    \
          best = take ? v : best;                                                                           \
          at = take ? a + 1 : at;                                                                           \
          v = x[a + W];                                                                                     \
          take = v > best || v != v;                                                                        \
          best = take ? v : best;                                                                           \
          at = take ? a + W : at;                                                                           \
          v = x[a + W + 1];                                                                                 \
          take = v > best || v != v;                                                                        \
          best = take ? v : best;                                                                           \
          at = take ? a + W + 1 : at;                                                                       \
          y[o] = best;                                                                                      \
          argmax[o] = base + at;                                                                            \
        }                                                                                                   \
      }                                                                                                     \
    }                                                                                                       \
  }

MAX_POOL(max_pool2x2_32, float)
MAX_POOL(max_pool2x2_64, double)
