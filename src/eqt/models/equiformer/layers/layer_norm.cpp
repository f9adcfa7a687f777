#include "eqt/models/equiformer/layers/layer_norm.h"

#include <string>

namespace eqt::models::equiformer {

EquivariantLayerNormV2::EquivariantLayerNormV2(so3::Irreps irreps, double eps, bool affine,
                                               NormNormalization normalization,
                                               c10::ScalarType dtype)
    : AffineEquivariantNorm(std::move(irreps), eps, affine, normalization, dtype) {}

at::Tensor EquivariantLayerNormV2::forward(const at::Tensor& x, const at::Tensor& /*batch*/) {
  return forward(x);
}

at::Tensor EquivariantLayerNormV2::forward(const at::Tensor& x) {
  check_input(x, "EquivariantLayerNormV2");
  const int64_t num_nodes = x.size(0);
  std::vector<at::Tensor> outputs;
  int64_t copy_offset = 0;
  int64_t scalar_offset = 0;
  for (const auto& block : blocks()) {
    auto field =
        x.narrow(1, block.start, block.mul * block.dim).reshape({num_nodes, block.mul, block.dim});
    if (block.scalar) field = field - field.mean(1, /*keepdim=*/true);
    const auto mean_square = squared_size(field).mean(1, /*keepdim=*/true);  // [N, 1]
    const auto inv_scale = (mean_square + eps()).pow(-0.5);
    outputs.push_back(rescale(field, inv_scale, block, copy_offset, scalar_offset)
                          .reshape({num_nodes, block.mul * block.dim}));
    copy_offset += block.mul;
    if (block.scalar) scalar_offset += block.mul;
  }
  return at::cat(outputs, 1);
}

namespace {
// Smallest positive float16 subnormal, the official clamp that keeps r'/r finite at r = 0.
constexpr double kNormClamp = 1.0 / (1 << 24);
}  // namespace

EquivariantLayerNorm::EquivariantLayerNorm(so3::Irreps irreps, double eps, c10::ScalarType dtype)
    : EquivariantNorm(std::move(irreps)) {
  auto list = register_module("layer_norms", std::make_shared<torch::nn::Module>("ModuleList"));
  for (std::size_t i = 0; i < blocks().size(); ++i) {
    layer_norms_.push_back(std::make_shared<nn::ChannelLayerNorm>(blocks()[i].mul, eps, dtype));
    list->register_module(std::to_string(i), layer_norms_.back());
  }
}

at::Tensor EquivariantLayerNorm::forward(const at::Tensor& x, const at::Tensor& /*batch*/) {
  return forward(x);
}

at::Tensor EquivariantLayerNorm::forward(const at::Tensor& x) {
  check_input(x, "EquivariantLayerNorm");
  const int64_t num_nodes = x.size(0);
  std::vector<at::Tensor> outputs;
  for (std::size_t i = 0; i < blocks().size(); ++i) {
    const auto& block = blocks()[i];
    const auto field =
        x.narrow(1, block.start, block.mul * block.dim).reshape({num_nodes, block.mul, block.dim});
    // L2 norm over m; torch's norm backward is zero (not NaN) where a copy vanishes.
    const auto norm = field.norm(2, {2}).clamp_min(kNormClamp);  // [N, mul]
    const auto new_norm = layer_norms_[i]->forward(norm);
    const auto scaled = field * new_norm.unsqueeze(-1) / norm.unsqueeze(-1);
    outputs.push_back(scaled.reshape({num_nodes, block.mul * block.dim}));
  }
  return at::cat(outputs, 1);
}

}  // namespace eqt::models::equiformer
