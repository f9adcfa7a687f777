#include "eqt/models/equiformer/feed_forward.h"

namespace eqt::models::equiformer {

GatedLinear::GatedLinear(const so3::Irreps& irreps_in, const so3::Irreps& irreps_out, c10::ScalarType dtype) {
  gate_ = register_module("gate", std::make_shared<SwishGate>(irreps_out));
  linear_ = std::make_shared<LinearRS>(irreps_in, gate_->irreps_input(), true, dtype);
  // Flatten the LinearRS's parameters into this module: the official names are fctp_1.tp.weight
  // and fctp_1.bias.0 (the gate lives in the same module).
  register_module("tp", linear_->tp);
  register_module("bias", linear_->bias);
}

at::Tensor GatedLinear::forward(const at::Tensor& x) const { return gate_->forward(linear_->forward(x)); }

FeedForward::FeedForward(const so3::Irreps& irreps_node_input, const so3::Irreps& irreps_node_output,
                         const so3::Irreps& irreps_mlp_mid, double proj_drop, c10::ScalarType dtype) {
  fctp_1_ = register_module("fctp_1", std::make_shared<GatedLinear>(irreps_node_input, irreps_mlp_mid, dtype));
  fctp_2_ = register_module("fctp_2", std::make_shared<LinearRS>(irreps_mlp_mid, irreps_node_output, true, dtype));
  proj_drop_ = register_module("proj_drop", std::make_shared<EquivariantDropout>(irreps_node_output, proj_drop));
}

at::Tensor FeedForward::forward(const at::Tensor& x) {
  return proj_drop_->forward(fctp_2_->forward(fctp_1_->forward(x)));
}

}  // namespace eqt::models::equiformer
