#include "eqt/md/state.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/core/units.h"
#include "eqt/data/atomic_masses.h"

namespace eqt::md {

namespace {

at::Tensor masses_of(const at::Tensor& numbers) {
  const at::Tensor z = numbers.to(at::kLong).contiguous();
  at::Tensor masses = at::empty({z.numel()}, at::kDouble);
  for (int64_t i = 0; i < z.numel(); ++i) masses[i] = data::atomic_mass(z.data_ptr<int64_t>()[i]);
  return masses;
}

// |det| of the periodic lattice vectors, relative to the product of their lengths (1 for an
// orthogonal cell, 0 for a flat one); non-periodic directions are replaced by unit normals.
void check_periodic_cell(const data::Structure& s, const std::string& where) {
  if (!s.periodic()) return;
  const at::Tensor cell = s.cell.to(at::kDouble).contiguous();
  double product = 1.0;
  for (int d = 0; d < 3; ++d) {
    if (!s.pbc[d]) continue;
    const double length = cell[d].norm().item<double>();
    if (!(length > 1e-8)) fail("{}: periodic along direction {} but lattice vector {} is zero", where, d, d);
    product *= length;
  }
  const double volume = std::abs(at::linalg_det(cell).item<double>());
  const bool all_periodic = s.pbc[0] && s.pbc[1] && s.pbc[2];
  if (all_periodic && !(volume > 1e-9 * product)) {
    fail("{}: the periodic cell has zero volume (lattice vectors are linearly dependent)", where);
  }
}

}  // namespace

MdState state_from_structure(const data::Structure& s, const std::string& where) {
  if (s.num_atoms() == 0) fail("{}: the structure has no atoms", where);
  check_periodic_cell(s, where);
  MdState state;
  state.numbers = s.numbers.to(at::kLong).clone();
  state.masses = masses_of(state.numbers);
  state.positions = s.positions.to(at::kDouble).clone();
  state.velocities = at::zeros_like(state.positions);
  state.cell = s.cell.defined() ? s.cell.to(at::kDouble).clone() : at::zeros({3, 3}, at::kDouble);
  state.pbc = s.pbc;
  state.images = at::zeros({state.num_atoms(), 3}, at::kLong);
  return state;
}

bool read_velocities(const data::Structure& s, MdState& state, const std::string& where) {
  const auto per_atom_vectors = [&](const std::string& key) {
    const at::Tensor& value = s.arrays.at(key);
    if (value.dim() != 2 || value.size(0) != state.num_atoms() || value.size(1) != 3) {
      fail("{}: the '{}' array must have 3 columns per atom", where, key);
    }
    if (!at::isfinite(value).all().item<bool>()) fail("{}: the '{}' array has non-finite values", where, key);
    return value.to(at::kDouble);
  };
  if (s.has_array("velocities")) {
    state.velocities = per_atom_vectors("velocities").clone();
    return true;
  }
  if (s.has_array("momenta")) {
    // v = p / m in Angstrom per ASE time unit, converted to Angstrom/fs.
    state.velocities = per_atom_vectors("momenta") / state.masses.unsqueeze(1) / units::kAngstromPerFsToAseVelocity;
    return true;
  }
  return false;
}

data::Structure structure_of(const MdState& state) {
  data::Structure s;
  s.numbers = state.numbers;
  s.positions = state.positions;
  s.cell = state.cell;
  s.pbc = state.pbc;
  return s;
}

double kinetic_energy(const MdState& state) {
  const double sum_mv2 = (state.masses.unsqueeze(1) * state.velocities * state.velocities).sum().item<double>();
  return 0.5 * sum_mv2 * units::kAmuAngstromSquaredPerFsSquaredToEv;
}

double temperature_of_kinetic_energy(double kinetic_ev, int64_t num_atoms) {
  return 2.0 * kinetic_ev / (3.0 * static_cast<double>(num_atoms) * units::kBoltzmannEvPerKelvin);
}

double temperature(const MdState& state) {
  return temperature_of_kinetic_energy(kinetic_energy(state), state.num_atoms());
}

}  // namespace eqt::md
