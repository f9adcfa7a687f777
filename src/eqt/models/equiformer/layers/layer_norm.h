#pragma once
// Per-node equivariant layer norms (statistics over the channels of one node only).
#include "eqt/nn/basic_layers.h"
#include "eqt/models/equiformer/layers/equivariant_norm.h"

namespace eqt::models::equiformer {

// Equiformer's EquivariantLayerNormV2 (norm_layer 'layer', the default; 'fast_layer' computes
// the same function). Per block [N, mul, d]:
//   0e blocks: subtract the mean over the mul copies;
//   n = mean over copies of squared_size (component: mean over m);
//   x *= (n + eps)^-1/2 * affine_weight[copy];  0e blocks: += affine_bias[channel].
// State dict: affine_weight [num_irreps], affine_bias [num 0e copies].
class EquivariantLayerNormV2 : public AffineEquivariantNorm {
 public:
  explicit EquivariantLayerNormV2(so3::Irreps irreps, double eps = 1e-5, bool affine = true,
                                  NormNormalization normalization = NormNormalization::Component,
                                  c10::ScalarType dtype = at::kFloat);
  at::Tensor forward(const at::Tensor& x);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& batch) override;
};

// Equiformer's first EquivariantLayerNorm (layer_norm.py; not reachable via get_norm_layer).
// Per block: r = |x_copy| (L2 over m, clamped to >= 2^-24), r' = LayerNorm_mul(r), x *= r'/r.
// Applied to 0e blocks as well, where it keeps each sign and normalises |x|.
// State dict: layer_norms.<block>.weight / .bias [mul of that block].
class EquivariantLayerNorm : public EquivariantNorm {
 public:
  explicit EquivariantLayerNorm(so3::Irreps irreps, double eps = 1e-5,
                                c10::ScalarType dtype = at::kFloat);
  at::Tensor forward(const at::Tensor& x);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& batch) override;

 private:
  std::vector<std::shared_ptr<nn::ChannelLayerNorm>> layer_norms_;
};

}  // namespace eqt::models::equiformer
