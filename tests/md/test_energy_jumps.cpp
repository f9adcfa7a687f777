// EnergyJumps tells integration error (smooth changes of the total energy) from a discontinuous
// potential (one step far above the typical change), on synthetic energy series.
#include <gtest/gtest.h>

#include <cmath>

#include "eqt/md/energy_jumps.h"

namespace eqt::md {
namespace {

TEST(EnergyJumps, SmoothOscillationIsNotAJump) {
  EnergyJumps jumps;
  for (int k = 0; k <= 200; ++k) jumps.add(k, -10.0 + 1e-3 * std::sin(0.3 * k));
  EXPECT_FALSE(jumps.looks_discontinuous());
  EXPECT_TRUE(jumps.warning().empty());
  EXPECT_GT(jumps.typical_step_change_ev(), 1e-5);  // the series does change
}

TEST(EnergyJumps, OneLargeStepIsReportedWithItsStep) {
  EnergyJumps jumps;
  for (int k = 0; k <= 200; ++k) jumps.add(k, -10.0 + 1e-3 * std::sin(0.3 * k) + (k >= 120 ? 0.57 : 0.0));
  EXPECT_TRUE(jumps.looks_discontinuous());
  EXPECT_EQ(jumps.largest_at_step(), 120);
  EXPECT_NEAR(jumps.largest_step_change_ev(), 0.57, 2e-3);
  EXPECT_NE(jumps.warning().find("step 120"), std::string::npos) << jumps.warning();
}

TEST(EnergyJumps, ManyJumpsStillStandOutOfTheMedian) {
  // A dense system with a hard cutoff: a jump every 7th step (the mean change is dominated by
  // them, the median is not).
  EnergyJumps jumps;
  double energy = -10.0;
  for (int k = 0; k <= 200; ++k) {
    energy += (k % 7 == 3 ? 0.05 : 0.0);
    jumps.add(k, energy + 1e-3 * std::sin(0.3 * k));
  }
  EXPECT_TRUE(jumps.looks_discontinuous()) << jumps.typical_step_change_ev();
  EXPECT_LT(jumps.typical_step_change_ev(), 1e-3);
}

TEST(EnergyJumps, TinyChangesAreBelowTheFloor) {
  // Round-off sized steps of a perfectly conserving run: a relatively large one is still no jump.
  EnergyJumps jumps;
  for (int k = 0; k <= 50; ++k) jumps.add(k, -10.0 + (k == 25 ? 1e-9 : 1e-12 * (k % 2)));
  EXPECT_FALSE(jumps.looks_discontinuous());
}

TEST(EnergyJumps, TooShortRunsSayNothing) {
  EnergyJumps jumps;
  jumps.add(0, 0.0);
  jumps.add(1, 1.0);
  EXPECT_FALSE(jumps.looks_discontinuous());
  EXPECT_EQ(jumps.typical_step_change_ev(), 0.0);
}

}  // namespace
}  // namespace eqt::md
