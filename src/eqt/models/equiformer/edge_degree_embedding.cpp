#include "eqt/models/equiformer/edge_degree_embedding.h"

#include <cmath>

namespace eqt::models::equiformer {

EdgeDegreeEmbedding::EdgeDegreeEmbedding(const so3::Irreps& irreps_node_embedding, const so3::Irreps& irreps_sh,
                                         const std::vector<int64_t>& fc_neurons, double avg_degree,
                                         c10::ScalarType dtype)
    : avg_degree_(avg_degree) {
  exp = register_module("exp", std::make_shared<LinearRS>("1x0e", irreps_node_embedding, true, dtype));
  dw = register_module("dw", depthwise_tensor_product(irreps_node_embedding, irreps_sh, irreps_node_embedding,
                                                          false, dtype));
  std::vector<int64_t> channels = fc_neurons;
  channels.push_back(dw->weight_numel());
  rad = register_module("rad", std::make_shared<RadialProfile>(channels, true, true, dtype));
  proj = register_module("proj",
                         std::make_shared<LinearRS>(dw->irreps_out().simplify(), irreps_node_embedding, true, dtype));
  plan_scalar_paths(irreps_node_embedding, irreps_sh);
}

void EdgeDegreeEmbedding::plan_scalar_paths(const so3::Irreps& irreps_node_embedding, const so3::Irreps& irreps_sh) {
  const so3::Irrep scalar(0, 1);
  if (irreps_node_embedding.empty() || irreps_node_embedding[0].ir != scalar || irreps_node_embedding.count(scalar) != 1) {
    return;
  }
  const auto& all = dw->tp->instructions();
  const so3::Irreps& out = dw->irreps_out();
  std::vector<nn::TensorProductInstruction> instructions;
  std::vector<so3::MulIrrep> blocks;
  for (std::size_t n = 0; n < all.size(); ++n) {
    const auto& ins = all[n];
    if (ins.i_in1 != 0) continue;
    if (n != instructions.size() || ins.connection_mode != "uvu" || !ins.has_weight) return;  // not a prefix
    for (int b = 0; b < ins.i_out; ++b) {
      if (out[b].ir == out[ins.i_out].ir) return;  // not the first channels of its irrep
    }
    instructions.push_back({0, ins.i_in2, static_cast<int>(blocks.size()), "uvu", true, 1.0, {}});
    blocks.push_back(out[ins.i_out]);
    scalar_weight_numel_ += irreps_node_embedding[0].mul;
  }
  nn::TensorProductOptions options;
  options.path_normalization = "none";  // as dw: each path's weight is sqrt(2l+1) alone
  options.shared_weights = false;
  options.internal_weights = false;
  scalar_paths_ = std::make_shared<nn::TensorProduct>(so3::Irreps(std::vector<so3::MulIrrep>{irreps_node_embedding[0]}), irreps_sh,
                                                      so3::Irreps(blocks), std::move(instructions), options);
}

at::Tensor EdgeDegreeEmbedding::forward(const EdgeInputs& edges) const {
  // Every node carries the same feature exp(1): compute it once and broadcast it to the edges.
  const at::Tensor one = at::ones({1, 1}, edges.sh.options());
  const at::Tensor source = exp->forward(one);
  const int64_t num_edges = edges.sh.size(0);
  at::Tensor edge_features;
  if (scalar_paths_) {
    const at::Tensor weights = rad->forward(edges.radial).narrow(1, 0, scalar_weight_numel_);
    const at::Tensor scalars = source.narrow(1, 0, scalar_paths_->irreps_in1().dim()).expand({num_edges, -1});
    edge_features = proj->forward(scalar_paths_->forward_irrep_major(scalars, edges.sh, weights));
  } else {
    edge_features = proj->forward(dw->forward_irrep_major(source.expand({num_edges, -1}), edges.sh,
                                                          rad->forward(edges.radial)));
  }
  // The smooth cutoff fades each edge out; the radial profile's biases alone would not.
  if (edges.cutoff.defined()) edge_features = edge_features * edges.cutoff.unsqueeze(1);
  const at::Tensor summed =
      at::zeros({edges.num_nodes, edge_features.size(1)}, edge_features.options()).index_add(0, edges.dst, edge_features);
  return summed / std::sqrt(avg_degree_);
}

}  // namespace eqt::models::equiformer
