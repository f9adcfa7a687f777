#include "eqt/models/equiformer/layers/separable_fctp.h"

#include "eqt/core/error.h"

namespace eqt::models::equiformer {

SeparableFCTP::SeparableFCTP(const so3::Irreps& irreps_node_input, const so3::Irreps& irreps_edge_attr,
                             const so3::Irreps& irreps_node_output, const std::vector<int64_t>& fc_neurons,
                             bool use_activation, c10::ScalarType dtype) {
  const bool internal = fc_neurons.empty();
  dtp = register_module("dtp", depthwise_tensor_product(irreps_node_input, irreps_edge_attr,
                                                         irreps_node_output, internal, dtype));
  if (!internal) {
    std::vector<int64_t> channels = fc_neurons;
    channels.push_back(dtp->weight_numel());
    // The official code rescales rows of the last layer by the dtp's 1/sqrt(fan_in); for a
    // depthwise product every output block has one 'uvu' path with fan-in mul2 = 1: a no-op.
    dtp_rad = register_module("dtp_rad", std::make_shared<RadialProfile>(channels, true, true, dtype));
  }
  so3::Irreps lin_output = irreps_node_output;
  if (use_activation) {
    gate = std::make_shared<SwishGate>(irreps_node_output);
    lin_output = gate->irreps_input();
  }
  lin = register_module("lin", std::make_shared<LinearRS>(dtp->irreps_out().simplify(), lin_output, true, dtype));
  if (gate) register_module("gate", gate);
}

nn::IrrepMajor SeparableFCTP::depthwise(const at::Tensor& node_input, const at::Tensor& edge_attr,
                                    const c10::optional<at::Tensor>& edge_scalars) const {
  if (!dtp_rad) return dtp->forward_irrep_major(node_input, edge_attr);
  if (!edge_scalars) fail("SeparableFCTP: edge scalars are required for radial weights");
  return dtp->forward_irrep_major(node_input, edge_attr, dtp_rad->forward(*edge_scalars));
}

at::Tensor SeparableFCTP::project(const nn::IrrepMajor& depthwise_output) const {
  const at::Tensor out = lin->forward(depthwise_output);
  return gate ? gate->forward(out) : out;
}

at::Tensor SeparableFCTP::forward(const at::Tensor& node_input, const at::Tensor& edge_attr,
                                  const c10::optional<at::Tensor>& edge_scalars) const {
  return project(depthwise(node_input, edge_attr, edge_scalars));
}

}  // namespace eqt::models::equiformer
