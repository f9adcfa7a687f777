#pragma once
// The MD loop: periodic wrapping and forces at the start, then `steps` integrator steps; `observe` sees the state at
// step 0 and after every step (logging, trajectory, progress, drift all hang off it).
#include <cstdint>
#include <functional>

#include "eqt/md/force_field.h"
#include "eqt/md/integrator.h"
#include "eqt/md/state.h"

namespace eqt::md {

using Observer = std::function<void(const MdState&)>;

void run_dynamics(MdState& state, Integrator& integrator, ForceField& forces, int64_t steps, const Observer& observe);

// A run continued from a restart file (md/restart.h): the state already has its forces and was
// observed; steps until state.step == last_step, observing after each.
void continue_dynamics(MdState& state, Integrator& integrator, ForceField& forces, int64_t last_step,
                       const Observer& observe);

}  // namespace eqt::md
