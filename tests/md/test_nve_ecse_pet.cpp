// NVE with real architectures (random weights), float64: velocity Verlet conserves the total
// energy. The bounds are stated in the test; the measured figures are in docs/md.md.
#include <gtest/gtest.h>

#include "md/nve_test_support.h"
#include "models/ecse_test_support.h"

namespace eqt::testing {
namespace {

TEST(EnergyConservation, PetInEcseNve) {
  EQT_REQUIRE_SHARED(shared);
  auto model = ecse_pet(shared);
  model->eval();
  for (auto& p : model->parameters()) p.set_requires_grad(false);
  const auto result = run_nve(model, methane(), 0.25, 200);
  const double drift = result.drift.ev_per_atom_per_ps(5);
  // Same bounds as for Equiformer, over 50 fs.
  EXPECT_LT(std::abs(drift), 1e-3) << drift;
  EXPECT_LT(result.drift.max_deviation_ev(), 0.01 * result.mean_kinetic) << result.drift.max_deviation_ev();
  std::cout << "ecse(pet) NVE: drift " << drift << " eV/atom/ps, max |E - E0| " << result.drift.max_deviation_ev()
            << " eV, mean kinetic " << result.mean_kinetic << " eV\n";
}

}  // namespace
}  // namespace eqt::testing
