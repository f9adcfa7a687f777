#include "eqt/models/system_potential.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/data/labels.h"
#include "eqt/models/interaction_range.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/potential.h"

namespace eqt::models {

namespace {

std::vector<double> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.detach().to(at::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// sum_i x_i (x) F_i, symmetrised, in LAMMPS's order: -dE/d(strain) when no cell is strained.
std::array<double, 6> virial_from_forces(const at::Tensor& positions, const at::Tensor& forces) {
  const at::Tensor g = at::mm(positions.to(at::kDouble).t(), forces.detach().to(at::kDouble));
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

}  // namespace

struct SystemPotential::Impl {
  LoadedModel loaded;
  c10::ScalarType dtype = at::kDouble;

  void prepare() { prepare_for_inference(*loaded.model); }
};

SystemPotential::SystemPotential(const std::string& model_dir, bool float32) : impl_(std::make_unique<Impl>()) {
  impl_->dtype = float32 ? at::kFloat : at::kDouble;
  impl_->loaded = read_model_directory(model_dir, impl_->dtype);
  impl_->prepare();
}

SystemPotential::SystemPotential(std::shared_ptr<Model> model, bool float32, std::vector<int64_t> species)
    : impl_(std::make_unique<Impl>()) {
  impl_->dtype = float32 ? at::kFloat : at::kDouble;
  impl_->loaded = LoadedModel{std::move(model), "in memory", std::move(species)};
  impl_->prepare();
}

SystemPotential::~SystemPotential() = default;

double SystemPotential::cutoff() const { return impl_->loaded.model->cutoff(); }
double SystemPotential::interaction_range() const { return models::interaction_range(*impl_->loaded.model); }
std::string SystemPotential::kind() const { return impl_->loaded.model->kind(); }
std::vector<int64_t> SystemPotential::species() const { return impl_->loaded.species; }
std::shared_ptr<Model> SystemPotential::model() const { return impl_->loaded.model; }
bool SystemPotential::float32() const { return impl_->dtype == at::kFloat; }

SystemPotential::Result SystemPotential::compute(const Request& request) {
  if (request.num_atoms <= 0) fail("eqt: the system has {} atoms", request.num_atoms);
  const data::Structure structure = structure_of(request);
  // Without a periodic cell, straining the positions alone gives the virial from the forces.
  const bool has_volume = structure.periodic() && data::cell_volume(structure) > 0;
  const data::Graph graph = data::collate({&structure}, cutoff(), impl_->dtype);
  EvaluateOptions options;
  options.forces = true;
  options.stress = request.virial && has_volume;
  const Evaluation evaluation = evaluate(*impl_->loaded.model, graph, options);

  Result result;
  result.energy = evaluation.energy.sum().item<double>();
  result.forces = to_vector(evaluation.forces);
  if (request.virial && !has_volume) result.virial = virial_from_forces(structure.positions, evaluation.forces);
  if (request.virial && has_volume) {
    // ASE's stress is (1/V) dE/d(strain); the virial LAMMPS wants is -dE/d(strain) = -V * stress.
    const at::Tensor w = -data::cell_volume(structure) * evaluation.stress[0].detach().to(at::kDouble);
    const auto a = w.accessor<double, 2>();
    result.virial = {a[0][0], a[1][1], a[2][2], a[0][1], a[0][2], a[1][2]};
  }
  if (request.atomic_energies) {
    const auto found = evaluation.outputs.find("atomic_energies");
    if (found == evaluation.outputs.end()) {
      fail("eqt: model kind '{}' has no 'atomic_energies' output; per-atom energies are not available", kind());
    }
    result.atomic_energies = to_vector(found->second);
  }
  return result;
}

}  // namespace eqt::models
