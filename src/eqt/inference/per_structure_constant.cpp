#include "eqt/inference/per_structure_constant.h"

#include "eqt/core/error.h"
#include "eqt/inference/cluster_graph.h"
#include "eqt/models/potential.h"

namespace eqt::inference {

double per_structure_constant(models::Model& model, int64_t number, c10::ScalarType dtype) {
  at::NoGradGuard no_grad;
  const at::Tensor one = at::zeros({1, 3}, at::kDouble);
  const data::Graph graph = cluster_graph(one, at::full({1}, number, at::kLong), model.cutoff(), dtype)
                                .to(models::model_device(model));
  const models::Outputs outputs = model.forward(graph);
  if (!outputs.count("atomic_energies")) {
    fail("eqt: model kind '{}' has no 'atomic_energies' output; a domain-decomposed run needs per-atom energies",
         model.kind());
  }
  return (outputs.at("energy").sum() - outputs.at("atomic_energies").sum()).item<double>();
}

}  // namespace eqt::inference
