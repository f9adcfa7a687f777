#include "eqt/kernels/fast_silu.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "eqt/core/error.h"
#include "eqt/core/simd.h"

namespace eqt::kernels {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Elements per parallel chunk: enough work to pay for the hand-over between threads.
constexpr int64_t kGrain = 32768;

// The float32 loops are written for the compiler to vectorise (EQT_MULTIVERSION, core/simd.h).

EQT_INLINE int32_t bits_of(float x) {
  int32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

EQT_INLINE float float_of(int32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// Comparisons, selects and conversions below are done on the bits of floats: GCC keeps those
// that could raise floating-point exceptions as branches and then vectorises the loops only with
// AVX-512's masked instructions.

// exp(-|x|) without calls or branches, so that loops over it vectorise: -|x| = n ln2 + r with
// |r| <= ln2/2, exp(r) by its Taylor series to degree 7 (truncation error < 6e-9, below float
// rounding), times 2^n in two factors so that results down to the subnormal range come out
// right. |x| is clamped at 110 (also for inf and NaN), where exp(-|x|) rounds to 0 in float.
EQT_INLINE float exp_minus_abs(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2High = 0.693359375f;            // few mantissa bits: n * kLn2High is exact
  constexpr float kLn2Low = -2.12194440054690583e-4f;  // ln2 - kLn2High
  constexpr float kRound = 12582912.0f;               // 1.5 * 2^23: adding it rounds to an integer
  constexpr int32_t kLimit = 0x42dc0000;  // bits of 110.0f (a ternary: std::min kept a branch)
  const int32_t magnitude = bits_of(x) & 0x7fffffff;
  const float t = -float_of(magnitude < kLimit ? magnitude : kLimit);
  const float shifted = t * kLog2e + kRound;  // n + kRound, exactly
  const float n = shifted - kRound;
  const float r = (t - n * kLn2High) - n * kLn2Low;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t whole = bits_of(shifted) - bits_of(kRound);  // n in [-159, 0], as an integer
  const int32_t half = whole / 2;
  return p * float_of((half + 127) << 23) * float_of((whole - half + 127) << 23);  // p 2^half 2^(n-half)
}

EQT_INLINE double exp_minus_abs(double x) { return std::exp(-std::abs(x)); }

// 1 where the sign bit of x is clear, else 0 (-0 counts as negative: both branches agree there).
EQT_INLINE float positive_weight(float x) { return float_of(~(bits_of(x) >> 31) & bits_of(1.0f)); }
EQT_INLINE double positive_weight(double x) { return x >= 0.0 ? 1.0 : 0.0; }

// s = sigmoid(x) and c = 1 - s = sigmoid(-x), both from e = exp(-|x|) <= 1 so that neither
// overflows nor loses its relative precision in the tails.
template <typename T>
struct Sigmoids {
  T s, c;
};

template <typename T>
EQT_INLINE Sigmoids<T> sigmoids(T x) {
  const T e = exp_minus_abs(x);
  const T inverse = T(1) / (T(1) + e);
  // 0/1 weights rather than selects (exact, as e is finite), for the vectoriser as above.
  const T positive = positive_weight(x), negative = T(1) - positive;
  return {(positive + negative * e) * inverse, (positive * e + negative) * inverse};
}

template <typename T>
EQT_INLINE T first_derivative(T x) {
  const Sigmoids<T> q = sigmoids(x);
  return q.s * (T(1) + x * q.c);
}

template <typename T>
EQT_INLINE T second_derivative(T x) {
  const Sigmoids<T> q = sigmoids(x);
  return q.s * q.c * (T(2) + x * (q.c - q.s));
}

template <typename T>
EQT_INLINE void silu_block(const T* x, T* y, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) y[i] = x[i] * sigmoids(x[i]).s;
}

template <typename T>
EQT_INLINE void silu_grad_block(const T* g, const T* x, T* out, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) out[i] = g[i] * first_derivative(x[i]);
}

template <typename T>
EQT_INLINE void silu_second_block(const T* a, const T* b, const T* x, T* out, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) out[i] = a[i] * b[i] * second_derivative(x[i]);
}

EQT_MULTIVERSION void silu_rows(const float* x, float* y, int64_t begin, int64_t end) {
  silu_block(x, y, begin, end);
}
EQT_MULTIVERSION void silu_grad_rows(const float* g, const float* x, float* out, int64_t begin, int64_t end) {
  silu_grad_block(g, x, out, begin, end);
}
EQT_MULTIVERSION void silu_second_rows(const float* a, const float* b, const float* x, float* out, int64_t begin,
                                       int64_t end) {
  silu_second_block(a, b, x, out, begin, end);
}
// float64 calls std::exp per element (exact to the ulp; no vector version without -ffast-math).
void silu_rows(const double* x, double* y, int64_t begin, int64_t end) { silu_block(x, y, begin, end); }
void silu_grad_rows(const double* g, const double* x, double* out, int64_t begin, int64_t end) {
  silu_grad_block(g, x, out, begin, end);
}
void silu_second_rows(const double* a, const double* b, const double* x, double* out, int64_t begin, int64_t end) {
  silu_second_block(a, b, x, out, begin, end);
}

bool has_kernel(const at::Tensor& x) {
  return x.defined() && x.device().is_cpu() && !x.is_sparse() &&
         (x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble);
}

