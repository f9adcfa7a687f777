// Langevin (BAOAB) dynamics brings a cold argon crystal to its target temperature and keeps it
// there; seeded runs are reproducible.
#include <gtest/gtest.h>

#include "eqt/core/error.h"
#include "eqt/md/langevin.h"
#include "eqt/md/model_forces.h"
#include "eqt/md/run.h"
#include "md/md_test_support.h"

namespace eqt::testing {
namespace {

struct LangevinRun {
  double mean_temperature_second_half = 0;
  at::Tensor final_positions;
};

LangevinRun run_langevin(double target, uint64_t seed, int64_t steps) {
  auto state = md::state_from_structure(argon_crystal(3), "argon");  // 108 atoms at rest
  md::ModelForces forces(std::make_shared<LennardJones>(kArgonSigma, kArgonEpsilon, 6.0), at::kDouble, 1.0);
  md::Langevin integrator(5.0, {target, 0.02, seed});
  double sum = 0;
  int64_t count = 0;
  md::run_dynamics(state, integrator, forces, steps, [&](const md::MdState& s) {
    if (s.step < steps / 2) return;
    sum += md::temperature(s);
    ++count;
  });
  return {sum / static_cast<double>(count), state.positions};
}

TEST(Langevin, ReachesTheTargetTemperature) {
  // 108 atoms: the instantaneous temperature fluctuates by sqrt(2 / 3N) = 8%; 500 samples with a
  // correlation time of 1 / (friction dt) = 10 steps give a standard error of the mean of ~1%.
  const double target = 60.0;
  const auto run = run_langevin(target, 3, 1000);
  EXPECT_NEAR(run.mean_temperature_second_half / target, 1.0, 0.04) << run.mean_temperature_second_half;
}

TEST(Langevin, SeededRunsAreReproducible) {
  const auto a = run_langevin(100.0, 1, 20), b = run_langevin(100.0, 1, 20), c = run_langevin(100.0, 2, 20);
  EXPECT_TRUE(at::equal(a.final_positions, b.final_positions));
  EXPECT_FALSE(at::equal(a.final_positions, c.final_positions));
}

TEST(Langevin, RejectsBadParameters) {
  EXPECT_THROW(md::Langevin(0.0, {300.0, 0.01, 0}), Error);
  EXPECT_THROW(md::Langevin(1.0, {-1.0, 0.01, 0}), Error);
  EXPECT_THROW(md::Langevin(1.0, {300.0, -0.01, 0}), Error);
}

}  // namespace
}  // namespace eqt::testing
