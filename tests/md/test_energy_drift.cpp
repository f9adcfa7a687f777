// The drift estimate is the least-squares slope (compared with the closed-form fit of a line
// with known slope plus symmetric noise), converted to eV/atom/ps.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eqt/md/energy_drift.h"

namespace eqt::testing {
namespace {

TEST(EnergyDrift, SlopeEqualsTheTwoPassLeastSquaresFit) {
  // E = -30000 + 2e-4 t + wiggles (eV, t in fs): a large offset, as total energies of real systems.
  std::vector<double> times, energies;
  for (int k = 0; k <= 1000; ++k) {
    times.push_back(0.5 * k);
    energies.push_back(-30000.0 + 2e-4 * times.back() + 0.01 * std::sin(1.3 * k));
  }
  md::EnergyDrift drift;
  for (std::size_t k = 0; k < times.size(); ++k) drift.add(times[k], energies[k]);
  // Textbook two-pass fit: slope = sum (t - <t>)(E - <E>) / sum (t - <t>)^2.
  double mean_t = 0, mean_e = 0;
  for (std::size_t k = 0; k < times.size(); ++k) {
    mean_t += times[k] / times.size();
    mean_e += energies[k] / times.size();
  }
  double cross = 0, squares = 0;
  for (std::size_t k = 0; k < times.size(); ++k) {
    cross += (times[k] - mean_t) * (energies[k] - mean_e);
    squares += (times[k] - mean_t) * (times[k] - mean_t);
  }
  EXPECT_EQ(drift.samples(), 1001);
  EXPECT_NEAR(drift.slope_ev_per_fs(), cross / squares, 1e-12);
  EXPECT_NEAR(drift.slope_ev_per_fs(), 2e-4, 2e-6);
  // eV/fs * 1000 fs/ps / 10 atoms.
  EXPECT_NEAR(drift.ev_per_atom_per_ps(10), cross / squares * 100.0, 1e-9);
}

TEST(EnergyDrift, ConstantEnergyHasNoDriftAndOneSampleNoSlope) {
  md::EnergyDrift drift;
  drift.add(0.0, -5.0);
  EXPECT_EQ(drift.slope_ev_per_fs(), 0.0);
  for (int k = 1; k < 100; ++k) drift.add(k * 1.0, -5.0);
  EXPECT_NEAR(drift.slope_ev_per_fs(), 0.0, 1e-15);
  EXPECT_EQ(drift.max_deviation_ev(), 0.0);
}

}  // namespace
}  // namespace eqt::testing