// Inputs of one elementwise kernel: same shape, dtype and device as x (no broadcasting).
void check_like(const char* name, const at::Tensor& t, const at::Tensor& x) {
  if (!t.sizes().equals(x.sizes()) || t.scalar_type() != x.scalar_type() || t.device() != x.device()) {
    fail("{}: operand {} {} does not match x {} {}", name, c10::str(t.sizes()), c10::str(t.scalar_type()),
         c10::str(x.sizes()), c10::str(x.scalar_type()));
  }
}

at::Tensor silu_kernel(const at::Tensor& x_in) {
  const at::Tensor x = x_in.contiguous();
  at::Tensor y = at::empty_like(x, at::MemoryFormat::Contiguous);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fast_silu", [&] {
    const scalar_t* px = x.data_ptr<scalar_t>();
    scalar_t* py = y.data_ptr<scalar_t>();
    at::parallel_for(0, x.numel(), kGrain, [&](int64_t b, int64_t e) { silu_rows(px, py, b, e); });
  });
  return y;
}

at::Tensor silu_grad_kernel(const at::Tensor& g_in, const at::Tensor& x_in) {
  const at::Tensor g = g_in.contiguous(), x = x_in.contiguous();
  at::Tensor out = at::empty_like(x, at::MemoryFormat::Contiguous);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fast_silu_grad", [&] {
    const scalar_t* pg = g.data_ptr<scalar_t>();
    const scalar_t* px = x.data_ptr<scalar_t>();
    scalar_t* po = out.data_ptr<scalar_t>();
    at::parallel_for(0, x.numel(), kGrain, [&](int64_t b, int64_t e) { silu_grad_rows(pg, px, po, b, e); });
  });
  return out;
}

at::Tensor silu_second_kernel(const at::Tensor& a_in, const at::Tensor& b_in, const at::Tensor& x_in) {
  const at::Tensor a = a_in.contiguous(), b = b_in.contiguous(), x = x_in.contiguous();
  at::Tensor out = at::empty_like(x, at::MemoryFormat::Contiguous);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fast_silu_second", [&] {
    const scalar_t* pa = a.data_ptr<scalar_t>();
    const scalar_t* pb = b.data_ptr<scalar_t>();
    const scalar_t* px = x.data_ptr<scalar_t>();
    scalar_t* po = out.data_ptr<scalar_t>();
    at::parallel_for(0, x.numel(), kGrain, [&](int64_t i0, int64_t i1) { silu_second_rows(pa, pb, px, po, i0, i1); });
  });
  return out;
}

// silu'''(x) = s c ((c - s)(3 + x (c - s)) - 2 x s c), in differentiable ATen ops so that
// every further order is right too.
at::Tensor third_derivative(const at::Tensor& x) {
  const at::Tensor s = at::sigmoid(x), c = at::sigmoid(-x);
  const at::Tensor sc = s * c, d = c - s;
  return sc * (d * (3 + x * d) - 2 * x * sc);
}

at::Tensor silu_second(const at::Tensor& a, const at::Tensor& b, const at::Tensor& x);

// a * b * silu''(x).
struct SiluSecond : public torch::autograd::Function<SiluSecond> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& a, const at::Tensor& b, const at::Tensor& x) {
    ctx->save_for_backward({a, b, x});
    return silu_second_kernel(a, b, x);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &g = grads[0], &a = saved[0], &b = saved[1], &x = saved[2];
    return {ctx->needs_input_grad(0) ? silu_second(g, b, x) : at::Tensor(),
            ctx->needs_input_grad(1) ? silu_second(g, a, x) : at::Tensor(),
            ctx->needs_input_grad(2) ? g * a * b * third_derivative(x) : at::Tensor()};
  }
};

at::Tensor silu_second(const at::Tensor& a, const at::Tensor& b, const at::Tensor& x) {
  check_like("fast_silu (second derivative)", a, x);
  check_like("fast_silu (second derivative)", b, x);
  return SiluSecond::apply(a, b, x);
}

at::Tensor silu_grad(const at::Tensor& g, const at::Tensor& x);

// g * silu'(x): the backward of SiLU.
struct SiluGrad : public torch::autograd::Function<SiluGrad> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& g, const at::Tensor& x) {
    ctx->save_for_backward({g, x});
    return silu_grad_kernel(g, x);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &gg = grads[0], &g = saved[0], &x = saved[1];
    return {ctx->needs_input_grad(0) ? silu_grad(gg, x) : at::Tensor(),
            ctx->needs_input_grad(1) ? silu_second(gg, g, x) : at::Tensor()};
  }
};

at::Tensor silu_grad(const at::Tensor& g, const at::Tensor& x) {
  check_like("fast_silu (derivative)", g, x);
  return SiluGrad::apply(g, x);
}

struct Silu : public torch::autograd::Function<Silu> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x) {
    ctx->save_for_backward({x});
    return silu_kernel(x);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    return {ctx->needs_input_grad(0) ? silu_grad(grads[0], saved[0]) : at::Tensor()};
  }
};

}  // namespace

at::Tensor fast_silu(const at::Tensor& x) {
  if (!has_kernel(x)) return at::silu(x);
  return Silu::apply(x);
}

}  // namespace eqt::kernels
