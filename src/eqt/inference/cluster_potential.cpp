#include "eqt/inference/cluster_potential.h"

#include <torch/csrc/autograd/autograd.h>

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/inference/cluster_graph.h"
#include "eqt/inference/inference_model.h"
#include "eqt/inference/per_structure_constant.h"
#include "eqt/inference/virial.h"
#include "eqt/models/interaction_range.h"
#include "eqt/models/potential.h"

namespace eqt::inference {

using models::Outputs;

namespace {

constexpr const char* kAtomicEnergies = "atomic_energies";

// Atoms within `hops` edges of an owned atom: exactly those whose atomic energy can depend on an
// owned position when every message-passing step follows one edge.
at::Tensor within_hops(const data::Graph& graph, int64_t num_owned, int64_t hops) {
  at::Tensor reached = at::zeros({graph.num_atoms()}, at::kBool);
  reached.narrow(0, 0, num_owned).fill_(true);
  const at::Tensor centres = graph.edge_index[0], neighbours = graph.edge_index[1];
  for (int64_t h = 0; h < hops; ++h) {
    const at::Tensor next = neighbours.masked_select(reached.index_select(0, centres));
    reached.index_fill_(0, next, true);
  }
  return reached;
}

}  // namespace

struct ClusterPotential::Impl {
  InferenceModel loaded;
  c10::ScalarType dtype;
  bool constant_known = false;
  double constant = 0.0;

  Outputs forward(const data::Graph& graph) {
    Outputs outputs = loaded.model->forward(graph);
    if (!outputs.count(kAtomicEnergies)) {
      fail("eqt: model kind '{}' has no '{}' output; a domain-decomposed run needs per-atom energies",
           loaded.model->kind(), kAtomicEnergies);
    }
    return outputs;
  }

  // energy - sum of atomic energies does not depend on the structure; measured once.
  double per_structure_constant(int64_t number) {
    if (!constant_known) constant = inference::per_structure_constant(*loaded.model, number, dtype);
    constant_known = true;
    return constant;
  }
};

ClusterPotential::ClusterPotential(const std::string& model_dir, bool float32) : impl_(std::make_unique<Impl>()) {
  impl_->dtype = float32 ? at::kFloat : at::kDouble;
  InferenceModelOptions options;
  options.dtype = impl_->dtype;
  impl_->loaded = load_inference_model(model_dir, options);
  prepare(model_dir);
}

ClusterPotential::ClusterPotential(std::shared_ptr<Model> model, bool float32, std::vector<int64_t> species)
    : impl_(std::make_unique<Impl>()) {
  impl_->dtype = float32 ? at::kFloat : at::kDouble;
  impl_->loaded = in_memory_model(std::move(model), std::move(species));
  prepare("model");
}

void ClusterPotential::prepare(const std::string& origin) {
  if (!std::isfinite(interaction_range())) {
    fail("{}: model kind '{}' has no finite interaction range (non-local atomic energies, e.g. a graph norm, or an "
         "architecture without a known range); it cannot run domain-decomposed",
         origin, kind());
  }
}

ClusterPotential::~ClusterPotential() = default;

double ClusterPotential::cutoff() const { return impl_->loaded.model->cutoff(); }
double ClusterPotential::interaction_range() const { return models::interaction_range(*impl_->loaded.model); }
std::string ClusterPotential::kind() const { return impl_->loaded.model->kind(); }
std::vector<int64_t> ClusterPotential::species() const { return impl_->loaded.species; }

double ClusterPotential::shell_thickness(bool forces_on_shell) const {
  return (forces_on_shell ? 1.0 : 2.0) * interaction_range();
}

double ClusterPotential::per_structure_constant(int64_t number) { return impl_->per_structure_constant(number); }

ClusterPotential::Result ClusterPotential::compute(const Request& request) {
  if (request.num_owned < 0 || request.num_owned > request.num_atoms) {
    fail("eqt: {} owned atoms of {} in the cluster", request.num_owned, request.num_atoms);
  }
  if (request.atomic_virials) fail("eqt: per-atom virials are computed in mode exchange only");
  Result result;
  result.forces.assign(static_cast<size_t>(request.num_atoms) * 3, 0.0);
  if (request.num_atoms == 0) return result;
  at::AutoGradMode enable_grad(true);
  const at::Tensor positions =
      at::from_blob(const_cast<double*>(request.positions), {request.num_atoms, 3}, at::kDouble).clone();
  const at::Tensor numbers =
      at::from_blob(const_cast<int64_t*>(request.numbers), {request.num_atoms}, at::kLong).clone();
  data::Graph graph = cluster_graph(positions, numbers, cutoff(), impl_->dtype).to(models::model_device(*impl_->loaded.model));
  const at::Tensor x = graph.positions.detach().requires_grad_(true);
  graph.positions = x;
  const at::Tensor atomic = impl_->forward(graph).at(kAtomicEnergies);
  const at::Tensor owned_energy = atomic.narrow(0, 0, request.num_owned).sum();

  result.energy = owned_energy.item<double>();
  if (request.atomic_energies) result.atomic_energies = host_doubles(atomic.narrow(0, 0, request.num_owned));

  const bool need_owned_gradient = request.forces_on_shell || request.virial;
  at::Tensor owned_gradient;
  if (need_owned_gradient) {
    owned_gradient = torch::autograd::grad({owned_energy}, {x}, {}, /*retain_graph=*/!request.forces_on_shell,
                                           false, /*allow_unused=*/true)[0];
    if (!owned_gradient.defined()) owned_gradient = at::zeros_like(x);
    if (request.virial) result.virial = virial_of(x.detach(), owned_gradient);
  }
  if (request.forces_on_shell) {
    result.forces = host_doubles(-owned_gradient);
    return result;
  }
  const int64_t hops = static_cast<int64_t>(std::ceil(interaction_range() / cutoff() - 1e-9));
  const at::Tensor dependent = within_hops(graph, request.num_owned, hops);
  const at::Tensor energy = atomic.masked_select(dependent.to(atomic.device())).sum();
  at::Tensor gradient = torch::autograd::grad({energy}, {x}, {}, false, false, true)[0];
  if (!gradient.defined()) gradient = at::zeros_like(x);
  const at::Tensor forces = at::zeros_like(gradient);
  forces.narrow(0, 0, request.num_owned).copy_(-gradient.narrow(0, 0, request.num_owned));
  result.forces = host_doubles(forces);
  return result;
}

}  // namespace eqt::inference
