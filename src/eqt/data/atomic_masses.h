#pragma once
// Atomic masses (amu) by atomic number, as ASE's ase.data.atomic_masses.
#include <cstdint>

namespace eqt::data {

// Fails (eqt::Error) for numbers outside [0, 118].
double atomic_mass(int64_t number);

}  // namespace eqt::data
