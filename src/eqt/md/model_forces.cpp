#include "eqt/md/model_forces.h"

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/models/potential.h"

namespace eqt::md {

ModelForces::ModelForces(std::shared_ptr<models::Model> model, c10::ScalarType dtype, double skin)
    : model_(std::move(model)), dtype_(dtype), list_(model_->cutoff(), skin) {
  // The skin list follows ASE's rule; a model built on another (OC20's truncated slab graph)
  // would see other graphs than it was trained on, and its energy is not a potential anyway.
  if (model_->graph_rule().kind != data::GraphRule::Kind::Ase) {
    fail("a {} model is built on the OC20 graph rule (relaxed-energy prediction, IS2RE): MD is not supported",
         model_->kind());
  }
  // Dropout / drop-path in training mode would make the forces random and the dynamics non-conservative.
  model_->eval();
}

void ModelForces::compute(MdState& state) {
  const data::Structure structure = structure_of(state);
  const data::Graph graph = data::collate({&structure}, {list_.update(state)}, dtype_);
  models::EvaluateOptions options;
  options.forces = true;
  const models::Evaluation result = models::evaluate(*model_, graph, options);
  state.potential_energy = result.energy.detach()[0].item<double>();
  state.forces = result.forces.detach().to(at::kCPU, at::kDouble).contiguous();
  ++evaluations_;
}

}  // namespace eqt::md
