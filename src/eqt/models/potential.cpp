#include "eqt/models/potential.h"

#include <torch/csrc/autograd/autograd.h>

#include <vector>

#include "eqt/core/cuda_sync_check.h"
#include "eqt/core/error.h"
#include "eqt/core/threads.h"
#include "eqt/models/piecewise_gradient.h"

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

at::Tensor or_zeros(const at::Tensor& g, const at::Tensor& like) { return g.defined() ? g : at::zeros_like(like); }

// grads: d(energy)/d(positions leaf) and d/d(strain) (either may be undefined: unused).
void set_derivatives(Evaluation& result, const data::Graph& graph, const StrainedGraph& s,
                     const EvaluateOptions& options, const std::vector<at::Tensor>& grads) {
  if (options.forces) result.forces = -or_zeros(grads[0], s.positions);
  if (options.stress) {
    const at::Tensor volume = at::linalg_det(graph.cell).abs();
    const at::Tensor safe = at::where(volume > 0, volume, at::ones_like(volume));
    const at::Tensor stress = or_zeros(grads[1], s.strain) / safe.view({-1, 1, 1});
    result.stress = at::where((volume > 0).view({-1, 1, 1}), stress, at::zeros_like(stress));
  }
}

std::vector<at::Tensor> inputs_of(const StrainedGraph& s, const EvaluateOptions& options) {
  std::vector<at::Tensor> inputs{s.positions};
  if (options.stress) inputs.push_back(s.strain);
  return inputs;
}

// The model differentiates itself in parts (PiecewiseDifferentiable) with respect to the
// positions and cell it is given; chain that to the positions leaf and the strain.
Evaluation evaluate_piecewise(PiecewiseDifferentiable& model, const data::Graph& graph, const StrainedGraph& s,
                              const EvaluateOptions& options) {
  PiecewiseGradients parts = model.forward_with_gradients(s.graph, options.energy_key);
  Evaluation result;
  result.outputs = std::move(parts.outputs);
  const auto found = result.outputs.find(options.energy_key);
  if (found == result.outputs.end()) fail("evaluate: the model has no output '{}'", options.energy_key);
  result.energy = found->second;
  std::vector<at::Tensor> roots, seeds;
  if (s.graph.positions.requires_grad()) {
    roots.push_back(s.graph.positions);
    seeds.push_back(parts.positions);
  }
  if (s.graph.cell.requires_grad()) {
    roots.push_back(s.graph.cell);
    seeds.push_back(parts.cell);
  }
  std::vector<at::Tensor> grads;
  if (!options.stress && s.graph.positions.is_same(s.positions)) {
    grads = {parts.positions};  // nothing to chain through
  } else if (!roots.empty()) {
    grads = torch::autograd::grad(roots, inputs_of(s, options), seeds, false, false, /*allow_unused=*/true);
  } else {
    grads.resize(inputs_of(s, options).size());
  }
  set_derivatives(result, graph, s, options, grads);
  return result;
}

}  // namespace

void prepare_for_inference(Model& model) {
  model.eval();
  for (auto& parameter : model.parameters()) parameter.set_requires_grad(false);
}

c10::Device model_device(const Model& model) {
  const auto parameters = model.parameters();
  return parameters.empty() ? c10::Device(c10::kCPU) : parameters.front().device();
}

Evaluation evaluate(Model& model, const data::Graph& graph, const EvaluateOptions& options) {
  // Graphs are built on the CPU (neighbour lists); they go to the model's device once, here.
  const c10::Device device = model_device(model);
  if (graph.positions.device() != device) return evaluate(model, graph.to(device), options);
  const CudaSyncCheck no_copies_to_the_cpu;  // from here on, all work stays on the device
  at::AutoGradMode enable_grad(true);
  const OneThreadScope one_thread(model.prefers_one_thread(graph));
  const StrainedGraph s = prepare(graph, options);
  const bool differentiate = options.forces || options.stress;
  if (differentiate && !options.create_graph) {
    if (auto* piecewise = dynamic_cast<PiecewiseDifferentiable*>(&model)) {
      return evaluate_piecewise(*piecewise, graph, s, options);
    }
  }
  Evaluation result;
  result.outputs = model.forward(s.graph);
  const auto found = result.outputs.find(options.energy_key);
  if (found == result.outputs.end()) fail("evaluate: the model has no output '{}'", options.energy_key);
  result.energy = found->second;
  if (!differentiate) return result;

  const auto grads = torch::autograd::grad({result.energy.sum()}, inputs_of(s, options), {}, options.create_graph,
                                           options.create_graph, /*allow_unused=*/true);
  set_derivatives(result, graph, s, options, grads);
  return result;
}

}  // namespace eqt::models
