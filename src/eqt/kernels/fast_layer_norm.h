#pragma once
// Layer norm over the last dimension whose second derivative is one hand-written CPU kernel,
// differentiable to any order.
//
// Why: a PET training step differentiates each layer norm twice (forces by autograd with
// create_graph, then the loss), and LibTorch's double backward of layer norm
// (NativeLayerNormBackwardBackward0) runs some 26 elementwise products and 10 reductions over the
// [tokens, d_model] tensor per call. Here the gradient with respect to the input is its own
// autograd function whose backward is one pass per row (row sums, then all three outputs).
//
// Math, per row of D entries with mu = mean(x), r = 1 / sqrt(var(x) + eps) (biased variance),
// xh = (x - mu) r: y = xh gamma + beta; the backward of g = dL/dy is dbeta = sum_rows g,
// dgamma = sum_rows g xh, dx = LNGrad(g, x, gamma) = r (a - mean(a) - xh mean(a xh)), a = g gamma.
// Values and first derivatives are LibTorch's own kernels (native_layer_norm and its backward);
// the backward of LNGrad is in fast_layer_norm_kernels.cpp; orders above the second are built
// from differentiable ATen ops (only needed for correctness).
//
// Used for CPU float32 / float64 x with weight and bias [D] of the same dtype; any other input
// goes to at::layer_norm. Results agree with at::layer_norm to rounding.
#include <ATen/ATen.h>

namespace eqt::kernels {

// at::layer_norm(x, {D}, weight, bias, eps) with D = x.size(-1); weight and bias [D], defined.
at::Tensor fast_layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps);

}  // namespace eqt::kernels
