#pragma once
// The two plain (non-equivariant) layers Equiformer's scalar MLPs need, holding parameters
// under torch's names (weight, bias) so nn.Linear / nn.LayerNorm state dicts load directly.
// Written against ATen ops to avoid the heavy torch::nn::Linear headers.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <cstdint>

namespace eqt::nn {

// U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for Linear weights and biases.
at::Tensor uniform_fan_in_init(at::IntArrayRef shape, int64_t fan_in, c10::ScalarType dtype);

// y = x W^T (+ b), with PyTorch's default init U(-1/sqrt(in), 1/sqrt(in)) for W and b.
class DenseLayer : public torch::nn::Module {
 public:
  DenseLayer(int64_t in_features, int64_t out_features, bool with_bias, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& x) const;
  at::Tensor weight, bias;  // bias undefined when !with_bias
};

// LayerNorm over the last dimension with elementwise affine (init weight 1, bias 0).
class ChannelLayerNorm : public torch::nn::Module {
 public:
  ChannelLayerNorm(int64_t channels, double eps, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& x) const;
  at::Tensor weight, bias;

 private:
  int64_t channels_;
  double eps_;
};

}  // namespace eqt::nn
