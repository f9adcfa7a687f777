#pragma once
// NVE runs for the energy-conservation tests: a distorted methane molecule, Maxwell-Boltzmann
// velocities at 300 K, velocity Verlet, and the drift of the total energy.
#include <iostream>

#include "eqt/md/energy_drift.h"
#include "eqt/md/maxwell_boltzmann.h"
#include "eqt/md/model_forces.h"
#include "eqt/md/run.h"
#include "eqt/md/velocity_verlet.h"

namespace eqt::testing {

// A slightly distorted methane molecule (C-H about 1.09 A).
inline md::MdState methane() {
  const at::Tensor positions = at::tensor({0.0, 0.0, 0.0, 0.63, 0.63, 0.63, -0.63, -0.61, 0.64, -0.64, 0.63, -0.62,
                                           0.62, -0.64, -0.63},
                                          at::kDouble)
                                   .view({5, 3});
  return md::state_from_structure(data::make_structure({6, 1, 1, 1, 1}, positions), "methane");
}

struct NveResult {
  md::EnergyDrift drift;
  double mean_kinetic = 0;
};

inline NveResult run_nve(std::shared_ptr<models::Model> model, md::MdState state, double dt, int64_t steps) {
  md::GaussianSource random(21);
  md::maxwell_boltzmann_velocities(state, random, {300.0, true, true});
  md::ModelForces forces(model, at::kDouble, 0.5);
  md::VelocityVerlet integrator(dt);
  NveResult result;
  md::run_dynamics(state, integrator, forces, steps, [&](const md::MdState& s) {
    const double kinetic = md::kinetic_energy(s);
    result.drift.add(s.time_fs, s.potential_energy + kinetic);
    result.mean_kinetic += kinetic / static_cast<double>(steps + 1);
  });
  return result;
}

}  // namespace eqt::testing
