#include "eqt/models/equiformer_oc20/oc20_settings.h"

#include "eqt/models/equiformer/block_settings.h"

namespace eqt::models::equiformer_oc20 {

equiformer::AttentionSettings auxiliary_head_settings(const Oc20Config& config) {
  const equiformer::EquiformerConfig& c = config.network;
  const so3::Irreps feature(c.irreps_feature);
  const bool dot_product = c.attention == equiformer::AttentionType::DotProduct;
  equiformer::AttentionSettings a;
  a.irreps_node_input = feature;
  a.irreps_sh = so3::Irreps(c.irreps_sh);
  a.irreps_node_output = so3::Irreps(feature.count(so3::Irrep(1, -1)) > 0 ? "1x1o" : "1x1e");
  a.irreps_head = so3::Irreps(c.irreps_head);
  a.irreps_pre_attn = c.irreps_pre_attn.empty() ? feature : so3::Irreps(c.irreps_pre_attn);
  a.fc_neurons = equiformer::radial_widths(c);
  a.num_heads = c.num_heads;
  a.rescale_degree = c.rescale_degree;
  a.nonlinear_message = !dot_product && c.nonlinear_message;
  a.alpha_drop = (dot_product || config.auxiliary_head_dropout) ? c.alpha_drop : 0.0;
  a.proj_drop = 0.0;
  a.avg_degree = c.avg_degree;
  return a;
}

}  // namespace eqt::models::equiformer_oc20
