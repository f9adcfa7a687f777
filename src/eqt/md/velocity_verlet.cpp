#include "eqt/md/velocity_verlet.h"

namespace eqt::md {

void VelocityVerlet::step(MdState& state, ForceField& forces) {
  kick(state, 0.5 * dt_);
  drift(state, dt_);
  forces.compute(state);
  kick(state, 0.5 * dt_);
  advance_clock(state, dt_);
}

}  // namespace eqt::md
