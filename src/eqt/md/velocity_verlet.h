#pragma once
// Velocity Verlet (NVE), ASE's VelocityVerlet step: half kick, drift, forces, half kick.
// Time reversible and symplectic, so the total energy fluctuates but does not drift for a
// smooth potential and a small enough dt.
#include "eqt/md/integrator.h"

namespace eqt::md {

class VelocityVerlet : public Integrator {
 public:
  explicit VelocityVerlet(double dt_fs) : Integrator(dt_fs) {}
  void step(MdState& state, ForceField& forces) override;
  std::string name() const override { return "velocity-verlet"; }
};

}  // namespace eqt::md
