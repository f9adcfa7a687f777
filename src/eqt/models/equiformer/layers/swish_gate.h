#pragma once
// Equiformer's activation after a feature-producing layer (FullyConnectedTensorProductRescale-
// SwishGate, SeparableFCTP with use_activation): a Gate with normalised SiLU on the scalars and
// normalised sigmoid on the gates, input laid out [scalars | gates | gated] (irreps_to_gate);
// or, when there is nothing to gate, normalised SiLU on every (scalar) channel.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>

#include "eqt/models/equiformer/layers/equiformer_irreps.h"
#include "eqt/nn/gate.h"

namespace eqt::models::equiformer {

class SwishGate : public torch::nn::Module {
 public:
  // irreps_output: what comes out of the gate; irreps_input() is what must go in.
  explicit SwishGate(const so3::Irreps& irreps_output);

  at::Tensor forward(const at::Tensor& x) const;
  const so3::Irreps& irreps_input() const { return irreps_input_; }

 private:
  std::shared_ptr<nn::Gate> gate_;  // null: plain activation
  so3::Irreps irreps_input_;
};

}  // namespace eqt::models::equiformer
