#include "support/atomic_virials.h"

#include <torch/csrc/autograd/autograd.h>

#include "eqt/data/batch.h"

namespace eqt::testing {

at::Tensor periodic_atomic_virials(models::Model& model, const data::Structure& s) {
  data::Graph graph = data::collate({&s}, model.cutoff(), at::kDouble);
  graph.cell_shifts = graph.cell_shifts.detach().requires_grad_(true);
  const at::Tensor energy = model.forward(graph).at("energy").sum();
  const at::Tensor d_shift = torch::autograd::grad({energy}, {graph.cell_shifts})[0];
  const at::Tensor d_vector = at::mm(d_shift, at::inverse(s.cell.to(at::kDouble)).t());
  const at::Tensor r = graph.edge_vectors().detach();
  const at::Tensor outer = -(r.unsqueeze(2) * d_vector.unsqueeze(1));
  const at::Tensor sym = 0.5 * (outer + outer.transpose(1, 2));
  const auto c = [&](int64_t a, int64_t b) { return sym.select(1, a).select(1, b); };
  const at::Tensor per_edge = at::stack({c(0, 0), c(1, 1), c(2, 2), c(0, 1), c(0, 2), c(1, 2)}, 1);
  return at::zeros({s.num_atoms(), 6}, at::kDouble).index_add_(0, graph.edge_index[0], per_edge);
}

}  // namespace eqt::testing
