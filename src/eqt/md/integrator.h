#pragma once
// Time integrators advance an MdState by one step of dt fs. Each keeps state.forces and
// state.potential_energy current (one force evaluation per step), wraps periodic positions after
// every drift, and advances state.step / state.time_fs.
#include <memory>
#include <string>

#include "eqt/md/force_field.h"
#include "eqt/md/state.h"

namespace eqt::md {

class Integrator {
 public:
  virtual ~Integrator() = default;
  // state.forces must be those at state.positions (call ForceField::compute once before the first step).
  virtual void step(MdState& state, ForceField& forces) = 0;
  virtual std::string name() const = 0;
  // The state of a stochastic integrator's random numbers (md/restart.h); empty for deterministic ones.
  virtual std::string random_state() const { return ""; }
  // Fails (eqt::Error) on a state random_state() did not write.
  virtual void restore_random_state(const std::string& state);
  double dt() const { return dt_; }

 protected:
  // Fails (eqt::Error) unless dt is a finite number > 0.
  explicit Integrator(double dt_fs);
  double dt_;
};

// The building blocks of splitting schemes:
// v += dt * F / m (dt is often half a step), with F / m in eV/(Angstrom amu) converted to Angstrom/fs^2.
void kick(MdState& state, double dt_fs);
// One more step: time = step * dt (multiplied, not summed, so that it has no rounding drift).
void advance_clock(MdState& state, double dt_fs);
// x += dt * v, then periodic wrapping.
void drift(MdState& state, double dt_fs);

}  // namespace eqt::md
