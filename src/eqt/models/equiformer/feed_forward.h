#pragma once
// Equiformer's FeedForwardNetwork: FCTP-rescale (x (x) node_attr -> gate input of irreps_mlp_mid)
// -> swish gate -> FCTP-rescale (-> irreps_node_output) -> equivariant dropout (training only).
// node_attr is Equiformer's 1x0e ones, so both products are LinearRS (see linear_rescale.h).
// State dict: fctp_1.tp.weight, fctp_1.bias.*, fctp_2.tp.weight, fctp_2.bias.*
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>

#include "eqt/models/equiformer/layers/drop.h"
#include "eqt/models/equiformer/layers/linear_rescale.h"
#include "eqt/models/equiformer/layers/swish_gate.h"

namespace eqt::models::equiformer {

// FullyConnectedTensorProductRescaleSwishGate with node_attr = ones: tp, bias, gate.
class GatedLinear : public torch::nn::Module {
 public:
  GatedLinear(const so3::Irreps& irreps_in, const so3::Irreps& irreps_out, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& x) const;

 private:
  std::shared_ptr<SwishGate> gate_;
  std::shared_ptr<LinearRS> linear_;
};

class FeedForward : public torch::nn::Module {
 public:
  FeedForward(const so3::Irreps& irreps_node_input, const so3::Irreps& irreps_node_output,
              const so3::Irreps& irreps_mlp_mid, double proj_drop, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& x);

 private:
  std::shared_ptr<GatedLinear> fctp_1_;
  std::shared_ptr<LinearRS> fctp_2_;
  std::shared_ptr<EquivariantDropout> proj_drop_;
};

}  // namespace eqt::models::equiformer
