#include "eqt/md/langevin.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/core/units.h"

namespace eqt::md {

Langevin::Langevin(double dt_fs, const LangevinOptions& options)
    : Integrator(dt_fs), options_(options), random_(options.seed) {
  if (!std::isfinite(options.temperature_k) || options.temperature_k < 0) {
    fail("Langevin temperature must be >= 0 K, not {}", options.temperature_k);
  }
  if (!std::isfinite(options.friction_per_fs) || options.friction_per_fs < 0) {
    fail("Langevin friction must be >= 0 (1/fs), not {}", options.friction_per_fs);
  }
}

void Langevin::thermalise(MdState& state) {
  const double c = std::exp(-options_.friction_per_fs * dt_);
  // k_B T / m in eV/amu, converted to (Angstrom/fs)^2.
  const at::Tensor thermal_variance =
      (units::kBoltzmannEvPerKelvin * options_.temperature_k / units::kAmuAngstromSquaredPerFsSquaredToEv) /
      state.masses;
  const at::Tensor noise_scale = at::sqrt((1.0 - c * c) * thermal_variance).unsqueeze(1);
  state.velocities = c * state.velocities + noise_scale * random_.normal({state.num_atoms(), 3});
}

void Langevin::step(MdState& state, ForceField& forces) {
  kick(state, 0.5 * dt_);
  drift(state, 0.5 * dt_);
  thermalise(state);
  drift(state, 0.5 * dt_);
  forces.compute(state);
  kick(state, 0.5 * dt_);
  advance_clock(state, dt_);
}

}  // namespace eqt::md
