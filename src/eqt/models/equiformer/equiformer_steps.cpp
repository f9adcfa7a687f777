#include "eqt/models/equiformer/equiformer_steps.h"

#include "eqt/core/error.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/equiformer/transformer_block.h"

namespace eqt::models::equiformer {

EquiformerSteps::EquiformerSteps(EquiformerModel& model, const data::Graph& graph, const at::Tensor& edge_vectors)
    : model_(model), graph_(graph), edges_(model.edge_inputs(graph, edge_vectors)) {}

int64_t EquiformerSteps::num_steps() const { return static_cast<int64_t>(model_.blocks_.size()) + 1; }

at::Tensor EquiformerSteps::step(int64_t k, const at::Tensor& features) {
  if (k < 0 || k >= num_steps()) fail("Equiformer: message-passing step {} of {}", k, num_steps());
  if (k == 0) return model_.embed(graph_, edges_);
  return model_.blocks_[static_cast<size_t>(k - 1)]->forward(features, edges_);
}

at::Tensor EquiformerSteps::atomic_energies(const at::Tensor& features) {
  const at::Tensor per_atom = model_.per_atom_output(model_.head_features(features, edges_.batch));
  return model_.atomic_energies(per_atom, graph_);
}

}  // namespace eqt::models::equiformer
