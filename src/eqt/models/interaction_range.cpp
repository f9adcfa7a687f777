#include "eqt/models/interaction_range.h"

#include <limits>

#include "eqt/models/model_registry.h"

namespace eqt::models {

double interaction_range(const Model& model) {
  const Architecture* architecture = find_architecture(model.kind());
  if (!architecture || !architecture->interaction_range) return std::numeric_limits<double>::infinity();
  return architecture->interaction_range(model);
}

}  // namespace eqt::models
