#include "eqt/models/dipole.h"

#include <vector>

namespace eqt::models {

namespace {

// Mean over each structure's atoms of a per-atom tensor [N, ...] -> [B, ...].
at::Tensor structure_mean(const at::Tensor& per_atom, const data::Graph& graph) {
  const int64_t b = graph.num_structures();
  std::vector<int64_t> shape = per_atom.sizes().vec();
  shape[0] = b;
  const at::Tensor sums = at::zeros(shape, per_atom.options()).index_add(0, graph.batch, per_atom);
  // An empty structure has no atoms to divide among; clamping keeps its mean 0 instead of NaN.
  at::Tensor counts = (graph.ptr.slice(0, 1) - graph.ptr.slice(0, 0, b)).clamp_min(1).to(per_atom.options());
  for (int64_t d = 1; d < per_atom.dim(); ++d) counts = counts.unsqueeze(-1);
  return sums / counts;
}

}  // namespace

at::Tensor neutral_charges(const at::Tensor& raw, const data::Graph& graph) {
  return raw - structure_mean(raw, graph).index_select(0, graph.batch);
}

at::Tensor dipole_moment(const at::Tensor& charges, const data::Graph& graph) {
  const at::Tensor centroid = structure_mean(graph.positions, graph);
  const at::Tensor relative = graph.positions - centroid.index_select(0, graph.batch);
  return at::zeros({graph.num_structures(), 3}, relative.options())
      .index_add(0, graph.batch, charges.unsqueeze(1) * relative);
}

void add_dipole_outputs(Outputs& outputs, const at::Tensor& raw_charges, const data::Graph& graph) {
  const at::Tensor charges = neutral_charges(raw_charges, graph);
  outputs[kChargesOutput] = charges;
  outputs[kDipoleOutput] = dipole_moment(charges, graph);
}

}  // namespace eqt::models
