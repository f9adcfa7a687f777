// `eqt predict` on periodic input: the stress it writes agrees with finite differences of the
// energies it writes for strained copies of the same cell (two independent routes).
#include <gtest/gtest.h>

#include "predict_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

// A distorted fcc Cu3Al cell, periodic in 3D.
data::Structure crystal() {
  const double a = 3.7;
  const at::Tensor cell = at::tensor({a, 0.1, 0.0, 0.05, a * 1.03, -0.08, 0.02, 0.1, a * 0.97}, at::kDouble).view({3, 3});
  const at::Tensor fractional =
      at::tensor({0.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.5, 0.0, 0.5, 0.0, 0.5, 0.5}, at::kDouble).view({4, 3});
  const at::Tensor noise =
      at::tensor({0.02, -0.03, 0.01, -0.04, 0.02, 0.03, 0.01, 0.05, -0.02, 0.03, -0.01, -0.04}, at::kDouble).view({4, 3});
  return data::make_structure({29, 29, 13, 29}, at::mm(fractional, cell) + noise, cell, {true, true, true});
}

// r -> r (I + e), cell -> cell (I + e) with the symmetric strain e_ij = e_ji = h.
data::Structure strained(const data::Structure& s, int i, int j, double h) {
  at::Tensor deformation = at::eye(3, at::kDouble);
  deformation[i][j] += h;
  if (i != j) deformation[j][i] += h;
  data::Structure out = s;
  out.positions = at::mm(s.positions, deformation);
  out.cell = at::mm(s.cell, deformation);
  return out;
}

TEST(CliPredictStress, PeriodicInputGetsAStressThatMatchesFiniteDifferences) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("predict_stress");
  const data::Structure base = crystal();
  const double h = 1e-5;  // central differences: O(h^2) truncation, round-off ~1e-16 |E| / h
  const std::pair<int, int> components[] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {1, 2}};
  std::vector<data::Structure> input = {base, reference_structures_of(shared)[0]};
  for (const auto& [i, j] : components) {
    input.push_back(strained(base, i, j, h));
    input.push_back(strained(base, i, j, -h));
  }
  data::write_extxyz(dir / "in.xyz", input);
  const auto r = run_predict("--model " + quoted(reference_model(shared, "small_gat_nonlinear_exp")) + " --input " +
                             quoted(dir / "in.xyz") + " --output " + quoted(dir / "out.xyz") + " --batch-size 4");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto out = data::read_extxyz(dir / "out.xyz");
  ASSERT_EQ(out.size(), input.size());
  ASSERT_TRUE(out[0].has_info("stress"));
  EXPECT_FALSE(out[1].has_info("stress")) << "a molecule has no stress";
  const at::Tensor stress = out[0].info_tensor("stress").reshape({3, 3});
  EXPECT_TRUE(at::allclose(stress, stress.t(), 0, 1e-12));
  const double volume = std::abs(at::det(base.cell).item<double>());
  const double scale = stress.abs().max().item<double>();
  ASSERT_GT(scale, 0);
  for (std::size_t c = 0; c < std::size(components); ++c) {
    const auto [i, j] = components[c];
    const double plus = out[2 + 2 * c].info_scalar("energy"), minus = out[3 + 2 * c].info_scalar("energy");
    // dE/dh = V sigma_ii on the diagonal, V (sigma_ij + sigma_ji) = 2 V sigma_ij off it.
    const double expected = (plus - minus) / (2 * h) / volume / (i == j ? 1.0 : 2.0);
    EXPECT_NEAR(stress[i][j].item<double>(), expected, 1e-6 * scale) << i << j;
  }
  fs::remove_all(dir);
}

TEST(CliPredictStress, StressAlwaysRefusesAMolecule) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("predict_stress_always");
  data::write_extxyz(dir / "in.xyz", {crystal(), reference_structures_of(shared)[0]});
  const auto model = reference_model(shared, "small_dp_exp");
  const std::string common = "--model " + quoted(model) + " --input " + quoted(dir / "in.xyz") + " --output " +
                             quoted(dir / "out.xyz");
  auto r = run_predict(common + " --stress always");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("in.xyz: frame 1: --stress always"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out.xyz"));
  r = run_predict(common + " --stress never");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(data::read_extxyz(dir / "out.xyz")[0].has_info("stress"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
