#include "eqt/kernels/fast_linear.h"

#include <torch/csrc/autograd/custom_function.h>

#include <cstdlib>
#include <cstring>

#include "eqt/core/error.h"

#ifdef EQT_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#endif

namespace eqt::kernels {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

bool dnnl_enabled() {
#ifdef EQT_HAVE_DNNL
  static const bool enabled = [] {
    const char* choice = std::getenv("EQT_GEMM");
    return choice == nullptr || std::strcmp(choice, "blas") != 0;
  }();
  return enabled;
#else
  return false;
#endif
}

// A 2-D operand as sgemm sees it (row-major): a contiguous matrix, or the transpose of one.
struct Operand {
  at::Tensor storage;  // keeps the memory alive
  char trans = 'N';
  int64_t ld = 0;
};

Operand operand(const at::Tensor& m) {
  if (m.stride(1) == 1 && m.stride(0) >= std::max<int64_t>(m.size(1), 1)) return {m, 'N', m.stride(0)};
  if (m.stride(0) == 1 && m.stride(1) >= std::max<int64_t>(m.size(0), 1)) return {m, 'T', m.stride(1)};
  const at::Tensor c = m.contiguous();
  return {c, 'N', std::max<int64_t>(c.size(1), 1)};
}

// out [M, N] (contiguous) = a [M, K] @ b [K, N] + beta * out.
void sgemm_into(const at::Tensor& a, const at::Tensor& b, float beta, at::Tensor& out) {
#ifdef EQT_HAVE_DNNL
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (beta == 0.0f) out.zero_();
    return;
  }
  const Operand oa = operand(a), ob = operand(b);
  const dnnl_status_t status =
      dnnl_sgemm(oa.trans, ob.trans, m, n, k, 1.0f, oa.storage.data_ptr<float>(), oa.ld,
                 ob.storage.data_ptr<float>(), ob.ld, beta, out.data_ptr<float>(), std::max<int64_t>(n, 1));
  if (status != dnnl_success) fail("fast_mm: oneDNN sgemm failed (status {})", static_cast<int>(status));
#else
  (void)a, (void)b, (void)beta, (void)out;
#endif
}

at::Tensor raw_mm(const at::Tensor& a, const at::Tensor& b) {
  at::Tensor out = at::empty({a.size(0), b.size(1)}, a.options());
  sgemm_into(a, b, 0.0f, out);
  return out;
}

struct MatMul : public torch::autograd::Function<MatMul> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& a, const at::Tensor& b) {
    ctx->save_for_backward({a, b});
    return raw_mm(a, b);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& g = grads[0];
    // Only what the backward pass asks for: forces alone need no weight gradients.
    return {ctx->needs_input_grad(0) ? fast_mm(g, saved[1].t()) : at::Tensor(),
            ctx->needs_input_grad(1) ? fast_mm(saved[0].t(), g) : at::Tensor()};
  }
};

// x [M, in] @ weight [out, in]^T + bias [out]: the bias is the GEMM's initial C.
struct BiasedLinear : public torch::autograd::Function<BiasedLinear> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const at::Tensor& bias) {
    ctx->save_for_backward({x, weight});
    at::Tensor out = bias.unsqueeze(0).expand({x.size(0), weight.size(0)}).contiguous();
    sgemm_into(x, weight.t(), 1.0f, out);
    return out;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& g = grads[0];
    return {ctx->needs_input_grad(0) ? fast_mm(g, saved[1]) : at::Tensor(),
            ctx->needs_input_grad(1) ? fast_mm(g.t(), saved[0]) : at::Tensor(),
            ctx->needs_input_grad(2) ? g.sum(0) : at::Tensor()};
  }
};

}  // namespace

bool uses_dnnl(const at::Tensor& like) {
  return dnnl_enabled() && like.scalar_type() == at::kFloat && like.device().is_cpu() && !like.is_sparse();
}

at::Tensor fast_mm(const at::Tensor& a, const at::Tensor& b) {
  if (!uses_dnnl(a) || !uses_dnnl(b)) return at::mm(a, b);
  return MatMul::apply(a, b);
}

at::Tensor fast_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  if (!uses_dnnl(x) || !uses_dnnl(weight) || x.dim() < 1) return at::linear(x, weight, bias);
  const int64_t in = weight.size(1), out = weight.size(0);
  const at::Tensor flat = x.reshape({-1, in});
  // (Undefined tensors cannot be custom-function inputs in LibTorch 1.13.)
  const at::Tensor y = bias.defined() ? BiasedLinear::apply(flat, weight, bias) : MatMul::apply(flat, weight.t());
  std::vector<int64_t> shape = x.sizes().vec();
  shape.back() = out;
  return y.view(shape);
}

}  // namespace eqt::kernels
