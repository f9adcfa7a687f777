// NVE with real architectures (random weights), float64: velocity Verlet conserves the total
// energy. The bounds are stated in the test; the measured figures are in docs/md.md.
#include <gtest/gtest.h>

#include "md/nve_test_support.h"
#include "models/equiformer_fixtures.h"

namespace eqt::testing {
namespace {

TEST(EnergyConservation, SmallEquiformerNve) {
  at::manual_seed(2024);  // the random weights, independent of the tests run before
  auto model = std::make_shared<models::equiformer::EquiformerModel>(small_config(), at::kDouble);
  const auto result = run_nve(model, methane(), 0.1, 50);
  const double drift = result.drift.ev_per_atom_per_ps(5);
  // Bounds over 5 fs at dt = 0.1 fs: |drift| < 3e-3 eV/atom/ps and |E(t) - E(0)| < 1e-3 eV
  // (measured: 5.0e-4 eV/atom/ps and 2.4e-4 eV, against a mean kinetic energy of 0.55 eV).
  EXPECT_LT(std::abs(drift), 3e-3) << drift;
  EXPECT_LT(result.drift.max_deviation_ev(), 1e-3) << result.drift.max_deviation_ev();
  std::cout << "equiformer NVE: drift " << drift << " eV/atom/ps, max |E - E0| " << result.drift.max_deviation_ev()
            << " eV, mean kinetic " << result.mean_kinetic << " eV\n";
}

}  // namespace
}  // namespace eqt::testing
