// `eqt predict` end to end on the official Equiformer reference exports: energies and forces in
// the output file match the official code's outputs; errors are clean.
#include <gtest/gtest.h>

#include <fstream>

#include "predict_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

class CliPredictReference : public ::testing::TestWithParam<const char*> {};

TEST_P(CliPredictReference, EnergiesAndForcesMatchTheOfficialOutputs) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir(std::string("predict_") + GetParam());
  const auto structures = reference_structures_of(shared);
  data::write_extxyz(dir / "in.xyz", structures);
  const auto model = reference_model(shared, GetParam());
  const auto r = run_predict("--model " + quoted(model) + " --input " + quoted(dir / "in.xyz") + " --output " +
                             quoted(dir / "out.xyz") + " --dtype float64 --batch-size 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("predict: 5 structures in"), std::string::npos) << r.output;

  const auto predicted = data::read_extxyz(dir / "out.xyz");
  const auto expected = load_json(model / "outputs.json").at("per_structure");
  ASSERT_EQ(predicted.size(), expected.size());
  for (std::size_t k = 0; k < predicted.size(); ++k) {
    SCOPED_TRACE(expected[k].at("name").get<std::string>());
    const double energy = expected[k].at("energy_denormalized").get<double>();
    EXPECT_NEAR(predicted[k].info_scalar("energy"), energy, 1e-9 * std::abs(energy));
    const double raw = expected[k].at("energy").get<double>();
    EXPECT_NEAR(predicted[k].info_scalar("energy_raw"), raw, 1e-9 * std::abs(raw));
    ASSERT_TRUE(predicted[k].has_array("forces"));
    EXPECT_LT(scaled_error(predicted[k].arrays.at("forces"), tensor_from_json(expected[k].at("forces_denormalized"))),
              1e-9);
    EXPECT_TRUE(at::equal(predicted[k].positions, structures[k].positions));
    EXPECT_FALSE(predicted[k].has_info("stress"));  // molecules: no stress in auto mode
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Configs, CliPredictReference, ::testing::ValuesIn(kReferenceConfigs));

TEST(CliPredict, PrefixKeepsTheOriginalLabels) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("predict_prefix");
  auto structures = reference_structures_of(shared);
  structures.resize(2);
  for (auto& s : structures) {
    s.info["energy"] = at::scalar_tensor(-12.5, at::kDouble);
    s.info["config_type"] = std::string("md17");
    s.arrays["forces"] = at::full({s.num_atoms(), 3}, 0.25, at::kDouble);
  }
  data::write_extxyz(dir / "in.xyz", structures);
  const auto model = reference_model(shared, "small_dp_exp");
  const std::string common = "--model " + quoted(model) + " --input " + quoted(dir / "in.xyz");
  auto r = run_predict(common + " --output " + quoted(dir / "prefixed.xyz") + " --prefix pred_");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_predict(common + " --output " + quoted(dir / "replaced.xyz"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto prefixed = data::read_extxyz(dir / "prefixed.xyz");
  const auto replaced = data::read_extxyz(dir / "replaced.xyz");
  const auto expected = load_json(model / "outputs.json").at("per_structure");
  for (std::size_t k = 0; k < prefixed.size(); ++k) {
    EXPECT_EQ(prefixed[k].info_scalar("energy"), -12.5);
    EXPECT_TRUE(at::equal(prefixed[k].arrays.at("forces"), structures[k].arrays.at("forces")));
    EXPECT_EQ(std::get<std::string>(prefixed[k].info.at("config_type")), "md17");
    const double energy = expected[k].at("energy_denormalized").get<double>();
    EXPECT_NEAR(prefixed[k].info_scalar("pred_energy"), energy, 1e-9 * std::abs(energy));
    EXPECT_TRUE(prefixed[k].has_array("pred_forces"));
    // Without a prefix the labels are replaced by the predictions, other keys kept.
    EXPECT_EQ(replaced[k].info_scalar("energy"), prefixed[k].info_scalar("pred_energy"));
    EXPECT_TRUE(at::equal(replaced[k].arrays.at("forces"), prefixed[k].arrays.at("pred_forces")));
    EXPECT_EQ(std::get<std::string>(replaced[k].info.at("config_type")), "md17");
  }
  fs::remove_all(dir);
}

TEST(CliPredict, NoForcesWritesEnergiesOnly) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("predict_no_forces");
  data::write_extxyz(dir / "in.xyz", reference_structures_of(shared));
  const auto model = reference_model(shared, "small_gat_linear_gaussian");
  const auto r = run_predict("--model " + quoted(model) + " --input " + quoted(dir / "in.xyz") + " --output " +
                             quoted(dir / "out.xyz.gz") + " --no-forces --batch-size 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto predicted = data::read_extxyz(dir / "out.xyz.gz");
  const auto expected = load_json(model / "outputs.json").at("per_structure");
  ASSERT_EQ(predicted.size(), expected.size());
  for (std::size_t k = 0; k < predicted.size(); ++k) {
    EXPECT_FALSE(predicted[k].has_array("forces"));
    const double energy = expected[k].at("energy_denormalized").get<double>();
    EXPECT_NEAR(predicted[k].info_scalar("energy"), energy, 1e-9 * std::abs(energy));
  }
  fs::remove_all(dir);
}

TEST(CliPredict, BadInputGivesFileAndLineAndWritesNothing) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("predict_bad_input");
  std::ofstream(dir / "broken.xyz") << "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 0 0 0.74\n"
                                    << "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 0 0 abc\n";
  const auto r = run_predict("--model " + quoted(reference_model(shared, "small_dp_exp")) + " --input " +
                             quoted(dir / "broken.xyz") + " --output " + quoted(dir / "out.xyz"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("broken.xyz:8"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out.xyz"));
  fs::remove_all(dir);
}

TEST(CliPredict, BadModelDirectoryIsACleanError) {
  const auto dir = temp_dir("predict_bad_model");
  std::ofstream(dir / "in.xyz") << "1\nProperties=species:S:1:pos:R:3\nH 0 0 0\n";
  const auto r = run_predict("--model " + quoted(dir / "no_model") + " --input " + quoted(dir / "in.xyz") +
                             " --output " + quoted(dir / "out.xyz"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no_model does not exist"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

TEST(CliPredict, HelpExplainsThePrefixAndTheStressModes) {
  const auto r = run_command(shell_quote(eqt_executable().string()) + " predict --help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* text : {"--model", "--input", "--output", "--dtype", "--batch-size", "--no-forces", "--stress",
                           "--prefix", "REPLACE"}) {
    EXPECT_NE(r.output.find(text), std::string::npos) << text << "\n" << r.output;
  }
}

}  // namespace
}  // namespace eqt::testing

namespace eqt::testing {
namespace {

// Every model output reaches the file: per-structure (energy_raw) into the frame's info, per-atom
// (atomic_energies) as a column; the input's own keys, per-structure and per-atom, are kept.
TEST(CliPredict, WritesEveryModelOutputAndKeepsTheInputsKeys) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = std::filesystem::path(temp_dir("predict_all_outputs"));
  auto structures = reference_structures_of(shared);
  structures.resize(3);
  for (std::size_t k = 0; k < structures.size(); ++k) {
    structures[k].info["config_type"] = std::string("gas");
    structures[k].info["temperature"] = at::scalar_tensor(300.0 + k, at::kDouble);
    structures[k].arrays["tags"] = at::arange(structures[k].num_atoms(), at::kLong);
  }
  data::write_extxyz(dir / "in.xyz", structures);
  const auto model = reference_model(shared, "small_dp_exp");
  const auto r = run_predict("--model " + quoted(model) + " --input " + quoted(dir / "in.xyz") + " --output " +
                             quoted(dir / "out.xyz") + " --batch-size 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto predicted = data::read_extxyz(dir / "out.xyz");
  const auto expected = load_json(model / "outputs.json").at("per_structure");
  const double mean = load_json(model / "config.json").at("constructor_kwargs").value("mean", 0.0);
  ASSERT_EQ(predicted.size(), structures.size());
  for (std::size_t k = 0; k < predicted.size(); ++k) {
    const auto& s = predicted[k];
    const double raw = expected[k].at("energy").get<double>();
    EXPECT_NEAR(s.info_scalar("energy_raw"), raw, 1e-9 * std::abs(raw));
    ASSERT_TRUE(s.has_array("atomic_energies"));
    EXPECT_EQ(s.arrays.at("atomic_energies").numel(), s.num_atoms());
    // Atomic energies add up to the official energy less the per-structure mean of the normalisation.
    const double energy = expected[k].at("energy_denormalized").get<double>();
    EXPECT_NEAR(s.arrays.at("atomic_energies").sum().item<double>() + mean, energy, 1e-9 * std::abs(energy));
    EXPECT_EQ(std::get<std::string>(s.info.at("config_type")), "gas");
    EXPECT_EQ(s.info_scalar("temperature"), 300.0 + k);
    EXPECT_TRUE(at::equal(s.arrays.at("tags"), structures[k].arrays.at("tags")));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
