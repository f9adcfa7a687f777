#include "eqt/models/equiformer/edge_inputs.h"

#include "eqt/models/equiformer/layers/radial_basis.h"
#include "eqt/nn/cutoff.h"
#include "eqt/so3/spherical_harmonics.h"

namespace eqt::models::equiformer {

EdgeInputs make_edge_inputs(const EquiformerConfig& config, RadialBasis& rbf, const data::Graph& graph,
                            const at::Tensor& vectors) {
  EdgeInputs edges;
  edges.dst = graph.edge_index[0];
  edges.src = graph.edge_index[1];
  edges.sh = so3::spherical_harmonics(so3::Irreps(config.irreps_sh), vectors, true, so3::ShNormalization::Component);
  const at::Tensor distances = vectors.norm(2, {1});
  edges.radial = rbf.forward(distances);
  if (config.smooth_cutoff) {
    edges.cutoff = nn::cosine_switch(distances, config.max_radius, config.smooth_cutoff_width);
  }
  edges.batch = graph.batch;
  edges.num_nodes = graph.num_atoms();
  return edges;
}

}  // namespace eqt::models::equiformer
