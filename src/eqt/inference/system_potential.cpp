#include "eqt/inference/system_potential.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/data/labels.h"
#include "eqt/inference/inference_model.h"
#include "eqt/inference/predict_batch.h"
#include "eqt/inference/virial.h"
#include "eqt/models/interaction_range.h"
#include "eqt/parallel/device_of_rank.h"

namespace eqt::inference {

namespace {

// MD codes hand over positions and a box, not OC20's per-atom tags or its truncated slab graph.
void refuse_slab_graph_models(const models::Model& model, const std::string& origin) {
  if (model.graph_rule().kind != data::GraphRule::Kind::Ase) {
    fail("{}: a {} model is built on the OC20 graph rule (relaxed-energy prediction, IS2RE, with per-atom tags): "
         "LAMMPS cannot run it; use eqt predict",
         origin, model.kind());
  }
}

// sum_i x_i (x) F_i, symmetrised, in LAMMPS's order: -dE/d(strain) when no cell is strained.
std::array<double, 6> virial_from_forces(const at::Tensor& positions, const at::Tensor& forces) {
  const at::Tensor g = at::mm(positions.to(at::kCPU, at::kDouble).t(), forces.detach().to(at::kCPU, at::kDouble));
  const at::Tensor w = 0.5 * (g + g.t());
  const auto a = w.accessor<double, 2>();
  return {a[0][0], a[1][1], a[2][2], a[0][1], a[0][2], a[1][2]};
}

data::Structure structure_of(const SystemPotential::Request& request) {
  const std::vector<int64_t> numbers(request.numbers, request.numbers + request.num_atoms);
  const at::Tensor positions =
      at::from_blob(const_cast<double*>(request.positions), {request.num_atoms, 3}, at::kDouble).clone();
  const at::Tensor cell = at::from_blob(const_cast<double*>(request.cell.data()), {3, 3}, at::kDouble).clone();
  return data::make_structure(numbers, positions, cell, request.pbc);
}

c10::ScalarType dtype_of(bool float32) { return float32 ? at::kFloat : at::kDouble; }

}  // namespace

struct SystemPotential::Impl {
  InferenceModel loaded;
  c10::ScalarType dtype = at::kDouble;
};

SystemPotential::SystemPotential(const std::string& model_dir, const LoadOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->dtype = dtype_of(options.float32);
  impl_->loaded = load_inference_model(model_dir, InferenceModelOptions{impl_->dtype, options.ecse, options.ecse_fallback,
                                                                        options.ecse_pruning, parallel::device_for_this_process(options.device)});
  refuse_slab_graph_models(*impl_->loaded.model, model_dir);
}

namespace {
SystemPotential::LoadOptions plain(bool float32) {
  SystemPotential::LoadOptions options;
  options.float32 = float32;
  return options;
}
}  // namespace

SystemPotential::SystemPotential(const std::string& model_dir, bool float32)
    : SystemPotential(model_dir, plain(float32)) {}

SystemPotential::SystemPotential(std::shared_ptr<Model> model, bool float32, std::vector<int64_t> species)
    : impl_(std::make_unique<Impl>()) {
  impl_->dtype = dtype_of(float32);
  impl_->loaded = in_memory_model(std::move(model), std::move(species));
  refuse_slab_graph_models(*impl_->loaded.model, "model");
}

SystemPotential::~SystemPotential() = default;

double SystemPotential::cutoff() const { return impl_->loaded.model->cutoff(); }
double SystemPotential::interaction_range() const { return models::interaction_range(*impl_->loaded.model); }
std::string SystemPotential::kind() const { return impl_->loaded.model->kind(); }
std::vector<int64_t> SystemPotential::species() const { return impl_->loaded.species; }
std::string SystemPotential::unknown_species(int64_t number) const {
  return inference::unknown_species(number, impl_->loaded.species);
}
std::shared_ptr<Model> SystemPotential::model() const { return impl_->loaded.model; }
bool SystemPotential::float32() const { return impl_->dtype == at::kFloat; }

SystemPotential::Result SystemPotential::compute(const Request& request) {
  if (request.num_atoms <= 0) fail("eqt: the system has {} atoms", request.num_atoms);
  const data::Structure structure = structure_of(request);
  // The species were checked once, at set-up (pair_coeff), not on every step.
  PredictionSettings settings;
  settings.dtype = impl_->dtype;
  settings.forces = true;
  settings.stress = request.virial ? StressMode::Auto : StressMode::Never;  // Auto: periodic with a volume
  const StructurePrediction prediction = predict_structure(*impl_->loaded.model, structure, "eqt: the system", settings);

  Result result;
  result.energy = prediction.energy;
  result.forces = host_doubles(prediction.forces);
  if (request.virial && prediction.stress.defined()) {
    // ASE's stress is (1/V) dE/d(strain); the virial LAMMPS wants is -dE/d(strain) = -V * stress.
    const at::Tensor w = -data::cell_volume(structure) * prediction.stress;
    const auto a = w.accessor<double, 2>();
    result.virial = {a[0][0], a[1][1], a[2][2], a[0][1], a[0][2], a[1][2]};
  } else if (request.virial) {
    // Without a periodic cell, straining the positions alone gives the virial from the forces.
    result.virial = virial_from_forces(structure.positions, prediction.forces);
  }
  if (request.atomic_energies) {
    const auto found = prediction.per_atom.find("atomic_energies");
    if (found == prediction.per_atom.end()) {
      fail("eqt: model kind '{}' has no 'atomic_energies' output; per-atom energies are not available", kind());
    }
    result.atomic_energies = host_doubles(found->second);
  }
  return result;
}

}  // namespace eqt::inference
