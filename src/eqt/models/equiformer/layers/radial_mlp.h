#pragma once
// Equiformer's RadialProfile: the MLP that maps the radial basis of each edge to the per-edge
// weights of a depthwise tensor product. For channels = [c0, c1, ..., cn]:
//   Linear(c0->c1)+b -> LayerNorm(c1, eps 1e-5) -> SiLU -> ... -> Linear(c_{n-1}->cn) [+ offset]
// The last Linear has no bias when an offset is used (the offset plays that role). SiLU is the
// plain torch SiLU here, not the second-moment-normalised one used elsewhere in Equiformer.
//
// State dict (channels [K, h, h, n], defaults): net.0.weight [h,K], net.0.bias [h],
// net.1.weight/bias [h] (LayerNorm), net.3.*, net.4.*, net.6.weight [n,h], offset [n].
// Indices count the parameter-free SiLUs too, exactly as nn.Sequential numbers them.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "eqt/nn/basic_layers.h"

namespace eqt::models::equiformer {

class RadialProfile : public torch::nn::Module {
 public:
  explicit RadialProfile(std::vector<int64_t> channels, bool use_layer_norm = true,
                         bool use_offset = true, c10::ScalarType dtype = at::kFloat);
  // [..., channels.front()] -> [..., channels.back()]
  at::Tensor forward(const at::Tensor& edge_scalars) const;

  const std::vector<int64_t>& channels() const { return channels_; }
  int64_t in_features() const { return channels_.front(); }
  int64_t out_features() const { return channels_.back(); }
  at::Tensor offset;  // undefined when !use_offset

 private:
  // One step of the Sequential; the SiLU steps have no module.
  struct Step {
    std::shared_ptr<nn::DenseLayer> dense;
    std::shared_ptr<nn::ChannelLayerNorm> norm;
    bool silu = false;
  };
  void add_step(const std::shared_ptr<torch::nn::Module>& container, Step step);

  std::vector<int64_t> channels_;
  std::vector<Step> steps_;
};

}  // namespace eqt::models::equiformer
