#pragma once
// Row kernel behind eqt::kernels::fast_layer_norm (fast_layer_norm.cpp): the backward of layer norm's
// gradient with respect to its input, in one pass over the rows.
//
// All tensors are contiguous CPU float32 / float64 [rows, D] (gamma [D]; mean and rstd [rows] or
// [rows, 1], as at::native_layer_norm returns them). With xh = (x - mean) rstd and a = g gamma:
// the input gradient is dx = rstd (a - mean(a) - xh mean(a xh)) (means over the row), and
// layer_norm_input_grad_backward gives, for v = dL/d(dx), dL/dg, dL/dx and dL/dgamma (formulas
// in the .cpp).
#include <ATen/ATen.h>

namespace eqt::kernels {

struct LayerNormGradGradients {
  at::Tensor g, x, gamma;  // undefined where not asked for
};

LayerNormGradGradients layer_norm_input_grad_backward(const at::Tensor& v, const at::Tensor& g, const at::Tensor& x,
                                                      const at::Tensor& gamma, const at::Tensor& mean,
                                                      const at::Tensor& rstd, bool need_g, bool need_x,
                                                      bool need_gamma);

}  // namespace eqt::kernels
