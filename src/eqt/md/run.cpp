#include "eqt/md/run.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/md/wrap.h"

namespace eqt::md {

namespace {

// A blown-up run (dt far too large, a model outside its domain) must stop with a message rather
// than write NaN frames.
void check_finite(const MdState& state) {
  if (!std::isfinite(state.potential_energy) || !at::isfinite(state.forces).all().item<bool>() ||
      !at::isfinite(state.velocities).all().item<bool>()) {
    fail("MD step {} (t = {} fs): non-finite energy, forces or velocities; the time step may be too large",
         state.step, state.time_fs);
  }
}

}  // namespace

void run_dynamics(MdState& state, Integrator& integrator, ForceField& forces, int64_t steps, const Observer& observe) {
  if (steps < 0) fail("the number of MD steps must be >= 0, not {}", steps);
  wrap_positions(state);  // so that every frame written is wrapped, the first one too
  forces.compute(state);
  check_finite(state);
  if (observe) observe(state);
  for (int64_t k = 0; k < steps; ++k) {
    integrator.step(state, forces);
    check_finite(state);
    if (observe) observe(state);
  }
}

void continue_dynamics(MdState& state, Integrator& integrator, ForceField& forces, int64_t last_step,
                       const Observer& observe) {
  if (!state.forces.defined()) fail("internal: a continued MD run needs the forces of its restart state");
  if (last_step < state.step) fail("the run is already at step {}, beyond the {} steps asked for", state.step, last_step);
  while (state.step < last_step) {
    integrator.step(state, forces);
    check_finite(state);
    if (observe) observe(state);
  }
}

}  // namespace eqt::md
