#pragma once
// Initial velocities from the Maxwell-Boltzmann distribution at temperature T: each Cartesian
// component of atom i is normal with variance k_B T / m_i. The total momentum is then removed
// (the system does not drift), and optionally the velocities are scaled so that the temperature
// (state.h: ASE's 3N definition) is exactly T, as ASE's MaxwellBoltzmannDistribution(force_temp=True).
#include <cstdint>

#include "eqt/md/random.h"
#include "eqt/md/state.h"

namespace eqt::md {

struct MaxwellBoltzmannOptions {
  double temperature_k = 300.0;
  bool zero_momentum = true;
  bool exact_temperature = false;
};

// Replaces state.velocities. Fails (eqt::Error) for a negative or non-finite temperature.
void maxwell_boltzmann_velocities(MdState& state, GaussianSource& random, const MaxwellBoltzmannOptions& options);

// Subtracts the centre-of-mass velocity, so that sum m_i v_i = 0.
void remove_total_momentum(MdState& state);

}  // namespace eqt::md
