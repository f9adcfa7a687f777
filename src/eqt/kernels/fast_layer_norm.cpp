#include "eqt/kernels/fast_layer_norm.h"

#include <torch/csrc/autograd/custom_function.h>

#include <array>
#include <tuple>

#include "eqt/kernels/fast_layer_norm_kernels.h"

namespace eqt::kernels {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The backward of LNGrad (the formulas of kernels::layer_norm_input_grad_backward) in
// differentiable ATen ops, for derivatives of third and higher order. Written out rather than
// taken by autograd::grad of LNGrad: g may itself depend on x, and autograd::grad would then add
// the paths through g to the partial derivative with respect to x.
struct CompositeGrads {
  at::Tensor g, x, gamma;
};

CompositeGrads input_grad_backward_composite(const at::Tensor& v, const at::Tensor& g, const at::Tensor& x,
                                             const at::Tensor& gamma, double eps) {
  const double d = static_cast<double>(x.size(-1));
  const auto row_sum = [](const at::Tensor& t) { return t.sum(-1, /*keepdim=*/true); };
  const at::Tensor centred = x - x.mean(-1, /*keepdim=*/true);
  const at::Tensor r = at::rsqrt(row_sum(centred * centred) / d + eps);
  const at::Tensor xh = centred * r, a = g * gamma;
  const at::Tensor mv = row_sum(v) / d, ma = row_sum(a) / d;
  const at::Tensor A = row_sum(v * a) - d * mv * ma, B = row_sum(v * xh), C = row_sum(a * xh);
  const at::Tensor p = r * (v - mv - xh * (B / d));
  const at::Tensor dx = -(r * r / d) * (xh * (A - 3 * B * C / d) + C * (v - mv) + B * (a - ma));
  return {gamma * p, dx, (g * p).sum(0)};
}

at::Tensor input_grad(const at::Tensor& g, const at::Tensor& x, const at::Tensor& gamma, const at::Tensor& mean,
                      const at::Tensor& rstd, double eps);

// dx = LNGrad(g, x, gamma) for x [rows, D]; mean and rstd [rows, 1] are those of x (not inputs of
// the math: their dependence on x is in the backward formulas).
struct LayerNormInputGrad : public torch::autograd::Function<LayerNormInputGrad> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& g, const at::Tensor& x, const at::Tensor& gamma,
                            const at::Tensor& mean, const at::Tensor& rstd, double eps) {
    ctx->save_for_backward({g, x, gamma, mean, rstd});
    ctx->saved_data["eps"] = eps;
    // The value is LibTorch's (its fused backward, asked for dx only); the point of this function
    // is its backward.
    return std::get<0>(at::native_layer_norm_backward(g, x, {x.size(1)}, mean, rstd, gamma, {}, {true, false, false}));
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &g = saved[0], &x = saved[1], &gamma = saved[2];
    const bool need_g = ctx->needs_input_grad(0), need_x = ctx->needs_input_grad(1),
               need_gamma = ctx->needs_input_grad(2);
    at::Tensor dg, dx, dgamma;
    if (at::GradMode::is_enabled()) {
      // This derivative will be differentiated again: build it from differentiable ops.
      const auto d = input_grad_backward_composite(grads[0], g, x, gamma, ctx->saved_data["eps"].toDouble());
      if (need_g) dg = d.g;
      if (need_x) dx = d.x;
      if (need_gamma) dgamma = d.gamma;
    } else {
      auto d = kernels::layer_norm_input_grad_backward(grads[0], g, x, gamma, saved[3], saved[4], need_g, need_x,
                                                       need_gamma);
      dg = d.g, dx = d.x, dgamma = d.gamma;
    }
    return {dg, dx, dgamma, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

at::Tensor input_grad(const at::Tensor& g, const at::Tensor& x, const at::Tensor& gamma, const at::Tensor& mean,
                      const at::Tensor& rstd, double eps) {
  return LayerNormInputGrad::apply(g, x, gamma, mean, rstd, eps);
}

// y = layer_norm(x) gamma + beta for x [rows, D] contiguous.
struct LayerNorm : public torch::autograd::Function<LayerNorm> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& gamma,
                            const at::Tensor& beta, double eps) {
    at::Tensor y, mean, rstd;  // mean and rstd [rows, 1]
    std::tie(y, mean, rstd) = at::native_layer_norm(x, {x.size(1)}, gamma, beta, eps);
    ctx->save_for_backward({x, gamma, beta, mean, rstd});
    ctx->saved_data["eps"] = eps;
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &g = grads[0], &x = saved[0], &gamma = saved[1], &mean = saved[3], &rstd = saved[4];
    const std::array<bool, 3> need{ctx->needs_input_grad(0), ctx->needs_input_grad(1), ctx->needs_input_grad(2)};
    if (!at::GradMode::is_enabled()) {
      // Not differentiated again: LibTorch's fused backward computes all three in one pass.
      at::Tensor dx, dgamma, dbeta;
      std::tie(dx, dgamma, dbeta) = at::native_layer_norm_backward(g, x, {x.size(1)}, mean, rstd, gamma, saved[2], need);
      return {dx, dgamma, dbeta, at::Tensor()};
    }
    const double eps = ctx->saved_data["eps"].toDouble();
    at::Tensor dx, dgamma, dbeta;
    if (need[0]) dx = input_grad(g, x, gamma, mean, rstd, eps);
    if (need[1]) dgamma = (g * at::layer_norm(x, {x.size(1)}, {}, {}, eps)).sum(0);  // differentiable in x
    if (need[2]) dbeta = g.sum(0);
    return {dx, dgamma, dbeta, at::Tensor()};
  }
};

bool is_cpu_float(const at::Tensor& t, c10::ScalarType type) {
  return t.defined() && t.device().is_cpu() && t.layout() == at::kStrided && t.scalar_type() == type;
}

bool has_kernel(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  if (!x.defined() || x.dim() < 1 || x.size(-1) == 0) return false;
  const auto type = x.scalar_type();
  if (type != at::kFloat && type != at::kDouble) return false;
  const int64_t d = x.size(-1);
  return is_cpu_float(x, type) && is_cpu_float(weight, type) && is_cpu_float(bias, type) && weight.dim() == 1 &&
         bias.dim() == 1 && weight.size(0) == d && bias.size(0) == d;
}

}  // namespace

at::Tensor fast_layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps) {
  if (!has_kernel(x, weight, bias)) return at::layer_norm(x, {x.size(-1)}, weight, bias, eps);
  const at::Tensor rows = x.reshape({-1, x.size(-1)}).contiguous();
  return LayerNorm::apply(rows, weight.contiguous(), bias.contiguous(), eps).view(x.sizes());
}

}  // namespace eqt::kernels
