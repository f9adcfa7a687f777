// `eqt predict` and `eqt eval` end to end with the official OC20 Equiformer exports: the predicted
// relaxed energy and relaxed positions in the output file match the official code's outputs
// (fixed atoms stay put), and eval's IS2RE / IS2RS figures equal those recomputed from predict's
// file on the OC20-like synthetic set.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "eqt/data/extxyz_reader.h"
#include "eqt/data/extxyz_writer.h"
#include "support/oc20_reference.h"
#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

CommandResult run_oc20_eqt(const std::string& verb_and_arguments) {
  return run_command(shell_quote(eqt_executable().string()) + " --threads 1 " + verb_and_arguments);
}

class CliOc20 : public ::testing::TestWithParam<const char*> {};

TEST_P(CliOc20, PredictWritesTheRelaxedEnergyAndPositionsOfTheOfficialModel) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir(std::string("oc20_predict_") + GetParam());
  const auto model = oc20_reference_dir(shared) / GetParam();
  std::vector<data::Structure> structures;
  for (auto& r : load_oc20_structures(shared)) structures.push_back(r.structure);  // with their tags
  data::write_extxyz(dir / "in.xyz", structures);
  const auto r = run_oc20_eqt("predict --model " + quoted(model) + " --input " + quoted(dir / "in.xyz") +
                              " --output " + quoted(dir / "out.xyz") + " --dtype float64 --batch-size 4 --no-forces");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto predicted = data::read_extxyz(dir / "out.xyz");
  const auto expected = load_json(model / "outputs.json").at("per_structure");
  ASSERT_EQ(predicted.size(), expected.size());
  for (std::size_t k = 0; k < predicted.size(); ++k) {
    SCOPED_TRACE(expected[k].at("name").get<std::string>());
    const auto& s = predicted[k];
    const double energy = expected[k].at("energy_denormalized").get<double>();
    EXPECT_NEAR(s.info_scalar("energy"), energy, 1e-10 * std::abs(energy));
    ASSERT_TRUE(s.has_array("relaxed_positions") && s.has_array("aux_pos"));
    const at::Tensor aux = tensor_from_json(expected[k].at("aux_pos"));
    EXPECT_LT((s.arrays.at("aux_pos") - aux).abs().max().item<double>(), 1e-10 * aux.abs().max().item<double>());
    const at::Tensor free = structures[k].arrays.at("tags").gt(0).unsqueeze(1).to(at::kDouble);
    const at::Tensor relaxed = structures[k].positions + tensor_from_json(expected[k].at("aux_pos_denormalized")) * free;
    EXPECT_LT((s.arrays.at("relaxed_positions") - relaxed).abs().max().item<double>(), 1e-10);
    // Fixed (tag 0) atoms keep their input positions exactly.
    const at::Tensor fixed = structures[k].arrays.at("tags").eq(0);
    ASSERT_GT(fixed.sum().item<int64_t>(), 0);
    EXPECT_TRUE(at::equal(s.arrays.at("relaxed_positions").index({fixed}), structures[k].positions.index({fixed})));
  }
  fs::remove_all(dir);
}

TEST_P(CliOc20, EvalReportsIs2reAndIs2rsFiguresThatPredictsFileReproduces) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir(std::string("oc20_eval_") + GetParam());
  const auto model = oc20_reference_dir(shared) / GetParam();
  const auto input = shared / "data" / "oc20_synthetic" / "is2re_val.xyz";
  const auto p = run_oc20_eqt("predict --model " + quoted(model) + " --input " + quoted(input) + " --output " +
                              quoted(dir / "pred.xyz") + " --prefix pred_ --no-forces");
  ASSERT_EQ(p.exit_code, 0) << p.output;
  const auto e = run_oc20_eqt("eval --model " + quoted(model) + " --input " + quoted(input) + " --output-dir " +
                              quoted(dir / "eval") + " --energy-key energy_relaxed --no-forces --no-plots");
  ASSERT_EQ(e.exit_code, 0) << e.output;
  EXPECT_NE(e.output.find("IS2RE: energy MAE"), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("ADwT"), std::string::npos) << e.output;
  const auto summary = load_json(dir / "eval" / "metrics.json").at("relaxation");

  // The same figures from predict's file, by hand: free atoms = tag > 0, plain differences (the
  // synthetic relaxations move no free atom by half a cell).
  const auto frames = data::read_extxyz(dir / "pred.xyz");
  ASSERT_EQ(frames.size(), 40u);
  double energy_abs = 0, within = 0, distance_sum = 0, component_sum = 0;
  int64_t atoms = 0;
  std::vector<double> means;
  for (const auto& s : frames) {
    const double error = std::abs(s.info_scalar("pred_energy") - s.info_scalar("energy_relaxed"));
    energy_abs += error;
    within += error < 0.02;
    const at::Tensor free = s.arrays.at("tags").gt(0);
    const at::Tensor d = (s.arrays.at("pred_relaxed_positions") - s.arrays.at("pos_relaxed")).index({free});
    distance_sum += d.norm(2, {1}).sum().item<double>();
    component_sum += d.abs().sum().item<double>();
    atoms += d.size(0);
    means.push_back(d.norm(2, {1}).mean().item<double>());
  }
  const double n = static_cast<double>(frames.size());
  EXPECT_NEAR(summary.at("energy_mae").get<double>(), energy_abs / n, 1e-9);
  EXPECT_NEAR(summary.at("energy_ewt").get<double>(), within / n, 1e-12);
  EXPECT_NEAR(summary.at("mean_distance").get<double>(), distance_sum / static_cast<double>(atoms), 1e-9);
  EXPECT_NEAR(summary.at("positions_mae").get<double>(), component_sum / (3.0 * static_cast<double>(atoms)), 1e-9);
  double adwt = 0;
  for (int k = 0; k < 490; ++k) {
    const double t = 0.01 + 0.001 * k;
    adwt += static_cast<double>(std::count_if(means.begin(), means.end(), [t](double m) { return m < t; })) / n;
  }
  EXPECT_NEAR(summary.at("adwt").get<double>(), adwt / 490, 1e-12);
  EXPECT_GT(summary.at("mean_distance").get<double>(), 0.0);
  fs::remove_all(dir);
}

TEST(CliOc20Md, MolecularDynamicsWithAnIs2reModelIsRefusedCleanly) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("oc20_md");
  const auto r = run_oc20_eqt("md --model " + quoted(oc20_reference_dir(shared) / "small_dp_aux") + " --input " +
                              quoted(shared / "data" / "oc20_synthetic" / "is2re_val.xyz") + " --steps 2 --dt 1 --traj " +
                              quoted(dir / "traj.xyz"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("OC20 graph rule"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "traj.xyz"));
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Configs, CliOc20, ::testing::Values("small_gat_nonlinear_aux", "small_dp_aux"));

}  // namespace
}  // namespace eqt::testing
