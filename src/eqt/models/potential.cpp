#include "eqt/models/potential.h"

#include <torch/csrc/autograd/autograd.h>

#include <vector>

#include "eqt/core/error.h"

namespace eqt::models {

namespace {

// Graph whose positions (and cell) are functions of fresh leaves: positions, and a strain per structure.
struct StrainedGraph {
  data::Graph graph;
  at::Tensor positions, strain;
};

StrainedGraph prepare(const data::Graph& graph, const EvaluateOptions& options) {
  // Positions that already require grad are used as they are, so that with create_graph the
  // caller can differentiate forces with respect to its own positions.
  const bool differentiate = options.forces || options.stress;
  at::Tensor positions = graph.positions;
  if (differentiate && !positions.requires_grad()) positions = positions.detach().requires_grad_(true);
  StrainedGraph s{graph, positions, {}};
  s.graph.positions = s.positions;
  if (options.stress) {
    s.strain = at::zeros({graph.num_structures(), 3, 3}, graph.positions.options()).requires_grad_(true);
    // Symmetrised so that dE/de is the symmetric stress and rotations do not enter.
    const at::Tensor deformation = 0.5 * (s.strain + s.strain.transpose(1, 2));
    const at::Tensor per_atom = deformation.index_select(0, graph.batch);
    s.graph.positions = s.positions + at::bmm(s.positions.unsqueeze(1), per_atom).squeeze(1);
    s.graph.cell = graph.cell + at::bmm(graph.cell, deformation);
  }
  return s;
}

}  // namespace

void prepare_for_inference(Model& model) {
  model.eval();
  for (auto& parameter : model.parameters()) parameter.set_requires_grad(false);
}

Evaluation evaluate(Model& model, const data::Graph& graph, const EvaluateOptions& options) {
  at::AutoGradMode enable_grad(true);
  const StrainedGraph s = prepare(graph, options);
  Evaluation result;
  result.outputs = model.forward(s.graph);
  const auto found = result.outputs.find(options.energy_key);
  if (found == result.outputs.end()) fail("evaluate: the model has no output '{}'", options.energy_key);
  result.energy = found->second;
  if (!options.forces && !options.stress) return result;

  std::vector<at::Tensor> inputs{s.positions};
  if (options.stress) inputs.push_back(s.strain);
  const auto grads = torch::autograd::grad({result.energy.sum()}, inputs, {}, options.create_graph,
                                           options.create_graph, /*allow_unused=*/true);
  const auto or_zeros = [](const at::Tensor& g, const at::Tensor& like) { return g.defined() ? g : at::zeros_like(like); };
  if (options.forces) result.forces = -or_zeros(grads[0], s.positions);
  if (options.stress) {
    const at::Tensor volume = at::linalg_det(graph.cell).abs();
    const at::Tensor safe = at::where(volume > 0, volume, at::ones_like(volume));
    const at::Tensor stress = or_zeros(grads[1], s.strain) / safe.view({-1, 1, 1});
    result.stress = at::where((volume > 0).view({-1, 1, 1}), stress, at::zeros_like(stress));
  }
  return result;
}

}  // namespace eqt::models
