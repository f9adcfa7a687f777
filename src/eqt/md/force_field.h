#pragma once
// What the integrators need from a potential: the energy and forces at the state's positions.
#include "eqt/md/state.h"

namespace eqt::md {

class ForceField {
 public:
  virtual ~ForceField() = default;
  // Sets state.potential_energy (eV) and state.forces (float64 [N, 3], eV/Angstrom).
  virtual void compute(MdState& state) = 0;
};

}  // namespace eqt::md
