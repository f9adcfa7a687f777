// `eqt check` end to end: a smooth Equiformer passes every check (exit 0, JSON "passed": true);
// the official export (published Equiformer, hard cutoff) fails the cutoff checks (exit 1). And
// `eqt md` warns when a neighbour crossing the hard cutoff makes the total energy jump.
#include <gtest/gtest.h>

#include <fstream>

#include "eqt/io/json_file.h"
#include "eqt/models/model_dir.h"
#include "models/equiformer_fixtures.h"
#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;


CommandResult run_eqt(const std::string& arguments) {
  return run_command(shell_quote(eqt_executable().string()) + " --threads 1 " + arguments);
}

// C, H, H and an O that sits 2 mA inside `cutoff` from C, moving away from it at 0.01 A/fs.
fs::path write_crossing_molecule(const fs::path& path, double cutoff) {
  std::ofstream out(path);
  out << "4\nProperties=species:S:1:pos:R:3:velocities:R:3 pbc=\"F F F\"\n"
      << "C 0.0 0.0 0.0 0 0 0\nH 1.09 0.0 0.0 0 0 0\nH -0.4 -1.0 0.2 0 0 0\n"
      << "O 0.0 " << cutoff - 0.002 << " 0.0 0 0.01 0\n";
  return path;
}

fs::path saved_smooth_equiformer(const fs::path& dir) {
  at::manual_seed(5);
  auto config = small_config();
  config.smooth_cutoff = true;
  const models::equiformer::EquiformerModel model(config, at::kDouble);
  models::save_model(model, dir / "model", {{1, 6, 8}});
  return dir / "model";
}

const char* const kCheckNames[] = {"cutoff_energy_jump", "cutoff_force_jump", "finite_difference_forces", "rotation",
                                   "inversion",          "permutation",       "translation",              "nve_convergence"};

TEST(CliCheck, SmoothEquiformerPassesEveryCheck) {
  const auto dir = temp_dir("check_smooth");
  const auto model = saved_smooth_equiformer(dir);
  const auto input = write_crossing_molecule(dir / "in.xyz", 4.0);
  const auto r = run_eqt("check --model " + quoted(model) + " --input " + quoted(input) + " --steps 20 --json " +
                         quoted(dir / "check.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("all checks passed"), std::string::npos) << r.output;
  // Equiformer's softmax uses scatter_reduce, whose beta notice LibTorch prints through glog; eqt's
  // warning handler keeps both out of the output.
  EXPECT_EQ(r.output.find("InitGoogleLogging"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("scatter_reduce"), std::string::npos) << r.output;
  const auto json = io::read_json_file(dir / "check.json");
  EXPECT_EQ(json.at("passed"), true);
  std::map<std::string, nlohmann::json> checks;
  for (const auto& c : json.at("checks")) checks[c.at("name")] = c;
  for (const char* name : kCheckNames) ASSERT_TRUE(checks.count(name)) << name << " missing: " << json.dump();
  EXPECT_EQ(checks.at("cutoff_energy_jump").at("verdict"), "pass");
  EXPECT_GT(checks.at("cutoff_energy_jump").at("data").at("pairs_tested").get<int>(), 2);
  EXPECT_EQ(checks.at("inversion").at("verdict"), "info");  // irreps_sh 1x1e: SE(3) only
  const double ratio = checks.at("nve_convergence").at("value");
  EXPECT_GT(ratio, 3.0);
  EXPECT_LT(ratio, 5.5);
  fs::remove_all(dir);
}

TEST(CliCheck, OfficialExportFailsTheCutoffChecks) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("check_official");
  const auto input = write_crossing_molecule(dir / "in.xyz", 5.0);
  const auto r = run_eqt("check --model " + quoted(shared / "reference/equiformer/small_gat_nonlinear_exp") +
                         " --input " + quoted(input) + " --no-nve --json " + quoted(dir / "check.json"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAILED"), std::string::npos) << r.output;
  const auto json = io::read_json_file(dir / "check.json");
  EXPECT_EQ(json.at("passed"), false);
  for (const auto& c : json.at("checks")) {
    if (c.at("name") == "cutoff_energy_jump") {
      EXPECT_EQ(c.at("verdict"), "FAIL");
      EXPECT_GT(c.at("value").get<double>(), 1e-3);
    }
    if (c.at("name") == "rotation" || c.at("name") == "finite_difference_forces") EXPECT_EQ(c.at("verdict"), "pass");
  }
  fs::remove_all(dir);
}

TEST(CliCheck, BadInputIsAClearError) {
  const auto dir = temp_dir("check_bad");
  const auto model = saved_smooth_equiformer(dir);
  std::ofstream(dir / "bad.xyz") << "2\ncomment\nC 0 0 0\n";
  const auto r = run_eqt("check --model " + quoted(model) + " --input " + quoted(dir / "bad.xyz"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("bad.xyz"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

TEST(CliMdWarning, HardCutoffJumpIsReportedAndSmoothRunIsNot) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("md_jump_warning");
  const auto published = run_eqt("md --model " + quoted(shared / "reference/equiformer/small_gat_nonlinear_exp") +
                                 " --input " + quoted(write_crossing_molecule(dir / "a.xyz", 5.0)) +
                                 " --steps 20 --dt 0.1");
  ASSERT_EQ(published.exit_code, 0) << published.output;
  EXPECT_NE(published.output.find("warning: the total energy changed abruptly"), std::string::npos) << published.output;
  const auto smooth = run_eqt("md --model " + quoted(saved_smooth_equiformer(dir)) + " --input " +
                              quoted(write_crossing_molecule(dir / "b.xyz", 4.0)) + " --steps 20 --dt 0.1");
  ASSERT_EQ(smooth.exit_code, 0) << smooth.output;
  EXPECT_NE(smooth.output.find("largest energy change in one step"), std::string::npos) << smooth.output;
  EXPECT_EQ(smooth.output.find("warning: the total energy"), std::string::npos) << smooth.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
