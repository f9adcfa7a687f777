#pragma once
// Langevin dynamics (NVT) with the BAOAB splitting (Leimkuhler & Matthews, 2013): half kick (B),
// half drift (A), the exact Ornstein-Uhlenbeck velocity update (O)
//   v <- c v + sqrt((1 - c^2) k_B T / m) xi,   c = exp(-friction dt),  xi ~ N(0, 1),
// half drift, forces, half kick. One force evaluation per step; configurational averages are
// accurate to second order in dt. friction is in 1/fs (0.01/fs: velocities decorrelate in ~100 fs),
// the noise comes from a seeded generator, so a run is reproducible.
#include <cstdint>

#include "eqt/md/integrator.h"
#include "eqt/md/random.h"

namespace eqt::md {

struct LangevinOptions {
  double temperature_k = 300.0;
  double friction_per_fs = 0.01;
  uint64_t seed = 0;
};

class Langevin : public Integrator {
 public:
  // Fails (eqt::Error) for a negative temperature or friction.
  Langevin(double dt_fs, const LangevinOptions& options);
  void step(MdState& state, ForceField& forces) override;
  std::string name() const override { return "langevin-baoab"; }
  std::string random_state() const override { return random_.save(); }
  void restore_random_state(const std::string& state) override { random_.restore(state); }

 private:
  void thermalise(MdState& state);  // the O step

  LangevinOptions options_;
  GaussianSource random_;
};

}  // namespace eqt::md
