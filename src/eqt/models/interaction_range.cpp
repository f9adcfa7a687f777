#include "eqt/models/interaction_range.h"

#include <limits>

#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/pet/pet_model.h"

namespace eqt::models {

double interaction_range(const Model& model) {
  if (const auto* pet = dynamic_cast<const pet::PetModel*>(&model)) {
    return static_cast<double>(pet->hypers().n_gnn_layers) * pet->hypers().r_cut;
  }
  if (const auto* equiformer = dynamic_cast<const equiformer::EquiformerModel*>(&model)) {
    const auto& config = equiformer->config();
    // Graph and instance norms normalise over the whole structure.
    if (config.norm_layer == "graph" || config.norm_layer == "instance") return std::numeric_limits<double>::infinity();
    return static_cast<double>(config.num_layers + 1) * config.max_radius;
  }
  return std::numeric_limits<double>::infinity();
}

}  // namespace eqt::models
