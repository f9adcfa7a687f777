#include "eqt/models/equiformer/block_settings.h"

namespace eqt::models::equiformer {

std::vector<int64_t> radial_widths(const EquiformerConfig& c) {
  std::vector<int64_t> widths = {c.number_of_basis};
  widths.insert(widths.end(), c.fc_neurons.begin(), c.fc_neurons.end());
  return widths;
}

BlockSettings block_settings(const EquiformerConfig& c, bool last) {
  const so3::Irreps embedding(c.irreps_node_embedding);
  BlockSettings b;
  AttentionSettings& a = b.attention;
  a.irreps_node_input = embedding;
  a.irreps_sh = so3::Irreps(c.irreps_sh);
  a.irreps_node_output = embedding;
  a.irreps_head = so3::Irreps(c.irreps_head);
  a.irreps_pre_attn = c.irreps_pre_attn.empty() ? embedding : so3::Irreps(c.irreps_pre_attn);
  a.fc_neurons = radial_widths(c);
  a.num_heads = c.num_heads;
  a.rescale_degree = c.rescale_degree;
  a.nonlinear_message = c.nonlinear_message;
  a.alpha_drop = c.alpha_drop;
  a.proj_drop = c.proj_drop;
  a.avg_degree = c.avg_degree;
  b.dot_product = c.attention == AttentionType::DotProduct;
  b.irreps_block_output = last ? so3::Irreps(c.irreps_feature) : embedding;
  b.irreps_mlp_mid = so3::Irreps(c.irreps_mlp_mid);
  b.norm_layer = c.norm_layer;
  b.norm_eps = c.norm_eps;
  b.drop_path_rate = c.drop_path_rate;
  return b;
}

}  // namespace eqt::models::equiformer
