#pragma once
// The dynamical state of one structure in eqt's MD units: positions in Angstrom, velocities in
// Angstrom/fs, masses in amu, forces in eV/Angstrom, energies in eV, time in fs. Tensors are
// float64 on the CPU whatever the model's dtype, so that integration error does not depend on it.
#include <ATen/ATen.h>

#include <array>
#include <cstdint>

#include "eqt/data/structure.h"

namespace eqt::md {

struct MdState {
  at::Tensor numbers;     // int64 [N]
  at::Tensor masses;      // float64 [N], amu
  at::Tensor positions;   // float64 [N, 3], Angstrom
  at::Tensor velocities;  // float64 [N, 3], Angstrom/fs
  at::Tensor cell;        // float64 [3, 3], rows are lattice vectors; zeros for molecules
  std::array<bool, 3> pbc{false, false, false};
  // int64 [N, 3]: lattice translations removed by periodic wrapping (wrap.h) since the start, so
  // that positions + images @ cell is the continuous (unwrapped) trajectory.
  at::Tensor images;
  at::Tensor forces;      // float64 [N, 3], eV/Angstrom, at `positions`; undefined until computed
  double potential_energy = 0.0;  // eV, at `positions`
  int64_t step = 0;
  double time_fs = 0.0;

  int64_t num_atoms() const { return numbers.size(0); }
  bool periodic() const { return pbc[0] || pbc[1] || pbc[2]; }
};

// Atoms, cell and pbc of `s` with ASE's masses and zero velocities. Fails (eqt::Error naming
// `where`) on a periodic cell of (nearly) zero volume.
MdState state_from_structure(const data::Structure& s, const std::string& where);

// Velocities stored in a structure: a "velocities" array (Angstrom/fs, eqt's trajectories) or
// else ASE's "momenta" (amu Angstrom per ASE time unit). False (state unchanged) when it has neither.
bool read_velocities(const data::Structure& s, MdState& state, const std::string& where);

// The state as a Structure (numbers, positions, cell, pbc), e.g. for a neighbour list.
data::Structure structure_of(const MdState& state);

// sum (1/2) m v^2 in eV.
double kinetic_energy(const MdState& state);
// ASE's definition, 2 E_kin / (3 N k_B): all 3N degrees of freedom, none removed for the
// conserved total momentum. Kelvin.
double temperature(const MdState& state);
double temperature_of_kinetic_energy(double kinetic_ev, int64_t num_atoms);

}  // namespace eqt::md
