#include "eqt/md/maxwell_boltzmann.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/core/units.h"

namespace eqt::md {

void remove_total_momentum(MdState& state) {
  const at::Tensor masses = state.masses.unsqueeze(1);
  const at::Tensor centre_of_mass_velocity = (masses * state.velocities).sum(0) / state.masses.sum();
  state.velocities = state.velocities - centre_of_mass_velocity;
}

void maxwell_boltzmann_velocities(MdState& state, GaussianSource& random, const MaxwellBoltzmannOptions& options) {
  const double t = options.temperature_k;
  if (!std::isfinite(t) || t < 0) fail("initial temperature must be a finite number >= 0 K, not {}", t);
  // sigma^2 = k_B T / m in eV/amu; divided by kAmuAngstromSquaredPerFsSquaredToEv it is in (A/fs)^2.
  const at::Tensor variance =
      (units::kBoltzmannEvPerKelvin * t / units::kAmuAngstromSquaredPerFsSquaredToEv) / state.masses;
  state.velocities = random.normal({state.num_atoms(), 3}) * at::sqrt(variance).unsqueeze(1);
  if (options.zero_momentum) remove_total_momentum(state);
  if (options.exact_temperature && t > 0) {
    const double current = temperature(state);
    // A single atom with its momentum removed cannot carry any temperature.
    if (current > 0) state.velocities = state.velocities * std::sqrt(t / current);
  }
}

}  // namespace eqt::md
