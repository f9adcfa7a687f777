#include "eqt/nn/basic_layers.h"

#include "eqt/kernels/fast_layer_norm.h"
#include "eqt/kernels/fast_linear.h"

#include <cmath>

namespace eqt::nn {

at::Tensor uniform_fan_in_init(at::IntArrayRef shape, int64_t fan_in, c10::ScalarType dtype) {
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  return at::empty(shape, at::TensorOptions().dtype(dtype)).uniform_(-bound, bound);
}

DenseLayer::DenseLayer(int64_t in_features, int64_t out_features, bool with_bias,
                       c10::ScalarType dtype) {
  weight = register_parameter("weight",
                              uniform_fan_in_init({out_features, in_features}, in_features, dtype));
  if (with_bias)
    bias = register_parameter("bias", uniform_fan_in_init({out_features}, in_features, dtype));
}

at::Tensor DenseLayer::forward(const at::Tensor& x) const { return kernels::fast_linear(x, weight, bias); }

ChannelLayerNorm::ChannelLayerNorm(int64_t channels, double eps, c10::ScalarType dtype)
    : channels_(channels), eps_(eps) {
  const auto options = at::TensorOptions().dtype(dtype);
  weight = register_parameter("weight", at::ones({channels}, options));
  bias = register_parameter("bias", at::zeros({channels}, options));
}

at::Tensor ChannelLayerNorm::forward(const at::Tensor& x) const {
  if (x.dim() < 1 || x.size(-1) != channels_) return at::layer_norm(x, {channels_}, weight, bias, eps_);
  return kernels::fast_layer_norm(x, weight, bias, eps_);
}

}  // namespace eqt::nn
