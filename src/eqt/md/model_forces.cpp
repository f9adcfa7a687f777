#include "eqt/md/model_forces.h"

#include <algorithm>

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/data/elements.h"
#include "eqt/models/potential.h"

namespace eqt::md {

ModelForces::ModelForces(std::shared_ptr<models::Model> model, c10::ScalarType dtype, double skin)
    : model_(std::move(model)), dtype_(dtype), list_(model_->cutoff(), skin) {
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
  state.forces = result.forces.detach().to(at::kDouble).contiguous();
  ++evaluations_;
}

void check_model_species(const MdState& state, const std::vector<int64_t>& species, const std::string& where) {
  if (species.empty()) return;
  const at::Tensor numbers = state.numbers.contiguous();
  for (int64_t i = 0; i < state.num_atoms(); ++i) {
    const int64_t z = numbers.data_ptr<int64_t>()[i];
    if (std::find(species.begin(), species.end(), z) != species.end()) continue;
    std::string known;
    for (const int64_t k : species) known += (known.empty() ? "" : " ") + data::chemical_symbol(k);
    fail("{}: atom {} is {}, which the model does not know (its species: {})", where, i, data::chemical_symbol(z),
         known);
  }
}

}  // namespace eqt::md
