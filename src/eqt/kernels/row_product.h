#pragma once
// Building blocks for hand-written CPU kernels on small matrices (batched_small_matmul.cpp, PET's
// fused attention): the rows of a small matrix product with sums that stay in registers.
#include <cstdint>

#include "eqt/core/simd.h"

namespace eqt::kernels {

// out[0:W] = sum_q s[q] b[q * ldb + 0:W] with W fixed at compile time, so that the sums stay in
// registers (accumulating into memory row by row was bound by store-to-load latency).
template <int W, typename T>
EQT_INLINE void accumulate_fixed(const T* s, const T* b, int64_t ldb, int64_t count, T* out) {
  T acc[W] = {};
  for (int64_t q = 0; q < count; ++q) {
    const T sq = s[q];
    const T* bq = b + q * ldb;
    for (int i = 0; i < W; ++i) acc[i] += sq * bq[i];
  }
  for (int i = 0; i < W; ++i) out[i] = acc[i];
}

// out[0:width] = sum_q s[q] b[q * ldb + 0:width]: one row of a small matrix product.
template <typename T>
EQT_INLINE void row_product(const T* s, const T* b, int64_t ldb, int64_t count, int64_t width, T* out) {
  int64_t r = 0;
  for (; r + 32 <= width; r += 32) accumulate_fixed<32>(s, b + r, ldb, count, out + r);
  if (r + 16 <= width) {
    accumulate_fixed<16>(s, b + r, ldb, count, out + r);
    r += 16;
  }
  if (r + 8 <= width) {
    accumulate_fixed<8>(s, b + r, ldb, count, out + r);
    r += 8;
  }
  for (; r < width; ++r) {
    T sum = 0;
    for (int64_t q = 0; q < count; ++q) sum += s[q] * b[q * ldb + r];
    out[r] = sum;
  }
}

}  // namespace eqt::kernels
