#pragma once
// Training labels of a Structure, found under configurable key names, in the units the extxyz
// files carry them (ASE's units):
//   energy, free_energy  eV                  (per-structure info scalars)
//   forces               eV / Angstrom       (per-atom [N, 3] array)
//   stress               eV / Angstrom^3     ([3, 3], ASE's sign convention:
//                                              stress = (1/V) dE/d(strain), so a compressed
//                                              cell (positive pressure) has a negative
//                                              diagonal; pressure = -trace / 3)
// The stress comes from the stress key (3x3, or 6 Voigt values xx yy zz yz xz xy) or, when that
// is absent, from the virial key as -virial / volume (the GAP / QUIP convention). Each getter
// returns nullopt when the label is absent and fails (eqt::Error naming the key) when it is
// present but malformed or not finite, so a bad label never reaches training.
#include <ATen/ATen.h>

#include <optional>
#include <string>

#include "eqt/data/structure.h"

namespace eqt::data {

struct LabelKeys {
  std::string energy = "energy";
  std::string forces = "forces";
  std::string stress = "stress";
  std::string virial = "virial";
  std::string free_energy = "free_energy";
};

std::optional<double> energy_label(const Structure& s, const LabelKeys& keys = {});
std::optional<double> free_energy_label(const Structure& s, const LabelKeys& keys = {});
// float64 [N, 3]
std::optional<at::Tensor> forces_label(const Structure& s, const LabelKeys& keys = {});
// float64 [3, 3], symmetric when it came from Voigt values
std::optional<at::Tensor> stress_label(const Structure& s, const LabelKeys& keys = {});

// Voigt order as ASE: xx yy zz yz xz xy.
at::Tensor stress_from_voigt(const at::Tensor& voigt);
// ASE's conversion: reads the upper triangle of the 3x3 matrix.
at::Tensor voigt_from_stress(const at::Tensor& stress);
// |det(cell)| in Angstrom^3.
double cell_volume(const Structure& s);

}  // namespace eqt::data
