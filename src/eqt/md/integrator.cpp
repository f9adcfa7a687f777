#include "eqt/md/integrator.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/core/units.h"
#include "eqt/md/wrap.h"

namespace eqt::md {

Integrator::Integrator(double dt_fs) : dt_(dt_fs) {
  if (!std::isfinite(dt_fs) || !(dt_fs > 0)) fail("the time step must be > 0 fs, not {}", dt_fs);
}

void Integrator::restore_random_state(const std::string& state) {
  if (!state.empty()) fail("{} has no random numbers, but a random state was given", name());
}

void kick(MdState& state, double dt_fs) {
  if (!state.forces.defined()) fail("internal: forces were not computed before the first MD step");
  // (eV/Angstrom) / amu = kAmuAngstromSquaredPerFsSquaredToEv Angstrom/fs^2.
  const at::Tensor acceleration =
      state.forces / state.masses.unsqueeze(1) / units::kAmuAngstromSquaredPerFsSquaredToEv;
  state.velocities = state.velocities + dt_fs * acceleration;
}

void advance_clock(MdState& state, double dt_fs) {
  state.step += 1;
  state.time_fs = static_cast<double>(state.step) * dt_fs;
}

void drift(MdState& state, double dt_fs) {
  state.positions = state.positions + dt_fs * state.velocities;
  wrap_positions(state);
}

}  // namespace eqt::md
