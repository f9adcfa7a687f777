#pragma once
// The smallest useful Equiformer (one block, l <= 1, a few channels): training-machinery tests
// need parameters and gradients, not accuracy.
#include "eqt/models/equiformer/config.h"

namespace eqt::testing {

inline models::equiformer::EquiformerConfig tiny_equiformer_config() {
  models::equiformer::EquiformerConfig c;
  c.irreps_node_embedding = "4x0e+2x1e";
  c.num_layers = 1;
  c.irreps_sh = "1x0e+1x1e";
  c.number_of_basis = 4;
  c.fc_neurons = {4};
  c.irreps_feature = "4x0e";
  c.irreps_head = "2x0e+1x1e";
  c.num_heads = 2;
  c.irreps_mlp_mid = "4x0e+2x1e";
  c.alpha_drop = 0.0;
  c.max_radius = 3.0;
  return c;
}

}  // namespace eqt::testing
