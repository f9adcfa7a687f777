#include "eqt/models/equiformer/edge_degree_embedding.h"

#include <cmath>

namespace eqt::models::equiformer {

EdgeDegreeEmbedding::EdgeDegreeEmbedding(const so3::Irreps& irreps_node_embedding, const so3::Irreps& irreps_sh,
                                         const std::vector<int64_t>& fc_neurons, double avg_degree,
                                         c10::ScalarType dtype)
    : avg_degree_(avg_degree) {
  exp = register_module("exp", std::make_shared<nn::LinearRS>("1x0e", irreps_node_embedding, true, dtype));
  dw = register_module("dw", nn::depthwise_tensor_product(irreps_node_embedding, irreps_sh, irreps_node_embedding,
                                                          false, dtype));
  std::vector<int64_t> channels = fc_neurons;
  channels.push_back(dw->weight_numel());
  rad = register_module("rad", std::make_shared<nn::RadialProfile>(channels, true, true, dtype));
  proj = register_module("proj",
                         std::make_shared<nn::LinearRS>(dw->irreps_out().simplify(), irreps_node_embedding, true, dtype));
}

at::Tensor EdgeDegreeEmbedding::forward(const EdgeInputs& edges) const {
  // Every node carries the same feature exp(1): compute it once and broadcast it to the edges.
  const at::Tensor one = at::ones({1, 1}, edges.sh.options());
  const at::Tensor edge_source = exp->forward(one).expand({edges.sh.size(0), -1});
  const at::Tensor edge_features = proj->forward(dw->forward(edge_source, edges.sh, rad->forward(edges.radial)));
  const at::Tensor summed =
      at::zeros({edges.num_nodes, edge_features.size(1)}, edge_features.options()).index_add(0, edges.dst, edge_features);
  return summed / std::sqrt(avg_degree_);
}

}  // namespace eqt::models::equiformer
