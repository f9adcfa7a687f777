// ClusterPotential: a periodic system cut into domains, each evaluated as an open cluster of its
// owned atoms plus a shell of periodic images (what LAMMPS's ghost atoms are), must give the
// periodic energy, forces and stress of models::evaluate exactly, in both force modes.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eqt/inference/cluster_potential.h"
#include "eqt/models/interaction_range.h"
#include "eqt/models/potential.h"
#include "models/equiformer_fixtures.h"
#include "support/random_pet.h"
#include "domain_fixtures.h"

namespace eqt::testing {
namespace {

struct Totals {
  double energy = 0.0;
  at::Tensor forces;  // [N, 3] on the periodic atoms
  std::array<double, 6> virial{};
};

Totals decomposed(inference::ClusterPotential& potential, const data::Structure& s,
                  const std::vector<std::vector<int64_t>>& domains, bool forces_on_shell) {
  Totals t;
  t.forces = at::zeros({s.num_atoms(), 3}, at::kDouble);
  for (const auto& domain : domains) {
    const Cluster c = make_cluster(s, domain, potential.shell_thickness(forces_on_shell));
    inference::ClusterPotential::Request r;
    r.positions = c.positions.data();
    r.numbers = c.numbers.data();
    r.num_atoms = static_cast<int64_t>(c.numbers.size());
    r.num_owned = c.owned;
    r.forces_on_shell = forces_on_shell;
    const auto result = potential.compute(r);
    t.energy += result.energy;
    for (int k = 0; k < 6; ++k) t.virial[k] += result.virial[k];
    auto f = t.forces.accessor<double, 2>();
    for (size_t i = 0; i < c.owner.size(); ++i)
      for (int e = 0; e < 3; ++e) f[c.owner[i]][e] += result.forces[3 * i + e];
  }
  t.energy += potential.per_structure_constant(s.numbers[0].item<int64_t>());
  return t;
}

class ClusterPotentialTest : public ::testing::TestWithParam<bool> {};

TEST_P(ClusterPotentialTest, DomainsOfAPeriodicCrystalGiveItsEnergyForcesAndStress) {
  const bool forces_on_shell = GetParam();
  const data::Structure crystal = distorted_fcc();
  auto model = random_pet({{13, 29}, 3.0, 2, 11});
  inference::ClusterPotential potential(model, false);
  EXPECT_DOUBLE_EQ(potential.interaction_range(), 6.0);

  const auto graph = data::collate({&crystal}, model->cutoff(), at::kDouble);
  const auto expected = models::evaluate(*model, graph, {true, true, false, "energy"});
  const double volume = std::abs(at::linalg_det(crystal.cell).item<double>());
  const at::Tensor stress_tensor = expected.stress[0].contiguous();
  const auto stress = stress_tensor.accessor<double, 2>();
  const double expected_virial[6] = {-volume * stress[0][0], -volume * stress[1][1], -volume * stress[2][2],
                                     -volume * stress[0][1], -volume * stress[0][2], -volume * stress[1][2]};

  for (const auto& domains : std::vector<std::vector<std::vector<int64_t>>>{{{0, 1, 2, 3}}, {{0, 2}, {1}, {3}}}) {
    const Totals t = decomposed(potential, crystal, domains, forces_on_shell);
    EXPECT_NEAR(t.energy, expected.energy.item<double>(), 1e-10);
    EXPECT_LT(max_abs_diff(t.forces, expected.forces), 1e-10);
    for (int k = 0; k < 6; ++k) EXPECT_NEAR(t.virial[k], expected_virial[k], 1e-10) << "virial component " << k;
  }
  // Not trivially zero.
  EXPECT_GT(expected.forces.abs().max().item<double>(), 1e-3);
}

INSTANTIATE_TEST_SUITE_P(ForceModes, ClusterPotentialTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "ForcesOnShell" : "OwnedForcesOnly"; });

TEST(ClusterPotential, ModelsReportTheirMessagePassingRange) {
  auto pet = random_pet({{1, 8}, 3.5, 3, 1});
  EXPECT_DOUBLE_EQ(models::interaction_range(*pet), 3 * 3.5);
  auto config = small_config();
  models::equiformer::EquiformerModel equiformer(config, at::kDouble);
  // Edge-degree embedding plus one step per block.
  EXPECT_DOUBLE_EQ(models::interaction_range(equiformer), (config.num_layers + 1) * config.max_radius);
  config.norm_layer = "graph";
  EXPECT_TRUE(std::isinf(models::interaction_range(models::equiformer::EquiformerModel(config, at::kDouble))));
}

}  // namespace
}  // namespace eqt::testing
