#pragma once
// What a domain-decomposed caller (LAMMPS) gives and gets for one domain of a large system: its
// owned atoms followed by a shell of surrounding atoms (periodic images included). Shared by
// ClusterPotential (mode local) and ExchangePotential (mode exchange). Standard types only: it is
// used from code compiled against LAMMPS's headers.
#include <array>
#include <cstdint>
#include <vector>

namespace eqt::inference {

struct DomainRequest {
  const double* positions = nullptr;  // [num_atoms * 3], Angstrom; owned atoms first
  const int64_t* numbers = nullptr;   // [num_atoms], atomic numbers
  int64_t num_atoms = 0;
  int64_t num_owned = 0;
  // true: DomainResult::forces holds the shell atoms' forces too, for the caller to sum into their
  // owners (LAMMPS newton_pair on); false: complete forces on owned atoms only.
  bool forces_on_shell = true;
  bool virial = true;
  bool atomic_energies = false;  // fill DomainResult::atomic_energies for the owned atoms
  bool atomic_virials = false;   // fill DomainResult::atomic_virials (ExchangePotential only)
};

struct DomainResult {
  double energy = 0.0;                  // eV, sum of the owned atoms' atomic energies
  std::vector<double> forces;           // [num_atoms * 3], eV/A (shell rows zero unless forces_on_shell)
  std::array<double, 6> virial{};       // eV: xx, yy, zz, xy, xz, yz (LAMMPS order)
  std::vector<double> atomic_energies;  // [num_owned], eV (per-structure constants not included)
  std::vector<double> atomic_virials;   // [num_owned * 6], eV, same order
};

}  // namespace eqt::inference
