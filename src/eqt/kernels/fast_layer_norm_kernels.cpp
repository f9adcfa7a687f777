#include "eqt/kernels/fast_layer_norm_kernels.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "eqt/kernels/row_product.h"

namespace eqt::kernels {
namespace {

// Row sums are kept in one 64-byte vector of partial sums per quantity: independent lanes let
// the compiler vectorise the reductions without reassociating floating-point additions.
template <typename T>
constexpr int kLanes = 64 / sizeof(T);

struct Outputs {
  void* dg;       // [rows, D] or null
  void* dx;       // [rows, D] or null
  void* dgamma;   // [D] partial sums of this chunk, or null
};

// For v = dL/d(dx), with sums over the row A = sum(v a) - D mean(v) mean(a), B = sum(v xh),
// C = sum(a xh) and P = r (v - mean(v) - xh mean(v xh)) (P is LNGrad itself applied to v):
//   dL/dg = gamma P,   dL/dgamma += g P,
//   dL/dx = -(r^2 / D) [xh (A - 3 B C / D) + C (v - mean(v)) + B (a - mean(a))].
template <typename T>
EQT_INLINE void grad_backward_row(const T* v, const T* g, const T* x, const T* gamma, T mu, T r, int64_t d, T* dg,
                                  T* dx, T* dgamma) {
  constexpr int W = kLanes<T>;
  T acc_v[W] = {}, acc_a[W] = {}, acc_va[W] = {}, acc_b[W] = {}, acc_c[W] = {};
  int64_t j = 0;
  for (; j + W <= d; j += W) {
    for (int i = 0; i < W; ++i) {
      const T vj = v[j + i], a = g[j + i] * gamma[j + i], xh = (x[j + i] - mu) * r;
      acc_v[i] += vj, acc_a[i] += a, acc_va[i] += vj * a, acc_b[i] += vj * xh, acc_c[i] += a * xh;
    }
  }
  T sv = 0, sa = 0, sva = 0, sb = 0, sc = 0;
  for (int i = 0; i < W; ++i) sv += acc_v[i], sa += acc_a[i], sva += acc_va[i], sb += acc_b[i], sc += acc_c[i];
  for (; j < d; ++j) {
    const T vj = v[j], a = g[j] * gamma[j], xh = (x[j] - mu) * r;
    sv += vj, sa += a, sva += vj * a, sb += vj * xh, sc += a * xh;
  }
  const T inv_d = T(1) / T(d);
  const T mv = sv * inv_d, ma = sa * inv_d, mb = sb * inv_d;
  if (dg != nullptr || dgamma != nullptr) {
    if (dg != nullptr && dgamma != nullptr) {
      for (j = 0; j < d; ++j) {
        const T p = r * (v[j] - mv - (x[j] - mu) * r * mb);
        dg[j] = gamma[j] * p;
        dgamma[j] += g[j] * p;
      }
    } else if (dg != nullptr) {
      for (j = 0; j < d; ++j) dg[j] = gamma[j] * (r * (v[j] - mv - (x[j] - mu) * r * mb));
    } else {
      for (j = 0; j < d; ++j) dgamma[j] += g[j] * (r * (v[j] - mv - (x[j] - mu) * r * mb));
    }
  }
  if (dx != nullptr) {
    const T scale = -r * r * inv_d;
    const T coefficient_xh = (sva - sv * ma) - T(3) * sb * sc * inv_d;
    for (j = 0; j < d; ++j) {
      const T xh = (x[j] - mu) * r;
      dx[j] = scale * (xh * coefficient_xh + sc * (v[j] - mv) + sb * (g[j] * gamma[j] - ma));
    }
  }
}

template <typename T>
EQT_INLINE void grad_backward_block(const T* v, const T* g, const T* x, const T* gamma, const T* mean, const T* rstd,
                                    int64_t d, Outputs out, int64_t row0, int64_t row1) {
  T* dg = static_cast<T*>(out.dg);
  T* dx = static_cast<T*>(out.dx);
  for (int64_t n = row0; n < row1; ++n) {
    const int64_t o = n * d;
    grad_backward_row(v + o, g + o, x + o, gamma, mean[n], rstd[n], d, dg ? dg + o : nullptr, dx ? dx + o : nullptr,
                      static_cast<T*>(out.dgamma));
  }
}

EQT_MULTIVERSION void grad_backward_rows(const float* v, const float* g, const float* x, const float* gamma,
                                         const float* mean, const float* rstd, int64_t d, Outputs out, int64_t row0,
                                         int64_t row1) {
  grad_backward_block(v, g, x, gamma, mean, rstd, d, out, row0, row1);
}
EQT_MULTIVERSION void grad_backward_rows(const double* v, const double* g, const double* x, const double* gamma,
                                         const double* mean, const double* rstd, int64_t d, Outputs out, int64_t row0,
                                         int64_t row1) {
  grad_backward_block(v, g, x, gamma, mean, rstd, d, out, row0, row1);
}

template <typename T>
T* data_or_null(const at::Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

}  // namespace

LayerNormGradGradients layer_norm_input_grad_backward(const at::Tensor& v_in, const at::Tensor& g_in,
                                                      const at::Tensor& x, const at::Tensor& gamma,
                                                      const at::Tensor& mean, const at::Tensor& rstd, bool need_g,
                                                      bool need_x, bool need_gamma) {
  const at::Tensor v = v_in.contiguous(), g = g_in.contiguous();
  const int64_t rows = x.size(0), d = x.size(1);
  LayerNormGradGradients out;
  if (need_g) out.g = at::empty_like(x, at::MemoryFormat::Contiguous);
  if (need_x) out.x = at::empty_like(x, at::MemoryFormat::Contiguous);
  // dgamma: the rows are split into one chunk per thread, each summing into its own row of
  // partials (deterministic for a given thread count).
  const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), rows * d / 16384));
  const int64_t rows_per_chunk = (rows + chunks - 1) / chunks;
  at::Tensor partials;
  if (need_gamma) partials = at::zeros({chunks, d}, x.options());
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "fast_layer_norm_grad_backward", [&] {
    const scalar_t *pv = v.data_ptr<scalar_t>(), *pg = g.data_ptr<scalar_t>(), *px = x.data_ptr<scalar_t>();
    const scalar_t *pw = gamma.data_ptr<scalar_t>(), *pm = mean.data_ptr<scalar_t>(), *pr = rstd.data_ptr<scalar_t>();
    scalar_t* pp = data_or_null<scalar_t>(partials);
    Outputs base{data_or_null<scalar_t>(out.g), data_or_null<scalar_t>(out.x), nullptr};
    at::parallel_for(0, chunks, 1, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        Outputs o = base;
        o.dgamma = pp ? pp + c * d : nullptr;
        const int64_t r0 = std::min(rows, c * rows_per_chunk), r1 = std::min(rows, r0 + rows_per_chunk);
        grad_backward_rows(pv, pg, px, pw, pm, pr, d, o, r0, r1);
      }
    });
  });
  if (need_gamma) out.gamma = partials.sum(0);
  return out;
}

}  // namespace eqt::kernels
