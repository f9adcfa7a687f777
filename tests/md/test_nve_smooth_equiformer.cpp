// NVE with the smooth Equiformer conserves energy like velocity Verlet should: the largest energy
// error shrinks about 4x when dt halves (O(dt^2)), on a run where H-H pairs of methane cross the
// cutoff (20 fs at dt = 0.1 and 0.05 fs). The published model (smooth_cutoff off), on the same run,
// keeps errors that do not shrink.
#include <gtest/gtest.h>

#include "md/nve_test_support.h"
#include "models/equiformer_fixtures.h"

namespace eqt::testing {
namespace {

// The cutoff sits among methane's H-H distances (1.76-1.80 A), so pairs cross it during the run.
models::equiformer::EquiformerConfig crossing_config(bool smooth) {
  auto c = small_config();
  c.max_radius = 1.8;
  c.smooth_cutoff = smooth;
  c.smooth_cutoff_width = 0.4;
  return c;
}

double max_error(bool smooth, double dt, int64_t steps) {
  at::manual_seed(2024);
  auto model = std::make_shared<models::equiformer::EquiformerModel>(crossing_config(smooth), at::kDouble);
  return run_nve(model, methane(), dt, steps).drift.max_deviation_ev();
}

TEST(EnergyConservation, SmoothEquiformerErrorShrinksWithDtSquared) {
  const double coarse = max_error(true, 0.1, 200), fine = max_error(true, 0.05, 400);
  const double published_coarse = max_error(false, 0.1, 200), published_fine = max_error(false, 0.05, 400);
  std::cout << "smooth: " << coarse << " -> " << fine << " eV (ratio " << coarse / fine << "); published: "
            << published_coarse << " -> " << published_fine << " eV (ratio " << published_coarse / published_fine
            << ")\n";
  EXPECT_GT(coarse / fine, 3.0);
  EXPECT_LT(coarse / fine, 5.5);
  // The published model's error is dominated by jumps: large, and not shrinking like dt^2.
  EXPECT_GT(published_fine, 10 * fine);
  EXPECT_LT(published_coarse / published_fine, 2.0);
}

}  // namespace
}  // namespace eqt::testing
