#pragma once
// Equiformer's SeparableFCTP: a depthwise tensor product of node features with the edge
// spherical harmonics (per-edge weights from a RadialProfile of the radial basis, or internal
// shared weights), then LinearRS(dtp.irreps_out.simplify() -> output), then optionally the swish
// gate. The official norm_layer option is always None where Equiformer uses this layer, so it is
// not offered.
//
// State dict: dtp.tp.weight (internal weights), dtp_rad.* (RadialProfile), lin.tp.weight, lin.bias.*
#include <ATen/ATen.h>
#include <c10/util/Optional.h>
#include <torch/nn/module.h>

#include <memory>
#include <vector>

#include "eqt/models/equiformer/layers/linear_rescale.h"
#include "eqt/models/equiformer/layers/radial_mlp.h"
#include "eqt/models/equiformer/layers/swish_gate.h"
#include "eqt/models/equiformer/layers/tensor_product_rescale.h"

namespace eqt::models::equiformer {

class SeparableFCTP : public torch::nn::Module {
 public:
  // fc_neurons: [num_basis, hidden...] of the radial profile; empty = internal dtp weights.
  SeparableFCTP(const so3::Irreps& irreps_node_input, const so3::Irreps& irreps_edge_attr,
                const so3::Irreps& irreps_node_output, const std::vector<int64_t>& fc_neurons,
                bool use_activation, c10::ScalarType dtype = at::kFloat);

  // node_input [E, in], edge_attr [E, sh]; edge_scalars [E, num_basis] unless internal weights.
  at::Tensor forward(const at::Tensor& node_input, const at::Tensor& edge_attr,
                     const c10::optional<at::Tensor>& edge_scalars) const;
  // The depthwise product alone (GraphAttention with nonlinear messages splits the layer), in the
  // IrrepMajor layout of dtp->irreps_out() (= that of its simplify(), the input of lin).
  nn::IrrepMajor depthwise(const at::Tensor& node_input, const at::Tensor& edge_attr,
                       const c10::optional<at::Tensor>& edge_scalars) const;
  // lin then gate, applied to depthwise() output.
  at::Tensor project(const nn::IrrepMajor& depthwise_output) const;

  std::shared_ptr<TensorProductRescale> dtp;
  std::shared_ptr<RadialProfile> dtp_rad;  // null with internal weights
  std::shared_ptr<LinearRS> lin;
  std::shared_ptr<SwishGate> gate;  // null without activation
};

}  // namespace eqt::models::equiformer
