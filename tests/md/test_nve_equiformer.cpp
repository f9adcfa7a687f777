// NVE with real architectures (random weights), float64: velocity Verlet conserves the total
// energy. The bounds are stated in the test; the measured figures are in docs/md.md.
#include <gtest/gtest.h>

#include "md/nve_test_support.h"
#include "models/equiformer_fixtures.h"

namespace eqt::testing {
namespace {

TEST(EnergyConservation, SmallEquiformerNve) {
  auto model = std::make_shared<models::equiformer::EquiformerModel>(small_config(), at::kDouble);
  const auto result = run_nve(model, methane(), 0.25, 400);
  const double drift = result.drift.ev_per_atom_per_ps(5);
  // Bound: |drift| < 1e-3 eV/atom/ps over 100 fs, and the total energy stays within 1% of the
  // mean kinetic energy (which is what the integration error would otherwise eat into).
  EXPECT_LT(std::abs(drift), 1e-3) << drift;
  EXPECT_LT(result.drift.max_deviation_ev(), 0.01 * result.mean_kinetic) << result.drift.max_deviation_ev();
  std::cout << "equiformer NVE: drift " << drift << " eV/atom/ps, max |E - E0| " << result.drift.max_deviation_ev()
            << " eV, mean kinetic " << result.mean_kinetic << " eV\n";
}

}  // namespace
}  // namespace eqt::testing
