#include "eqt/kernels/batched_small_matmul.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/kernels/row_product.h"

namespace eqt::kernels {
namespace {

using kernels::row_product;

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Entries per parallel chunk: enough work to pay for the hand-over between threads.
int64_t grain(int64_t work_per_item) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, work_per_item)); }

// out[z, p, r] = sum_q a[z, p, q] b[z, q, r] for z in [z0, z1).
template <typename T>
EQT_INLINE void nn_block(const T* pa, const T* pb, T* po, int64_t z0, int64_t z1, int64_t P, int64_t Q, int64_t R) {
  for (int64_t z = z0; z < z1; ++z) {
    for (int64_t p = 0; p < P; ++p) row_product(pa + (z * P + p) * Q, pb + z * Q * R, R, Q, R, po + (z * P + p) * R);
  }
}

// out[z, p, q] = sum_r a[z, p, r] b[z, q, r]. b[z] is first transposed into a small buffer, so
// that each output row is a row_product along q (dot products along r would each end in a
// horizontal reduction, which dominated at PET's attention sizes).
template <typename T>
EQT_INLINE void nt_block(const T* pa, const T* pb, T* po, int64_t z0, int64_t z1, int64_t P, int64_t Q, int64_t R) {
  const int64_t padded = (Q + 7) / 8 * 8;  // zero columns: no scalar tail in row_product
  std::vector<T> bt(static_cast<std::size_t>(padded * R), T(0)), row(static_cast<std::size_t>(padded));
  for (int64_t z = z0; z < z1; ++z) {
    const T* bz = pb + z * Q * R;
    for (int64_t r = 0; r < R; ++r) {
      for (int64_t q = 0; q < Q; ++q) bt[r * padded + q] = bz[q * R + r];
    }
    for (int64_t p = 0; p < P; ++p) {
      row_product(pa + (z * P + p) * R, bt.data(), padded, R, padded, row.data());
      std::copy(row.begin(), row.begin() + Q, po + (z * P + p) * Q);
    }
  }
}

EQT_MULTIVERSION void nn_rows(const float* a, const float* b, float* o, int64_t z0, int64_t z1, int64_t P, int64_t Q, int64_t R) {
  nn_block(a, b, o, z0, z1, P, Q, R);
}
EQT_MULTIVERSION void nn_rows(const double* a, const double* b, double* o, int64_t z0, int64_t z1, int64_t P, int64_t Q, int64_t R) {
  nn_block(a, b, o, z0, z1, P, Q, R);
}
EQT_MULTIVERSION void nt_rows(const float* a, const float* b, float* o, int64_t z0, int64_t z1, int64_t P, int64_t Q, int64_t R) {
  nt_block(a, b, o, z0, z1, P, Q, R);
}
EQT_MULTIVERSION void nt_rows(const double* a, const double* b, double* o, int64_t z0, int64_t z1, int64_t P, int64_t Q, int64_t R) {
  nt_block(a, b, o, z0, z1, P, Q, R);
}

// out[z] = a[z] @ b[z] (transposed: a[z] @ b[z]^T) through nn_rows / nt_rows, split over z.
at::Tensor product_kernel(const at::Tensor& a_in, const at::Tensor& b_in, bool transposed) {
  const at::Tensor a = a_in.contiguous(), b = b_in.contiguous();
  const int64_t Z = a.size(0), P = a.size(1);
  const int64_t Q = transposed ? b.size(1) : a.size(2), R = transposed ? a.size(2) : b.size(2);
  at::Tensor out = at::empty({Z, P, transposed ? Q : R}, a.options());
  AT_DISPATCH_FLOATING_TYPES(a.scalar_type(), "batched_small_mm", [&] {
    const scalar_t* pa = a.data_ptr<scalar_t>();
    const scalar_t* pb = b.data_ptr<scalar_t>();
    scalar_t* po = out.data_ptr<scalar_t>();
    at::parallel_for(0, Z, grain(P * Q * R), [&](int64_t z0, int64_t z1) {
      if (transposed) {
        nt_rows(pa, pb, po, z0, z1, P, Q, R);
      } else {
        nn_rows(pa, pb, po, z0, z1, P, Q, R);
      }
    });
  });
  return out;
}

struct SmallMm : public torch::autograd::Function<SmallMm> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& a, const at::Tensor& b) {
    ctx->save_for_backward({a, b});
    return product_kernel(a, b, /*transposed=*/false);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& g = grads[0];  // [Z, P, R]
    at::Tensor ga, gb;
    if (ctx->needs_input_grad(0)) ga = batched_small_mm_nt(g, saved[1]);                  // g b^T
    if (ctx->needs_input_grad(1)) gb = batched_small_mm(saved[0].transpose(1, 2), g);     // a^T g
    return {ga, gb};
  }
};

struct SmallMmNt : public torch::autograd::Function<SmallMmNt> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& a, const at::Tensor& b) {
    ctx->save_for_backward({a, b});
    return product_kernel(a, b, /*transposed=*/true);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& g = grads[0];  // [Z, P, Q]
    at::Tensor ga, gb;
    if (ctx->needs_input_grad(0)) ga = batched_small_mm(g, saved[1]);                   // g b
    if (ctx->needs_input_grad(1)) gb = batched_small_mm(g.transpose(1, 2), saved[0]);   // g^T a
    return {ga, gb};
  }
};

bool has_kernel(const at::Tensor& a, const at::Tensor& b) {
  const auto type = a.scalar_type();
  return a.device().is_cpu() && b.device().is_cpu() && type == b.scalar_type() &&
         (type == at::kFloat || type == at::kDouble);
}

void check(const char* name, const at::Tensor& a, const at::Tensor& b, int64_t a_axis, int64_t b_axis) {
  if (a.dim() != 3 || b.dim() != 3 || a.size(0) != b.size(0) || a.size(a_axis) != b.size(b_axis)) {
    fail("{}: shapes {} and {} do not fit", name, c10::str(a.sizes()), c10::str(b.sizes()));
  }
}

}  // namespace

at::Tensor batched_small_mm(const at::Tensor& a, const at::Tensor& b) {
  check("batched_small_mm", a, b, 2, 1);
  if (!has_kernel(a, b)) return at::bmm(a, b);
  return SmallMm::apply(a, b);
}

at::Tensor batched_small_mm_nt(const at::Tensor& a, const at::Tensor& b) {
  check("batched_small_mm_nt", a, b, 2, 2);
  if (!has_kernel(a, b)) return at::bmm(a, b.transpose(1, 2));
  return SmallMmNt::apply(a, b);
}

}  // namespace eqt::kernels
