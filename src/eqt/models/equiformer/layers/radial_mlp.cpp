#include "eqt/models/equiformer/layers/radial_mlp.h"

#include <cmath>
#include <string>

#include "eqt/core/error.h"

namespace eqt::models::equiformer {
namespace {

constexpr double kLayerNormEps = 1e-5;

}  // namespace

RadialProfile::RadialProfile(std::vector<int64_t> channels, bool use_layer_norm, bool use_offset,
                             c10::ScalarType dtype)
    : channels_(std::move(channels)) {
  if (channels_.size() < 2) fail("RadialProfile: need at least [in, out] channels");
  for (const auto c : channels_) {
    if (c <= 0) fail("RadialProfile: channel counts must be positive, got {}", c);
  }
  auto net = register_module("net", std::make_shared<torch::nn::Module>("Sequential"));
  const std::size_t last = channels_.size() - 1;
  for (std::size_t i = 1; i <= last; ++i) {
    const bool is_last = i == last;
    // The offset replaces the bias of the final Linear.
    const bool with_bias = !(is_last && use_offset);
    add_step(net,
             Step{std::make_shared<nn::DenseLayer>(channels_[i - 1], channels_[i], with_bias, dtype),
                  nullptr, false});
    if (is_last) break;
    if (use_layer_norm) {
      add_step(net,
               Step{nullptr, std::make_shared<nn::ChannelLayerNorm>(channels_[i], kLayerNormEps, dtype),
                    false});
    }
    add_step(net, Step{nullptr, nullptr, true});
  }
  if (use_offset) {
    offset = register_parameter(
        "offset", nn::uniform_fan_in_init({channels_.back()}, channels_[last - 1], dtype));
  }
}

void RadialProfile::add_step(const std::shared_ptr<torch::nn::Module>& container, Step step) {
  const std::string index = std::to_string(steps_.size());
  if (step.dense) container->register_module(index, step.dense);
  if (step.norm) container->register_module(index, step.norm);
  steps_.push_back(std::move(step));
}

at::Tensor RadialProfile::forward(const at::Tensor& edge_scalars) const {
  if (!edge_scalars.defined() || edge_scalars.dim() < 1 || edge_scalars.size(-1) != in_features()) {
    fail("RadialProfile: expected input [..., {}], got {}", in_features(),
         edge_scalars.defined() ? c10::str(edge_scalars.sizes()) : std::string("undefined"));
  }
  at::Tensor x = edge_scalars;
  for (const auto& step : steps_) {
    if (step.dense)
      x = step.dense->forward(x);
    else if (step.norm)
      x = step.norm->forward(x);
    else
      x = at::silu(x);
  }
  return offset.defined() ? x + offset : x;
}

}  // namespace eqt::models::equiformer
